"""Faults: a Celery worker killed (SIGKILL) while it sends a notice's e-mail (issue 16).

A real worker process (prefork, one child) on a Redis of the test's own, sending to the test's
own SMTP server, which stalls the first message so the test can kill the sender mid-send. What
a user would notice: the e-mail arrives, once.

- the pool child is killed: the worker hands the task out again at once (late acknowledgement
  and CELERY_TASK_REJECT_ON_WORKER_LOST);
- the whole worker is killed, two ways back, each tested alone:
  - the broker's: the message waits unacknowledged in Redis and the next worker takes it up
    once the visibility timeout has passed (two hours in production, two seconds here);
  - the sweeper's (production timings: the message stays away for two hours): the sweeper
    re-queues the still-pending row;
  the row lock and its status keep the e-mail from going out twice;
- Redis goes away while the e-mail is being sent: the task finishes and marks its row sent
  (CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS off, docs/adr/0004).

The worker is a process of its own: its settings come from its environment
(tests/trust/faults_settings.py), never from the test's `settings` fixture.
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
PRODUCTION_VISIBILITY_TIMEOUT = 2 * 3600


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

        def start(**env):
            env = {"FAULTS_SMTP_PORT": sink.port,
                   "FAULTS_VISIBILITY_TIMEOUT": VISIBILITY_TIMEOUT, **env}
            process = start_worker(redis.url(), tmp_path / "worker.log", **env)
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


def kill_mid_send(start, sink, log, user, key, **env):
    """Start a worker, let it reach the mail server with `user`'s notice, and kill it whole."""
    worker = start(**env)
    sink.hold_next()
    row = notice_for(user, key)
    assert sink.held.wait(60), f"the worker never reached the mail server:\n{log.read_text()}"
    stop_process(worker, signal.SIGKILL)
    killed = time.monotonic()
    sink.release()
    assert Notification.objects.get(pk=row.pk).email_status == "pending"
    # PostgreSQL ends the dead worker's session, and with it the row lock, when it reads the
    # closed socket; until then the next worker would (rightly) skip the locked row.
    wait_for(lambda: row_unlocked(row), timeout=10, what="the dead worker's row lock released")
    return row, killed


def row_unlocked(row) -> bool:
    with transaction.atomic():
        return Notification.objects.select_for_update(skip_locked=True).filter(pk=row.pk).exists()


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


def test_whole_worker_killed_mid_send_the_broker_hands_it_to_the_next_worker_once(worker_env):
    start, sink, log = worker_env
    user = enterprise_user()
    row, killed = kill_mid_send(start, sink, log, user, "fault-test:worker")
    # The next worker looks for overdue unacknowledged messages as it starts (and then every
    # 100 s): start it once the timeout has passed, as it would be after two hours.
    time.sleep(max(0.0, VISIBILITY_TIMEOUT + 0.5 - (time.monotonic() - killed)))
    start()

    wait_for(lambda: mails_to(sink, user), timeout=30, what="the e-mail from the next worker")
    wait_for(lambda: Notification.objects.get(pk=row.pk).email_status == "sent", timeout=10,
             what="the row marked sent")
    notifications_requeue_pending.delay()  # the sweeper, as beat runs it: nothing owed
    time.sleep(1.5)
    assert len(mails_to(sink, user)) == 1


def test_whole_worker_killed_mid_send_the_sweeper_requeues_it_and_it_goes_once(worker_env):
    start, sink, log = worker_env
    user = enterprise_user()
    timings = {"FAULTS_VISIBILITY_TIMEOUT": PRODUCTION_VISIBILITY_TIMEOUT,
               "FAULTS_OUTBOX_RETRY_AFTER_SECONDS": 0}
    row, _ = kill_mid_send(start, sink, log, user, "fault-test:sweeper", **timings)
    start(**timings)
    time.sleep(1)
    assert mails_to(sink, user) == []  # the broker keeps the message for two hours

    notifications_requeue_pending.delay()
    wait_for(lambda: mails_to(sink, user), timeout=30, what="the e-mail the sweeper re-queued")
    wait_for(lambda: Notification.objects.get(pk=row.pk).email_status == "sent", timeout=10,
             what="the row marked sent")
    notifications_requeue_pending.delay()  # again: the row is sent, nothing is re-queued
    time.sleep(1.5)
    assert len(mails_to(sink, user)) == 1
    assert Notification.objects.filter(recipient=user).count() == 1


def test_worker_losing_redis_mid_send_lets_the_task_finish_and_the_mail_goes_once(worker_env,
                                                                                   servers):
    """CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS is off (docs/adr/0004, 8): a
    task running when Redis goes away finishes and marks its row sent, so nothing is left for a
    second try to send again."""
    redis, _ = servers
    start, sink, log = worker_env
    user = enterprise_user()
    start()
    sink.hold_next()
    row = notice_for(user, "fault-test:redis-lost")
    assert sink.held.wait(60), f"the worker never reached the mail server:\n{log.read_text()}"
    redis.stop()
    try:
        wait_for(lambda: "Connection to broker lost" in log.read_text(), timeout=30,
                 what="the worker noticing Redis gone")
        sink.release()
        wait_for(lambda: Notification.objects.get(pk=row.pk).email_status == "sent", timeout=30,
                 what=f"the row marked sent with Redis away:\n{log.read_text()}")
    finally:
        redis.start()
    notifications_requeue_pending.delay()  # the sweeper once Redis is back: nothing owed
    wait_for(lambda: "notifications_requeue_pending" in log.read_text().split(
        "Connection to broker lost")[-1], timeout=30, what="the sweeper run after Redis returned")
    time.sleep(1)
    assert len(mails_to(sink, user)) == 1
