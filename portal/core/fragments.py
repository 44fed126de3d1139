"""Lists whose rendered rows are cached under a key naming exactly the rows they print (ADR 0009).

A list page reads its page of rows twice over: first only what identifies each row's printed
state (its id and the column every change of a printed column moves, such as `updated_at`),
which is cheap; then, only when the fragment is not cached yet, the full rows. The key is a
digest of the first read, so a row that changed, arrived or left is a new key, never a stale
hit, whatever order concurrent transactions commit in (each row carries its own stamp).

    ROW_KEY = ("id", "submitted_at", "updated_at")
    page = keyset_page(qs.only(*ROW_KEY), ...)
    key = rows_key(page.rows, ROW_KEY)
    rows = rows_in_order(full_qs, page.rows)   # lazy: read only on a miss

and in the template `{% cache 600 name key LANGUAGE_CODE today using="fragments" %}`.
"""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.utils.functional import SimpleLazyObject


def rows_key(rows, fields: tuple[str, ...]) -> str:
    """Return a digest of the rows' `fields` (those they were read with, the id among them):
    equal only for the same printed rows."""
    state = repr([tuple(getattr(row, name) for name in fields) for row in rows])
    return hashlib.blake2b(state.encode(), digest_size=16).hexdigest()


def rows_in_order(qs: QuerySet, keys) -> SimpleLazyObject:
    """Return, lazily, the rows of `qs` whose ids are those of `keys`, in the order of `keys`.

    Nothing is read until the list is used (a cached fragment never uses it); then one query.
    """
    ids = [row.pk for row in keys]

    def load() -> list:
        found = {row.pk: row for row in qs.filter(pk__in=ids)} if ids else {}
        return [found[pk] for pk in ids if pk in found]

    return SimpleLazyObject(load)
