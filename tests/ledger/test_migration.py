"""The sequencer's migration keeps the entries chained before it (format 1) as they were."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from portal.ledger.models import LedgerEntry
from portal.ledger.services import (
    FORMAT_V1,
    FORMAT_V2,
    GENESIS,
    Anchor,
    _entry_hash_v1,
    _micros,
    ledger_append,
    ledger_sequence,
    ledger_verify,
)

BEFORE, AFTER = ("ledger", "0001_initial"), ("ledger", "0002_sequencer")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_entries_chained_before_the_sequencer_keep_their_hashes_and_published_heads():
    migrate(BEFORE)
    try:
        # Three entries as the old ledger_append chained them: id order, hashed with the id.
        prev, start = GENESIS, datetime.datetime(2026, 11, 25, 8, tzinfo=datetime.UTC)
        with connection.cursor() as cursor:
            for entry_id in (1, 2, 4):  # 3 was a rolled-back append
                created_at = start + datetime.timedelta(minutes=entry_id)
                entry_hash = _entry_hash_v1(entry_id, _micros(created_at), None, "case.closed",
                                            "cases.case", str(entry_id), "d" * 64, prev)
                cursor.execute(
                    "INSERT INTO ledger_ledgerentry (id, created_at, actor_id, action, "
                    "object_type, object_id, payload_digest, prev_hash, entry_hash) "
                    "VALUES (%s, %s, NULL, 'case.closed', 'cases.case', %s, %s, %s, %s)",
                    [entry_id, created_at, str(entry_id), "d" * 64, prev, entry_hash])
                prev = entry_hash
            cursor.execute("SELECT setval(pg_get_serial_sequence('ledger_ledgerentry', 'id'), 4)")
        published = Anchor(4, prev)  # the head the auditors received the night before
    finally:
        migrate(AFTER)

    rows = list(LedgerEntry.objects.order_by("seq").values_list("id", "seq", "hash_format",
                                                                 "entry_hash"))
    assert rows == [(1, 1, FORMAT_V1, rows[0][3]), (2, 2, FORMAT_V1, rows[1][3]),
                    (4, 4, FORMAT_V1, prev)]
    result = ledger_verify(anchor=published)
    assert result.ok and result.checked == 3

    with transaction.atomic():
        ledger_append(actor=None, action="case.submitted", object_type="cases.case",
                      object_id="5")
    assert ledger_sequence() == 1
    entry = LedgerEntry.objects.get(object_id="5")
    assert (entry.seq, entry.hash_format, entry.prev_hash) == (5, FORMAT_V2, prev)
    result = ledger_verify(anchor=published)
    assert result.ok and result.checked == 4 and result.last_seq == 5
