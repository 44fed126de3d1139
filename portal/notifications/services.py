"""Notifications: the in-site inbox and its e-mail outbox.

Other apps may call:

- `notify(recipients=..., subject=..., body=..., url=..., dedup_key=...)` — tell people
  something, in their own language, in the inbox and (if they want it) by e-mail;
  `notify_many([Message(...), ...])` — several such messages in one write.

The rest (`notification_mark_read`, `notification_mark_all_read`,
`notification_preferences_update`, `notification_email_deliver`,
`notification_email_requeue_pending`) serve this app's views, API and tasks.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator

from portal.core.queue import enqueue_on_commit
from portal.core.sql import all_columns, model_names

from .models import DEDUP_CONSTRAINT, Notification

if TYPE_CHECKING:
    from portal.accounts.models import User

logger = logging.getLogger(__name__)

SUBJECT_MAX = Notification._meta.get_field("subject").max_length
ERROR_MAX = Notification._meta.get_field("email_error").max_length

# Defaults for the outbox; each may be set in settings.PORTAL.
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF_SECONDS = 60
MAX_BACKOFF_SECONDS = 3600
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
REQUEUE_BATCH = 1000
INSERT_BATCH = 1000  # notifications a statement (PostgreSQL takes at most 65,535 values)


def _portal_setting(name: str, default):
    return settings.PORTAL.get(name, default)


def user_language(user) -> str:
    """Return the language to write to `user` in."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def wants_email(user) -> bool:
    return bool(user.is_active and user.email_notifications and user.email)


def _one_line(text: str) -> str:
    # A subject becomes an e-mail header: no line breaks, no runs of spaces.
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------
# notify


@dataclass(frozen=True)
class Message:
    """One thing to tell some people (see `notify`); `notify_many` writes several at once."""

    recipients: Iterable[User]
    subject: object
    body: object = ""
    url: str = ""
    dedup_key: str | None = None


def notify(
    *,
    recipients: Iterable[User],
    subject,
    body="",
    url: str = "",
    dedup_key: str | None = None,
) -> list[Notification]:
    """Put a message in each recipient's inbox and queue an e-mail copy for those who want one.

    `subject` and `body` may be lazy translations (`gettext_lazy`, `format_lazy`); each is
    rendered in the recipient's own language (`user.language`, else the site language).
    `url` is a path on this site ("/cases/12/"), shown as the message's link.

    `dedup_key` makes the call idempotent: a recipient who already has a notification with
    that key gets no second one, so a retried task notifies once. Works inside the caller's
    transaction; e-mails are queued only after it commits (and re-queued by the sweeper if
    the broker is away then). Inactive users are skipped.

    Privacy: a complaint reporter's identity must never be put in a notification (subject,
    body or link), since units complained about are among the recipients. Callers must
    leave it out; nothing here can tell.

    Return the notifications created (none for recipients who already had `dedup_key`).
    Raise ValidationError, saving nothing, for a `url` that is not a path on this site.
    """
    return notify_many([Message(recipients, subject, body, url, dedup_key)])


def notify_many(messages: Iterable[Message]) -> list[Notification]:
    """`notify` for several messages at once (a step that tells the department and the
    enterprise): one look for earlier copies, one insert, one e-mail task for all."""
    rows = []
    now = timezone.now()
    for message in messages:
        people: dict[int, User] = {}
        for user in message.recipients:
            if user.is_active:
                people.setdefault(user.pk, user)
        rendered: dict[str, tuple[str, str]] = {}
        for user in people.values():
            language = user_language(user)
            email = wants_email(user)
            row = Notification(
                recipient=user, url=message.url, dedup_key=message.dedup_key,
                email_status=(Notification.EmailStatus.PENDING if email
                              else Notification.EmailStatus.NOT_WANTED),
                email_due_at=now if email else None,
            )
            if language not in rendered:
                with translation.override(language):
                    row.subject = Truncator(_one_line(str(message.subject))).chars(SUBJECT_MAX)
                    row.body = str(message.body)
                # The rows of one text differ only in whom they are for and whether an e-mail
                # goes out (both set here, valid by construction): checked once per text, not
                # once per recipient (a step tells every department staff member). Uniqueness
                # of (recipient, dedup_key) is the INSERT's below (_create_new), not per row.
                row.full_clean(exclude=["recipient"], validate_unique=False,
                               validate_constraints=False)
                rendered[language] = (row.subject, row.body)
            row.subject, row.body = rendered[language]
            rows.append(row)
    if not rows:
        return []
    # Inside a step, the step's own transaction is enough (no savepoint of our own); bad input
    # was refused above, before any write, so a caller may catch it and carry on.
    with transaction.atomic(savepoint=False):
        created = _create_new(rows)
        _queue_emails([n.pk for n in created
                       if n.email_status == Notification.EmailStatus.PENDING])
    return created


