from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import permissions, selectors, services
from ..models import Enterprise, JoinRequest, Unit


class UnitOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(
        help_text="The name in the request's language (Accept-Language or the language cookie).")
    name_zh_hant = serializers.CharField(source="traditional_name",
                                         help_text="The name in Traditional characters.")

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "name_zh_hant", "name_en", "display_name", "kind",
                  "parent"]


class UnitListView(generics.ListAPIView):
    """The units of the district that answer to enterprises."""

    serializer_class = UnitOutputSerializer
    queryset = Unit.objects.filter(is_active=True).order_by("code")
    pagination_class = None


class EnterpriseOutputSerializer(serializers.ModelSerializer):
    qualifications = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Enterprise
        fields = ["id", "credit_code", "name", "kind", "industry", "industry_division", "size",
                  "registered_capital", "founded_on", "address", "tags", "qualifications"]


class OwnEnterpriseView(APIView):
    """The enterprise the signed-in user acts for."""

    @extend_schema(responses={200: EnterpriseOutputSerializer, 404: OpenApiResponse(
        description="You do not act for an enterprise.")})
    def get(self, request):
        if not request.user.enterprise_id:
            from rest_framework.exceptions import NotFound

            raise NotFound
        enterprise = (Enterprise.objects.prefetch_related("qualifications")
                      .get(pk=request.user.enterprise_id))
        return Response(EnterpriseOutputSerializer(enterprise).data)


class JoinRequestOutputSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")

    class Meta:
        model = JoinRequest
        fields = ["id", "email", "full_name", "message", "status", "created_at"]


class JoinRequestListView(APIView):
    """Pending requests to join the administrator's own enterprise."""

    @extend_schema(responses=JoinRequestOutputSerializer(many=True))
    def get(self, request):
        enterprise = request.user.enterprise
        if enterprise is None or not permissions.can_manage_members(request.user, enterprise):
            raise PermissionDenied
        rows = selectors.join_requests_pending_for(enterprise=enterprise)
        return Response(JoinRequestOutputSerializer(rows, many=True).data)


class JoinDecisionInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()


class JoinRequestDecideView(APIView):
    """Approve or reject one request to join."""

    @extend_schema(request=JoinDecisionInputSerializer, responses=JoinRequestOutputSerializer)
    def post(self, request, pk):
        join_request = get_object_or_404(JoinRequest.objects.select_related("user"), pk=pk,
                                         enterprise_id=request.user.enterprise_id)
        data = JoinDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = services.join_request_decide(actor=request.user, join_request=join_request,
                                               approve=data.validated_data["approve"])
        return Response(JoinRequestOutputSerializer(decided).data)
