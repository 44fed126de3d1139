"""Faults: Redis stops while enterprises submit appeals (issue 16).

Each test runs against a Redis of its own (tests/trust/faults_servers.py), which it stops and
starts again; the in-thread worker (tests/fixtures/celery.py) consumes from it. What a user
would notice: the submission is saved and answers as fast as usual while Redis is away, and
every notice's e-mail arrives once, soon after Redis is back; the worker and beat go on by
themselves within seconds.
"""

from __future__ import annotations

import time

import pytest
import redis
from django.core import mail
from django.urls import reverse

from portal.appeals.constants import AppealType
from portal.cases.models import Case
from portal.notifications.models import Notification
from tests.cases.factories import CategoryFactory
from tests.factories import department_staff, enterprise_user

from .faults_servers import OwnRedis, celery_on, start_beat, stop_process, wait_for

SUBMISSIONS = 5
# Usual: ~0.12 s an appeal (~0.03-0.07 s here once warm, Redis down or not). With Redis stopped
# it took ~4 s (two 2-second broker connection attempts; ~2 s since a step's notices are one
# e-mail task); publishing now gives up after one attempt with a 100 ms connect timeout.
SUBMIT_BOUND_SECONDS = 1.0
# A worker whose broker went away consumes again within this long after it is back. Celery's
# own backoff waits 2, 4, 6, 8 ... 30 s between attempts, so after a 13 s outage the next
# attempt came 7 s after Redis returned (the issue saw 22 s); portal.celery.Consumer tries every
# 2 s at most.
RECONNECT_BOUND_SECONDS = 5.0
DOWN_SECONDS = 13.0
BEAT_DOWN_SECONDS = 4.0  # beat tries each due task afresh: no backoff to wait out


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory):
    server = OwnRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(own_redis):
    own_redis.ensure_running()
    with celery_on(own_redis.url()):
        yield own_redis


def submit_appeal(client, user, category, n):
    client.force_login(user)
    new = reverse("cases:new")
    token = client.get(new).context["form_token"]
    started = time.monotonic()
    response = client.post(new, {
        "form_token": token, "appeal_type": AppealType.HELP, "category": category.pk,
        "title": f"厂房消防验收排期太久 {n}", "description": "已提交两个月仍未安排验收，影响投产。",
    })
    return response, time.monotonic() - started


def test_redis_down_submissions_are_saved_fast_and_every_notice_mailed_once_after(
        broker, celery_worker, client, settings):
    settings.PORTAL = {**settings.PORTAL, "OUTBOX_RETRY_AFTER_SECONDS": 0}
    department_staff()  # receives a notice of every new appeal
    category = CategoryFactory()
    users = [enterprise_user() for _ in range(SUBMISSIONS)]
    usual, usual_time = submit_appeal(client, enterprise_user(), category, "usual")
    assert usual.status_code == 302
    wait_for(lambda: mail.outbox and not Notification.objects.filter(
        email_status=Notification.EmailStatus.PENDING).exists(),
        timeout=15, what="the usual appeal's e-mails")
    mail.outbox.clear()

    broker.stop()
    stopped = time.monotonic()
    timings = []
    for n, user in enumerate(users):
        response, elapsed = submit_appeal(client, user, category, n)
        assert response.status_code == 302, response.content[:500]
        timings.append(elapsed)
    assert max(timings) < SUBMIT_BOUND_SECONDS, (
        f"with Redis down submissions took {timings}, usually {usual_time:.2f}s")
    assert Case.objects.filter(submitter__in=users).count() == SUBMISSIONS
    owed = set(Notification.objects.filter(email_status=Notification.EmailStatus.PENDING)
               .values_list("pk", flat=True))
    assert len(owed) >= SUBMISSIONS  # at least the department's notice of each appeal
    assert mail.outbox == []

    # Redis stays away long enough for the worker's reconnect backoff to matter.
    time.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - stopped)))
    broker.start()
    back = time.monotonic()
    # The sweeper (beat runs it every minute) queues the e-mails the requests could not.
    from portal.notifications.tasks import notifications_requeue_pending

    notifications_requeue_pending.delay()
    wait_for(lambda: len(mail.outbox) >= len(owed), timeout=30, what="the owed e-mails")
    delivered_after = time.monotonic() - back
    print(f"usual {usual_time:.3f}s, Redis down {[round(t, 3) for t in timings]}, delivered {delivered_after:.2f}s "
          "after Redis returned")
    assert delivered_after < RECONNECT_BOUND_SECONDS, (
        f"the worker took {delivered_after:.1f}s to deliver after Redis came back")

    # Once: the sweeper again finds nothing owed, and no e-mail is sent twice.
    notifications_requeue_pending.delay()
    celery_worker.wait_for_runs("portal.notifications.tasks.notifications_requeue_pending", 2)
    time.sleep(0.5)
    assert len(mail.outbox) == len(owed)
    assert not Notification.objects.filter(pk__in=owed).exclude(
        email_status=Notification.EmailStatus.SENT).exists()
    subjects = [(m.to[0], m.subject) for m in mail.outbox]
    assert len(set(subjects)) == len(subjects)


def test_beat_publishes_again_promptly_after_redis_returns(broker, transactional_db, tmp_path):
    """Beat sends the ledger's sequencer every 2 s; after an outage the next one must leave
    within a few seconds of Redis returning (nothing consumes here: the messages stay)."""
    def queued():
        try:
            return redis.Redis.from_url(broker.url(), socket_connect_timeout=2).llen("celery")
        except redis.ConnectionError:
            return 0

    log = tmp_path / "beat.log"
    beat = start_beat(broker.url(), log)
    try:
        try:
            wait_for(queued, timeout=60, interval=0.2, what="beat's first message")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{log.read_text()[-3000:]}") from None
        broker.stop()
        time.sleep(BEAT_DOWN_SECONDS)
        broker.start()  # empty: it keeps nothing
        back = time.monotonic()
        wait_for(queued, timeout=30, what="beat's first message after the outage")
        again_after = time.monotonic() - back
    finally:
        stop_process(beat)
    print(f"beat published {again_after:.2f}s after Redis returned")
    assert again_after < RECONNECT_BOUND_SECONDS, (
        f"beat took {again_after:.1f}s to publish after Redis came back\n"
        + (tmp_path / "beat.log").read_text()[-3000:])
