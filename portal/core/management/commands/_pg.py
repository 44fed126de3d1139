"""What `backup` and `restore` share: the PostgreSQL client programs, libpq settings for a
database, and exact row counts of every table.

The client programs: pg_dump / pg_restore must be at least as new as the server. We take the
newest we find among PORTAL_PG_BIN (a folder), Debian's /usr/lib/postgresql/*/bin (package
postgresql-client), pgserver's own (PostgreSQL 16, installed by scripts/setup.sh with the
`embedded` extra) and the PATH.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import environ
from django.core.management.base import CommandError
from django.db import connections
from django.utils.translation import gettext as _


def _candidates(tool: str) -> list[Path]:
    folders = []
    if os.environ.get("PORTAL_PG_BIN"):
        folders.append(Path(os.environ["PORTAL_PG_BIN"]))
    folders += [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")]
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import pgserver

        folders.append(Path(pgserver.__file__).resolve().parent / "pginstall" / "bin")
    except ImportError:
        pass
    found = [folder / tool for folder in folders if (folder / tool).is_file()]
    if which := shutil.which(tool):
        found.append(Path(which))
    return found


def _major(program: Path) -> int:
    try:
        out = subprocess.run([str(program), "--version"], capture_output=True, text=True,  # noqa: S603 - a found client program
                             timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    match = re.search(r"(\d+)(?:\.\d+)?", out.split(")")[-1])
    return int(match.group(1)) if match else 0


def find_tool(tool: str, server_major: int) -> Path:
    """The newest `tool` (pg_dump, pg_restore) found; refuse one older than the server."""
    versions = sorted(((_major(p), p) for p in _candidates(tool)), key=lambda v: -v[0])
    if not versions or versions[0][0] == 0:
        raise CommandError(
            _("%(tool)s was not found. Install the PostgreSQL client programs (Debian: "
              "postgresql-client), or run scripts/setup.sh, or set PORTAL_PG_BIN to their "
              "folder.") % {"tool": tool})
    major, program = versions[0]
    if major < server_major:
        raise CommandError(
            _("%(tool)s %(major)s (%(path)s) is older than the PostgreSQL %(server)s server; "
              "install postgresql-client-%(server)s or set PORTAL_PG_BIN.")
            % {"tool": tool, "major": major, "path": program, "server": server_major})
    return program


def database_config(url: str | None, alias: str = "default") -> dict:
    """Django's database settings for `url`, or the configured database's."""
    if url:
        return environ.Env.db_url_config(url)
    return dict(connections[alias].settings_dict)


def libpq_env(config: dict) -> dict[str, str]:
    """Connection settings as libpq environment variables (no password on a command line)."""
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if config.get(key):
            env[var] = str(config[key])
    return env


def connect(config: dict, dbname: str | None = None):
    import psycopg2

    params = {"host": config.get("HOST") or None, "port": config.get("PORT") or None,
              "user": config.get("USER") or None, "password": config.get("PASSWORD") or None,
              "dbname": dbname or config["NAME"], "connect_timeout": 10}
    return psycopg2.connect(**{k: v for k, v in params.items() if v is not None})


def table_counts(cursor) -> dict[str, int]:
    """Exact row counts of every table of the public schema, seen by the cursor's snapshot."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                   "ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
        counts[table] = cursor.fetchone()[0]
    return counts
