"""Chinese working days for deadlines. Other apps may call:

- `is_working_day(d)`;
- `add_working_days(start, n)`: the n-th working day after `start`, which does not count;
  n = 0 gives `start` if it is a working day, else the next working day; n < 0 the |n|-th
  working day before `start`;
- `working_days_between(a, b)`: the working days in (a, b], i.e. after `a` up to and including
  `b`; 0 when a == b, and -working_days_between(b, a) when b < a;
- `next_working_day(d)`: `d` itself if it is a working day, else the next one;
- `calendar_day_set`, `calendar_day_change`, `calendar_day_delete`, `calendar_days_delete`:
  the department's corrections (a holiday or a make-up working day), as the admin makes them.

All take and return `datetime.date` (a local date: `timezone.localdate(...)`), never a datetime,
so a UTC timestamp cannot silently shift a deadline by a day. The sources and the rule for
corrections are in `calendar.py` and docs/adr/0003-working-day-calendar.md.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from portal.ledger.services import ledger_append

from . import calendar, permissions
from .models import CalendarDay


def _check_date(value, name: str = "d") -> None:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise TypeError(f"{name} must be a datetime.date (a local date), not {type(value).__name__}")


def is_working_day(d: datetime.date) -> bool:
    """Return True if people work on `d` in the district (make-up Saturdays included)."""
    _check_date(d)
    table = calendar.year_table(d.year)
    return bool(table.flags[calendar.position(table, d)])


def next_working_day(d: datetime.date) -> datetime.date:
    """Return `d` if it is a working day, else the first working day after it."""
    return d if is_working_day(d) else calendar.nth_working_after(d, 1)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """Return the n-th working day after `start` (`start` itself not counted).

    n = 0 returns `start` when it is a working day, else the next working day (a deadline of
    "0 working days" falls due on the first day the office is open); n < 0 returns the |n|-th
    working day before `start`.
    """
    _check_date(start, "start")
    if n > 0:
        return calendar.nth_working_after(start, n)
    if n < 0:
        return calendar.nth_working_before(start, -n)
    return next_working_day(start)


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """Return the number of working days in (a, b]: after `a`, up to and including `b`.

    Zero when a == b; negative when b < a (-working_days_between(b, a)), so "how many working
    days late" is working_days_between(due, today), positive once overdue. For every `a` and
    n >= 1, working_days_between(a, add_working_days(a, n)) == n.
    """
    _check_date(a, "a")
    _check_date(b, "b")
    if b < a:
        return -working_days_between(b, a)
    return calendar.count_through(b, a.year) - calendar.count_through(a, a.year)


# --- the department's corrections ---------------------------------------------------------

def _require(user, perm: str) -> None:
    if not permissions.can_edit_calendar(user, perm):
        raise PermissionDenied(_("Only department staff may correct the working-day calendar."))


def _record(*, actor, action: str, day: CalendarDay) -> None:
    ledger_append(actor=actor, action=action, obj=day,
                  payload={"date": day.date, "kind": day.kind, "name": day.name})


@transaction.atomic
def calendar_day_set(*, actor, date: datetime.date, kind: str, name: str = "") -> CalendarDay:
    """Make `date` a holiday or a working day, whatever the national calendar says.

    Replaces an earlier correction of the same date. Takes effect at once in this process and
    within calendar.REFRESH_SECONDS in the others.
    """
    existing = CalendarDay.objects.select_for_update().filter(date=date).first() if date else None
    if existing is not None:
        return calendar_day_change(actor=actor, calendar_day=existing, date=date, kind=kind,
                                   name=name)
    _require(actor, "workdays.add_calendarday")
    day = CalendarDay(date=date, kind=kind, name=(name or "").strip())
    day.full_clean()
    day.save(force_insert=True)
    _record(actor=actor, action="workdays.calendar_day_set", day=day)
    return day


@transaction.atomic
def calendar_day_change(*, actor, calendar_day: CalendarDay, date: datetime.date, kind: str,
                        name: str = "") -> CalendarDay:
    """Change an existing correction (its date, kind or name)."""
    _require(actor, "workdays.change_calendarday")
    day = CalendarDay.objects.select_for_update().get(pk=calendar_day.pk)
    day.date, day.kind, day.name = date, kind, (name or "").strip()
    day.full_clean()
    day.save(update_fields=["date", "kind", "name"])
    _record(actor=actor, action="workdays.calendar_day_changed", day=day)
    return day


@transaction.atomic
def calendar_day_delete(*, actor, calendar_day: CalendarDay) -> None:
    """Remove a correction: the date follows the national calendar again."""
    _require(actor, "workdays.delete_calendarday")
    day = CalendarDay.objects.select_for_update().get(pk=calendar_day.pk)
    pk = day.pk
    day.delete()
    ledger_append(actor=actor, action="workdays.calendar_day_deleted",
                  object_type=CalendarDay._meta.label_lower, object_id=str(pk),
                  payload={"date": day.date, "kind": day.kind, "name": day.name})


@transaction.atomic
def calendar_days_delete(*, actor, calendar_days) -> int:
    """Remove several corrections at once (the admin's "delete selected"); return how many.

    One transaction, so other apps hear of it once after the commit (calendar_changed is sent
    once per transaction), and either every correction goes or none does. A ledger entry each.
    """
    _require(actor, "workdays.delete_calendarday")
    pks = [day.pk for day in calendar_days]
    days = list(CalendarDay.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    for day in days:
        calendar_day_delete(actor=actor, calendar_day=day)
    return len(days)
