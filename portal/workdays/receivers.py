"""Keep the in-memory calendar in step with the corrections table (a cache, not a rule)."""

from django.db import transaction

from . import calendar


def calendar_day_changed(sender, **kwargs):
    calendar.invalidate(uncommitted=True)
    # Threads that re-read the table before this commits saw the old rows: make them read again.
    transaction.on_commit(calendar.invalidate)


def database_flushed(sender, **kwargs):
    # `manage.py flush` (and test teardown) empties the table without row signals.
    calendar.invalidate()