def _insert_sql() -> tuple[list, str, str, str]:
    """_create_new's statement, in parts: the fields it writes, the INSERT's head, one row's
    placeholders, and the tail that skips duplicates and returns what was inserted."""
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    table, pk, recipient, dedup_key = model_names(Notification, "pk", "recipient", "dedup_key")
    head = f"INSERT INTO {table} ({all_columns(Notification, pk=False)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = (f" ON CONFLICT ON CONSTRAINT {connection.ops.quote_name(DEDUP_CONSTRAINT)} DO "
            f"NOTHING RETURNING {pk}, {recipient}, {dedup_key}")
    return fields, head, one, tail


_INSERT_FIELDS, _INSERT_HEAD, _INSERT_ROW, _INSERT_TAIL = _insert_sql()


def _create_new(rows: list[Notification]) -> list[Notification]:
    """Insert `rows`, but those whose recipient already has a notification with their
    `dedup_key`, and return the rows inserted, with their ids.

    One statement a batch, INSERT ... ON CONFLICT DO NOTHING: no look beforehand and no
    savepoint (a step that notifies wrote four statements for it, issue 11), and a duplicate
    written meanwhile by another transaction is skipped, not an error. PostgreSQL returns the
    inserted rows in the order given, as Django's own bulk_create relies on."""
    created = []
    for start in range(0, len(rows), INSERT_BATCH):
        batch = rows[start:start + INSERT_BATCH]
        params = [f.get_db_prep_save(f.pre_save(row, add=True), connection)
                  for row in batch for f in _INSERT_FIELDS]
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_HEAD + ", ".join([_INSERT_ROW] * len(batch)) + _INSERT_TAIL,
                           params)
            inserted = iter(cursor.fetchall())
        got = next(inserted, None)
        for row in batch:  # those skipped are missing from `inserted`, the rest in order
            if got is not None and (row.recipient_id, row.dedup_key) == got[1:]:
                row.pk, row._state.adding, row._state.db = got[0], False, connection.alias
                created.append(row)
                got = next(inserted, None)
    return created


# The tasks that deliver e-mails, by name: tasks.py imports this module, not the reverse.
SEND_EMAIL_TASK = "portal.notifications.tasks.send_notification_email"
SEND_EMAILS_TASK = "portal.notifications.tasks.send_notification_emails"


def _queue_emails(ids: list[int]) -> None:
    if len(ids) == 1:
        enqueue_on_commit(SEND_EMAIL_TASK, ids[0])
    elif ids:
        # One message, whatever the number of recipients: if the broker is away the request
        # waits for one connection timeout, not one per recipient. The worker fans it out.
        enqueue_on_commit(SEND_EMAILS_TASK, *ids)


