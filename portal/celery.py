"""The Celery application. Tasks live in each app's tasks.py and are found automatically."""

import os

from celery import Celery
from celery.worker.consumer import Consumer as CeleryConsumer

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# How often a worker tries the broker again after losing it (issue 16). Celery's own backoff
# grows 2, 4, 6 ... 30 s, so a worker came back up to half a minute after Redis did; this
# tries after 1 s, then every 2 s, for as long as it takes (CELERY_BROKER_CONNECTION_MAX_RETRIES
# is None).
RECONNECT_INTERVALS = {"interval_start": 1, "interval_step": 1, "interval_max": 2}


class Consumer(CeleryConsumer):
    """The worker's consumer, reconnecting to the broker promptly (settings.CELERY_WORKER_CONSUMER)."""

    def ensure_connected(self, conn):
        ensure = conn.ensure_connection

        def ensure_connection(*args, **kwargs):
            return ensure(*args, **{**kwargs, **RECONNECT_INTERVALS})

        conn.ensure_connection = ensure_connection
        return super().ensure_connected(conn)
