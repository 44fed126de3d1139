"""The working-day calendar in memory: which days are working days, fast.

Sources, in order of precedence (docs/adr/0003-working-day-calendar.md):

1. `CalendarDay` rows the department enters in the admin (a holiday or a make-up working day);
2. the `chinesecalendar` library (module `chinese_calendar`) for the years it knows, which
   follows the State Council's yearly schedule of statutory holidays and make-up workdays;
3. Monday to Friday, for years the library does not know (logged once per year and process).

Each thread keeps one table per year (a working-day flag per day, a running count and the list
of working days), so lookups are O(1) and adding n working days is a bisection. The tables are
rebuilt when the corrections change: at once in this process (signals on CalendarDay bump a
generation counter, and a change still uncommitted is seen only by its own transaction), and
within REFRESH_SECONDS in other processes (each thread re-reads the small corrections table).
"""

from __future__ import annotations

import bisect
import datetime
import logging
import threading
import time
from dataclasses import dataclass

import chinese_calendar
from chinese_calendar.constants import holidays as _library_holidays
from django.db import connection

logger = logging.getLogger(__name__)

# How long a thread trusts its copy of the corrections before reading them again, so a change
# made in another process (the admin's web worker) reaches this one (a Celery worker).
REFRESH_SECONDS = 30.0

LIBRARY_YEARS = range(min(_library_holidays).year, max(_library_holidays).year + 1)

_generation = 0  # bumped on every change of the corrections in this process
_warned_years: set[int] = set()
_warn_lock = threading.Lock()


@dataclass(frozen=True)
class YearTable:
    year: int
    first_ordinal: int  # date(year, 1, 1).toordinal()
    flags: bytes  # 1 = working day, one per day of the year
    prefix: tuple[int, ...]  # prefix[i] = working days among the year's first i days
    working: tuple[int, ...]  # day-of-year indexes (0-based) of the working days

    @property
    def total(self) -> int:
        return self.prefix[-1]


class _State(threading.local):
    def __init__(self):
        self.overrides: dict[datetime.date, bool] | None = None
        self.years: dict[int, YearTable] = {}
        self.loaded_at = 0.0
        self.generation = -1
        # The transaction blocks open when this thread changed a correction: until they
        # close, only this thread's transaction sees the change, so the cache is rebuilt
        # when they do (commit or rollback alike).
        self.dirty_blocks: list | None = None


_state = _State()


def invalidate(*, uncommitted: bool = False) -> None:
    """Forget the cached corrections in every thread of this process.

    `uncommitted`: the change is part of the current thread's open transaction; rebuild again
    when that transaction ends, whether it commits or rolls back.
    """
    global _generation
    _generation += 1
    if uncommitted and connection.in_atomic_block:
        _state.dirty_blocks = list(connection.atomic_blocks)


def _dirty_blocks_closed(snapshot: list) -> bool:
    blocks = connection.atomic_blocks
    return len(blocks) < len(snapshot) or any(a is not b for a, b in zip(blocks, snapshot, strict=False))


def _load_overrides() -> dict[datetime.date, bool]:
    from .models import CalendarDay

    return {
        day: kind == CalendarDay.Kind.WORKDAY
        for day, kind in CalendarDay.objects.values_list("date", "kind")
    }


def _current() -> _State:
    state = _state
    if state.dirty_blocks is not None and _dirty_blocks_closed(state.dirty_blocks):
        state.overrides = None
        # A block that closed may have handed the change to the block around it, which can
        # still roll back: keep watching until no block is open.
        state.dirty_blocks = list(connection.atomic_blocks) or None
    now = time.monotonic()
    if (state.overrides is None or state.generation != _generation
            or now - state.loaded_at > REFRESH_SECONDS):
        generation = _generation
        overrides = _load_overrides()
        if overrides != state.overrides:
            state.years = {}
        state.overrides, state.loaded_at, state.generation = overrides, now, generation
    return state


def _base_is_working(day: datetime.date) -> bool:
    if day.year in LIBRARY_YEARS:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def _build(year: int, overrides: dict[datetime.date, bool]) -> YearTable:
    first = datetime.date(year, 1, 1)
    days = (datetime.date(year + 1, 1, 1) - first).days if year < 9999 else 365
    if year not in LIBRARY_YEARS and not any(d.year == year for d in overrides):
        with _warn_lock:
            if year not in _warned_years:
                _warned_years.add(year)
                logger.warning(
                    "No statutory holiday schedule for %s (chinesecalendar knows %s-%s) and no "
                    "corrections entered: counting Monday to Friday as working days. Enter the "
                    "State Council's schedule for %s as calendar corrections in the admin.",
                    year, LIBRARY_YEARS.start, LIBRARY_YEARS.stop - 1, year,
                )
    flags = bytearray(days)
    for i in range(days):
        day = first + datetime.timedelta(days=i)
        override = overrides.get(day)
        flags[i] = override if override is not None else _base_is_working(day)
    prefix = [0] * (days + 1)
    for i, flag in enumerate(flags):
        prefix[i + 1] = prefix[i] + flag
    working = tuple(i for i, flag in enumerate(flags) if flag)
    return YearTable(year, first.toordinal(), bytes(flags), tuple(prefix), working)


def year_table(year: int) -> YearTable:
    """Return the working-day table of `year`, building it on first use."""
    state = _current()
    table = state.years.get(year)
    if table is None:
        table = state.years[year] = _build(year, state.overrides)
    return table


def national_calendar_says(day: datetime.date) -> bool | None:
    """Return what the library alone says of `day` (True = working), None outside its years."""
    return chinese_calendar.is_workday(day) if day.year in LIBRARY_YEARS else None


def position(table: YearTable, day: datetime.date) -> int:
    return day.toordinal() - table.first_ordinal


def nth_working_after(day: datetime.date, n: int) -> datetime.date:
    """Return the n-th (n >= 1) working day after `day`."""
    table = year_table(day.year)
    index = bisect.bisect_right(table.working, position(table, day))
    while index + n > len(table.working):
        n -= len(table.working) - index
        table, index = year_table(table.year + 1), 0
    return datetime.date.fromordinal(table.first_ordinal + table.working[index + n - 1])


def nth_working_before(day: datetime.date, n: int) -> datetime.date:
    """Return the n-th (n >= 1) working day before `day`."""
    table = year_table(day.year)
    index = bisect.bisect_left(table.working, position(table, day))
    while index - n < 0:
        n -= index
        table = year_table(table.year - 1)
        index = len(table.working)
    return datetime.date.fromordinal(table.first_ordinal + table.working[index - n])


def count_through(day: datetime.date, base_year: int) -> int:
    """Return the working days from 1 January of `base_year` to `day`, both included."""
    total = sum(year_table(year).total for year in range(base_year, day.year))
    table = year_table(day.year)
    return total + table.prefix[position(table, day) + 1]
