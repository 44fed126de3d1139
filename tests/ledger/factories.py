"""Ledger test data. Entries are only ever made by the service (the hash depends on the chain)."""

import datetime

import factory
from django.db import connection, transaction
from django.utils import timezone

from portal.ledger.models import LedgerEntry
from portal.ledger.services import GENESIS, _entry_hash, _micros, ledger_append


class LedgerEntryFactory(factory.Factory):
    """`LedgerEntryFactory()` appends one real entry through `ledger_append`."""

    class Meta:
        model = LedgerEntry

    actor = None
    action = factory.Iterator(["case.submitted", "case.answered", "reward.approved"])
    object_type = "cases.case"
    object_id = factory.Sequence(lambda n: str(1000 + n))
    payload = factory.LazyAttribute(lambda o: {"object": o.object_id, "note": "测试"})

    @classmethod
    def _create(cls, model_class, **kwargs):
        with transaction.atomic():
            return ledger_append(**kwargs)


def bulk_chain(count: int, *, batch: int = 10_000) -> None:
    """Insert `count` valid chained entries fast (bulk_create), continuing the current chain."""
    last = LedgerEntry.objects.order_by("-id").values_list("id", "entry_hash").first()
    next_id, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    start = timezone.now()
    rows = []
    for i in range(count):
        created_at = start + datetime.timedelta(microseconds=i)
        entry_id = next_id + i
        values = dict(actor_id=None, action="bench.decision", object_type="cases.case",
                      object_id=str(entry_id), payload_digest=f"{entry_id:064x}")
        entry_hash = _entry_hash(entry_id, _micros(created_at), None,
                                 values["action"], values["object_type"], values["object_id"],
                                 values["payload_digest"], prev)
        rows.append(LedgerEntry(id=entry_id, created_at=created_at, prev_hash=prev,
                                entry_hash=entry_hash, **values))
        prev = entry_hash
        if len(rows) == batch:
            LedgerEntry.objects.bulk_create(rows)
            rows = []
    if rows:
        LedgerEntry.objects.bulk_create(rows)
    # Fresh statistics, as autovacuum would give a real table, so the planner reads by the
    # primary key instead of sorting the table for every batch.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {LedgerEntry._meta.db_table}")
