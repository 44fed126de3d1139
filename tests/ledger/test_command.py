import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from portal.ledger.services import ledger_head

from .conftest import tamper
from .factories import LedgerEntryFactory

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    out = StringIO()
    with translation.override("en"):
        call_command("verify_ledger", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_intact_ledger_reports_count_rate_and_the_head_to_publish():
    entries = LedgerEntryFactory.create_batch(4)
    out = run()
    assert "4 entries checked" in out and "entries/s" in out
    assert "The ledger is intact" in out
    assert f"Head to publish: {entries[-1].seq}:{entries[-1].entry_hash}" in out
    assert "not chained" not in out


@pytest.mark.django_db
def test_entries_not_chained_yet_are_counted_not_reported_broken_and_the_command_chains_them():
    LedgerEntryFactory.create_batch(2)
    LedgerEntryFactory.create_batch(3, chained=False)
    out = run()
    assert "2 entries checked" in out and "The ledger is intact" in out
    assert "3 entries are not chained yet" in out

    chained = StringIO()
    with translation.override("en"):
        call_command("sequence_ledger", stdout=chained)
    assert "3 entries chained; 0 not chained yet" in chained.getvalue()
    out = run()
    assert "5 entries checked" in out and "not chained" not in out
    assert f"Head to publish: {ledger_head()}" in out


@pytest.mark.django_db
def test_verifying_from_an_entry_number_on():
    LedgerEntryFactory.create_batch(4)
    out = run("--start-seq", "3")
    assert "2 entries checked" in out and "#3 to #4" in out


@pytest.mark.django_db
def test_broken_ledger_exits_1_naming_the_first_broken_entry():
    entries = LedgerEntryFactory.create_batch(4)
    tamper("UPDATE ledger_ledgerentry SET object_id = '999' WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError) as excinfo, translation.override("en"):
        run()
    assert excinfo.value.returncode == 1
    assert f"broken at entry #{entries[1].seq}" in str(excinfo.value)
    assert entries[1].entry_hash in str(excinfo.value)


@pytest.mark.django_db
def test_published_head_and_bad_arguments():
    LedgerEntryFactory.create_batch(3)
    head = ledger_head()
    assert "intact" in run("--anchor", str(head))
    tamper("DELETE FROM ledger_ledgerentry WHERE seq = %s", [head.seq])
    with pytest.raises(CommandError) as excinfo, translation.override("en"):
        run("--anchor", str(head))
    assert excinfo.value.returncode == 1 and "published head entry is missing" in str(excinfo.value)
    with pytest.raises(CommandError) as excinfo, translation.override("en"):
        run("--anchor", "nonsense")
    assert "entry number" in str(excinfo.value)
    with pytest.raises(CommandError):
        run("--batch-size", "0")


@pytest.mark.django_db(transaction=True)
def test_the_real_process_exit_code():
    entries = LedgerEntryFactory.create_batch(3)
    db = connection.settings_dict
    credentials = db["USER"] + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test",
           "DATABASE_URL": f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    command = [sys.executable, "manage.py", "verify_ledger"]

    intact = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert intact.returncode == 0, intact.stderr
    assert f"{entries[-1].seq}:{entries[-1].entry_hash}" in intact.stdout

    tamper("DELETE FROM ledger_ledgerentry WHERE id = %s", [entries[1].pk])
    broken = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert broken.returncode == 1
    assert f"#{entries[2].seq}" in broken.stderr
