"""Backup and restore (issue 16): `manage.py backup` then `manage.py restore` into a fresh
database gives the same rows, table by table, and a ledger whose chain `verify_ledger` proves
intact; a restore is refused over a database that holds data, and a file that is no backup is
refused with nothing restored."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from portal.core.management.commands._pg import connect, database_config, table_counts
from portal.ledger.models import LedgerEntry
from tests.cases.factories import submit_case

from .faults_servers import ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fresh_database():
    """The URL of a database that does not exist yet, beside the test database; dropped after."""
    url = database_url().rsplit("/", 1)[0] + f"/{connection.settings_dict['NAME']}_restored"
    config = database_config(url)

    def drop():
        conn = connect(config, dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        conn.close()

    drop()
    yield url
    drop()


def counts(url):
    conn = connect(database_config(url))
    try:
        with conn.cursor() as cursor:
            return table_counts(cursor)
    finally:
        conn.close()


def manage(url, *args):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings.test",
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_backup_restored_into_a_fresh_database_has_every_row_and_an_intact_ledger(
        tmp_path, fresh_database):
    for _ in range(3):
        submit_case()
    call_command("sequence_ledger", stdout=io.StringIO())
    entries = LedgerEntry.objects.count()
    assert entries >= 3
    dump = tmp_path / "nightly.dump"

    call_command("backup", output=str(dump), stdout=io.StringIO())
    manifest = json.loads((tmp_path / "nightly.dump.json").read_text())
    assert manifest["tables"]["ledger_ledgerentry"] == entries
    assert not list(tmp_path.glob("*.partial"))

    out = io.StringIO()
    call_command("restore", str(dump), database_url=fresh_database, stdout=out)
    assert "Row counts match the backup's manifest" in out.getvalue()
    original = counts(database_url())
    assert counts(fresh_database) == original == manifest["tables"]

    verified = manage(fresh_database, "verify_ledger")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # The operator reads it in the site language (zh-hans): "<n> entries checked", intact.
    assert f"已校验 {entries} 条记录" in verified.stdout
    assert "存证账本完整" in verified.stdout

    # Restoring again over the now-filled database is refused, and changes nothing.
    with pytest.raises(CommandError, match="already holds tables"):
        call_command("restore", str(dump), database_url=fresh_database)
    assert counts(fresh_database) == original


def test_a_file_that_is_no_backup_is_refused_and_nothing_is_restored(tmp_path, fresh_database):
    bogus = tmp_path / "photo.dump"
    bogus.write_bytes(b"\x89PNG\r\n\x1a\n not a dump")
    with pytest.raises(CommandError, match="pg_restore failed, nothing was restored"):
        call_command("restore", str(bogus), database_url=fresh_database)
    assert counts(fresh_database) == {}
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.dump"), database_url=fresh_database)
