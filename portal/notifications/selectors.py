"""Reads of the inbox, limited to the signed-in user's own messages."""

from django.db import connection
from django.db.models import QuerySet

from portal.core.sql import model_names

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
    the partial index of unread notifications).

    Written in SQL: the ORM spent more on building this one fixed statement than PostgreSQL
    spends answering it, a tenth of a case page's time (docs/performance.md, issue 11)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_SQL, [user.pk])
        return cursor.fetchone()[0]


def _unread_sql() -> str:
    table, recipient, read_at = model_names(Notification, "recipient", "read_at")
    return (f"SELECT COUNT(*) FROM {table} "  # noqa: S608 (names from the model)
            f"WHERE {recipient} = %s AND {read_at} IS NULL")


_UNREAD_SQL = _unread_sql()


def notification_list_all() -> QuerySet[Notification]:
    """Return every notification (for department staff in the admin), newest first."""
    return Notification.objects.select_related("recipient").order_by("-created_at", "-id")
