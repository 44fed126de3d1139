"""Queue Celery work after the transaction commits, without ever failing the request.

The row that needs the work is saved first. If the broker is away when we publish, we log and
carry on: each kind of work has a sweeper (a periodic task) that finds rows still waiting and
queues them again, so nothing is lost. Tasks must therefore be safe to run twice.

A service names its own app's task by its name ("portal.notifications.tasks.…"): tasks import
services, never the other way round, so the two never form an import circle.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def _publish(task, args, kwargs):
    name = task if isinstance(task, str) else task.name
    try:
        if isinstance(task, str):
            from celery import current_app

            task = current_app.signature(name)  # the registered task's options, if loaded
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:  # the broker is down or unreachable; the sweeper will re-queue
        logger.warning("could not queue %s; it will be re-queued by its sweeper", name,
                       exc_info=True)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Publish `task` (a Celery task, or its name) with ids as arguments once the current
    transaction commits."""
    transaction.on_commit(lambda: _publish(task, args, kwargs))
