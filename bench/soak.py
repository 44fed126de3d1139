"""`make soak`: the portal under a steady mixed load for a long time (issue 16; not in CI).

    python -m bench.soak                              # 10 minutes, 50 users, scale 0.02
    python -m bench.soak --duration 120 --users 50    # a shorter sitting
    make soak ARGS="--duration 120"

Each of `--users` simulated people is an enterprise member of another enterprise, signed in
with a session of its own (as bench/run.py makes them), and loops until the time is up: it
reads a page (home, my cases, the inbox, its complaints, policies when they exist), or files an
appeal (GET the form, POST it), or files a named complaint (GET, POST), then thinks for a moment.
The portal runs under gunicorn with production settings (bench/run.py's harness, the generated
district data in its own database).

It passes when:
- no errors: every read answered 200, every submission 302, no timeout or refused connection;
- memory flat: the web processes' resident memory (sum over gunicorn's workers, sampled every
  5 s) grows by less than 10 % from the first third of the run to the last;
- nothing lost or doubled: the appeals and complaints in the database grew by exactly the
  number of submissions answered 302.

The figures go to bench/out/soak-<time>.json; the exit status is 1 when a check fails.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from bench import run

ROOT = run.ROOT
FORM_TOKEN = re.compile(r'name="form_token"[^>]*value="([^"]+)"')
UNIT_OPTION = re.compile(r'<option value="(\d+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()  # (action, status)
        self.errors: list[str] = []
        self.latencies: dict[str, list[float]] = {}
        self.filed: Counter = Counter()  # appeals / complaints answered 302

    def record(self, action: str, status, seconds: float, expected: int, detail: str = ""):
        with self.lock:
            self.statuses[(action, str(status))] += 1
            self.latencies.setdefault(action, []).append(seconds)
            if status != expected and len(self.errors) < 50:
                self.errors.append(f"{action}: {status} {detail}"[:300])


def call(base: str, path: str, cookie: str, data: dict | None = None) -> tuple[int | str, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(base + path, data=body, headers={  # noqa: S310 - http to our own server
        "Cookie": cookie, "Accept-Language": "zh-hans"})
    try:
        with OPENER.open(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (OSError, urllib.error.URLError) as exc:
        return type(exc).__name__, ""


def user_loop(n: int, base: str, cookie: str, reads: list[str], category: int, units: list[str],
              deadline: float, think: float, mix: dict, tally: Tally, run_id: str):
    rng = random.Random(n)
    actions, weights = zip(*mix.items(), strict=True)
    i = 0
    while time.monotonic() < deadline:
        action = rng.choices(actions, weights)[0]
        i += 1
        started = time.monotonic()
        if action == "read":
            status, _body = call(base, rng.choice(reads), cookie)
            tally.record("read", status, time.monotonic() - started, 200)
        elif action == "appeal":
            status, body = call(base, "/cases/new/", cookie)
            token = FORM_TOKEN.search(body)
            if status != 200 or not token:
                tally.record("appeal form", status, time.monotonic() - started, 200, "no form")
            else:
                status, body = call(base, "/cases/new/", cookie, {
                    "csrfmiddlewaretoken": run.CSRF_SECRET, "form_token": token.group(1),
                    "appeal_type": "inquiry", "category": category, "subject_unit": "",
                    "title": f"耐久测试诉求 {run_id}-{n}-{i}",
                    "description": f"我司厂房租金补贴申报进度咨询，编号 {run_id}-{n}-{i}。"})
                tally.record("appeal", status, time.monotonic() - started, 302, body[:200])
                if status == 302:
                    with tally.lock:
                        tally.filed["appeals"] += 1
        else:  # complaint, named
            status, _body = call(base, "/complaints/", cookie)
            if status != 200:
                tally.record("complaint form", status, time.monotonic() - started, 200)
            else:
                status, body = call(base, "/complaints/", cookie, {
                    "csrfmiddlewaretoken": run.CSRF_SECRET, "accused_unit": rng.choice(units),
                    "misconduct": "slowness", "title": f"耐久测试举报 {run_id}-{n}-{i}",
                    "facts": f"窗口多次要求补交同一份材料，编号 {run_id}-{n}-{i}。",
                    "occurred_on": "", "place": "", "official_name": "", "phone": ""})
                tally.record("complaint", status, time.monotonic() - started, 302, body[:200])
                if status == 302:
                    with tally.lock:
                        tally.filed["complaints"] += 1
        time.sleep(rng.uniform(0.5, 1.5) * think)


def web_rss(master_pid: int) -> tuple[int, list[int]]:
    """(sum, per worker) resident memory in kB of gunicorn's worker processes."""
    sizes = []
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                status = Path(f"/proc/{child}/status").read_text()
            except OSError:
                continue
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)))
    return sum(sizes), sizes


