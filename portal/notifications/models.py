"""In-site inbox messages; each may also go out by e-mail (an outbox row, sent by a task)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def is_local_path(value: str) -> bool:
    """Return whether `value` is a path on this site ("/cases/12/"), not another host."""
    return (
        value.startswith("/")
        and not value.startswith(("//", "/\\"))
        and not any(ch in value for ch in "\r\n\t\\")
    )


def validate_local_path(value: str) -> None:
    if value and not is_local_path(value):
        raise ValidationError(
            _("Enter a path on this site that starts with “/”."), code="not_local_path",
        )


# One notification a key and person: the constraint's name, which services._create_new's INSERT
# skips duplicates by.
DEDUP_CONSTRAINT = "notif_dedup_per_recipient"


class Notification(models.Model):
    class EmailStatus(models.TextChoices):
        # not_wanted → (never e-mailed); pending → sent | failed. A failed row stays failed.
        NOT_WANTED = "not_wanted", _("Not sent by e-mail")
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
        related_name="notifications",
    )
    # Subject and message are stored already translated into the recipient's language.
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True,
                           validators=[validate_local_path])
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail"), max_length=12, choices=EmailStatus.choices, default=EmailStatus.NOT_WANTED,
    )
    # When the next e-mail attempt is expected to run. The sweeper re-queues pending rows whose
    # attempt is overdue (the message was lost: broker down at submit, worker killed, ...).
    email_due_at = models.DateTimeField(_("e-mail due at"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_error = models.CharField(_("last e-mail error"), max_length=300, blank=True)
    # Makes a notification safe to create twice (a task retried): same key and recipient,
    # one row. NULL keys never collide.
    dedup_key = models.CharField(_("deduplication key"), max_length=200, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedup_key"], name=DEDUP_CONSTRAINT),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"],
                         name="notif_recipient_recent"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True),
                         name="notif_unread"),
            models.Index(fields=["email_due_at"], condition=models.Q(email_status="pending"),
                         name="notif_email_pending"),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
