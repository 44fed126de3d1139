import os
import subprocess
import sys
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
    from io import StringIO

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
    assert f"Head to publish: {entries[-1].pk}:{entries[-1].entry_hash}" in out


@pytest.mark.django_db
def test_broken_ledger_exits_1_naming_the_first_broken_entry():
    entries = LedgerEntryFactory.create_batch(4)
    tamper("UPDATE ledger_ledgerentry SET object_id = '999' WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError) as excinfo, translation.override("en"):
        run()
    assert excinfo.value.returncode == 1
    assert f"broken at entry #{entries[1].pk}" in str(excinfo.value)
    assert entries[1].entry_hash in str(excinfo.value)


@pytest.mark.django_db
def test_published_head_and_bad_arguments():
    LedgerEntryFactory.create_batch(3)
    head = ledger_head()
    assert "intact" in run("--anchor", str(head))
    tamper("DELETE FROM ledger_ledgerentry WHERE id = %s", [head.entry_id])
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
    assert f"{entries[-1].pk}:{entries[-1].entry_hash}" in intact.stdout

    tamper("DELETE FROM ledger_ledgerentry WHERE id = %s", [entries[1].pk])
    broken = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert broken.returncode == 1
    assert f"#{entries[2].pk}" in broken.stderr
