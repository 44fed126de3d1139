"""The servers a running `make run` serves on, for commands started in another terminal.

While it runs, `make run` (scripts/services.py) records in var/run/dev.json its process id and
the DATABASE_URL, REDIS_URL and CELERY_BROKER_URL it serves with (its embedded servers', or the
ones it was given). The development settings adopt them for whatever the environment and .env
leave unset, so `manage.py verify_ledger` in a second terminal reaches the same database and
Redis with nothing to set. A record whose process is gone (a `make run` killed before its
clean-up) is ignored.

Plain Python, no Django: the settings call it before they read the environment.
"""

import json
import os
from pathlib import Path

import environ

SERVICE_VARS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")


def record_path(var_dir: Path) -> Path:
    """Return the file `make run` records its servers in. PORTAL_RUN_PROFILE names another
    record: the tests start embedded servers of their own and must not read a developer's."""
    return var_dir / "run" / f"{os.environ.get('PORTAL_RUN_PROFILE') or 'dev'}.json"


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def running_record(var_dir: Path) -> dict[str, str]:
    """Return the connection variables of the `make run` that is running, or {}."""
    try:
        data = json.loads(record_path(var_dir).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or not _alive(data.get("pid")):
        return {}
    return {name: value for name, value in data.items()
            if name in SERVICE_VARS and isinstance(value, str) and value}


def adopt_running_portal(base_dir: Path) -> str | None:
    """Fill the connection variables the environment and .env leave unset from the running
    `make run`'s record; return where the database comes from: "environment", "make run", or
    None when nothing is configured and nothing runs."""
    env_file = base_dir / ".env"
    if env_file.exists():  # read first, as the settings do: what it names wins over the record
        environ.Env.read_env(str(env_file), overwrite=False)
    record = running_record(base_dir / "var")
    source = "environment" if os.environ.get("DATABASE_URL") else None
    if source is None and record.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = record["DATABASE_URL"]
        source = "make run"
    # Redis as one: a REDIS_URL of one's own is not mixed with make run's broker
    if not (os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL")):
        for name in ("REDIS_URL", "CELERY_BROKER_URL"):
            if record.get(name):
                os.environ[name] = record[name]
    return source
