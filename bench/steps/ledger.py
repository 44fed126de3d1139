"""The ledger: one hash-chained entry per recorded decision of every source.

Runs after every other step. The spools the steps recorded their entries in
(`Context.ledger_spool`) and the SQL sources (`bench.registry.ledger_source`), each in time
order, are merged by time, and each entry is hashed with the ledger's own functions
(`ledger_payload_digest`, `ledger_entry_hash`), so `manage.py verify_ledger` passes on the
generated chain. The entries are written already chained, as the sequencer would have chained
them (format 2, positions following their ids; docs/adr/0010-ledger-sequencer.md). If the
database already holds entries (from migrations), the sequencer chains them first and the
generated chain continues from their head.
"""

from __future__ import annotations

import heapq
import itertools

import psycopg2
from django.db import connection

from bench.registry import (
    NULL,
    Context,
    copy_escape,
    copy_lines,
    ledger_sources,
    set_sequence,
    step,
)
from portal.ledger.services import (
    FORMAT_V2,
    GENESIS,
    ledger_entry_hash,
    ledger_payload_digest,
    ledger_sequence,
)


class _Entry:
    """What `ledger_entry_hash` reads, without a model instance per row (millions of rows)."""

    __slots__ = ("pk", "seq", "hash_format", "created_at", "actor_id", "action", "object_type",
                 "object_id", "payload_digest", "prev_hash")


def _rows(dsn: dict, source, batch: int = 20_000):
    """Yield the entries of an SQL source in the form `LedgerSpool.entries` yields them."""
    conn = psycopg2.connect(**dsn)
    try:
        with conn.cursor() as setup:
            setup.execute("SET work_mem = '512MB'")
        with conn.cursor(name=f"bench_ledger_{source.name}") as cursor:
            cursor.itersize = batch
            cursor.execute(source.sql)
            for row in cursor:
                created_at, actor_id, action, object_type, object_id, payload = (
                    source.to_entry(row))
                digest = ledger_payload_digest(payload)
                yield (created_at, actor_id, action, object_type, object_id, digest,
                       f"{created_at.isoformat()}\t{NULL if actor_id is None else actor_id}\t"
                       f"{copy_escape(action)}\t{copy_escape(object_type)}\t"
                       f"{copy_escape(object_id)}\t{digest}")
    finally:
        conn.close()


def _dsn() -> dict:
    params = connection.get_connection_params()
    return {k: v for k, v in params.items() if k in (
        "dbname", "user", "password", "host", "port")}


@step("ledger", last=True)
def load_ledger(ctx: Context) -> None:
    ledger_sequence(wait=True)  # entries the migrations may have recorded
    with ctx.connection.cursor() as cursor:
        cursor.execute("SELECT seq, entry_hash FROM ledger_ledgerentry WHERE seq IS NOT NULL "
                       "ORDER BY seq DESC LIMIT 1")
        head = cursor.fetchone()
        cursor.execute("SELECT COALESCE(max(id), 0) FROM ledger_ledgerentry")
        next_id = cursor.fetchone()[0] + 1
    next_seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
    # Spools first, then SQL sources: entries at the same time keep that order.
    streams = [spool.entries() for spool in ctx.spools.values()]
    streams += [_rows(_dsn(), source) for source in ledger_sources()]
    merged = streams[0] if len(streams) == 1 else heapq.merge(*streams, key=lambda e: e[0])
    entry = _Entry()
    entry.hash_format = FORMAT_V2

    # COPY lines built directly from the streams' COPY text: millions of rows.
    def lines():
        nonlocal prev_hash
        for seq, entry_id, (created_at, actor_id, action, object_type, object_id, digest,
                            text) in zip(itertools.count(next_seq), itertools.count(next_id),
                                         merged):
            entry.pk, entry.seq, entry.created_at = entry_id, seq, created_at
            entry.actor_id, entry.action = actor_id, action
            entry.object_type, entry.object_id = object_type, object_id
            entry.payload_digest, entry.prev_hash = digest, prev_hash
            prev_hash = ledger_entry_hash(entry)
            yield f"{entry_id}\t{text}\t{seq}\t{entry.prev_hash}\t{prev_hash}\t{FORMAT_V2}\n"

    count = copy_lines(ctx, "ledger_ledgerentry", [
        "id", "created_at", "actor_id", "action", "object_type", "object_id", "payload_digest",
        "seq", "prev_hash", "entry_hash", "hash_format"], lines()) if streams else 0
    ctx.log(f"  ledger entries chained: {count:,}")
    set_sequence(ctx, "ledger_ledgerentry")
