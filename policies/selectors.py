"""Reads of policies, already limited to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q
from django.utils import timezone

from portal.orgs.models import Qualification

from . import conditions as cond
from .models import Declaration, NotRelevant, Policy, PolicyStatus, TopicSubscription

PUBLIC = (
    PolicyStatus.IN_FORCE,
    PolicyStatus.EXPIRED,
    PolicyStatus.REPEALED,
    PolicyStatus.SUPERSEDED,
)


def policies_public():
    """Every published policy (drafts stay with their unit)."""
    return Policy.objects.filter(status__in=PUBLIC).select_related("unit")


def policies_in_force(today=None):
    today = today or timezone.localdate()
    return Policy.objects.filter(status=PolicyStatus.IN_FORCE, expires_on__gte=today).filter(
        Q(effective_on__isnull=True, issued_on__lte=today) | Q(effective_on__lte=today)
    )


def policy_search(
    *,
    q: str = "",
    status: str = "",
    unit: str = "",
    topic: str = "",
    industry: str = "",
    issued_from=None,
    issued_to=None,
):
    """Published policies matching the words of `q` (jieba tokens, all of them; ranked) and
    the filters."""
    from django.contrib.postgres.search import SearchQuery, SearchRank

    from portal.cases.text import query_tokens

    qs = policies_public()
    if status:
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(unit__code=unit)
    if topic:
        qs = qs.filter(topics__code=topic)
    if industry:
        qs = qs.filter(industries__section=industry)
    if issued_from:
        qs = qs.filter(issued_on__gte=issued_from)
    if issued_to:
        qs = qs.filter(issued_on__lte=issued_to)
    tokens = query_tokens(q)
    if tokens:
        # plainto_tsquery: every token must match, and no character of the query is syntax.
        query = SearchQuery(tokens, config="simple", search_type="plain")
        qs = (
            qs.filter(search_tokens=query)
            .annotate(rank=SearchRank(F("search_tokens"), query))
            .order_by("-rank", "-issued_on", "-id")
        )
    return qs.distinct() if (topic or industry) and not tokens else qs


def policy_for_page(*, pk: int, user) -> Policy | None:
    qs = Policy.objects.select_related("unit", "superseded_by", "guide").prefetch_related(
        "clauses", "topics", "attachments"
    )
    policy = qs.filter(pk=pk).first()
    if policy is None:
        return None
    if policy.status == PolicyStatus.DRAFT and not (
        user.is_authenticated and (user.is_superuser or user.unit_id == policy.unit_id)
    ):
        return None
    return policy


def enterprise_profile(enterprise) -> cond.Profile:
    return cond.Profile.of(
        enterprise,
        qualifications=enterprise.qualifications.values_list("code", flat=True),
        declarations=Declaration.objects.filter(enterprise=enterprise).values_list("key", "value"),
    )


def qualification_names() -> dict[str, str]:
    return {q.code: q.name for q in Qualification.objects.all()}


@dataclass
class ForMe:
    policy: Policy
    evaluation: cond.Evaluation


def policies_for_me(*, enterprise, today=None) -> tuple[list[ForMe], list[Policy]]:
    """The policies in force the enterprise is eligible for or may be (unknown), with their
    reasons; and the others in force on the topics it subscribed to. Expired policies and
    those marked not relevant leave by themselves."""
    today = today or timezone.localdate()
    profile = enterprise_profile(enterprise)
    hidden = NotRelevant.objects.filter(enterprise=enterprise).values("policy_id")
    policies = list(
        policies_in_force(today)
        .exclude(pk__in=hidden)
        .select_related("unit")
        .prefetch_related("topics")
        .order_by("-issued_on", "-id")
    )
    mine, others = [], []
    subscribed_ids = (
        set(
            TopicSubscription.objects.filter(enterprise=enterprise).values_list(
                "topic_id", flat=True
            )
        )
        if policies
        else set()
    )
    for policy in policies:
        evaluation = cond.evaluate(policy.conditions, profile, today=today)
        if evaluation.value is not False:
            mine.append(ForMe(policy, evaluation))
        elif subscribed_ids & {t.pk for t in policy.topics.all()}:
            others.append(policy)
    return mine, others
