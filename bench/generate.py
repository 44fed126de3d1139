"""Generate a district's worth of data into the bench database.

    python -m bench.generate --scale 1.0        # 300,000 enterprises, 1,000,000 cases, ...
    python -m bench.generate --scale 0.01       # a hundredth, for tests
    python -m bench.generate --scale 1.0 --force  # drop and recreate the database first

Refuses to run against a database holding data other than a previous generation's (it drops
the database only when that database carries the generator's marker table or is empty), and
never against one whose name does not start with "ys_bench" unless --allow-any-db is given.

Loading: COPY (psycopg2 `copy_expert`) from generators in the same process (the biggest table
on a second connection, `registry.BackgroundCopy`), with foreign-key triggers off for the
session (`session_replication_role = replica`; the generator makes the keys itself) and the
secondary indexes of the big tables, and the ledger's unique constraints, dropped and recreated
after the load. Steps are registered in `bench/steps/` (see bench/registry.py).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import random
import re
import sys
import time


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ys_bench")
    import django

    django.setup()


MARKER_TABLE = "bench_marker"
# Indexes dropped during the load and rebuilt after it (name → table). Unique constraints and
# primary keys stay, they are what keeps the data valid — except those on random values
# (`_UNIQUE_REBUILT`): the ledger's hashes, inserted one by one into two B-trees, cost four
# times the rest of its COPY; re-adding the constraint after the load checks it just the same.
_BIG_TABLES: tuple[str, ...] = ("cases_case", "cases_caseevent", "ledger_ledgerentry",
               "notifications_notification", "accounts_user", "orgs_enterprise",
               "accounts_user_groups", "cases_casereminder")
_UNIQUE_REBUILT: tuple[str, ...] = ("ledger_ledgerentry",)


def marker(connection=None) -> dict | None:
    """Return what the last generation recorded (scale, seed, ids for the harness), or None."""
    from django.db import connection as default

    conn = connection or default
    with conn.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT info FROM {MARKER_TABLE} ORDER BY id DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    if not row:
        return None
    return row[0] if isinstance(row[0], dict) else json.loads(row[0])


def _write_marker(info: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
                       "(id serial PRIMARY KEY, info jsonb NOT NULL, "
                       "created_at timestamptz NOT NULL DEFAULT now())")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (info) VALUES (%s)",  # noqa: S608
                       [json.dumps(info, default=str)])


def recreate_database(*, allow_any_db: bool = False) -> None:
    """Drop and recreate the configured database, then migrate it (only a bench database)."""
    import psycopg2
    from django.core.management import call_command
    from django.db import connection, connections

    params = connection.get_connection_params()
    name = params["dbname"]
    if not (name.startswith("ys_bench") or allow_any_db):
        raise SystemExit(f"refusing to drop database {name!r}: its name does not start with "
                         "'ys_bench' (pass --allow-any-db if you really mean it)")
    connections.close_all()
    admin = psycopg2.connect(**{**{k: v for k, v in params.items()
                                   if k in ("user", "password", "host", "port")},
                                "dbname": "postgres"})
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = %s AND pid <> pg_backend_pid()", [name])
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    call_command("migrate", verbosity=0, interactive=False)


def _is_empty() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('cases_case') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return True
        cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM cases_case) "
                       "AND NOT EXISTS (SELECT 1 FROM orgs_enterprise)")
        return cursor.fetchone()[0]


def _drop_indexes(cursor, tables, unique_tables=()) -> list[tuple[str, str]]:
    """Drop the plain (non-constraint) indexes of `tables` and the unique constraints of
    `unique_tables`; return (table, statement recreating it)s."""
    cursor.execute("""
        SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
                   [list(tables)])
    found = cursor.fetchall()
    for _table, name, _definition in found:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute("""
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE contype = 'u' AND conrelid::regclass::text = ANY(%s)""", [list(unique_tables)])
    constraints = cursor.fetchall()
    for table, name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return [(table, definition) for table, _name, definition in found] + [
        (table, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table, name, definition in constraints]


def _rebuild(definitions, tables_done: set[str] | None = None) -> float:
    """Recreate the dropped indexes (of `tables_done` only, if given) on a connection of their
    own, so that this runs in PostgreSQL while Python computes the next step; return seconds."""
    started = time.monotonic()
    conn = _raw_connection()
    with conn.cursor() as cursor:
        for table, definition in definitions:
            if tables_done is None or table in tables_done:
                cursor.execute(definition)
    conn.close()
    return time.monotonic() - started


_DEFINED_NAME = re.compile(r'^(?:CREATE (?:UNIQUE )?INDEX (\S+) ON|ALTER TABLE \S+ ADD '
                           r'CONSTRAINT "([^"]+)")')


def _restore_missing(definitions) -> None:
    """Recreate those of the dropped indexes and constraints that do not exist (yet)."""
    conn = _raw_connection()
    with conn.cursor() as cursor:
        for _table, definition in definitions:
            match = _DEFINED_NAME.match(definition)
            name = (match[1] or match[2]).strip('"')
            cursor.execute("SELECT to_regclass(%s) IS NULL", [f'public."{name}"'])
            if cursor.fetchone()[0]:
                cursor.execute(definition)
    conn.close()


def _raw_connection():
    import psycopg2
    from django.db import connection

    params = connection.get_connection_params()
    conn = psycopg2.connect(**{k: v for k, v in params.items()
                               if k in ("dbname", "user", "password", "host", "port")})
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no FK triggers while loading
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET synchronous_commit = off")
    return conn


def generate(*, scale: float, seed: int = 20261126, force: bool = False,
             allow_any_db: bool = False, log=print) -> dict:
    """Load data at `scale` (1.0 = the district) and return the marker (what the harness needs)."""
    from django.utils import timezone

    from bench.registry import Context, discover, steps_in_order

    if not _is_empty() or marker() is not None:
        if not force:
            raise SystemExit("the database already holds data; pass --force to drop and "
                             "recreate it (bench databases only)")
        recreate_database(allow_any_db=allow_any_db)
    elif force:
        recreate_database(allow_any_db=allow_any_db)
    started = time.monotonic()
    now = timezone.now().replace(microsecond=0)
    conn = _raw_connection()
    ctx = Context(scale=scale, seed=seed, now=now, rnd=random.Random(seed), connection=conn,
                  log=log, connect=_raw_connection)
    discover()
    # Until the end the marker says "incomplete": a run that fails or is interrupted leaves
    # partial data, which the harness will not reuse (it generates again, from a new database).
    _write_marker({"scale": -1, "incomplete": True, "started_at": now.isoformat()})
    with conn.cursor() as cursor:
        dropped = _drop_indexes(cursor, _BIG_TABLES, _UNIQUE_REBUILT)
    timings = {}
    background = None
    try:
        for item in steps_in_order():
            if item.last and background is None:
                # The tables of the other steps are complete: index them while the last run.
                early = [(t, d) for t, d in dropped if t != "ledger_ledgerentry"]
                background = concurrent.futures.ThreadPoolExecutor(1).submit(_rebuild, early)
            t0 = time.monotonic()
            log(f"step {item.name} ...")
            item.func(ctx)
            timings[item.name] = round(time.monotonic() - t0, 1)
            log(f"step {item.name}: {timings[item.name]} s")
    except BaseException:
        # Never leave the tables without their indexes and the ledger without its unique
        # hashes (a database of partial data is still a database someone may look at).
        if background is not None:
            concurrent.futures.wait([background])
        _restore_missing(dropped)
        raise
    t0 = time.monotonic()
    if background is not None:
        timings["indexes_during_last_steps"] = round(background.result(), 1)
        dropped = [(t, d) for t, d in dropped if t == "ledger_ledgerentry"]
    _rebuild(dropped)
    timings["indexes"] = round(time.monotonic() - t0, 1)
    log(f"indexes rebuilt: {timings['indexes']} s after the last step")
    with conn.cursor() as cursor:
        t0 = time.monotonic()
        for table in _BIG_TABLES:
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("ANALYZE")
        timings["analyze"] = round(time.monotonic() - t0, 1)
    conn.close()
    info = {
        "scale": scale, "seed": seed, "generated_at": now.isoformat(),
        "seconds": round(time.monotonic() - started, 1), "timings": timings,
        "counts": ctx.counts, **ctx.bench,
    }
    _write_marker(info)
    log(f"generated at scale {scale} in {info['seconds']} s: "
        + ", ".join(f"{table} {count:,}" for table, count in sorted(ctx.counts.items())))
    return info


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1.0 = 300,000 enterprises and 1,000,000 cases (default)")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--force", action="store_true",
                        help="drop and recreate the (bench) database first")
    parser.add_argument("--allow-any-db", action="store_true")
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 10:
        parser.error("--scale must be above 0 and at most 10")
    _setup_django()
    generate(scale=args.scale, seed=args.seed, force=args.force, allow_any_db=args.allow_any_db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
