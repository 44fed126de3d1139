"""Reads of routing: rules in the order they are tried, the training set, the latest model."""

from __future__ import annotations

from django.db.models import Count, Max, QuerySet, Sum

from portal.cases.models import Case, CaseEvent, Category

from .constants import KEPT_STATUSES, MAX_TRAINING_SAMPLES, ROUTING_ACTIONS
from .learning import CaseFacts
from .models import RoutingModel, RoutingRule


def rule_list() -> QuerySet[RoutingRule]:
    """Return every rule, in the order they are tried, with what lists show joined in."""
    return RoutingRule.objects.select_related(
        "unit", "category", "industry", "updated_by").order_by("priority", "id")


def rules_enabled() -> list[RoutingRule]:
    """Return the enabled rules in the order they are tried (one query)."""
    return list(RoutingRule.objects.filter(is_enabled=True)
                .select_related("unit", "category", "industry").order_by("priority", "id"))


_rules_cache: tuple[tuple, list[RoutingRule]] | None = None


def rules_enabled_cached() -> list[RoutingRule]:
    """Return `rules_enabled()`, read again only when a rule was saved or deleted.

    One small aggregate query a call instead of reading and building every rule: every save
    goes through services, which raise the rule's `revision`; a deletion lowers the count.
    Names of categories and units on the cached rules may be stale, and a unit may have been
    deactivated since, so callers read the unit they suggest again (services do).
    """
    global _rules_cache
    stamp = tuple(RoutingRule.objects.aggregate(n=Count("id"), last=Max("id"),
                                                revisions=Sum("revision")).values())
    cached = _rules_cache
    if cached is not None and cached[0] == stamp:
        return cached[1]
    rules = rules_enabled()
    _rules_cache = (stamp, rules)
    return rules


def rules_cache_clear() -> None:
    global _rules_cache
    _rules_cache = None


def case_facts(case: Case) -> CaseFacts:
    """Return what routing looks at in `case`.

    Reads `case.category` (and its parent) and `case.enterprise`: select_related
    ("category__parent", "enterprise") saves the queries.
    """
    category = case.category if case.category_id else None
    parent = category.parent if category is not None and category.parent_id else None
    industry = case.enterprise.industry_id if case.enterprise_id else ""
    return CaseFacts(
        title=case.title, description=case.description, kind=case.kind,
        appeal_type=case.subtype or "",
        category_id=category.pk if category else None,
        category_code=category.code if category else "",
        parent_category_id=parent.pk if parent else None,
        parent_category_code=parent.code if parent else "",
        industry=industry or "", subject_unit_id=case.subject_unit_id,
    )


def text_facts(*, title: str, description: str, category: Category | None = None,
               appeal_type: str | None = None, industry=None, kind: str = "",
               subject_unit=None) -> CaseFacts:
    """Return the facts of a text typed before there is a case (`industry`: Industry or section)."""
    parent = category.parent if category is not None and category.parent_id else None
    section = getattr(industry, "pk", industry) or ""
    return CaseFacts(
        title=title or "", description=description or "", kind=kind or "",
        appeal_type=appeal_type or "",
        category_id=category.pk if category else None,
        category_code=category.code if category else "",
        parent_category_id=parent.pk if parent else None,
        parent_category_code=parent.code if parent else "",
        industry=str(section), subject_unit_id=getattr(subject_unit, "pk", subject_unit),
    )


def training_samples(*, limit: int = MAX_TRAINING_SAMPLES) -> list[tuple[CaseFacts, int]]:
    """Return (facts, unit id) of the most recent cases a unit signed for and kept.

    A case waiting after a return (退单) has no unit and is left out; a transferred (转办) case
    counts for the unit that signed for it last. One query, streamed.
    """
    rows = (Case.objects
            .filter(status__in=KEPT_STATUSES, responsible_unit__isnull=False,
                    signed_for_at__isnull=False)
            .order_by("-signed_for_at", "-id")
            .values_list("title", "description", "kind", "subtype", "category_id",
                         "category__code", "category__parent_id", "category__parent__code",
                         "enterprise__industry_id", "subject_unit_id", "responsible_unit_id"))
    samples = []
    for (title, description, kind, appeal_type, category_id, category_code, parent_id,
         parent_code, industry, subject_unit_id, unit_id) in rows[:limit].iterator(
            chunk_size=2000):
        samples.append((CaseFacts(
            title=title, description=description, kind=kind, appeal_type=appeal_type or "",
            category_id=category_id, category_code=category_code or "",
            parent_category_id=parent_id, parent_category_code=parent_code or "",
            industry=industry or "", subject_unit_id=subject_unit_id,
        ), unit_id))
    return samples


def last_routing_event_id() -> int:
    """Return the id of the newest timeline step that changed which unit keeps a case."""
    return CaseEvent.objects.filter(action__in=ROUTING_ACTIONS).aggregate(
        last=Max("id"))["last"] or 0


def model_list() -> QuerySet[RoutingModel]:
    """Return the stored models, newest first, without their (large) blobs."""
    return RoutingModel.objects.defer("blob").order_by("-version")


def model_latest_meta() -> tuple[int, int] | None:
    """Return (version, id) of the newest model, or None (one small indexed query)."""
    return (RoutingModel.objects.order_by("-version").values_list("version", "pk").first())
