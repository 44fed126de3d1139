"""Reads of commitments, already limited to what the reader may see."""

from django.db.models import Count, F, Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import (
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)
from django.utils import timezone

from policies.models import PolicyStatus
from portal.orgs.models import Unit

from . import permissions
from .constants import KEPT, ClauseStatus
from .models import Clause, Commitment, Fulfilment, PublicDispute


def commitments_for_admin(*, user):
    q = permissions.admin_commitments_q(user)
    if q is None:
        return Commitment.objects.none()
    return Commitment.objects.filter(q).select_related("unit", "enterprise", "policy")


def clauses_for_admin(*, user):
    q = permissions.admin_commitments_q(user)
    if q is None:
        return Clause.objects.none()
    return Clause.objects.filter(
        commitment__in=Commitment.objects.filter(q).values("pk")
    ).select_related("commitment", "commitment__unit", "commitment__enterprise")


def commitments_visible_to(*, user):
    """The commitments on the public pages: those made to every enterprise, and the reader's
    own enterprise's agreements."""
    return Commitment.objects.filter(permissions.public_commitments_q(user)).select_related(
        "unit", "enterprise", "policy", "policy__superseded_by"
    )


def clause_for_official(*, user, pk):
    """A clause the user may see on the public pages or handles as an official (their unit's,
    or every unit's for the department), or None: where recording its fulfilment is asked."""
    visible = Q(commitment__in=commitments_visible_to(user=user).values("pk"))
    q = permissions.admin_commitments_q(user)
    if q is not None:
        visible |= Q(commitment__in=Commitment.objects.filter(q).values("pk"))
    return (
        Clause.objects.filter(visible, pk=pk)
        .select_related("commitment", "commitment__unit")
        .first()
    )


def clause_out(*, pk):
    """One clause with its fulfilments (newest first) and their files, for the API's answer
    to a step the caller was allowed to take on it."""
    fulfilments = Fulfilment.objects.prefetch_related("files").order_by("-recorded_at", "-id")
    return Clause.objects.prefetch_related(Prefetch("fulfilments", queryset=fulfilments)).get(pk=pk)


def commitment_with_clauses(*, user, pk):
    """One visible commitment with its clauses, their fulfilments (newest first, each with how
    many enterprises disputed it, for a commitment made to every enterprise) and files."""
    fulfilments = (
        Fulfilment.objects.annotate(public_dispute_count=Count("public_disputes"))
        .prefetch_related("files")
        .order_by("-recorded_at", "-id")
    )
    clauses = Clause.objects.prefetch_related(Prefetch("fulfilments", queryset=fulfilments))
    return (
        commitments_visible_to(user=user)
        .prefetch_related(Prefetch("clauses", queryset=clauses))
        .filter(pk=pk)
        .first()
    )


def fulfilments_disputed_by_reader(*, user, commitment) -> set[int]:
    """The fulfilments of a commitment made to every enterprise that the reader's enterprise has
    disputed (one query; none for an agreement or a reader who acts for no enterprise)."""
    enterprise_id = permissions.enterprise_of(user)
    if commitment.enterprise_id is not None or not enterprise_id:
        return set()
    return set(
        PublicDispute.objects.filter(
            fulfilment__clause__commitment=commitment, enterprise_id=enterprise_id
        ).values_list("fulfilment_id", flat=True)
    )


def policy_standing(policy, today=None) -> str:
    """Where the policy a commitment rests on stands today: "in_force", "not_yet" (published,
    not yet in force), "expired" (by its status, or past its last day before the daily job
    marks it), "repealed", "superseded" or "draft"."""
    today = today or timezone.localdate()
    if policy.status in (
        PolicyStatus.DRAFT,
        PolicyStatus.REPEALED,
        PolicyStatus.SUPERSEDED,
        PolicyStatus.EXPIRED,
    ):
        return policy.status  # a draft is never linked (its page is not public)
    if policy.ends_on < today:
        return "expired"
    return "in_force" if policy.starts_on <= today else "not_yet"


def _rate_counts(today):
    c = "commitments__clauses"
    due = Coalesce(F(f"{c}__falls_due_on"), F(f"{c}__due_date"))
    fulfilled = F(f"{c}__fulfilled_on")
    kept = Q(**{f"{c}__status__in": KEPT})
    pending = Q(**{f"{c}__status": ClauseStatus.PENDING})
    return {
        "on_time": Count(c, filter=kept & Q(LessThanOrEqual(fulfilled, due))),
        "late": Count(c, filter=kept & Q(GreaterThan(fulfilled, due))),
        "overdue": Count(c, filter=pending & Q(LessThan(due, Value(today)))),
        "disputed": Count(c, filter=Q(**{f"{c}__status": ClauseStatus.DISPUTED})),
        "not_due": Count(c, filter=pending & Q(GreaterThanOrEqual(due, Value(today)))),
    }


def unit_rates():
    """Per unit with commitments: clauses kept on time, kept late, overdue, disputed and not yet
    due, and the rate kept on time among those due (None when none is due). One query.

    A clause counts as kept when its fulfilment is recorded and not disputed (confirmed or
    awaiting the enterprise's answer); its date decides on time or late against the day it fell
    due (a due date on a holiday falls due on the next working day, `Clause.falls_due_on`).
    """
    today = timezone.localdate()
    units = (
        Unit.objects.filter(commitments__isnull=False)
        .annotate(**_rate_counts(today))
        .order_by("code")
    )
    rows = []
    for unit in units:
        due = unit.on_time + unit.late + unit.overdue + unit.disputed
        unit.due_total = due
        unit.rate = round(100 * unit.on_time / due, 1) if due else None
        rows.append(unit)
    return rows
