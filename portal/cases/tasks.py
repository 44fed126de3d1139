"""Periodic work of the case engine. Thin: each task calls one service, which is safe to run
twice or concurrently (see services/reminders.py and services/satisfaction.py).

PERIODIC_TASKS is turned into django-celery-beat rows by portal/core/schedules.py.
"""

from celery import shared_task
from django.db import DatabaseError

from . import services

PERIODIC_TASKS = [
    {"name": "cases: deadline reminders and overdue escalation",
     "task": "portal.cases.tasks.case_deadline_scan", "interval_seconds": 300},
    # Daily in effect (a case closes the day its rating time has run out); hourly so that a
    # worker that was down catches up soon. Idempotent, and cheap on the partial index.
    {"name": "cases: close answered cases not rated in time",
     "task": "portal.cases.tasks.case_auto_close", "interval_seconds": 3600},
]


@shared_task(name="portal.cases.tasks.case_deadline_scan", autoretry_for=(DatabaseError,),
             retry_backoff=True, max_retries=3, soft_time_limit=240, time_limit=300)
def case_deadline_scan() -> int:
    """Send the deadline reminders due now and open supervision items for overdue cases."""
    return services.case_reminders_send_due(max_seconds=200)


@shared_task(name="portal.cases.tasks.case_auto_close", autoretry_for=(DatabaseError,),
             retry_backoff=True, max_retries=3, soft_time_limit=240, time_limit=300)
def case_auto_close() -> int:
    """Close answered cases whose rating time has run out."""
    return services.case_auto_close_unrated()
