"""Ledger test data. Entries are only ever made by the service (the hash depends on the chain)."""

import datetime

import factory
from django.db import connection, transaction
from django.utils import timezone

from portal.ledger.models import LedgerEntry
from portal.ledger.services import (
    FORMAT_V1,
    FORMAT_V2,
    GENESIS,
    _entry_hash_v1,
    _entry_hash_v2,
    _micros,
    ledger_append,
    ledger_sequence,
)


class LedgerEntryFactory(factory.Factory):
    """`LedgerEntryFactory()` appends one real entry through `ledger_append`, commits it and
    runs the sequencer, as the periodic task would a moment later; `chained=False` leaves it
    waiting for the sequencer."""

    class Meta:
        model = LedgerEntry

    actor = None
    action = factory.Iterator(["case.submitted", "case.answered", "reward.approved"])
    object_type = "cases.case"
    object_id = factory.Sequence(lambda n: str(1000 + n))
    payload = factory.LazyAttribute(lambda o: {"object": o.object_id, "note": "测试"})
    chained = True

    @classmethod
    def _create(cls, model_class, chained=True, **kwargs):
        with transaction.atomic():
            entry = ledger_append(**kwargs)
        if chained:
            chain_ledger()
            entry.refresh_from_db()
        return entry


def chain_ledger() -> int:
    """Run the sequencer until every committed entry is chained; return how many it chained."""
    return ledger_sequence(wait=True)


def bulk_chain(count: int, *, batch: int = 10_000, hash_format: int = FORMAT_V2) -> None:
    """Insert `count` valid chained entries fast (bulk_create), continuing the current chain.

    `hash_format=FORMAT_V1` makes entries as they were chained before the sequencer existed
    (numbered by their id, hashed without `seq`)."""
    head = LedgerEntry.objects.filter(seq__isnull=False).order_by("-seq").values_list(
        "seq", "entry_hash").first()
    last_id = LedgerEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    next_seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    next_id = max(last_id + 1, next_seq) if hash_format == FORMAT_V1 else last_id + 1
    if hash_format == FORMAT_V1:
        next_seq = next_id
    start = timezone.now()
    rows = []
    for i in range(count):
        created_at = start + datetime.timedelta(microseconds=i)
        entry_id, seq = next_id + i, next_seq + i
        values = dict(actor_id=None, action="bench.decision", object_type="cases.case",
                      object_id=str(entry_id), payload_digest=f"{entry_id:064x}")
        fields = (_micros(created_at), None, values["action"], values["object_type"],
                  values["object_id"], values["payload_digest"], prev)
        entry_hash = (_entry_hash_v1(entry_id, *fields) if hash_format == FORMAT_V1
                      else _entry_hash_v2(seq, entry_id, *fields))
        rows.append(LedgerEntry(id=entry_id, seq=seq, created_at=created_at, prev_hash=prev,
                                entry_hash=entry_hash, hash_format=hash_format, **values))
        prev = entry_hash
        if len(rows) == batch:
            LedgerEntry.objects.bulk_create(rows)
            rows = []
    if rows:
        LedgerEntry.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        # Later appends draw ids after these, as they would after a real history.
        cursor.execute("SELECT setval(pg_get_serial_sequence('ledger_ledgerentry', 'id'), "
                       "(SELECT max(id) FROM ledger_ledgerentry))")
        # Fresh statistics, as autovacuum would give a real table, so the planner reads by the
        # index instead of sorting the table for every batch.
        cursor.execute(f"ANALYZE {LedgerEntry._meta.db_table}")
