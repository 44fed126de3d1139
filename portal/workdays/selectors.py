"""Reads of the working-day calendar for pages (the computations are in services.py)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from . import calendar
from .models import CalendarDay


def years_without_schedule(*, today: datetime.date | None = None) -> list[int]:
    """Return this year and the coming one, where the calendar library has no State Council
    holiday schedule and the department entered no correction yet (deadlines there count
    Monday to Friday only). One query, none when the library knows both years."""
    today = today or timezone.localdate()
    unknown = [y for y in (today.year, today.year + 1) if y not in calendar.LIBRARY_YEARS]
    if not unknown:
        return []
    entered = {d.year for d in CalendarDay.objects.filter(date__year__in=unknown)
               .dates("date", "year")}
    return [y for y in unknown if y not in entered]
