"""Restore a `backup` into a fresh database, then check every table's row count against the
backup's manifest.

    manage.py restore var/backups/yingshang-….dump --database-url postgres://…/yingshang_restored

The target database is created when it does not exist; one that already holds tables is
refused (a restore never mixes with live data). The restore runs in one transaction: it
either completes or leaves the target empty. Afterwards run `manage.py verify_ledger` against
the restored database (docs/operations.md "Backup and restore").
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from psycopg2 import sql

from ._pg import connect, database_config, find_tool, libpq_env, table_counts
from .backup import manifest_path


class Command(BaseCommand):
    help = "Restore a backup into a fresh database and check its row counts."

    def add_arguments(self, parser):
        parser.add_argument("dump", help="a file written by `manage.py backup`")
        parser.add_argument("--database-url", default=None,
                            help="the database to restore into (default: the configured one; "
                                 "it must be empty or not exist yet)")

    def handle(self, *args, dump, database_url, **options):
        dump = Path(dump)
        if not dump.is_file():
            raise CommandError(_("%(path)s does not exist.") % {"path": dump})
        manifest_file = manifest_path(dump)
        manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else None
        config = database_config(database_url)
        self._create_if_missing(config)

        conn = connect(config)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
                if cursor.fetchone()[0]:
                    raise CommandError(
                        _("The database %(name)s already holds tables; restore into a new, "
                          "empty database.") % {"name": config["NAME"]})
                cursor.execute("SELECT current_setting('server_version_num')")
                version = int(cursor.fetchone()[0])
            pg_restore = find_tool("pg_restore", version // 10000)
            result = subprocess.run(  # noqa: S603 - pg_restore, our arguments
                [str(pg_restore), "--no-owner", "--no-privileges", "--exit-on-error",
                 "--single-transaction", f"--dbname={config['NAME']}", str(dump)],
                env=libpq_env(config), capture_output=True, text=True, check=False,
            )
            if result.returncode != 0:
                raise CommandError(_("pg_restore failed, nothing was restored: %(error)s")
                                   % {"error": result.stderr.strip()})
            with conn.cursor() as cursor:
                counts = table_counts(cursor)
        finally:
            conn.close()

        self.stdout.write(_("Restored %(path)s into %(name)s: %(tables)s tables, %(rows)s rows.")
                          % {"path": dump, "name": config["NAME"], "tables": len(counts),
                             "rows": f"{sum(counts.values()):,}"})
        if manifest is None:
            self.stdout.write(_("No manifest (%(name)s): row counts not checked.")
                              % {"name": manifest_file.name})
        else:
            wrong = {table: (manifest["tables"].get(table), counts.get(table))
                     for table in set(manifest["tables"]) | set(counts)
                     if manifest["tables"].get(table) != counts.get(table)}
            if wrong:
                lines = [_("%(table)s: %(want)s in the backup, %(got)s restored")
                         % {"table": t, "want": want, "got": got}
                         for t, (want, got) in sorted(wrong.items())]
                raise CommandError(_("Row counts differ from the backup's:") + "\n  "
                                   + "\n  ".join(lines))
            self.stdout.write(self.style.SUCCESS(
                _("Row counts match the backup's manifest, table by table.")))
        self.stdout.write(_("Next: manage.py verify_ledger against this database."))

    @staticmethod
    def _create_if_missing(config: dict) -> None:
        import psycopg2

        try:
            connect(config).close()
            return
        except psycopg2.OperationalError as exc:
            if "does not exist" not in str(exc):
                raise CommandError(_("Cannot connect to %(name)s: %(error)s")
                                   % {"name": config["NAME"], "error": exc}) from exc
        conn = connect(config, dbname="postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
        finally:
            conn.close()
