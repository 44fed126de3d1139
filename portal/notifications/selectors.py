"""Reads of the inbox, limited to the signed-in user's own messages."""

from django.db.models import QuerySet

from .models import Notification


def notification_list_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """Return `user`'s own notifications, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


# What names an inbox row's printed state: a notification's subject and text never change.
NOTIFICATION_ROW_KEY = ("id", "created_at", "read_at")


def notification_list_keys(qs: QuerySet[Notification]) -> QuerySet[Notification]:
    """Return `qs` read as only what names each row's printed state: the key of the inbox's
    cached table (portal/core/fragments.py), as `case_list_keys` for my cases."""
    return qs.only(*NOTIFICATION_ROW_KEY)


def notification_unread_count(*, user) -> int:
    """Count `user`'s unread notifications (the layout's badge, on every signed-in page, through
    the partial index of unread notifications)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notification_list_all() -> QuerySet[Notification]:
    """Return every notification (for department staff in the admin), newest first."""
    return Notification.objects.select_related("recipient").order_by("-created_at", "-id")
