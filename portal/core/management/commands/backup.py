"""Back up the portal's database: `pg_dump --format=custom`, plus the exact row count of every
table taken in the same snapshot (a manifest beside the dump that `restore` checks against).

    manage.py backup                                 # var/backups/yingshang-<UTC time>.dump
    manage.py backup --output /backups/nightly.dump  # and /backups/nightly.dump.json

The dump is written under a temporary name and renamed when complete, so a file with the final
name is always whole. docs/operations.md "Backup and restore".
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ._pg import connect, database_config, find_tool, libpq_env, table_counts


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".json")


class Command(BaseCommand):
    help = "Back up the database with pg_dump (custom format) and a manifest of row counts."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=None,
                            help="the dump file (default var/backups/yingshang-<UTC time>.dump)")
        parser.add_argument("--database-url", default=None,
                            help="back up this database instead of the configured one")

    def handle(self, *args, output, database_url, **options):
        config = database_config(database_url)
        if output:
            dump = Path(output)
        else:
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
            dump = Path(settings.BASE_DIR) / "var" / "backups" / f"yingshang-{stamp}.dump"
        dump.parent.mkdir(parents=True, exist_ok=True)
        partial = dump.with_name(dump.name + ".partial")

        conn = connect(config)
        try:
            # One snapshot for the counts and the dump: they describe the same moment.
            conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version_num')")
                snapshot, version = cursor.fetchone()
                counts = table_counts(cursor)
                pg_dump = find_tool("pg_dump", int(version) // 10000)
                result = subprocess.run(  # noqa: S603 - pg_dump, our arguments
                    [str(pg_dump), "--format=custom", "--no-owner", "--no-privileges",
                     f"--snapshot={snapshot}", f"--file={partial}"],
                    env=libpq_env(config), capture_output=True, text=True, check=False,
                )
        finally:
            conn.close()
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise CommandError(_("pg_dump failed: %(error)s") % {"error": result.stderr.strip()})
        manifest = {
            "database": config["NAME"],
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "server_version_num": int(version),
            "pg_dump": str(pg_dump),
            "tables": counts,
        }
        manifest_path(dump).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        os.replace(partial, dump)
        self.stdout.write(_("%(path)s: %(bytes)s bytes, %(tables)s tables, %(rows)s rows.")
                          % {"path": dump, "bytes": f"{dump.stat().st_size:,}",
                             "tables": len(counts), "rows": f"{sum(counts.values()):,}"})
