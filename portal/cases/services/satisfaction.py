"""Satisfaction (回访): the submitter rates every answer; unhappy → redo (重办); unhappy twice →
supervision (督办); an answer not rated in time closes by itself."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.workdays.services import add_working_days

from .. import deadlines, permissions
from ..constants import Action, Status, SupervisionSource
from ..kinds import registered_kinds
from ..models import Case, EngineSettings
from . import _steps
from .supervision import supervision_open_automatic

N = _steps.Notice
UNHAPPY_AT_MOST = 2


@transaction.atomic
def case_rate(*, case: Case, actor, score: int, comment: str = "") -> Case:
    """Rate the answer from 1 (very unhappy) to 5 (very satisfied).

    3 or more closes the case. 2 or less reopens it for redo by the same unit with a new due
    date, and needs a comment saying what is unresolved; the second unhappy rating of a case
    also opens a supervision item. Each answer can be rated once.
    """
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.RATE)
    if (case.status != Status.ANSWERED and case.rated_at and case.answered_at
            and case.rated_at >= case.answered_at):
        raise ValidationError(_("You have already rated this answer (%(score)d of 5).")
                              % {"score": case.satisfaction}, code="already_rated")
    _steps.check_transition(case, Action.RATE)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("Choose a score from 1 (very unhappy) to 5 "
                                          "(very satisfied).")}, code="invalid")
    comment = _steps.clean_text(
        comment, field="comment", required=score <= UNHAPPY_AT_MOST,
        message=_("Please say what is still unresolved, so the unit can work on it again."),
    )
    settings = EngineSettings.load()
    now = timezone.now()
    case.satisfaction, case.satisfaction_comment, case.rated_at = score, comment, now
    fields = ["satisfaction", "satisfaction_comment", "rated_at"]
    extra = {"score": score}
    if score > UNHAPPY_AT_MOST:
        case.closed_at = now
        fields.append("closed_at")
        to_status = Status.CLOSED
        notices = [N(_steps.unit_officials(case.responsible_unit_id),
                     format_lazy(gettext_lazy("Case {ref} was rated {score} of 5 and is closed"),
                                 ref=case.reference, score=score), comment)]
    else:
        day = _steps.today()
        case.unhappy_count += 1
        case.reopen_count += 1
        case.due_date = deadlines.due_date_from(day, _steps.handling_days(case))
        fields += ["unhappy_count", "reopen_count", "due_date",
                   *_steps.start_clock(case, start=day, due=case.due_date, settings=settings)]
        to_status = Status.REOPENED
        extra["due_date"] = case.due_date
        subject = format_lazy(gettext_lazy("Case {ref} was rated {score} of 5: redo it by {date}"),
                              ref=case.reference, score=score, date=_steps.lazy_date(case.due_date))
        notices = [N(_steps.unit_officials(case.responsible_unit_id), subject, comment),
                   _steps.to_submitter(case, "reopened", unit=case.responsible_unit)]
    _steps.record_step(case, actor=actor, action=Action.RATE, to_status=to_status,
                       note=comment, fields=fields, extra=extra, notices=notices)
    if to_status == Status.REOPENED and case.unhappy_count >= 2:
        supervision_open_automatic(case=case, source=SupervisionSource.UNHAPPY, settings=settings)
    return case


def auto_close_cutoff(*, now: datetime.datetime, working_days: int) -> datetime.datetime:
    """Return the instant before which an answer's rating time has run out.

    An answer given on day A may be rated until the end of add_working_days(A, N).
    """
    today = timezone.localdate(now)
    last = today - datetime.timedelta(days=1)
    while add_working_days(last, working_days) >= today:
        last -= datetime.timedelta(days=1)
    return deadlines.day_start(last + datetime.timedelta(days=1))



def auto_closing_kinds() -> list[str]:
    """The kinds whose answers close by themselves when not rated in time."""
    return [spec.code for spec in registered_kinds() if spec.auto_close_unrated]


def case_auto_close_unrated(*, now: datetime.datetime | None = None,
                            batch_size: int = 50) -> int:
    """Close the answered cases not rated in time; safe to run twice or concurrently.

    Return how many were closed.
    """
    now = now or timezone.now()
    settings = EngineSettings.load()
    cutoff = auto_close_cutoff(now=now, working_days=settings.auto_close_after_working_days)
    closed = 0
    while True:
        with transaction.atomic():
            batch = list(Case.objects.select_for_update(of=("self",), skip_locked=True)
                         .select_related("submitter", "responsible_unit")
                         .filter(status=Status.ANSWERED, answered_at__lt=cutoff,
                                 kind__in=auto_closing_kinds())
                         # A case split among units closes with its parts, not by itself.
                         .exclude(pk__in=Case.objects.filter(parent__isnull=False)
                                  .values("parent_id"))
                         .order_by("answered_at")[:batch_size])
            for case in batch:
                case.closed_at = now
                _steps.record_step(
                    case, actor=None, action=Action.AUTO_CLOSE, to_status=Status.CLOSED,
                    fields=["closed_at"],
                    extra={"rating_days": settings.auto_close_after_working_days},
                    notices=[_steps.to_submitter(case, "auto_closed")],
                )
        closed += len(batch)
        if len(batch) < batch_size:
            return closed
