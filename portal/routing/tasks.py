"""Periodic work of routing. Thin: the service is idempotent and runs one at a time.

PERIODIC_TASKS is turned into django-celery-beat rows by portal/core/schedules.py.
"""

from celery import shared_task
from django.db import DatabaseError

from . import services
from .constants import MIN_SAMPLES_PER_UNIT

PERIODIC_TASKS = [
    {"name": "Retrain routing suggestions", "task": "portal.routing.tasks.routing_retrain",
     "crontab": {"minute": "30", "hour": "2"}},
]


# Training 100,000 cases takes minutes, not seconds: longer limits than the project default.
@shared_task(name="portal.routing.tasks.routing_retrain", autoretry_for=(DatabaseError,),
             retry_backoff=True, max_retries=3, soft_time_limit=1500, time_limit=1800)
def routing_retrain(min_samples_per_unit: int = MIN_SAMPLES_PER_UNIT, force: bool = False) -> str:
    """Retrain the routing suggestion when cases were routed since the last model.

    Returns what happened: "trained", "unchanged", "not_enough_data" or "busy". The department
    may set `min_samples_per_unit` in the periodic task's arguments.
    """
    return services.routing_model_train(min_samples_per_unit=int(min_samples_per_unit),
                                        force=bool(force)).status
