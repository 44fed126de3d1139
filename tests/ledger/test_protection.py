"""The database itself refuses to change or remove ledger entries, whoever asks."""

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError

from portal.ledger.models import LedgerEntry
from portal.ledger.services import ledger_verify

from .factories import LedgerEntryFactory

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


def test_appending_is_still_allowed(entries):
    LedgerEntryFactory()
    assert LedgerEntry.objects.count() == 4
