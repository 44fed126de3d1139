"""The common steps of every case service: lock, check the table, record, remind, notify.

Internal to portal.cases.services; other apps call the public services instead.
"""

import datetime
import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from portal.ledger.services import ledger_append
from portal.notifications.services import Message, notify_many

from .. import deadlines, permissions
from ..constants import ACTION_VERBS, Action, Stage
from ..kinds import Side, kind_spec
from ..models import (
    CONFIG_MEMO_SECONDS,
    DEPARTMENT_MEMO_KEY,
    Case,
    CaseCounter,
    CaseEvent,
    CaseReminder,
    EngineSettings,
)
from ..signals import case_changed

logger = logging.getLogger("portal.cases")

TEXT_MAX = 5000
SUBMITTER_SIDES = frozenset({Side.SUBMITTER, Side.ENTERPRISE, Side.REPORTER, Side.OBSERVER})


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
    """Raise InvalidTransition unless the case's kind allows `action` from its status."""
    allowed = kind_spec(case.kind).transition(action)
    if allowed is None or case.status not in allowed.sources:
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
    and permissions with an OR and a DISTINCT scanned all 400,000 users on each submission, and
    so does the same IN with the holders as a subquery (the planner does not read them first).
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
    """The department's active staff, told of every new case: read on every submission, so
    kept in this process's memory for CONFIG_MEMO_SECONDS as the engine settings are (ADR
    0015). Anyone's roles changed, a user or role saved or deleted drops it in this process at
    once (models._forget_department); another process sees the change within those seconds."""
    return caches["fragments"].get_or_set(
        DEPARTMENT_MEMO_KEY, lambda: list(users_with_perm("orgs.supervise_all_units")),
        CONFIG_MEMO_SECONDS)


def unit_officials(unit_id) -> list:
    if not unit_id:
        return []
    return list(users_with_perm("orgs.handle_unit_cases").filter(unit_id=unit_id))


def submitter_side(case: Case) -> list:
    """The active users the kind notifies on the submitter's side (none for a sealed kind)."""
    spec = kind_spec(case.kind)
    return [] if spec.sealed else list(spec.submitter_recipients(case))


def case_url(case: Case, *, for_submitter: bool) -> str:
    """Return the page of the case for the submitter side (the kind's page) or the admin."""
    name = kind_spec(case.kind).submitter_url_name if for_submitter else "admin:cases_case_change"
    if not name:
        return ""
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


def to_submitter(case: Case, key: str, *, body="", include_actor: bool = False,
                 **values) -> Notice | None:
    """The notice the case's kind sends its submitter at `key` (kinds.MESSAGE_KEYS), or None
    when the kind sends nothing then. `values` fill the message ({unit}, {date}, {score})."""
    text = kind_spec(case.kind).message(f"part_{key}" if case.parent_id else key)
    if text is None:
        return None
    if case.parent_id and "unit" not in values:
        values["unit"] = case.responsible_unit
    return Notice(submitter_side(case), format_lazy(text, ref=case.reference, **values), body,
                  for_submitter=True, include_actor=include_actor)


def step_messages(case: Case, notices, *, event_id: int, actor=None) -> list[Message]:
    """The inbox messages of a step's notices, to be written in the step's own transaction.

    The rows commit or roll back with the step: a crash after commit cannot lose them, and
    only the e-mail delivery is queued after commit (a sweeper sends what the queue missed;
    ADR 0004). A sealed kind's submitter is told by the kind itself, never through rows that
    would tie the person to the case. Each notice's key names the event and its place.
    """
    spec = kind_spec(case.kind)
    messages = []
    for index, notice in enumerate(notices):
        if notice is None:
            continue
        if notice.for_submitter and spec.sealed:
            if spec.notify_sealed_submitter is not None:
                spec.notify_sealed_submitter(case, notice.subject, notice.body)
            continue
        recipients = [u for u in notice.recipients
                      if notice.include_actor or actor is None or u.pk != actor.pk]
        if recipients:
            messages.append(Message(recipients, notice.subject, notice.body,
                                    case_url(case, for_submitter=notice.for_submitter),
                                    f"cases:event:{event_id}:{index}"))
    return messages


