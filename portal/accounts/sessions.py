"""Django's database sessions, read by a hand-written query (SESSION_ENGINE).

Every signed-in request reads its session first. Django's database store reads it through the
ORM, whose compilation of that one-line query cost about as much Python as everything else
the session does; this store reads the same row with the same condition (the key, not yet
expired) by plain SQL, and leaves writing, expiry and clearing to Django's store. Same table,
same rows: sessions made by either store work with the other.
"""

from functools import cache

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


@cache
def _load_sql(alias: str, table: str) -> str:
    quote = connections[alias].ops.quote_name
    return (f"SELECT {quote('session_data')}, {quote('expire_date')} FROM {quote(table)} "  # noqa: S608 (names only)
            f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s")


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        alias = router.db_for_read(model)
        with connections[alias].cursor() as cursor:
            cursor.execute(_load_sql(alias, model._meta.db_table),
                           [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0], expire_date=row[1])
