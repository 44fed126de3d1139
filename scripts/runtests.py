"""Run the whole test suite (`make test`): services first, then pytest, then a timing line.

    python scripts/runtests.py [pytest arguments...]     # make test ARGS="-k ledger -x"

Services come from scripts/services.py (profile "test"): the environment's DATABASE_URL /
REDIS_URL when set, else the system PostgreSQL and Redis on 127.0.0.1, else embedded ones
under var/test/. Settings are always portal.settings.test, whatever DJANGO_SETTINGS_MODULE
the shell has (pytest-django would otherwise prefer the shell's).

Exit status is pytest's. Status 5 ("no tests ran") is a failure here, reported as such: the
suite always has tests, so collecting none means a broken selection or a broken collection.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import services  # noqa: E402

EXIT_NO_TESTS = 5


def main(args: list[str]) -> int:
    started = time.monotonic()
    with services.provide("test") as extra:
        ready = time.monotonic()
        env = {
            **os.environ,
            **extra,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        }
        command = [sys.executable, "-m", "pytest", *args]
        print("$", " ".join(command), flush=True)
        process = subprocess.Popen(command, cwd=services.ROOT, env=env)
        # A terminal Ctrl-C reaches pytest too; wait for it to finish its teardown, then stop
        # the services.
        try:
            code = process.wait()
        except KeyboardInterrupt:
            code = process.wait()
    finished = time.monotonic()
    print(
        f"timing: services {ready - started:.1f}s, pytest {finished - ready:.1f}s, "
        f"total {finished - started:.1f}s",
        flush=True,
    )
    if code == EXIT_NO_TESTS:
        print(
            "FAILED: pytest ran no tests (exit 5). The suite under tests/ always has tests, so "
            "the selection (ARGS) matched nothing or collection is broken.",
            file=sys.stderr,
            flush=True,
        )
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
