"""Celery tasks of the precise push. Each is safe to run twice (docs/adr/0013)."""

from celery import shared_task
from django.utils.translation import gettext_lazy as _

from portal.core.queue import enqueue_on_commit

from . import jobs, services

PERIODIC_TASKS = [
    {
        "name": "policies: resume unfinished pushes",
        "task": "policies.tasks.policies_push_sweep",
        "interval_seconds": 300,
        "description": _("Queue again the policy notices still to send, for example after a "
                         "worker stopped in the middle of a push."),
    },
    {
        "name": "policies: daily expiry and guide reminders",
        "task": "policies.tasks.policies_daily",
        "crontab": {"minute": "30", "hour": "7"},
        "description": _("Alert issuing units 60 and 30 days before a policy expires, mark "
                         "expired policies, and remind units of missing guides."),
    },
]


@shared_task(acks_late=True, ignore_result=True)
def policy_push(version_id: int) -> int:
    """Split the push of one version into batches, one task each."""
    plan = services.push_plan(version_id=version_id)
    for first_id, last_id in plan:
        policy_push_batch.apply_async(args=(version_id, first_id, last_id), retry=False)
    return len(plan)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True,
             soft_time_limit=120, time_limit=180)
def policy_push_batch(version_id: int, first_id: int, last_id: int) -> int:
    return services.push_batch(version_id=version_id, first_id=first_id, last_id=last_id)


@shared_task(acks_late=True, ignore_result=True)
def policies_push_sweep() -> int:
    """Re-plan every version that still has matches not notified."""
    ids = services.unfinished_pushes()
    for version_id in ids:
        enqueue_on_commit(policy_push, version_id)
    return len(ids)


@shared_task(acks_late=True, ignore_result=True)
def policies_daily() -> dict:
    return jobs.run_daily()
