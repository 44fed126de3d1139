"""Celery tasks of the ledger. PERIODIC_TASKS become django-celery-beat rows
(portal/core/schedules.py); the department may change the schedule in the admin."""

from celery import shared_task
from django.utils.translation import gettext_lazy as _

from . import services

PERIODIC_TASKS = [
    {
        "name": "ledger: nightly verification, head to the auditors",
        "task": "portal.ledger.tasks.ledger_nightly_check",
        "crontab": {"minute": "30", "hour": "2"},
        "description": _("Verify the whole ledger chain and send its result and head hash to "
                         "the auditors, who keep the head as proof against later tampering."),
    },
]


# 10,000,000 entries take about a minute at the measured rate; leave room for a slow night.
@shared_task(acks_late=True, ignore_result=True, soft_time_limit=1500, time_limit=1800)
def ledger_nightly_check() -> bool:
    """Verify the chain and notify the auditors; safe to run twice (one message a day)."""
    return services.ledger_daily_check().ok
