"""Faults: a Celery worker killed (SIGKILL) while it sends a notice's e-mail (issue 16).

A real worker process (prefork, one child) on a Redis of the test's own, sending to the test's
own SMTP server, which stalls the first message so the test can kill the sender mid-send. What
a user would notice: the e-mail arrives, once.

- the pool child is killed: the worker hands the task out again at once (late acknowledgement
  and CELERY_TASK_REJECT_ON_WORKER_LOST);
- the whole worker is killed: the message waits unacknowledged in Redis; the next worker takes
  it up once the visibility timeout has passed (two hours in production, two seconds here) and
  the sweeper re-queues the still-pending row; the row lock and its status keep the e-mail
  from going out twice.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.db import transaction

from portal.notifications.models import Notification
from portal.notifications.services import notify
from portal.notifications.tasks import notifications_requeue_pending
from tests.factories import enterprise_user

from .faults_servers import (
    OwnRedis,
    SmtpSink,
    celery_on,
    children,
    start_worker,
    stop_process,
    wait_for,
)

VISIBILITY_TIMEOUT = 2


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    redis = OwnRedis(tmp_path_factory.mktemp("redis"))
    redis.start()
    sink = SmtpSink()
    yield redis, sink
    sink.close()
    redis.stop()


@pytest.fixture
def worker_env(servers, transactional_db, tmp_path):
    redis, sink = servers
    redis.ensure_running()
    with celery_on(redis.url()) as app:
        app.control.purge()
        sink.messages.clear()
        started = []

        def start():
            process = start_worker(redis.url(), tmp_path / "worker.log",
                                   FAULTS_SMTP_PORT=sink.port,
                                   FAULTS_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT)
            started.append(process)
            return process

        yield start, sink, tmp_path / "worker.log"
        for process in started:
            stop_process(process, signal.SIGKILL)


def notice_for(user, key):
    with transaction.atomic():
        [row] = notify(recipients=[user], subject="Your appeal YS-2026-000042 was accepted",
                       dedup_key=key)
    return row


def mails_to(sink, user):
    return [m for rcpts, m in sink.received() if user.email in rcpts]


def test_pool_child_killed_mid_send_the_task_runs_again_and_the_mail_goes_once(worker_env):
    start, sink, log = worker_env
    user = enterprise_user()
    worker = start()
    sink.hold_next()
    row = notice_for(user, "fault-test:child")
    assert sink.held.wait(60), f"the worker never reached the mail server:\n{log.read_text()}"
    [child] = children(worker.pid)
    os.kill(child, signal.SIGKILL)
    sink.release()

    wait_for(lambda: mails_to(sink, user), timeout=30, what="the e-mail after the kill")
    wait_for(lambda: Notification.objects.get(pk=row.pk).email_status == "sent", timeout=10,
             what="the row marked sent")
    # Asked again (a retried task, the sweeper): no second notice, no second e-mail.
    assert notify(recipients=[user], subject="again", dedup_key="fault-test:child") == []
    notifications_requeue_pending.delay()
    time.sleep(1.5)
    assert len(mails_to(sink, user)) == 1
    assert Notification.objects.filter(recipient=user).count() == 1
    assert "WorkerLostError" in log.read_text()


def test_whole_worker_killed_mid_send_the_next_worker_sends_it_once(worker_env, settings):
    start, sink, log = worker_env
    settings.PORTAL = {**settings.PORTAL, "OUTBOX_RETRY_AFTER_SECONDS": 0}
    user = enterprise_user()
    worker = start()
    sink.hold_next()
    row = notice_for(user, "fault-test:worker")
    assert sink.held.wait(60), f"the worker never reached the mail server:\n{log.read_text()}"
    stop_process(worker, signal.SIGKILL)
    sink.release()
    assert Notification.objects.get(pk=row.pk).email_status == "pending"

    start()  # it takes longer to start than the visibility timeout: the message is due again
    notifications_requeue_pending.delay()  # and the sweeper re-queues the pending row
    wait_for(lambda: mails_to(sink, user), timeout=30, what="the e-mail from the next worker")
    wait_for(lambda: Notification.objects.get(pk=row.pk).email_status == "sent", timeout=10,
             what="the row marked sent")
    time.sleep(1)  # both copies of the task have had time to run
    assert len(mails_to(sink, user)) == 1
