"""The e-mail outbox: send once, in the recipient's language, retry, give up, re-queue."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from portal.notifications.models import Notification
from portal.notifications.services import (
    Delivery,
    backoff_seconds,
    notification_email_deliver,
    notification_email_requeue_pending,
)
from tests.factories import UserFactory
from tests.fixtures.celery import queued_messages

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal_settings(settings):
    settings.PORTAL = {**settings.PORTAL, "BASE_URL": "https://ys.example.gov.cn",
                       "OUTBOX_MAX_ATTEMPTS": 3, "OUTBOX_RETRY_BACKOFF_SECONDS": 30}
    return settings


@pytest.fixture
def smtp_down(settings):
    """A real SMTP backend pointed at a closed port: the mail server is unreachable."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    settings.EMAIL_TIMEOUT = 2
    return settings


def test_sends_once_with_text_html_and_link(portal_settings):
    user = UserFactory(language="en", full_name="Li Lei")
    n = NotificationFactory(recipient=user, email_pending=True, subject="Your appeal was answered",
                            body="The unit replied.\nPlease rate the answer.")

    assert notification_email_deliver(notification_id=n.pk).outcome is Delivery.SENT
    assert notification_email_deliver(notification_id=n.pk).outcome is Delivery.SKIPPED

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    with translation.override("en"):
        site = str(portal_settings.PORTAL["SITE_NAME"])
    assert message.subject == f"[{site}] Your appeal was answered"
    link = f"https://ys.example.gov.cn/inbox/{n.pk}/"
    assert "Dear Li Lei," in message.body
    assert "Please rate the answer." in message.body
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert '<html lang="en">' in html
    assert "The unit replied.<br>Please rate the answer." in html
    n.refresh_from_db()
    assert (n.email_status, n.email_attempts, n.email_due_at) == ("sent", 1, None)
    assert n.email_sent_at is not None


def test_written_in_the_recipients_language(portal_settings):
    n = NotificationFactory(recipient=UserFactory(language="zh-hant"), email_pending=True)
    notification_email_deliver(notification_id=n.pk)
    assert '<html lang="zh-hant">' in mail.outbox[0].alternatives[0][0]


def test_html_escapes_the_message(portal_settings):
    n = NotificationFactory(email_pending=True, subject="<b>x</b>", body="<script>x</script>")
    notification_email_deliver(notification_id=n.pk)
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("status", ["sent", "failed", "not_wanted"])
def test_only_pending_rows_are_sent(status):
    n = NotificationFactory(email_status=status)
    assert notification_email_deliver(notification_id=n.pk).outcome is Delivery.SKIPPED
    assert notification_email_deliver(notification_id=n.pk + 1000).outcome is Delivery.SKIPPED
    assert mail.outbox == []


def test_recipient_who_turned_email_off_since_gets_none():
    n = NotificationFactory(recipient=UserFactory(email_notifications=False), email_pending=True)
    assert notification_email_deliver(notification_id=n.pk).outcome is Delivery.SKIPPED
    n.refresh_from_db()
    assert n.email_status == "not_wanted"
    assert mail.outbox == []


def test_unreachable_mail_server_is_retried_with_backoff_then_failed(portal_settings, smtp_down):
    n = NotificationFactory(email_pending=True)

    first = notification_email_deliver(notification_id=n.pk)
    assert (first.outcome, first.retry_in) == (Delivery.RETRY, 30)
    n.refresh_from_db()
    assert n.email_status == "pending"
    assert n.email_attempts == 1
    assert "ConnectionRefusedError" in n.email_error
    assert n.email_due_at > timezone.now() + timedelta(seconds=25)

    second = notification_email_deliver(notification_id=n.pk)
    assert (second.outcome, second.retry_in) == (Delivery.RETRY, 60)
    assert notification_email_deliver(notification_id=n.pk).outcome is Delivery.FAILED

    n.refresh_from_db()
    assert (n.email_status, n.email_attempts, n.email_due_at) == ("failed", 3, None)
    assert notification_email_deliver(notification_id=n.pk).outcome is Delivery.SKIPPED
    n.refresh_from_db()
    assert n.email_attempts == 3


def test_backoff_doubles_and_is_capped(portal_settings):
    assert [backoff_seconds(a) for a in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff_seconds(30) == 3600


def test_sweeper_requeues_only_overdue_pending_rows(celery_purged,
                                                    django_capture_on_commit_callbacks):
    long_ago = timezone.now() - timedelta(minutes=5)
    lost = NotificationFactory(email_pending=True)
    Notification.objects.filter(pk=lost.pk).update(email_due_at=long_ago)
    fresh = NotificationFactory(email_pending=True)  # its task is surely still queued
    retry_later = NotificationFactory(email_pending=True)
    Notification.objects.filter(pk=retry_later.pk).update(
        email_due_at=timezone.now() + timedelta(minutes=10))
    for status in ("sent", "failed", "not_wanted"):
        done = NotificationFactory(email_status=status)
        Notification.objects.filter(pk=done.pk).update(email_due_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        assert notification_email_requeue_pending(older_than_seconds=60) == 1
    assert queued_messages() == 1
    lost.refresh_from_db()
    assert lost.email_due_at > long_ago  # not picked again by the next sweep
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_email_requeue_pending(older_than_seconds=60) == 0
    fresh.refresh_from_db()
    assert fresh.email_status == "pending"


def test_sweeper_reads_its_delay_from_settings(settings, celery_purged,
                                               django_capture_on_commit_callbacks):
    NotificationFactory(email_pending=True)
    settings.PORTAL = {**settings.PORTAL, "OUTBOX_RETRY_AFTER_SECONDS": 3600}
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_email_requeue_pending() == 0
    settings.PORTAL = {**settings.PORTAL, "OUTBOX_RETRY_AFTER_SECONDS": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_email_requeue_pending() == 1
    assert queued_messages() == 1
