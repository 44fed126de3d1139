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


def notification_unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list_all() -> QuerySet[Notification]:
    """Return every notification (for department staff in the admin), newest first."""
    return Notification.objects.select_related("recipient").order_by("-created_at", "-id")
