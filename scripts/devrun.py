"""Run the whole portal for development (`make run`): services, database, demo data, processes.

    python scripts/devrun.py [--port 8000] [--no-seed]

1. PostgreSQL and Redis: DATABASE_URL / REDIS_URL when set, else embedded servers under var/
   (scripts/services.py, profile "dev"; data kept between runs).
2. manage.py migrate, createcachetable, compilemessages, seed_demo (idempotent; prints the
   demo logins).
3. Three child processes with prefixed output, settings portal.settings.dev:
      web     manage.py runserver 127.0.0.1:8000 (reloads on code change, serves static files)
      worker  celery worker (2 processes)
      beat    celery beat with django-celery-beat's DatabaseScheduler
4. Prints the URL and the demo logins, then waits.

Ctrl-C (SIGINT) or SIGTERM stops the web server, beat and worker (each given 20 s, then
killed), then the embedded servers. A second Ctrl-C kills at once. If any child exits on its
own, everything is stopped and the exit status is 1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import services  # noqa: E402

ROOT = services.ROOT
PY = sys.executable
SETTINGS = "portal.settings.dev"
STOP_TIMEOUT = 20
COLOURS = {"web": "32", "worker": "36", "beat": "35", "setup": "33"}

_print_lock = threading.Lock()
_colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def say(name: str, line: str) -> None:
    prefix = f"{name:<6}|"
    if _colour:
        prefix = f"\033[{COLOURS.get(name, '0')}m{prefix}\033[0m"
    with _print_lock:
        sys.stdout.write(f"{prefix} {line}\n")
        sys.stdout.flush()


@dataclass
class Child:
    """One long-running process. `term_group`: SIGTERM goes to its whole process group (web:
    runserver's reloader and its server both stop); otherwise to the leader only (celery: the
    main process shuts its pool down warmly, letting running tasks finish)."""

    name: str
    argv: list[str]
    term_group: bool = False
    process: subprocess.Popen | None = None
    reader: threading.Thread | None = field(default=None, repr=False)

    def start(self, env: dict[str, str]) -> None:
        # Own session: the terminal's Ctrl-C reaches only the supervisor, which then stops the
        # children in order (web first, broker last). die_with_parent: no orphans if the
        # supervisor itself is killed.
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=services.die_with_parent,
            text=True, encoding="utf-8", errors="replace", bufsize=1,
        )
        self.reader = threading.Thread(target=self._pump, daemon=True)
        self.reader.start()

    def _pump(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            say(self.name, line.rstrip("\n"))

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, sig: int) -> None:
        """Signal every process of the child's group, the leader gone or not."""
        if self.process is None:
            return
        # The group id is the leader's pid; Linux does not hand out a pid still used as a
        # group id, so this never reaches a stranger.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)

    def stop(self, timeout: float) -> None:
        if self.process is None:
            return
        if self.alive():
            say("setup", f"stopping {self.name}")
            if self.term_group:
                self.signal_group(signal.SIGTERM)
            else:
                self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                say("setup", f"{self.name} did not stop within {timeout:.0f}s: killing it")
        # Whatever is left of the group (a reloader's server, pool processes) goes now.
        self.signal_group(signal.SIGKILL)
        self.process.wait()
        if self.reader is not None:
            self.reader.join(timeout=2)


class Stop(Exception):
    pass


class Supervisor:
    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.signals = 0
        self.children: list[Child] = []

    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame) -> None:
        self.signals += 1
        if self.signals == 1:
            self.stopping.set()
            raise Stop(signal.Signals(signum).name)
        # A second Ctrl-C: do not wait for anyone.
        for child in self.children:
            child.signal_group(signal.SIGKILL)

    def shutdown(self) -> None:
        """Stop web, worker and beat, in that order; the services stop after this."""
        # From here a signal only escalates (a second Ctrl-C kills); shutdown is not cut short.
        self.signals = max(self.signals, 1)
        self.stopping.set()
        for child in self.children:
            child.stop(STOP_TIMEOUT)

    def run_step(self, title: str, argv: list[str], env: dict[str, str]) -> str:
        """Run a setup command to completion, echoing its output; fail loudly."""
        say("setup", title)
        result = subprocess.run(
            argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True,
            text=True, encoding="utf-8", errors="replace", check=False,
        )
        output = (result.stdout + result.stderr).rstrip()
        for line in output.splitlines():
            say("setup", "  " + line)
        if result.returncode != 0:
            raise SystemExit(f"devrun: `{' '.join(argv[1:])}` failed with exit {result.returncode}")
        return result.stdout


