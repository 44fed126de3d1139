"""The common steps of every case service: lock, check the table, record, remind, notify.

Internal to portal.cases.services; other apps call the public services instead.
"""

import datetime
import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.ledger.services import ledger_append
from portal.notifications.services import notify

from .. import deadlines
from ..constants import ACTION_VERBS, PUBLIC_ACTIONS, TRANSITIONS, Action, Stage
from ..models import Case, CaseCounter, CaseEvent, CaseReminder, EngineSettings
from ..signals import case_changed

logger = logging.getLogger("portal.cases")

TEXT_MAX = 5000


class InvalidTransition(ValidationError):
    """The action is not allowed from the case's current status (nothing was changed)."""


def today() -> datetime.date:
    return timezone.localdate()


def lock_case(case: Case | int) -> Case:
    """Return the case row locked for this transaction, re-read from the database.

    Call inside `transaction.atomic`; the lock is held until commit, so two requests on one
    case run one after the other and the second sees the first one's result.
    """
    pk = case.pk if isinstance(case, Case) else case
    return (Case.objects.select_for_update(of=("self",))
            .select_related("category", "responsible_unit", "subject_unit", "enterprise",
                            "submitter")
            .get(pk=pk))


def check_transition(case: Case, action: str) -> None:
    """Raise InvalidTransition unless `action` may be taken from the case's status."""
    if case.status not in TRANSITIONS[action].sources:
        raise InvalidTransition(
            _("You cannot %(verb)s case %(ref)s while it is “%(status)s”.")
            % {"verb": ACTION_VERBS[action], "ref": case.reference,
               "status": case.get_status_display()},
            code="invalid_transition",
        )


def as_date(value):
    """Return `value` as a date (a datetime gives its local date), or None if it is neither."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value if isinstance(value, datetime.date) else None


def clean_text(value, *, field: str, required: bool, message: str = "",
               max_length: int = TEXT_MAX) -> str:
    """Return `value` stripped, or raise ValidationError({field: ...}) naming what is wrong."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: message or _("This field is required.")}, code="required")
    if len(text) > max_length:
        raise ValidationError({field: _("Please keep this under %(max)d characters "
                                        "(it has %(n)d).") % {"max": max_length, "n": len(text)}},
                              code="max_length")
    return text


# --- who is told ------------------------------------------------------------------------

def users_with_perm(dotted: str):
    """Return the active users holding the permission `dotted`, through a group or their own.

    The holders' ids are read first (the members of the permission's groups and whoever holds
    it directly: a few dozen), then the users by primary key. Joining every user to their groups
    and permissions with an OR and a DISTINCT scanned all 400,000 users on each submission.
    """
    app_label, codename = dotted.split(".", 1)
    user_model = get_user_model()
    perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    groups = Group.permissions.through.objects.filter(permission__in=perm).values("group_id")
    holders = (user_model.groups.through.objects.filter(group_id__in=groups)
               .values_list("user_id", flat=True)
               .union(user_model.user_permissions.through.objects.filter(permission__in=perm)
                      .values_list("user_id", flat=True)))
    return user_model.objects.filter(is_active=True, pk__in=list(holders))


def department_staff() -> list:
    return list(users_with_perm("orgs.supervise_all_units"))


def unit_officials(unit_id) -> list:
    if not unit_id:
        return []
    return list(users_with_perm("orgs.handle_unit_cases").filter(unit_id=unit_id))


def submitter_side(case: Case) -> list:
    return [case.submitter] if case.submitter_id and case.submitter.is_active else []


def case_url(case: Case, *, for_submitter: bool) -> str:
    """Return the page of the case for the enterprise (`cases:detail`) or the admin."""
    name = "cases:detail" if for_submitter else "admin:cases_case_change"
    try:
        return reverse(name, args=[case.pk])
    except NoReverseMatch:
        return ""


@dataclass
class Notice:
    recipients: list
    subject: object  # a lazy string, rendered in each recipient's language
    body: object = ""
    for_submitter: bool = False
    include_actor: bool = False  # e.g. the receipt of one's own submission


