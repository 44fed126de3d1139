"""Reads of complaints, already limited to what the reader may see.

Reads for the reporter (`complaint_for_reporter`, `reporter_*`) take a complaint the caller has
proved the reporter holds. Reads for officials (`complaints_visible_to`) never join the sealed
tables. `rewardable_complaint` is what rewards may read (DESIGN: rewards read verified findings).
"""

from django.db.models import QuerySet

from portal.cases import permissions as case_permissions
from portal.cases.kinds import Audience
from portal.cases.models import Case, CaseEvent

from .constants import KIND, PublicationStatus
from .models import Complaint, PublishedCase, Reporter, ReporterNotice


def complaint_for_reporter(*, pk: int, user=None) -> Complaint | None:
    """The report `pk`; with `user`, only if that user filed it under their name."""
    qs = Complaint.objects.select_related("case", "accused_unit").filter(pk=pk)
    if user is not None:
        qs = qs.filter(pk__in=Reporter.objects.filter(user=user).values("complaint_id"))
    return qs.first()


def complaints_of_named_reporter(*, user) -> QuerySet[Complaint]:
    return (Complaint.objects.select_related("case", "accused_unit")
            .filter(pk__in=Reporter.objects.filter(user=user).values("complaint_id"))
            .order_by("-created_at"))


def reporter_timeline(*, complaint: Complaint) -> QuerySet[CaseEvent]:
    """The steps the reporter may see, oldest first."""
    return (CaseEvent.objects.filter(case_id=complaint.pk, audience__sees=Audience.SUBMITTER)
            .order_by("created_at", "id"))


def reporter_latest_step(*, complaint: Complaint, action: str) -> CaseEvent | None:
    return (CaseEvent.objects.filter(case_id=complaint.pk, action=action,
                                     audience__sees=Audience.SUBMITTER)
            .order_by("-created_at", "-id").first())


def reporter_notices(*, complaint: Complaint) -> QuerySet[ReporterNotice]:
    return ReporterNotice.objects.filter(complaint=complaint)


def complaints_visible_to(*, user) -> QuerySet[Complaint]:
    """The reports `user` may see (the desk and department all; a unit those it investigates),
    without the sealed reporter."""
    cases = Case.objects.filter(case_permissions.visible_cases_q(user), kind=KIND)
    return (Complaint.objects.filter(case__in=cases)
            .select_related("case", "accused_unit", "case__responsible_unit"))


def rewardable_complaint(*, pk: int) -> Complaint:
    """The report with its finding and sealed reporter, for rewards' checks (no page)."""
    return Complaint.objects.select_related("case", "reporter").get(pk=pk)


def published_cases(*, unit=None, kind: str = "", misconduct: str = "",
                    year: int | None = None) -> QuerySet[PublishedCase]:
    """The published cases anyone may read, newest first, filtered."""
    qs = (PublishedCase.objects.filter(status=PublicationStatus.PUBLISHED)
          .select_related("unit").order_by("-published_at", "-id"))
    if unit is not None:
        qs = qs.filter(unit=unit)
    if kind:
        qs = qs.filter(kind=kind)
    if misconduct:
        qs = qs.filter(misconduct=misconduct)
    if year:
        qs = qs.filter(year=year)
    return qs
