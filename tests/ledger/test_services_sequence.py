"""The sequencer chains what the steps stored; until it has, nothing is lost or called altered."""

import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from portal.ledger.models import LedgerEntry
from portal.ledger.services import (
    FORMAT_V1,
    FORMAT_V2,
    Anchor,
    Problem,
    ledger_append,
    ledger_head,
    ledger_sequence,
    ledger_unchained,
    ledger_verify,
)

from .conftest import tamper
from .factories import LedgerEntryFactory, bulk_chain

pytestmark = pytest.mark.django_db


def chain_of_rows():
    return list(LedgerEntry.objects.order_by("seq").values_list(
        "id", "seq", "prev_hash", "entry_hash", "hash_format"))


def test_an_entry_not_chained_yet_is_kept_counted_and_not_called_altered():
    chained = LedgerEntryFactory.create_batch(2)
    waiting = LedgerEntryFactory.create_batch(2, chained=False)

    # Stored with its decision, every field but the sequencing ones filled in.
    for entry in waiting:
        stored = LedgerEntry.objects.get(pk=entry.pk)
        assert (stored.action, stored.object_id) == (entry.action, entry.object_id)
        assert (stored.seq, stored.prev_hash, stored.entry_hash, stored.hash_format) == (
            None, None, None, None)
    result = ledger_verify()
    assert result.ok and result.complete
    assert (result.checked, result.last_seq, result.unchained) == (2, 2, 2)
    assert result.oldest_unchained_at == waiting[0].created_at
    assert result.reason == "" and result.broken_seq is None
    assert "The ledger is intact: 2 entries checked" in result.summary()
    assert "2 entries are not chained yet" in result.summary()
    assert "stopped" not in result.summary()
    assert ledger_head() == Anchor(2, chained[-1].entry_hash)  # the last chained entry
    assert ledger_unchained() == (2, waiting[0].created_at)

    assert ledger_sequence() == 2
    rows = chain_of_rows()
    assert [row[0] for row in rows] == [e.pk for e in chained + waiting]
    assert rows[2][2] == chained[-1].entry_hash  # the first waiting entry follows the head
    assert {row[4] for row in rows} == {FORMAT_V2}
    result = ledger_verify()
    assert result.ok and (result.checked, result.unchained) == (4, 0)
    assert result.oldest_unchained_at is None
    assert "not chained" not in result.summary()
    assert ledger_head() == Anchor(4, rows[3][3])


def test_only_unchained_entries_and_nothing_chained_yet():
    LedgerEntryFactory(chained=False)
    result = ledger_verify()
    assert result.ok and result.checked == 0 and result.unchained == 1
    assert result.summary().startswith("No entry is chained yet. 1 entry is not chained yet")
    assert ledger_head() is None


def test_the_sequencer_chains_in_id_order_in_batches_and_says_how_many():
    entries = LedgerEntryFactory.create_batch(25, chained=False)
    assert ledger_sequence(batch=10) == 25
    rows = chain_of_rows()
    assert [(row[0], row[1]) for row in rows] == [(e.pk, n) for n, e in enumerate(entries, 1)]
    assert all(rows[i][2] == rows[i - 1][3] for i in range(1, len(rows)))
    assert ledger_verify().checked == 25


def test_the_sequencer_run_again_changes_nothing():
    LedgerEntryFactory.create_batch(3, chained=False)
    assert ledger_sequence() == 3
    before = chain_of_rows()
    assert ledger_sequence() == 0
    assert ledger_sequence(wait=True) == 0
    assert chain_of_rows() == before


def test_an_entry_left_unchained_for_long_says_the_sequencer_is_stopped():
    LedgerEntryFactory()
    LedgerEntry.objects.create(created_at=timezone.now() - datetime.timedelta(minutes=10),
                               action="case.closed", object_type="cases.case", object_id="1",
                               payload_digest="0" * 64)
    result = ledger_verify()
    assert result.ok and result.sequencer_late
    assert "1 entry is not chained yet (recorded 10" in result.summary()
    assert "The sequencer seems to be stopped" in result.summary()


def test_the_sequencer_is_refused_inside_another_transaction():
    """It must commit its own batches: inside a step it would chain with the step's fate."""
    LedgerEntryFactory(chained=False)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        ledger_sequence()
    assert ledger_unchained()[0] == 1


def test_a_bad_batch_size_is_refused():
    with pytest.raises(ValueError):
        ledger_sequence(batch=0)


def test_entries_chained_before_the_sequencer_still_verify_and_the_chain_goes_on():
    """Format-1 entries (numbered by id, hashed without seq) keep their hashes; the sequencer
    continues the chain after them, and a head published then still matches."""
    bulk_chain(5, hash_format=FORMAT_V1)
    old_head = ledger_head()
    rows = chain_of_rows()
    assert [row[0] for row in rows] == [row[1] for row in rows]  # seq = id
    with transaction.atomic():
        ledger_append(actor=None, action="case.closed", object_type="cases.case", object_id="9")
    assert ledger_sequence() == 1
    rows = chain_of_rows()
    assert [row[4] for row in rows] == [FORMAT_V1] * 5 + [FORMAT_V2]
    assert rows[5][1] == 6 and rows[5][2] == old_head.entry_hash
    result = ledger_verify(anchor=old_head)
    assert result.ok and result.checked == 6

    tamper("UPDATE ledger_ledgerentry SET object_id = 'x' WHERE seq = 3")
    result = ledger_verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, 3, Problem.HASH_MISMATCH)


def test_a_forged_chaining_is_found():
    """The database lets the sequencing fields be filled once; what they say is the chain's to
    prove: someone with the sequencer's rights who chains an entry wrongly is found."""
    LedgerEntryFactory()
    waiting = LedgerEntryFactory(chained=False)
    head = ledger_head()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET seq = 2, prev_hash = %s, "
                       "entry_hash = %s, hash_format = 2 WHERE id = %s",
                       [head.entry_hash, "f" * 64, waiting.pk])
    result = ledger_verify()
    assert (result.ok, result.broken_seq, result.broken_pk, result.reason) == (
        False, 2, waiting.pk, Problem.HASH_MISMATCH)