def counts() -> dict[str, int]:
    from django.db import connection

    from complaints.models import Complaint
    from portal.appeals.constants import KIND
    from portal.cases.models import Case

    found = {"appeals": Case.objects.filter(kind=KIND).count(),
             "complaints": Complaint.objects.count()}
    connection.close()
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Soak the portal (make soak).")
    parser.add_argument("--duration", type=int, default=600, help="seconds (default 600)")
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean seconds a user waits between actions (default 1.0)")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 0.02)))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn sync workers (default: the number of CPUs)")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--mix", default="read=80,appeal=12,complaint=8",
                        help="action weights (default read=80,appeal=12,complaint=8)")
    args = parser.parse_args(argv)
    mix = {k: float(v) for k, v in (part.split("=") for part in args.mix.split(","))}

    env = run.server_environment(args.port)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    run.OUT.mkdir(parents=True, exist_ok=True)
    run.ensure_database(env)
    info = run.bench_facts(run.ensure_data(args.scale, regenerate=False))
    env["BENCH_HEAVY_ENTERPRISE_ID"] = str(info["heavy_enterprise_id"])
    run.collectstatic(env)
    cookies = sessions(run.submitter_ids(info, args.users))
    units = unit_ids()
    base = f"http://127.0.0.1:{args.port}"
    before = counts()
    started_at = datetime.datetime.now().astimezone()
    proc = run.start_server(env, port=args.port, workers=args.workers)
    tally = Tally()
    samples: list[dict] = []
    try:
        reads = [p for p in ("/", "/cases/", "/inbox/", "/complaints/mine/", "/policies/")
                 if call(base, p, cookies[0])[0] == 200]
        print(f"soak: {args.users} users for {args.duration} s on {base} (reads: "
              f"{', '.join(reads)}; mix {args.mix}; think {args.think} s)", flush=True)
        begin = time.monotonic()
        deadline = begin + args.duration
        threads = [threading.Thread(target=user_loop, daemon=True, args=(
            n, base, cookies[n], reads, info["category_id"], units, deadline, args.think, mix,
            tally, f"{time.time():.0f}")) for n in range(args.users)]
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            total, per_worker = web_rss(proc.pid)
            done = sum(tally.statuses.values())
            samples.append({"t": round(time.monotonic() - begin, 1), "rss_kb": total,
                            "workers_kb": per_worker, "requests": done})
            if len(samples) % 12 == 1:
                print(f"  t={samples[-1]['t']:>6.0f}s  web RSS {total / 1024:7.1f} MB  "
                      f"{done:>7} actions  {len(tally.errors)} errors", flush=True)
            time.sleep(5)
        for thread in threads:
            thread.join()
    finally:
        run.stop_server(proc)
    after = counts()
    return report(args, started_at, tally, samples, before, after, reads)


def sessions(user_ids: list[int]) -> list[str]:
    """A signed-in session per user, saved in the session store (as bench/run.py makes them)."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    cookies = []
    for user in get_user_model().objects.filter(pk__in=user_ids).order_by("pk"):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store["portal_language"] = "zh-hans"
        store.create()
        cookies.append(f"sessionid={store.session_key}; portal_language=zh-hans; "
                       f"csrftoken={run.CSRF_SECRET}")
    connection.close()
    return cookies


def unit_ids() -> list[str]:
    from django.db import connection

    from portal.orgs.models import Unit

    ids = [str(pk) for pk in Unit.objects.filter(is_active=True)
           .exclude(kind=Unit.Kind.DEPARTMENT).order_by("code").values_list("pk", flat=True)[:50]]
    connection.close()
    return ids


def report(args, started_at, tally: Tally, samples, before, after, reads) -> int:
    statuses = {f"{a} {s}": n for (a, s), n in sorted(tally.statuses.items())}
    errors = sum(n for (a, s), n in tally.statuses.items()
                 if s != ("200" if a in ("read", "appeal form", "complaint form") else "302"))
    # memory: the first third of the run (after a minute's warm-up when the run is long
    # enough) against the last third
    rss = [(s["t"], s["rss_kb"]) for s in samples if s["rss_kb"]]
    third = max(1, len(rss) // 3)
    early = statistics.median(v for _, v in rss[:third]) if rss else 0
    late = statistics.median(v for _, v in rss[-third:]) if rss else 0
    growth = (late - early) / early if early else 0.0
    grew = {k: after[k] - before[k] for k in after}
    sent = dict(tally.filed)
    checks = {
        "zero_errors": errors == 0,
        "memory_flat": growth < 0.10,
        "submissions_saved": all(grew[k] == sent.get(k, 0) for k in grew),
    }
    latency = {a: {"count": len(v), "p50_ms": round(statistics.median(v) * 1000, 1),
                   "p99_ms": round(sorted(v)[max(0, int(len(v) * 0.99) - 1)] * 1000, 1)}
               for a, v in tally.latencies.items()}
    total = sum(tally.statuses.values())
    out = {
        "started_at": started_at.isoformat(), "duration_s": args.duration, "users": args.users,
        "think_s": args.think, "mix": args.mix, "scale": args.scale, "workers": args.workers,
        "reads": reads, "actions": total, "actions_per_s": round(total / args.duration, 1),
        "statuses": statuses, "errors": errors, "error_samples": tally.errors,
        "latency": latency, "web_rss_mb_early": round(early / 1024, 1),
        "web_rss_mb_late": round(late / 1024, 1), "web_rss_growth": round(growth, 3),
        "rss_samples": samples, "submissions_sent": sent, "database_grew_by": grew,
        "checks": checks, "machine": run.machine(),
    }
    path = run.OUT / f"soak-{started_at:%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False))
    print(f"\n{total} actions in {args.duration} s ({out['actions_per_s']}/s), {errors} errors")
    for action, figures in sorted(latency.items()):
        print(f"  {action:<16} {figures['count']:>7}  p50 {figures['p50_ms']:>7.1f} ms  "
              f"p99 {figures['p99_ms']:>8.1f} ms")
    print(f"web RSS {early / 1024:.1f} MB (first third) -> {late / 1024:.1f} MB (last third): "
          f"{growth:+.1%}")
    print(f"submissions answered 302: {sent}; database grew by: {grew}")
    for name, ok in checks.items():
        print(f"  {name}: {'ok' if ok else 'FAILED'}")
    if tally.errors:
        print("first errors:\n  " + "\n  ".join(tally.errors[:10]))
    print(f"figures: {path}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
