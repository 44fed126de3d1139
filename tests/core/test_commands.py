"""The two commands: `make run` (scripts/devrun.py) and `make test` (scripts/runtests.py), and
the pieces they stand on (scripts/requirements.py, scripts/services.py). Real processes, real
PostgreSQL and Redis, nothing mocked."""

from __future__ import annotations

import contextlib
import dataclasses
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


# --- the README's commands in a second terminal, beside `make run` or with nothing running -------


def _second_terminal(run_profile: str, **extra: str) -> dict[str, str]:
    """A new shell's environment: no service variable, manage.py's default (development)
    settings; PORTAL_RUN_PROFILE points the settings at this test's record, not a developer's."""
    drop = (*SERVICE_VARS, "DJANGO_SETTINGS_MODULE", "LC_ALL", "LC_MESSAGES", "LANG")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return {**env, "PORTAL_RUN_PROFILE": run_profile, **extra}


SHOW_SERVERS = (
    "import redis; from django.conf import settings; from django.db import connection\n"
    "with connection.cursor() as cursor: cursor.execute('SHOW data_directory'); "
    "print(cursor.fetchone()[0])\n"
    "print(redis.Redis.from_url(settings.CELERY_BROKER_URL).get('selftest-marker').decode())"
)


def test_a_command_in_a_second_terminal_reaches_the_servers_make_run_started(
    monkeypatch, selftest_profile
):
    """`make run`'s way (services.provide with a recording profile, embedded servers), then
    `manage.py shell` in another terminal with nothing set: the same PostgreSQL and Redis."""
    monkeypatch.setenv("PORTAL_FORCE_EMBEDDED", "1")
    profile = dataclasses.replace(selftest_profile, record=True)

    with services.provide(profile) as env:
        recorded = json.loads(profile.record_path.read_text())
        mode = profile.record_path.stat().st_mode & 0o777
        broker = redis.Redis.from_url(env["REDIS_URL"])
        broker.set("selftest-marker", "running")
        broker.close()
        result = run_script("manage.py", "shell", "-c", SHOW_SERVERS,
                            env=_second_terminal(profile.name))

    assert result.returncode == 0, result.stderr
    data_directory, marker = result.stdout.split()[-2:]  # after the shell's "N objects imported"
    assert Path(data_directory).resolve() == profile.pg_dir.resolve()
    assert marker == "running"
    assert recorded["DATABASE_URL"] == env["DATABASE_URL"] and recorded["pid"] == os.getpid()
    assert mode == 0o600  # a DATABASE_URL may hold a password
    assert not profile.record_path.exists()  # gone with the servers


def _dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    return int(child.stdout)


@pytest.mark.parametrize(("command", "language", "expected"), [
    (["verify_ledger"], "en_US.UTF-8", "The portal is not running: start it with `make run`"),
    (["createsuperuser"], "zh_CN.UTF-8", "门户没有在运行：请在另一个终端运行 `make run`"),
    (["shell"], "C.UTF-8", "门户没有在运行"),  # a locale of none of ours: the portal's default
])
def test_with_nothing_running_a_command_says_in_one_line_how_to_start_the_portal(
    command, language, expected
):
    # what a `make run` killed before its clean-up leaves: a record whose process is gone
    stale = services.RUN_DIR / "selftest-stale.json"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text(json.dumps({"pid": _dead_pid(),
                                 "DATABASE_URL": "postgres://postgres@127.0.0.1:1/gone"}))
    try:
        result = run_script("manage.py", *command, timeout=60,
                            env=_second_terminal("selftest-stale", LANG=language))
    finally:
        stale.unlink()

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and expected in result.stderr, result.stderr


def test_with_nothing_running_a_command_that_needs_no_database_still_works():
    result = run_script("manage.py", "demo_totp", env=_second_terminal("selftest-none"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().isdigit() and len(result.stdout.strip()) == 6


def test_with_nothing_running_makemigrations_still_checks_the_models():
    """Regression: `manage.py makemigrations --check` in a plain shell answered "the portal is
    not running" instead of checking the models against their migrations."""
    result = run_script("manage.py", "makemigrations", "--check", "--dry-run",
                        env=_second_terminal("selftest-none"))

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


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
    health page reports all three parts up; `manage.py verify_ledger` in a second terminal,
    with nothing set, checks make run's ledger; Ctrl-C leaves no process behind."""
    name = f"{settings.DATABASES['default']['NAME']}_devrun"[:63]
    _drop_database(name)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(
        DATABASE_URL=_url_of_database(name),
        REDIS_URL=settings.CELERY_BROKER_URL,
        NO_COLOR="1",
        PORTAL_RUN_PROFILE="selftest-devrun",
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
        beside = run_script("manage.py", "verify_ledger", timeout=60,
                            env=_second_terminal("selftest-devrun", LANG="en_US.UTF-8"))
        # without make run's record it would refuse with the one-line message (exit 1)
        assert beside.returncode == 0 and beside.stdout.strip(), beside.stderr

        os.kill(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        assert process.wait(timeout=90) == 0

        gone, alive = psutil.wait_procs(children, timeout=10)
        assert alive == [], f"left running after Ctrl-C: {alive}"
        assert not services.port_open("127.0.0.1", port)
        assert log_path.read_text().rstrip().endswith("stopped")
        assert not (services.RUN_DIR / "selftest-devrun.json").exists()
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


def test_the_openapi_schema_validates_without_a_warning(tmp_path):
    """`spectacular --validate --fail-on-warn`: every view's schema resolves, and no two choice
    sets share a name (an unnamed collision gives clients names like Status9c0Enum)."""
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "PolicyStatusEnum" in out.read_text() and "CaseStatusEnum" in out.read_text()