def notify_on_commit(case: Case, notice: Notice, *, dedup_key: str, actor=None) -> None:
    """Send `notice` once the transaction commits; a failure is logged, never raised."""
    recipients = [u for u in notice.recipients
                  if notice.include_actor or actor is None or u.pk != actor.pk]
    if not recipients:
        return
    url = case_url(case, for_submitter=notice.for_submitter)

    def send():
        try:
            notify(recipients=recipients, subject=notice.subject, body=notice.body, url=url,
                   dedup_key=dedup_key)
        except Exception:  # the step is committed; a lost message must not undo it
            logger.exception("could not notify about case %s (%s)", case.pk, dedup_key)

    transaction.on_commit(send)


# --- the timeline -----------------------------------------------------------------------

def record_step(case: Case, *, actor, action: str, to_status: str | None = None, note: str = "",
                extra: dict | None = None, fields=(), notices=(), visible: bool | None = None,
                save: bool = True) -> CaseEvent:
    """Apply and record one step: save the case, append the event and the ledger entry,
    and queue the notices and the `case_changed` signal for after commit.

    Call while holding the row lock (lock_case) and after check_transition.
    """
    from_status = case.status
    if to_status is not None:
        if to_status not in TRANSITIONS[action].targets:  # a bug in a service, not user input
            raise AssertionError(f"{action} cannot lead to {to_status}")
        case.status = to_status
    if save:
        case.save(update_fields=sorted({*fields, "status", "updated_at"}))
    extra = extra or {}
    event = CaseEvent.objects.create(
        case=case, actor=actor, action=action, note=note,
        visible_to_submitter=(action in PUBLIC_ACTIONS) if visible is None else visible,
        from_status="" if action == Action.SUBMIT else from_status, to_status=case.status,
        extra=extra,
    )
    ledger_append(actor=actor, action=f"cases.{action}", obj=case, payload={
        "reference": case.reference, "event": event.pk, "from": event.from_status,
        "to": event.to_status, **extra,
    })
    for index, notice in enumerate(notices):
        notify_on_commit(case, notice, dedup_key=f"cases:event:{event.pk}:{index}", actor=actor)
    case_id, event_id = case.pk, event.pk
    transaction.on_commit(lambda: case_changed.send(
        sender=Case, case_id=case_id, event_id=event_id, action=action,
        from_status=event.from_status, to_status=event.to_status,
    ))
    return event


# --- reference numbers ------------------------------------------------------------------

def reference_allocate(*, year: int) -> str:
    """Return the next reference of `year` (YS-2026-000123): no gaps, no duplicates.

    One statement increments the year's counter row; the row stays locked until commit, so
    concurrent submits queue for a moment instead of drawing the same number.
    """
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608 (table name is ours)
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [year],
        )
        number = cursor.fetchone()[0]
    return f"YS-{year}-{number:06d}"


# --- clocks -----------------------------------------------------------------------------

def start_clock(case: Case, *, start: datetime.date, due: datetime.date,
                settings: EngineSettings) -> list[str]:
    """Start a new clock cycle (its reminders are new); return the fields changed."""
    case.clock_started_on = start
    case.clock_due_on = due
    case.clock_cycle += 1
    first = deadlines.reminder_marks(start=start, due=due,
                                     early_percent=settings.early_reminder_percent,
                                     late_multiple=settings.late_reminder_multiple)[0]
    case.next_reminder_at = first.at
    return ["clock_started_on", "clock_due_on", "clock_cycle", "next_reminder_at"]


def move_clock(case: Case, *, due: datetime.date, settings: EngineSettings) -> list[str]:
    """Move the due date of the running cycle; marks already reached stay reached."""
    case.clock_due_on = due
    done = set(CaseReminder.objects.filter(case=case, cycle=case.clock_cycle)
               .values_list("mark", flat=True))
    marks = deadlines.reminder_marks(start=case.clock_started_on, due=due,
                                     early_percent=settings.early_reminder_percent,
                                     late_multiple=settings.late_reminder_multiple)
    upcoming = deadlines.next_mark(marks, done)
    case.next_reminder_at = upcoming.at if upcoming else None
    return ["clock_due_on", "next_reminder_at"]


def stop_clock(case: Case) -> list[str]:
    case.next_reminder_at = None
    return ["next_reminder_at"]


def handling_days(case: Case) -> int:
    return deadlines.deadline_working_days(kind=case.kind, stage=Stage.HANDLING,
                                           appeal_type=case.appeal_type, category=case.category)


def acceptance_days(case: Case) -> int:
    return deadlines.deadline_working_days(kind=case.kind, stage=Stage.ACCEPTANCE,
                                           appeal_type=case.appeal_type, category=case.category)
