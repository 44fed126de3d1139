"""The e-mail outbox end to end, with a real Celery worker on the test Redis."""

import time

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.core.queue import enqueue_on_commit
from portal.notifications.models import Notification
from portal.notifications.services import notify
from portal.notifications.tasks import notifications_requeue_pending, send_notification_email
from tests.factories import UserFactory
from tests.fixtures.celery import queued_messages, unreachable_broker, wait_until

SEND = send_notification_email.name


def site_name(language):
    with translation.override(language):
        return str(settings.PORTAL["SITE_NAME"])


def _status(pk):
    return Notification.objects.get(pk=pk).email_status


def test_email_arrives_once_after_commit_even_when_delivered_twice(celery_worker):
    user = UserFactory(language="en")
    with transaction.atomic():
        [n] = notify(recipients=[user], subject="Your appeal was answered", url="/cases/7/")
        # The broker delivers the same task a second time (a redelivery after a lost ack).
        enqueue_on_commit(send_notification_email, n.pk)
        assert queued_messages() == 0  # nothing leaves before the commit

    runs = celery_worker.wait_for_runs(SEND, 2)
    assert sorted(run.retval for run in runs) == ["sent", "skipped"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == f"[{site_name('en')}] Your appeal was answered"
    n.refresh_from_db()
    assert (n.email_status, n.email_attempts) == ("sent", 1)


def test_one_notify_to_many_reaches_each_in_their_language(celery_worker):
    zh, en = UserFactory(language="zh-hans"), UserFactory(language="en")
    inbox_only = UserFactory(email_notifications=False)
    with transaction.atomic():
        notify(recipients=[zh, en, inbox_only], subject=_("January"))

    wait_until(lambda: len(mail.outbox) == 2, message="two e-mails")
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {zh.email: f"[{site_name('zh-hans')}] 一月",
                        en.email: f"[{site_name('en')}] January"}
    assert Notification.objects.get(recipient=inbox_only).email_status == "not_wanted"


@pytest.fixture
def fast_outbox(settings):
    settings.PORTAL = {**settings.PORTAL, "OUTBOX_MAX_ATTEMPTS": 3,
                       "OUTBOX_RETRY_BACKOFF_SECONDS": 0}
    return settings


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    settings.EMAIL_TIMEOUT = 2
    return settings


def test_unreachable_mail_server_retried_then_marked_failed(celery_worker, fast_outbox,
                                                            smtp_down):
    [n] = notify(recipients=[UserFactory()], subject="Reply received")

    wait_until(lambda: _status(n.pk) == "failed", message="the e-mail marked failed")
    runs = celery_worker.wait_for_runs(SEND, 3)
    assert [run.state for run in runs] == ["RETRY", "RETRY", "SUCCESS"]
    n.refresh_from_db()
    assert n.email_attempts == 3
    assert mail.outbox == []


def test_mail_goes_out_when_the_server_is_back(celery_worker, settings, smtp_down):
    settings.PORTAL = {**settings.PORTAL, "OUTBOX_MAX_ATTEMPTS": 5,
                       "OUTBOX_RETRY_BACKOFF_SECONDS": 1}
    [n] = notify(recipients=[UserFactory()], subject="Reply received")
    wait_until(lambda: Notification.objects.get(pk=n.pk).email_attempts >= 1,
               message="a failed attempt")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    wait_until(lambda: _status(n.pk) == "sent", message="the e-mail sent")
    assert len(mail.outbox) == 1
    assert 2 <= Notification.objects.get(pk=n.pk).email_attempts <= 5


def test_redis_down_the_transaction_commits_and_the_sweeper_sends_later(celery_worker, settings,
                                                                        caplog):
    user = UserFactory()
    with unreachable_broker():
        started = time.monotonic()
        with transaction.atomic():  # what a request does
            [n] = notify(recipients=[user], subject="Reply received")
        elapsed = time.monotonic() - started

    assert elapsed < 3.5, f"a request would have waited {elapsed:.1f}s for the broker"
    assert _status(n.pk) == "pending"  # committed, waiting for the sweeper
    assert "could not queue" in caplog.text
    assert queued_messages() == 0
    assert celery_worker.runs_of(SEND) == []

    # The broker is back; the beat schedule runs the sweeper.
    settings.PORTAL = {**settings.PORTAL, "OUTBOX_RETRY_AFTER_SECONDS": 0}
    notifications_requeue_pending.delay()
    wait_until(lambda: len(mail.outbox) == 1, message="the e-mail after the sweep")
    assert mail.outbox[0].to == [user.email]
    assert _status(n.pk) == "sent"
