"""Deadlines in Chinese working days, and the reminder marks of a running clock.

A clock runs from `start` (the day it started, e.g. sign-for day, which does not count) to the
end of `due` (add_working_days(start, n)). Its marks:

- EARLY: when `early_percent` % of the n working days have passed. The working days are
  counted as whole calendar days, so with n = 10 the 80 % mark is the start (00:00) of the
  9th working day, and with n = 2 it is 14:24 on the 2nd working day;
- DUE: the end of the due date (00:00 the next day): from then on the case is overdue;
- LATE: the end of the working day `late_multiple` × n working days after `start` (3× late).
"""

import datetime
from dataclasses import dataclass

from django.core.cache import caches
from django.utils import timezone

from portal.workdays.services import add_working_days, working_days_between

from .constants import ReminderMark, Stage
from .kinds import kind_spec


def deadline_rules() -> list[tuple[str, str, str, int | None, int]]:
    """Every DeadlineRule as (kind, stage, subtype, category id, working days): a few dozen
    rows, kept in memory as the engine settings are (models.CONFIG_MEMO_SECONDS)."""
    from .models import CONFIG_MEMO_SECONDS, DEADLINE_RULES_MEMO_KEY, DeadlineRule

    return caches["fragments"].get_or_set(
        DEADLINE_RULES_MEMO_KEY,
        lambda: list(DeadlineRule.objects.order_by().values_list(
            "kind", "stage", "subtype", "category_id", "working_days")),
        CONFIG_MEMO_SECONDS)


def deadline_working_days(*, kind: str, stage: str, subtype: str = "", category=None) -> int:
    """Return the working days a stage may take, from the most specific DeadlineRule.

    A rule naming the category beats one naming its parent, which beats one naming none;
    among those, one naming the subtype beats one for any subtype."""
    own = getattr(category, "pk", None)
    parent = getattr(category, "parent_id", None)
    best, best_rank = None, None
    for rule_kind, rule_stage, rule_subtype, rule_category, days in deadline_rules():
        if rule_kind != kind or rule_stage != stage or rule_subtype not in ("", subtype or ""):
            continue
        if rule_category is None:
            level = 0
        elif own is not None and rule_category == own:
            level = 2
        elif parent is not None and rule_category == parent:
            level = 1
        else:
            continue
        rank = (level, 1 if rule_subtype else 0)
        if best_rank is None or rank > best_rank:
            best, best_rank = days, rank
    if best is not None:
        return best
    spec = kind_spec(kind)
    if stage == Stage.ACCEPTANCE:
        return spec.default_acceptance_days
    return spec.handling_days(subtype)


def due_date_from(start: datetime.date, working_days: int) -> datetime.date:
    """Return the due date `working_days` working days after `start` (start does not count)."""
    return add_working_days(start, working_days)


def day_start(d: datetime.date) -> datetime.datetime:
    """Return 00:00 of `d` in the portal's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime.combine(d, datetime.time.min),
                               timezone.get_default_timezone())


@dataclass(frozen=True)
class Mark:
    mark: str
    at: datetime.datetime


def reminder_marks(*, start: datetime.date, due: datetime.date, early_percent: int = 80,
                   late_multiple: int = 3) -> list[Mark]:
    """Return the EARLY, DUE and LATE marks of a clock, in that order."""
    n = max(working_days_between(start, due), 0)
    due_at = day_start(due + datetime.timedelta(days=1))
    if n == 0:
        early_at = due_at
    else:
        # Integer arithmetic: 86400 s / 100 % = 864 s per percent of a day.
        whole, percent_of_day = divmod(n * early_percent, 100)
        early_at = (day_start(add_working_days(start, whole + 1))
                    + datetime.timedelta(seconds=864 * percent_of_day))
    late_day = add_working_days(start, max(n, 1) * late_multiple)
    late_at = max(day_start(late_day + datetime.timedelta(days=1)), due_at)
    return [Mark(ReminderMark.EARLY, min(early_at, due_at)), Mark(ReminderMark.DUE, due_at),
            Mark(ReminderMark.LATE, late_at)]


def next_mark(marks: list[Mark], done: set[str]) -> Mark | None:
    """Return the first mark not yet reached on this cycle (recorded in `done`)."""
    return next((m for m in marks if m.mark not in done), None)
