"""A worker process killed in the middle of a push batch (SIGKILL of its pool child while the
batch waits to write the notices): the batch's transaction dies with it, the task is handed
out again (late acknowledgement, reject on worker lost) and every enterprise gets exactly one
notice — none lost, none twice."""

from __future__ import annotations

import os
import signal

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from policies import services
from policies.models import PolicyMatch
from portal.notifications.models import Notification
from tests.factories import EnterpriseFactory, enterprise_user, unit_official
from tests.trust.faults_servers import children, start_worker, stop_process, wait_for

from .factories import make_policy, qualification

ENTERPRISES = 12


def _blocked_inserts(cur) -> int:
    cur.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE 'INSERT INTO \"notifications_notification\"%%'")
    return cur.fetchone()[0]


@pytest.fixture
def worker(transactional_db, tmp_path):
    from portal.celery import app

    app.control.purge()
    log = tmp_path / "worker.log"
    process = start_worker(settings.CELERY_BROKER_URL, log, FAULTS_VISIBILITY_TIMEOUT=2)
    yield process, log
    stop_process(process, signal.SIGKILL)
    app.control.purge()


def test_worker_killed_mid_batch_loses_no_enterprise_and_duplicates_none(worker):
    process, log = worker
    official = unit_official()
    members = []
    for _i in range(ENTERPRISES):
        e = EnterpriseFactory(registered_capital=500)
        e.qualifications.add(qualification())
        members.append(enterprise_user(e, email_notifications=False))
    policy = make_policy(unit=official.unit)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    blocker, watcher = psycopg2.connect(**params), psycopg2.connect(**params)
    watcher.autocommit = True
    try:
        cur = blocker.cursor()
        # Hold back every insert of notices: the batch will wait inside its transaction.
        cur.execute("LOCK TABLE notifications_notification IN SHARE MODE")
        services.policy_publish(policy=policy, by=official)
        wcur = watcher.cursor()
        wait_for(lambda: _blocked_inserts(wcur) == 1, timeout=60,
                 what=f"the batch waiting to insert notices:\n{log.read_text()}")
        [child] = children(process.pid)
        os.kill(child, signal.SIGKILL)
        blocker.rollback()  # let the writes through
    finally:
        blocker.close()
        watcher.close()

    wait_for(lambda: not PolicyMatch.objects.filter(notified_at__isnull=True).exists(),
             timeout=60, what=f"every match notified:\n{log.read_text()}")
    counts = {u.pk: Notification.objects.filter(recipient=u).count() for u in members}
    assert set(counts.values()) == {1}
    assert PolicyMatch.objects.count() == ENTERPRISES
    assert "WorkerLostError" in log.read_text()
