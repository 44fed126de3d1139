"""The database itself refuses to change or remove ledger entries, whoever asks; it lets the
sequencer fill in an unchained entry's position and hashes, once, and nothing else."""

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError

from portal.ledger.models import LedgerEntry
from portal.ledger.services import ledger_verify

from .factories import LedgerEntryFactory, chain_ledger

pytestmark = pytest.mark.django_db

REFUSED = "Cannot update or delete rows from ledger_ledgerentry"


@pytest.fixture
def entries():
    return LedgerEntryFactory.create_batch(3)


def refused(action) -> str:
    with pytest.raises(InternalError) as excinfo, transaction.atomic():
        action()
    return str(excinfo.value)


def raw(sql, params=()):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    return run


def test_orm_update_of_one_entry_is_refused(entries):
    entry = entries[1]
    entry.action = "case.withdrawn"

    assert REFUSED in refused(entry.save)
    assert LedgerEntry.objects.get(pk=entry.pk).action != "case.withdrawn"


def test_orm_bulk_update_is_refused(entries):
    assert REFUSED in refused(lambda: LedgerEntry.objects.update(object_id="0"))
    assert not LedgerEntry.objects.filter(object_id="0").exists()


def test_orm_delete_is_refused(entries):
    assert REFUSED in refused(entries[0].delete)
    assert REFUSED in refused(LedgerEntry.objects.all().delete)
    assert LedgerEntry.objects.count() == 3


@pytest.mark.parametrize("sql", [
    "UPDATE ledger_ledgerentry SET action = 'forged' WHERE id = %s",
    "UPDATE ledger_ledgerentry SET entry_hash = md5(entry_hash) || md5(entry_hash) WHERE id = %s",
    "DELETE FROM ledger_ledgerentry WHERE id = %s",
])
def test_raw_sql_update_and_delete_are_refused(entries, sql):
    assert REFUSED in refused(raw(sql, [entries[1].pk]))
    assert LedgerEntry.objects.count() == 3
    assert ledger_verify().ok


@pytest.mark.parametrize("sql", [
    "UPDATE ledger_ledgerentry SET seq = seq + 100 WHERE id = %s",
    "UPDATE ledger_ledgerentry SET prev_hash = entry_hash WHERE id = %s",
    "UPDATE ledger_ledgerentry SET hash_format = 1 WHERE id = %s",
    # "Unchaining" an entry to have it chained again, elsewhere or differently.
    "UPDATE ledger_ledgerentry SET seq = NULL, prev_hash = NULL, entry_hash = NULL, "
    "hash_format = NULL WHERE id = %s",
])
def test_the_sequencing_of_a_chained_entry_cannot_be_changed(entries, sql):
    assert REFUSED in refused(raw(sql, [entries[1].pk]))
    assert ledger_verify().ok


@pytest.fixture
def waiting():
    """An entry stored with its decision, not chained yet."""
    return LedgerEntryFactory(chained=False)


@pytest.mark.parametrize("sql", [
    "UPDATE ledger_ledgerentry SET action = 'forged' WHERE id = %s",
    "DELETE FROM ledger_ledgerentry WHERE id = %s",
    # Chaining it while changing what it says.
    "UPDATE ledger_ledgerentry SET seq = 99, prev_hash = md5('a') || md5('a'), "
    "entry_hash = md5('b') || md5('b'), hash_format = 2, object_id = 'forged' WHERE id = %s",
    # Chaining it halfway.
    "UPDATE ledger_ledgerentry SET seq = 99 WHERE id = %s",
])
def test_an_entry_not_chained_yet_cannot_be_changed_or_removed_either(waiting, sql):
    assert REFUSED in refused(raw(sql, [waiting.pk]))
    stored = LedgerEntry.objects.get(pk=waiting.pk)
    assert (stored.action, stored.object_id, stored.seq) == (waiting.action, waiting.object_id,
                                                             None)


def test_the_sequencer_chains_an_entry_once(waiting):
    assert chain_ledger() == 1
    waiting.refresh_from_db()
    assert waiting.seq == 1
    # A second chaining, even to the same values, is refused: the entry is chained.
    sql = ("UPDATE ledger_ledgerentry SET seq = seq, prev_hash = prev_hash, "
           "entry_hash = entry_hash, hash_format = hash_format WHERE id = %s")
    assert REFUSED in refused(raw(sql, [waiting.pk]))
    assert ledger_verify().ok


def test_appending_is_still_allowed(entries):
    LedgerEntryFactory()
    assert LedgerEntry.objects.count() == 4
