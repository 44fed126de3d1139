"""Reads of commitments, already limited to what the reader may see."""

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from portal.orgs.models import Unit

from . import permissions
from .constants import KEPT, ClauseStatus
from .models import Clause, Commitment, Fulfilment


def commitments_for_admin(*, user):
    q = permissions.admin_commitments_q(user)
    if q is None:
        return Commitment.objects.none()
    return Commitment.objects.filter(q).select_related("unit", "enterprise")


def clauses_for_admin(*, user):
    q = permissions.admin_commitments_q(user)
    if q is None:
        return Clause.objects.none()
    return (Clause.objects.filter(commitment__in=Commitment.objects.filter(q).values("pk"))
            .select_related("commitment", "commitment__unit", "commitment__enterprise"))


def commitments_visible_to(*, user):
    """The commitments on the public pages: those made to every enterprise, and the reader's
    own enterprise's agreements."""
    return (Commitment.objects.filter(permissions.public_commitments_q(user))
            .select_related("unit", "enterprise"))


def commitment_with_clauses(*, user, pk):
    """One visible commitment with its clauses, their fulfilments (newest first) and files."""
    fulfilments = Fulfilment.objects.prefetch_related("files").order_by("-recorded_at", "-id")
    clauses = Clause.objects.prefetch_related(Prefetch("fulfilments", queryset=fulfilments))
    return (commitments_visible_to(user=user)
            .prefetch_related(Prefetch("clauses", queryset=clauses)).filter(pk=pk).first())


def _rate_counts(prefix: str, today):
    c = f"{prefix}clauses" if prefix else "clauses"
    f = f"{c}__"
    kept = Q(**{f"{f}status__in": KEPT})
    return {
        "on_time": Count(c, filter=kept & Q(**{f"{f}fulfilled_on__lte": F(f"{f}due_date")})),
        "late": Count(c, filter=kept & Q(**{f"{f}fulfilled_on__gt": F(f"{f}due_date")})),
        "overdue": Count(c, filter=Q(**{f"{f}status": ClauseStatus.PENDING,
                                        f"{f}due_date__lt": today})),
        "disputed": Count(c, filter=Q(**{f"{f}status": ClauseStatus.DISPUTED})),
        "not_due": Count(c, filter=Q(**{f"{f}status": ClauseStatus.PENDING,
                                        f"{f}due_date__gte": today})),
    }


def unit_rates():
    """Per unit with commitments: clauses kept on time, kept late, overdue, disputed and not yet
    due, and the rate kept on time among those due (None when none is due). One query.

    A clause counts as kept when its fulfilment is recorded and not disputed (confirmed or
    awaiting the enterprise's answer); its date decides on time or late against the due date.
    """
    today = timezone.localdate()
    units = (Unit.objects.filter(commitments__isnull=False)
             .annotate(**_rate_counts("commitments__", today))
             .order_by("code"))
    rows = []
    for unit in units:
        due = unit.on_time + unit.late + unit.overdue + unit.disputed
        unit.due_total = due
        unit.rate = round(100 * unit.on_time / due, 1) if due else None
        rows.append(unit)
    return rows