# --------------------------------------------------------------------------------------------
# inbox


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark `notification` read (once; reading it again keeps the first time)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    """Mark all of `user`'s unread notifications read; return how many there were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now(),
    )


@transaction.atomic
def notification_preferences_update(*, user: User, email_notifications: bool) -> User:
    """Choose whether notifications also go out by e-mail (the inbox always gets them)."""
    user.email_notifications = email_notifications
    # Check only what changes here; the rest of the account is not this page's business.
    others = [f.name for f in user._meta.concrete_fields if f.name != "email_notifications"]
    user.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    user.save(update_fields=["email_notifications"])
    return user


# --------------------------------------------------------------------------------------------
# e-mail outbox


class Delivery(enum.Enum):
    SENT = "sent"
    SKIPPED = "skipped"  # already sent or failed, no longer wanted, gone, or being sent
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Delivery
    retry_in: int | None = None


def backoff_seconds(attempts: int) -> int:
    """Return the wait before the next try after `attempts` failed ones (doubling, capped)."""
    base = int(_portal_setting("OUTBOX_RETRY_BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS))
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def notification_link(notification: Notification) -> str:
    """Return the absolute link that opens `notification` (marking it read)."""
    base = str(_portal_setting("BASE_URL", DEFAULT_BASE_URL)).rstrip("/")
    return base + reverse("notifications:open", args=[notification.pk])


def preferences_link() -> str:
    base = str(_portal_setting("BASE_URL", DEFAULT_BASE_URL)).rstrip("/")
    return base + reverse("notifications:preferences")


def _build_email(notification: Notification) -> EmailMultiAlternatives:
    user = notification.recipient
    with translation.override(user_language(user)):
        context = {
            "notification": notification,
            "recipient": user,
            "link": notification_link(notification),
            "preferences_link": preferences_link(),
            "site_name": str(settings.PORTAL["SITE_NAME"]),
        }
        subject = _one_line(f"[{context['site_name']}] {notification.subject}")
        text = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


@transaction.atomic
def notification_email_deliver(*, notification_id: int) -> DeliveryResult:
    """Send the e-mail copy of one notification, at most once; record the attempt.

    The row is locked while sending, so a second delivery of the same task (broker
    redelivery, the sweeper) skips it. A failure is recorded and reported as RETRY with the
    wait before the next try, or FAILED after settings.PORTAL["OUTBOX_MAX_ATTEMPTS"] tries.
    Should the commit fail after the server accepted the message, it may be sent again:
    e-mail is at-least-once (docs/adr/0004).
    """
    notification = (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("recipient")
        .filter(pk=notification_id, email_status=Notification.EmailStatus.PENDING)
        .first()
    )
    if notification is None:
        return DeliveryResult(Delivery.SKIPPED)
    now = timezone.now()
    if not wants_email(notification.recipient):
        # The recipient turned e-mail off (or left) after the notification was made.
        notification.email_status = Notification.EmailStatus.NOT_WANTED
        notification.email_due_at = None
        notification.save(update_fields=["email_status", "email_due_at"])
        return DeliveryResult(Delivery.SKIPPED)

    notification.email_attempts += 1
    fields = ["email_attempts", "email_status", "email_due_at", "email_sent_at", "email_error"]
    try:
        _build_email(notification).send()
    except Exception as exc:  # refused, unreachable, timed out, even a bad template: count it
        notification.email_error = Truncator(f"{type(exc).__name__}: {exc}").chars(ERROR_MAX)
        max_attempts = int(_portal_setting("OUTBOX_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
        if notification.email_attempts >= max_attempts:
            notification.email_status = Notification.EmailStatus.FAILED
            notification.email_due_at = None
            notification.save(update_fields=fields)
            logger.error("notification %s: e-mail failed after %s attempts: %s",
                         notification.pk, notification.email_attempts, notification.email_error)
            return DeliveryResult(Delivery.FAILED)
        wait = backoff_seconds(notification.email_attempts)
        notification.email_due_at = now + timedelta(seconds=wait)
        notification.save(update_fields=fields)
        logger.warning("notification %s: e-mail attempt %s failed, retrying in %ss: %s",
                       notification.pk, notification.email_attempts, wait,
                       notification.email_error)
        return DeliveryResult(Delivery.RETRY, retry_in=wait)

    notification.email_status = Notification.EmailStatus.SENT
    notification.email_sent_at = now
    notification.email_due_at = None
    notification.email_error = ""
    notification.save(update_fields=fields)
    return DeliveryResult(Delivery.SENT)


@transaction.atomic
def notification_email_requeue_pending(*, older_than_seconds: int | None = None) -> int:
    """Queue again the pending e-mails whose attempt is overdue; return how many.

    This is how nothing is lost when the broker was down at submit time or a worker died:
    a pending row whose due time passed more than `older_than_seconds` ago
    (settings.PORTAL["OUTBOX_RETRY_AFTER_SECONDS"]) is queued again. Rows being sent right
    now are locked and skipped.
    """
    if older_than_seconds is None:
        older_than_seconds = int(_portal_setting("OUTBOX_RETRY_AFTER_SECONDS", 60))
    now = timezone.now()
    ids = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(email_status=Notification.EmailStatus.PENDING,
                email_due_at__lte=now - timedelta(seconds=older_than_seconds))
        .order_by("email_due_at")
        .values_list("pk", flat=True)[:REQUEUE_BATCH]
    )
    if ids:
        Notification.objects.filter(pk__in=ids).update(email_due_at=now)
        for pk in ids:
            enqueue_on_commit(SEND_EMAIL_TASK, pk)
    return len(ids)
