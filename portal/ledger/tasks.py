"""Celery tasks of the ledger. PERIODIC_TASKS become django-celery-beat rows
(portal/core/schedules.py); the department may change the schedule in the admin."""

from celery import shared_task
from django.utils.translation import gettext_lazy as _

from . import services

PERIODIC_TASKS = [
    {
        "name": "ledger: chain new entries",
        "task": "portal.ledger.tasks.ledger_sequence_pending",
        "interval_seconds": 2,
        "description": _("Chain the ledger entries recorded since the last run (the sequencer): "
                         "give each its position and hash. Entries wait unchained until it runs; "
                         "nothing is lost while it is stopped."),
    },
    {
        "name": "ledger: nightly verification, head to the auditors",
        "task": "portal.ledger.tasks.ledger_nightly_check",
        "crontab": {"minute": "30", "hour": "2"},
        "description": _("Verify the whole ledger chain and send its result and head hash to "
                         "the auditors, who keep the head as proof against later tampering."),
    },
]


# Beat queues a run every 2 s; a run that waited in the queue for longer than a few runs is
# dropped (`expires`), as a later one does the same work. A run chains everything committed;
# one that finds another running returns at once (the advisory lock, see ledger_sequence).
@shared_task(acks_late=True, ignore_result=True, expires=20, soft_time_limit=50, time_limit=60)
def ledger_sequence_pending() -> int:
    """Chain the committed unchained entries; return how many. Safe to run twice or at once."""
    return services.ledger_sequence(max_seconds=30)


# 10,000,000 entries take about a minute at the measured rate; leave room for a slow night.
@shared_task(acks_late=True, ignore_result=True, soft_time_limit=1500, time_limit=1800)
def ledger_nightly_check() -> bool:
    """Verify the chain and notify the auditors; safe to run twice (one message a day)."""
    return services.ledger_daily_check().ok
