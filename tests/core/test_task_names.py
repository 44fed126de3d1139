"""Services queue their app's tasks by name (so services never import tasks): every name they
use is a task the worker knows."""

import pytest

from portal.celery import app
from portal.notifications.services import SEND_EMAIL_TASK, SEND_EMAILS_TASK


@pytest.mark.parametrize("name", [SEND_EMAIL_TASK, SEND_EMAILS_TASK,
                                  "portal.routing.tasks.routing_retrain"])
def test_a_task_queued_by_name_is_registered(name):
    app.loader.import_default_modules()  # what a worker imports at start (autodiscovery)
    assert name in app.tasks