def manage(*args: str) -> list[str]:
    return [PY, "manage.py", *args]


def has_command(name: str, env: dict[str, str]) -> bool:
    result = subprocess.run(
        manage("help", "--commands"), cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    return name in result.stdout.split()


def wait_for_port(port: int, children: list[Child], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if services.port_open("127.0.0.1", port):
            return True
        if not all(child.alive() for child in children):
            return False
        time.sleep(0.2)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORTAL_PORT", "8000")))
    parser.add_argument("--no-seed", action="store_true", help="skip manage.py seed_demo")
    args = parser.parse_args(argv)

    if services.port_open("127.0.0.1", args.port):
        raise SystemExit(
            f"devrun: port {args.port} on 127.0.0.1 is already in use (another `make run`?). "
            f"Stop it, or choose another port: PORTAL_PORT=8001 make run"
        )

    supervisor = Supervisor()
    supervisor.install_signal_handlers()
    started = time.monotonic()
    code = 0
    try:
        with services.provide("dev", what="make run") as extra:
            try:
                code = serve(supervisor, args, extra, started)
            except Stop:
                pass
            finally:
                supervisor.shutdown()
    except Stop:  # a signal while the services were starting or stopping
        pass
    except SystemExit as exc:
        if exc.code not in (None, 0):
            say("setup", str(exc.code))
            code = 1
    say("setup", "stopped")
    return code


def serve(supervisor: Supervisor, args, extra: dict[str, str], started: float) -> int:
    env = {**os.environ, **extra, "DJANGO_SETTINGS_MODULE": SETTINGS, "PYTHONUNBUFFERED": "1"}
    services.ensure_database(env["DATABASE_URL"])
    supervisor.run_step("migrate", manage("migrate", "--noinput"), env)
    supervisor.run_step("createcachetable", manage("createcachetable"), env)
    if any((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):  # also done by setup.sh; cheap
        supervisor.run_step("compilemessages", manage(
            "compilemessages", "--ignore=.venv", "--ignore=node_modules", "--ignore=var",
            "--ignore=test-artifacts", "--verbosity=0",
        ), env)
    logins = ""
    if args.no_seed:
        say("setup", "seed_demo skipped (--no-seed)")
    elif has_command("seed_demo", env):
        logins = supervisor.run_step("seed_demo", manage("seed_demo"), env)
    else:
        say("setup", "WARNING: manage.py seed_demo does not exist yet; no demo data")

    supervisor.children = [
        Child("web", manage("runserver", f"127.0.0.1:{args.port}"), term_group=True),
        Child("worker", [PY, "-m", "celery", "-A", "portal", "worker", "-l", "INFO",
                         "--concurrency", "2", "-n", "portal-dev@%h"]),
        Child("beat", [PY, "-m", "celery", "-A", "portal", "beat", "-l", "INFO",
                       "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"]),
    ]
    for child in supervisor.children:
        child.start(env)
    if not wait_for_port(args.port, supervisor.children):
        raise SystemExit("devrun: the web server did not start (see its output above)")
    banner(args.port, logins, time.monotonic() - started, embedded=bool(extra))
    while True:
        for child in supervisor.children:
            if not child.alive():
                say("setup", f"{child.name} exited with status {child.process.returncode}; "
                             "stopping everything")
                return 1
        supervisor.stopping.wait(0.5)


def banner(port: int, logins: str, seconds: float, *, embedded: bool) -> None:
    kept = "data stays in var/" if embedded else "your DATABASE_URL / REDIS_URL keep the data"
    lines = [
        "",
        "=" * 72,
        f"  Yingshang Portal (营商环境政企通) is running: http://127.0.0.1:{port}/",
        f"  admin: http://127.0.0.1:{port}/admin/   health: http://127.0.0.1:{port}/healthz",
        f"  ready in {seconds:.0f}s. Ctrl-C stops everything ({kept}).",
    ]
    demo = [line for line in logins.splitlines() if line.strip()]
    if demo:
        lines.append("")
        lines.extend("  " + line for line in demo)
    lines.append("=" * 72)
    with _print_lock:
        print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
