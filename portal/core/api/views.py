from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    enterprise = serializers.IntegerField(source="enterprise_id", allow_null=True)
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    roles = serializers.SerializerMethodField()

    def get_roles(self, user) -> list[str]:
        return sorted(g.name for g in user.groups.all())


class MeView(APIView):
    """The signed-in user, their organisation and roles."""

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request):
        return Response(MeOutputSerializer(request.user).data)
