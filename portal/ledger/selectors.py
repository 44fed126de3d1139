"""Reads of the ledger shared by the admin and other apps."""

from django.db import connection
from django.db.models import QuerySet

from .models import LedgerEntry


def ledger_entries_for(*, obj=None, object_type: str = "", object_id: str = "") -> QuerySet:
    """Return the entries recorded about `obj` (or `object_type` + `object_id`), oldest first."""
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    return LedgerEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("id")


def ledger_distinct_values(column: str) -> list[str]:
    """Return the distinct values of the indexed `column` ("action" or "object_type").

    A loose index scan (one index probe per distinct value), so the admin's filters stay fast on
    millions of rows where SELECT DISTINCT would read the whole index.
    """
    if column not in ("action", "object_type"):
        raise ValueError(column)
    table = LedgerEntry._meta.db_table
    sql = f"""
        WITH RECURSIVE t(v) AS (
            (SELECT {column} FROM {table} ORDER BY {column} LIMIT 1)
            UNION ALL
            SELECT (SELECT {column} FROM {table} WHERE {column} > t.v ORDER BY {column} LIMIT 1)
            FROM t WHERE t.v IS NOT NULL
        )
        SELECT v FROM t WHERE v IS NOT NULL
    """  # noqa: S608 - column is one of two names checked above
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def ledger_estimated_count() -> int:
    """Return PostgreSQL's estimate of the number of entries (no COUNT(*) over the table)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                       [LedgerEntry._meta.db_table])
        row = cursor.fetchone()
    return max(int(row[0]), 0) if row else 0