# --- who acted as what --------------------------------------------------------------------

def actor_as(actor, case: Case) -> tuple[str, object]:
    """Return the side `actor` acts on for `case` and the unit they act for, as of now."""
    if actor is None:
        return Side.SYSTEM, None
    if permissions.is_department(actor):
        return Side.DEPARTMENT, actor.unit if actor.unit_id else None
    if permissions.can_handle(actor, case) or (actor.unit_id and permissions.is_unit_official(actor)):
        return Side.UNIT, actor.unit
    spec = kind_spec(case.kind)
    if spec.party == "observer":
        return Side.OBSERVER, None
    if actor.enterprise_id:
        return Side.ENTERPRISE, None
    return Side.SUBMITTER, None


def _date_text(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


# A date in a notice, written the way its reader's language writes dates (portal/formats):
# notices are rendered once per recipient language, so the text is made then, not now.
lazy_date = lazy(_date_text, str)


def unit_extra(unit) -> dict:
    """The unit a step names, as it is called now in each script (CaseEvent.unit_name)."""
    return {"unit": unit.pk, "unit_name": unit.name, "unit_name_zh_hant": unit.traditional_name,
            "unit_name_en": unit.name_en}


def unit_names(unit) -> dict:
    """The unit's name in each language, as it is called now (stored on the event)."""
    if unit is None:
        return {}
    names = {}
    for lang in ("zh-hans", "zh-hant", "en"):
        with translation.override(lang):
            names[lang] = unit.display_name
    return names


# --- the timeline -----------------------------------------------------------------------

def record_step(case: Case, *, actor, action: str, to_status: str | None = None, note: str = "",
                extra: dict | None = None, fields=(), notices=(), audience: int | None = None,
                side: str | None = None, save: bool = True) -> CaseEvent:
    """Apply and record one step: save the case, append the event, its ledger entry and its
    notices, and queue the `case_changed` signal for after commit.

    `audience` (kinds.Audience bits) defaults to what the kind declares for `action`. For a
    sealed kind, a step on the submitter's side is recorded with no actor (`side` says who).
    Call while holding the row lock (lock_case) and after check_transition.
    """
    spec = kind_spec(case.kind)
    from_status = case.status
    if to_status is not None:
        allowed = spec.transition(action)
        if allowed is None or to_status not in allowed.targets:  # a bug in a service
            raise AssertionError(f"{action} cannot lead to {to_status}")
        case.status = to_status
    if save:
        case.save(update_fields=sorted({*fields, "status", "updated_at"}))
    elif action != Action.SUBMIT:  # (a new case was saved just now)
        # The case's change stamp names its timeline's version (the case page's cached
        # timeline): a step that changes nothing else on the case still moves it.
        case.updated_at = timezone.now()
        Case.objects.filter(pk=case.pk).update(updated_at=case.updated_at)
    extra = extra or {}
    acted_as, unit = actor_as(actor, case)
    acted_as = side or acted_as
    if spec.sealed and acted_as in SUBMITTER_SIDES:
        # The person is the kind's sealed table's business, never the timeline's or the ledger's.
        actor, unit = None, None
    event = CaseEvent.objects.create(
        case=case, actor=actor, action=action, note=note,
        actor_side=acted_as, actor_unit=unit, actor_unit_names=unit_names(unit),
        audience=int(spec.sees(action) if audience is None else audience),
        from_status="" if action == Action.SUBMIT else from_status, to_status=case.status,
        extra=extra,
    )
    ledger_append(actor=actor, action=f"cases.{action}", obj=case, payload={
        "reference": case.reference, "event": event.pk, "from": event.from_status,
        "to": event.to_status, **extra,
    })
    notify_many(step_messages(case, notices, event_id=event.pk, actor=actor))
    if case.parent_id and event.to_status != from_status:
        from .parts import parts_roll_up  # parts records its own steps through this module

        parts_roll_up(case)
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
                                           subtype=case.subtype, category=case.category)


def acceptance_days(case: Case) -> int:
    return deadlines.deadline_working_days(kind=case.kind, stage=Stage.ACCEPTANCE,
                                           subtype=case.subtype, category=case.category)
