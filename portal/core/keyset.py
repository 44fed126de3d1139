"""Pages of lists shown newest first, by keyset: "newer" and "older" instead of page numbers.

A page is the `size` rows after (or before) the row at the edge of the page the user came
from, found through the list's index on (timestamp, id): no `COUNT(*)` of the whole list and
no OFFSET, so page 500 of a busy official's inbox costs what page 1 costs. The cursor in the
address is "<microseconds since 1970>-<id>" of that edge row; an unreadable cursor gives the
first page. Used by "my cases" and the inbox.
"""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_CURSOR = re.compile(r"^(\d{1,18})-(\d{1,18})$")


@dataclass
class KeysetPage:
    rows: list
    links: dict  # query strings of the "newer", "older" and "newest" (first) pages that exist


def _cursor_of(row, field: str) -> str:
    micros = (getattr(row, field) - _EPOCH) // datetime.timedelta(microseconds=1)
    return f"{micros}-{row.pk}"


def _parse_cursor(value: str | None):
    match = _CURSOR.match(value or "")
    if not match:
        return None
    return _EPOCH + datetime.timedelta(microseconds=int(match[1])), int(match[2])


def keyset_page(qs, *, field: str, query, size: int, params: dict | None = None) -> KeysetPage:
    """Return one page of `qs`, newest `field` first (ties: highest id first).

    `query` is the request's GET (its "after" or "before" cursor); `params` the list's other
    query parameters (filters), kept in the links.
    """
    after, before = _parse_cursor(query.get("after")), _parse_cursor(query.get("before"))
    if before:
        at, pk = before
        rows = list(qs.filter(Q(**{f"{field}__gt": at}) | Q(**{field: at, "id__gt": pk}))
                    .order_by(field, "id")[:size + 1])
        more = len(rows) > size
        rows = rows[:size][::-1]
        newer = _cursor_of(rows[0], field) if more and rows else None
        older = _cursor_of(rows[-1], field) if rows else None
    else:
        if after:
            at, pk = after
            qs = qs.filter(Q(**{f"{field}__lt": at}) | Q(**{field: at, "id__lt": pk}))
        rows = list(qs.order_by(f"-{field}", "-id")[:size + 1])
        more = len(rows) > size
        rows = rows[:size]
        newer = _cursor_of(rows[0], field) if after and rows else None
        older = _cursor_of(rows[-1], field) if more else None
    params = params or {}
    links = {name: "?" + urlencode({**params, key: cursor})
             for name, key, cursor in (("newer", "before", newer), ("older", "after", older))
             if cursor}
    if newer or query.get("after"):
        links["newest"] = "?" + urlencode(params)
    return KeysetPage(rows, links)
