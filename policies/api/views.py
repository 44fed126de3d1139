"""Policies API: the library (list, detail, search) for anyone; "policies for me", the
eligibility check, supplying a missing fact, marking a policy not relevant and subscribing to
a topic for a member of an enterprise (the same selectors and services as the pages)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import conditions as cond
from .. import permissions, selectors, services
from .serializers import (
    EligibilityOutputSerializer,
    FactSupplyInputSerializer,
    FactSupplyJsonInputSerializer,
    NotRelevantInputSerializer,
    NotRelevantOutputSerializer,
    PolicyDetailOutputSerializer,
    PolicyListOutputSerializer,
    PolicySearchInputSerializer,
    SubscriptionInputSerializer,
    SubscriptionOutputSerializer,
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
            q=d.get("q", ""),
            status=d.get("status", ""),
            unit=d.get("unit", ""),
            topic=d.get("topic", ""),
            industry=d.get("industry", ""),
            issued_from=d.get("issued_from"),
            issued_to=d.get("issued_to"),
        )
        if not d.get("q"):
            qs = qs.order_by("-issued_on", "-id")
        return qs[:100]

    @extend_schema(tags=[TAG], parameters=[PolicySearchInputSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PolicyDetailView(APIView):
    """One published policy with its clauses, guide and eligibility conditions."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=[TAG],
        responses={
            200: PolicyDetailOutputSerializer,
            404: OpenApiResponse(description="No such policy."),
        },
    )
    def get(self, request, pk: int):
        policy = selectors.policy_for_page(pk=pk, user=request.user)
        if policy is None:
            raise Http404
        return Response(PolicyDetailOutputSerializer(policy).data)


def _eligibility(policy, evaluation, names):
    return {
        "policy": policy.pk,
        "title": policy.title,
        "outcome": evaluation.outcome,
        "reasons": [
            {"condition": cond.describe(leaf, names=names), "clause": leaf["clause"]}
            for leaf in evaluation.met
        ],
        "missing": [
            {"fact": key, "label": cond.fact_label(key, names=names)}
            for key in evaluation.missing_facts
        ],
    }


class ActsForEnterprise(BasePermission):
    """A member of an enterprise (policies.permissions, as the pages ask)."""

    def has_permission(self, request, view):
        if not permissions.acts_for_enterprise(request.user):
            self.message = _("Only a member of an enterprise may do this.")
            return False
        return True


def _policy_in_force(pk: int):
    policy = selectors.policies_in_force().filter(pk=pk).first()
    if policy is None:
        raise exceptions.NotFound(_("There is no policy in force with this id."))
    return policy


def _evaluate(policy, enterprise):
    return cond.evaluate(
        policy.conditions, selectors.enterprise_profile(enterprise), today=timezone.localdate()
    )


class ForMeView(APIView):
    """The policies in force your enterprise is eligible for, or may be (unknown: with the
    facts missing), with the reasons and the clause behind each."""

    permission_classes = [IsAuthenticated, ActsForEnterprise]

    @extend_schema(tags=[TAG], responses={200: EligibilityOutputSerializer(many=True)})
    def get(self, request):
        mine, _others = selectors.policies_for_me(enterprise=request.user.enterprise)
        names = selectors.qualification_names()
        return Response([_eligibility(m.policy, m.evaluation, names) for m in mine])


class EligibilityView(APIView):
    """Check your enterprise against one policy in force: eligible, not eligible or unknown."""

    permission_classes = [IsAuthenticated, ActsForEnterprise]

    @extend_schema(
        tags=[TAG],
        responses={
            200: EligibilityOutputSerializer,
            404: OpenApiResponse(description="No such policy in force."),
        },
    )
    def get(self, request, pk: int):
        policy = _policy_in_force(pk)
        evaluation = _evaluate(policy, request.user.enterprise)
        return Response(_eligibility(policy, evaluation, selectors.qualification_names()))


