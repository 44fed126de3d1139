"""Celery tasks of commitments. PERIODIC_TASKS become django-celery-beat rows
(portal/core/schedules.py); the department may change the schedule in the admin."""

from celery import shared_task
from django.utils.translation import gettext_lazy as _

from . import services

PERIODIC_TASKS = [
    {
        "name": "commitments: overdue clauses to supervision",
        "task": "policies.commitments.tasks.commitments_scan_overdue",
        "crontab": {"minute": "30", "hour": "2"},
        # Stored in the periodic task row when it is created (portal/core/schedules.py); a
        # change of this text reaches existing rows by a migration (0007).
        "description": _(
            "First move the working day each pending commitment clause falls due on to "
            "the one the working-day calendar now gives (repairing days a calendar "
            "correction failed to move); then send every clause past that day and not "
            "yet fulfilled to supervision (督办), once per clause."
        ),
    },
]


@shared_task(
    acks_late=True,
    ignore_result=False,
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=3,
    soft_time_limit=1500,
    time_limit=1800,
)
def commitments_scan_overdue() -> int:
    """Open the supervision items of overdue clauses; return how many. Safe to run twice."""
    return services.clauses_scan_overdue()
