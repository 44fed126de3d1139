"""Policies API: the library (list, detail, search) for anyone; "policies for me" and the
eligibility check for a member of an enterprise."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import conditions as cond
from .. import permissions, selectors
from .serializers import (
    EligibilityOutputSerializer,
    PolicyDetailOutputSerializer,
    PolicyListOutputSerializer,
    PolicySearchInputSerializer,
)

TAG = "policies"


class PolicyListView(generics.ListAPIView):
    """Published policies, newest first; `q` searches their text and guides (ranked)."""

    permission_classes = [AllowAny]
    serializer_class = PolicyListOutputSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        filters = PolicySearchInputSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        d = filters.validated_data
        qs = selectors.policy_search(
            q=d.get("q", ""), status=d.get("status", ""), unit=d.get("unit", ""),
            topic=d.get("topic", ""), industry=d.get("industry", ""),
            issued_from=d.get("issued_from"), issued_to=d.get("issued_to"))
        if not d.get("q"):
            qs = qs.order_by("-issued_on", "-id")
        return qs[:100]

    @extend_schema(tags=[TAG], parameters=[PolicySearchInputSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PolicyDetailView(APIView):
    """One published policy with its clauses, guide and eligibility conditions."""

    permission_classes = [AllowAny]

    @extend_schema(tags=[TAG], responses={200: PolicyDetailOutputSerializer,
                                          404: OpenApiResponse(description="No such policy.")})
    def get(self, request, pk: int):
        policy = selectors.policy_for_page(pk=pk, user=request.user)
        if policy is None:
            raise Http404
        return Response(PolicyDetailOutputSerializer(policy).data)


def _eligibility(policy, evaluation, names):
    return {
        "policy": policy.pk, "title": policy.title, "outcome": evaluation.outcome,
        "reasons": [{"condition": cond.describe(leaf, names=names), "clause": leaf["clause"]}
                    for leaf in evaluation.met],
        "missing": [{"fact": key, "label": cond.fact_label(key, names=names)}
                    for key in evaluation.missing_facts],
    }


def _enterprise(request):
    if not permissions.acts_for_enterprise(request.user):
        raise PermissionDenied("Only a member of an enterprise may ask.")
    return request.user.enterprise


class ForMeView(APIView):
    """The policies in force your enterprise is eligible for, or may be (unknown: with the
    facts missing), with the reasons and the clause behind each."""

    @extend_schema(tags=[TAG], responses={200: EligibilityOutputSerializer(many=True)})
    def get(self, request):
        enterprise = _enterprise(request)
        mine, _others = selectors.policies_for_me(enterprise=enterprise)
        names = selectors.qualification_names()
        return Response([_eligibility(m.policy, m.evaluation, names) for m in mine])


class EligibilityView(APIView):
    """Check your enterprise against one policy in force: eligible, not eligible or unknown."""

    @extend_schema(tags=[TAG], responses={200: EligibilityOutputSerializer,
                                          404: OpenApiResponse(description="No such policy "
                                                                           "in force.")})
    def get(self, request, pk: int):
        enterprise = _enterprise(request)
        policy = selectors.policies_in_force().filter(pk=pk).first()
        if policy is None:
            raise Http404
        evaluation = cond.evaluate(policy.conditions, selectors.enterprise_profile(enterprise),
                                   today=timezone.localdate())
        return Response(_eligibility(policy, evaluation, selectors.qualification_names()))
