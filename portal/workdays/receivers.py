"""Keep the in-memory calendar in step with the corrections table (a cache, not a rule), and
tell other apps of a change once it commits (signals.calendar_changed)."""

from django.db import transaction

from . import calendar
from .signals import calendar_changed


def calendar_day_changed(sender, **kwargs):
    calendar.invalidate(uncommitted=True)
    # Threads that re-read the table before this commits saw the old rows: make them read again.
    transaction.on_commit(calendar.invalidate)
    # Then tell other apps (after the line above, so they read the new calendar). Robust: the
    # correction is committed whatever a listener does; its failure is logged and the other
    # listeners still hear.
    transaction.on_commit(lambda: calendar_changed.send_robust(sender=sender))


def database_flushed(sender, **kwargs):
    # `manage.py flush` (and test teardown) empties the table without row signals.
    calendar.invalidate()
