"""Keep the in-memory calendar in step with the corrections table (a cache, not a rule), and
tell other apps of a change once it commits (signals.calendar_changed), once per transaction."""

import threading

from django.db import transaction

from . import calendar
from .signals import calendar_changed

# The announcement this thread has queued for its open transaction, if any.
_queued = threading.local()


def calendar_day_changed(sender, **kwargs):
    calendar.invalidate(uncommitted=True)
    # Threads that re-read the table before this commits saw the old rows: make them read again.
    transaction.on_commit(calendar.invalidate)
    # Then tell other apps (after the line above, so they read the new calendar).
    _announce_after_commit(sender)


def _announce_after_commit(sender) -> None:
    """Queue calendar_changed for after the commit, unless this transaction already has: a
    listener recomputes from the whole calendar, so a transaction that changes N corrections
    (the admin's "delete selected", a fixture) is announced once, not N times (N passes of
    commitments' clauses_follow_calendar). Robust: the correction is committed whatever a
    listener does; its failure is logged and the other listeners still hear."""
    connection = transaction.get_connection()
    queued = getattr(_queued, "announce", None)
    # Still in the connection's queue means neither run nor dropped by a rollback; a callback
    # queued there survives any savepoint rollback that would drop one queued now (its
    # savepoints are released ones or enclose this change), so it is enough. (run_on_commit
    # holds (savepoint ids, callback, robust) tuples: Django's own list, read, never changed.)
    if queued is not None and any(entry[1] is queued for entry in connection.run_on_commit):
        return

    def announce():
        if getattr(_queued, "announce", None) is announce:
            _queued.announce = None
        calendar_changed.send_robust(sender=sender)

    _queued.announce = announce
    transaction.on_commit(announce)


def database_flushed(sender, **kwargs):
    # `manage.py flush` (and test teardown) empties the table without row signals.
    calendar.invalidate()
