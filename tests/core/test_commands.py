"""The two commands: `make run` (scripts/devrun.py) and `make test` (scripts/runtests.py), and
the pieces they stand on (scripts/requirements.py, scripts/services.py). Real processes, real
PostgreSQL and Redis, nothing mocked."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from urllib.parse import quote

import environ
import psutil
import psycopg2
import pytest
import redis
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import services  # noqa: E402

SERVICE_VARS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "PORTAL_FORCE_EMBEDDED")


def run_script(*args: str, env: dict | None = None, timeout: float = 120):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        env=env if env is not None else os.environ.copy(), check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- scripts/requirements.py: what `make test` / `make run` install -------------------------


def test_requirements_are_the_pins_of_pyproject_base_and_both_extras():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    expected = [
        *project["dependencies"],
        *project["optional-dependencies"]["dev"],
        *project["optional-dependencies"]["embedded"],
    ]

    result = run_script("scripts/requirements.py", "dev", "embedded")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:-1] == expected
    assert any(line.startswith("pgserver==") for line in expected)


def test_requirements_refuse_an_extra_that_pyproject_does_not_define():
    result = run_script("scripts/requirements.py", "dev", "gpu")

    assert result.returncode != 0
    assert "no extra named gpu" in result.stderr
    assert result.stdout == ""


# --- scripts/services.py: embedded PostgreSQL and Redis ----------------------------------------


@pytest.fixture
def selftest_profile():
    """A profile of its own (data under var/test/selftest, Redis port 6393), so this test never
    touches a developer's `make run` data or a running `make test`'s servers."""
    base = services.VAR / "test" / "selftest"
    return services.Profile(
        "selftest", base / "pgdata", base / "redis", 6393, 15, probe_system=True, durable=False
    )


def test_forced_embedded_services_start_answer_and_are_stopped_afterwards(
    monkeypatch, selftest_profile
):
    monkeypatch.setenv("PORTAL_FORCE_EMBEDDED", "1")

    with services.provide(selftest_profile) as env:
        database = environ.Env.db_url_config(env["DATABASE_URL"])
        socket_dir = Path(database["HOST"])
        with psycopg2.connect(host=database["HOST"], user=database["USER"],
                              dbname=database["NAME"]) as conn, conn.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        broker = redis.Redis.from_url(env["CELERY_BROKER_URL"])
        assert broker.ping() is True
        broker.close()

    assert version.startswith("16.")  # pgserver's PostgreSQL, not the system's
    assert socket_dir == selftest_profile.pg_dir
    assert env["REDIS_URL"] == env["CELERY_BROKER_URL"] == "redis://127.0.0.1:6393/15"
    assert not services.port_open("127.0.0.1", 6393)
    assert not (selftest_profile.pg_dir / "postmaster.pid").exists()
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(host=str(socket_dir), user="postgres", dbname="postgres",
                         connect_timeout=2)


def test_a_second_user_of_the_same_embedded_services_is_refused(monkeypatch, selftest_profile):
    monkeypatch.setenv("PORTAL_FORCE_EMBEDDED", "1")

    with services.provide(selftest_profile):
        with pytest.raises(SystemExit) as refused:
            with services.provide(selftest_profile, what="make run"):
                pass  # pragma: no cover - never reached
        # The refusal stopped nothing of the first holder's.
        assert services.port_open("127.0.0.1", 6393)

    assert "another `make run`" in str(refused.value.code)
    assert "is using the embedded services" in str(refused.value.code)


def test_services_come_from_the_environment_when_it_names_them(monkeypatch, selftest_profile):
    monkeypatch.delenv("PORTAL_FORCE_EMBEDDED", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anything")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/7")

    with services.provide(selftest_profile) as env:
        embedded_redis_up = services.port_open("127.0.0.1", 6393)
        embedded_pg_up = (selftest_profile.pg_dir / "postmaster.pid").exists()

    assert env == {}  # nothing to add: Django reads the variables already set
    assert not embedded_redis_up and not embedded_pg_up


# --- scripts/runtests.py: `make test` ----------------------------------------------------------


def test_make_test_fails_when_pytest_selects_no_test():
    """pytest's exit 5 ("no tests ran") must fail the run: CI would otherwise pass on nothing."""
    # The services this run uses (runtests exported them), not a second set of embedded ones.
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_FORCE_EMBEDDED"}
    result = run_script(
        "scripts/runtests.py", "tests/core/test_commands.py", "-k", "no_such_test_anywhere", "-q",
        env=env,
    )

    assert result.returncode == 5
    assert "pytest ran no tests (exit 5)" in result.stderr
    assert "timing: services" in result.stdout


# --- scripts/devrun.py: `make run` ---------------------------------------------------------------


def _url_of_database(name: str) -> str:
    """A postgres URL on the server the test database lives on (TCP or unix socket)."""
    db = settings.DATABASES["default"]
    host = db.get("HOST") or "127.0.0.1"
    credentials = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    if host.startswith("/"):  # a socket directory (embedded PostgreSQL), as services.py writes it
        return f"postgres://{credentials}@/{quote(host, safe='')}/{name}"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{name}"


def _drop_database(name: str) -> None:
    config = environ.Env.db_url_config(_url_of_database("postgres"))
    conn = psycopg2.connect(
        host=config["HOST"], port=config["PORT"] or None, user=config["USER"],
        password=config["PASSWORD"] or None, dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def _get(url: str, timeout: float = 3.0) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - localhost
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def test_make_run_serves_the_portal_with_workers_and_ctrl_c_stops_everything(tmp_path):
    """`make run` against the configured services: migrate, seed, web + worker + beat; the
    health page reports all three parts up; Ctrl-C leaves no process behind."""
    name = f"{settings.DATABASES['default']['NAME']}_devrun"[:63]
    _drop_database(name)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(
        DATABASE_URL=_url_of_database(name),
        REDIS_URL=settings.CELERY_BROKER_URL,
        NO_COLOR="1",
    )
    log_path = tmp_path / "devrun.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "scripts/devrun.py", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    children: list[psutil.Process] = []
    try:
        health = _wait_for_health(base, process)
        assert health, "/healthz never said ok"
        assert health["database"]["ok"] and health["redis"]["ok"] and health["celery"]["ok"]
        assert _get(base + "/")[0] == 200
        assert f"is running: http://127.0.0.1:{port}/" in log_path.read_text()
        children = psutil.Process(process.pid).children(recursive=True)
        commands = [" ".join(child.cmdline()) for child in children]
        assert any("runserver" in c for c in commands), commands
        assert any("celery" in c and " worker" in c for c in commands), commands
        assert any("celery" in c and " beat" in c for c in commands), commands

        os.kill(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        assert process.wait(timeout=90) == 0

        gone, alive = psutil.wait_procs(children, timeout=10)
        assert alive == [], f"left running after Ctrl-C: {alive}"
        assert not services.port_open("127.0.0.1", port)
        assert log_path.read_text().rstrip().endswith("stopped")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- devrun output ---\n{log_path.read_text()[-6000:]}") from None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        _drop_database(name)


def _wait_for_health(base: str, process: subprocess.Popen, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        status, body = _get(base + "/healthz")
        if status == 200 and '"status": "ok"' in body:
            return json.loads(body)
        time.sleep(1)
    return {}


def test_make_run_refuses_a_port_already_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = run_script("scripts/devrun.py", "--port", str(port), timeout=30)

    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
