"""SQL checks shared by tests."""

from django.db import connection


def plan_without_scans_or_sorts(sql: str) -> str:
    """EXPLAIN `sql` with sequential scans, bitmap scans and sorts ruled out, so that on a test
    database's few rows the plan still shows whether an index serves the query in its order."""
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort",
                        "enable_incremental_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())