# --- the enterprise's writes ------------------------------------------------------------------


def _fact_field(key: str, holds) -> str:
    """The input field a refusal of the service is about."""
    if key in services.FACT_FIELDS:
        return "value"
    if key.startswith("qualification:") and holds:
        return "certificate"
    return "holds"


WRITE_ERRORS = {
    403: OpenApiResponse(description="Not signed in, or not a member of an enterprise."),
    404: OpenApiResponse(description="No such policy in force."),
}


@extend_schema(
    tags=[TAG],
    summary="Supply a missing fact and be evaluated again — enterprise member",
    request={
        "multipart/form-data": FactSupplyInputSerializer,
        "application/json": FactSupplyJsonInputSerializer,
    },
    responses={
        200: EligibilityOutputSerializer,
        400: OpenApiResponse(
            description="Bad input (a fact the policy is not missing, "
            "a value not acceptable, no certificate for a "
            "qualification held); nothing is saved."
        ),
        **WRITE_ERRORS,
    },
)
class FactSupplyView(APIView):
    """Supply one of the facts the eligibility reports missing (a figure, a declaration, or a
    qualification with its certificate), as on the policy's page; the answer is the policy's
    eligibility evaluated again with it."""

    permission_classes = [IsAuthenticated, ActsForEnterprise]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def post(self, request, pk: int):
        policy = _policy_in_force(pk)
        enterprise = request.user.enterprise
        data = FactSupplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if d["key"] not in _evaluate(policy, enterprise).missing_facts:
            raise exceptions.ValidationError({"key": [services.fact_not_missing_message()]})
        try:
            services.fact_supply(
                enterprise=enterprise,
                by=request.user,
                key=d["key"],
                value=d.get("value"),
                holds=d.get("holds"),
                certificate=d.get("certificate"),
            )
        except ValidationError as exc:
            field = _fact_field(d["key"], d.get("holds"))
            messages = (
                sum(exc.message_dict.values(), []) if hasattr(exc, "error_dict") else exc.messages
            )
            raise exceptions.ValidationError({field: messages}) from exc
        enterprise.refresh_from_db()
        return Response(
            _eligibility(policy, _evaluate(policy, enterprise), selectors.qualification_names())
        )


@extend_schema(
    tags=[TAG],
    summary="Mark a policy not relevant, or relevant again — enterprise member",
    request=NotRelevantInputSerializer,
    responses={
        200: NotRelevantOutputSerializer,
        400: OpenApiResponse(description="Bad input."),
        **WRITE_ERRORS,
    },
)
class NotRelevantView(APIView):
    """A policy marked not relevant leaves your enterprise's "policies for me"; false undoes
    it, as on the policy's page."""

    permission_classes = [IsAuthenticated, ActsForEnterprise]

    def post(self, request, pk: int):
        policy = _policy_in_force(pk)
        data = NotRelevantInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        not_relevant = data.validated_data["not_relevant"]
        services.policy_mark_not_relevant(
            enterprise=request.user.enterprise, policy=policy, relevant=not not_relevant
        )
        return Response({"policy": policy.pk, "not_relevant": not_relevant})


@extend_schema(
    tags=[TAG],
    summary="Subscribe to a topic, or unsubscribe — enterprise member",
    request=SubscriptionInputSerializer,
    responses={
        200: SubscriptionOutputSerializer,
        400: OpenApiResponse(description="Bad input (no such topic)."),
        403: WRITE_ERRORS[403],
    },
)
class SubscriptionView(APIView):
    """Your enterprise's subscription to a topic, as on "policies for me"."""

    permission_classes = [IsAuthenticated, ActsForEnterprise]

    def post(self, request):
        data = SubscriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        topic, subscribed = data.validated_data["topic"], data.validated_data["subscribed"]
        services.topic_subscribe(
            enterprise=request.user.enterprise, topic=topic, subscribed=subscribed
        )
        return Response({"topic": topic.code, "subscribed": subscribed})
