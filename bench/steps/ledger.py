"""The ledger: one hash-chained entry per recorded decision of every registered source.

Runs after every other step. The sources (`bench.registry.ledger_source`) are read in time
order and merged, and each entry is hashed with the ledger's own functions
(`ledger_payload_digest`, `ledger_entry_hash`), so `manage.py verify_ledger` passes on the
generated chain. If the database already holds entries (from migrations), the chain continues
from their head.
"""

from __future__ import annotations

import heapq
import itertools

import psycopg2
from django.db import connection

from bench.registry import Context, copy_escape, copy_lines, ledger_sources, set_sequence, step
from portal.ledger.services import GENESIS, ledger_entry_hash, ledger_payload_digest

NULL = "\\N"


class _Entry:
    """What `ledger_entry_hash` reads, without a model instance per row (millions of rows)."""

    __slots__ = ("pk", "created_at", "actor_id", "action", "object_type", "object_id",
                 "payload_digest", "prev_hash")


def _rows(dsn: str, source, batch: int = 20_000):
    conn = psycopg2.connect(**dsn)
    try:
        with conn.cursor() as setup:
            setup.execute("SET work_mem = '512MB'")
        with conn.cursor(name=f"bench_ledger_{source.name}") as cursor:
            cursor.itersize = batch
            cursor.execute(source.sql)
            for row in cursor:
                yield source.to_entry(row)
    finally:
        conn.close()


def _dsn() -> dict:
    params = connection.get_connection_params()
    return {k: v for k, v in params.items() if k in (
        "dbname", "user", "password", "host", "port")}


@step("ledger", last=True)
def load_ledger(ctx: Context) -> None:
    with ctx.connection.cursor() as cursor:
        cursor.execute("SELECT id, entry_hash FROM ledger_ledgerentry ORDER BY id DESC LIMIT 1")
        head = cursor.fetchone()
    next_id, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
    dsn = _dsn()
    streams = [_rows(dsn, source) for source in ledger_sources()]
    merged = streams[0] if len(streams) == 1 else heapq.merge(*streams, key=lambda e: e[0])
    entry = _Entry()

    def entries():
        nonlocal prev_hash
        for entry_id, (created_at, actor_id, action, object_type, object_id, payload) in zip(
                itertools.count(next_id), merged):
            entry.pk, entry.created_at, entry.actor_id = entry_id, created_at, actor_id
            entry.action, entry.object_type, entry.object_id = action, object_type, object_id
            entry.payload_digest = ledger_payload_digest(payload)
            entry.prev_hash = prev_hash
            prev_hash = ledger_entry_hash(entry)
            yield (entry_id, created_at, actor_id, action, object_type, object_id,
                   entry.payload_digest, entry.prev_hash, prev_hash)

    # Lines built directly (not copy_rows): millions of rows, and only the three text fields
    # that come from a source can hold characters COPY must escape.
    def lines():
        for (entry_id, created_at, actor_id, action, object_type, object_id, digest, prev,
             this) in entries():
            yield (f"{entry_id}\t{created_at.isoformat()}\t"
                   f"{NULL if actor_id is None else actor_id}\t{copy_escape(action)}\t"
                   f"{copy_escape(object_type)}\t{copy_escape(object_id)}\t{digest}\t{prev}\t"
                   f"{this}\n")

    count = copy_lines(ctx, "ledger_ledgerentry", [
        "id", "created_at", "actor_id", "action", "object_type", "object_id", "payload_digest",
        "prev_hash", "entry_hash"], lines())
    ctx.log(f"  ledger entries chained: {count:,}")
    set_sequence(ctx, "ledger_ledgerentry")
