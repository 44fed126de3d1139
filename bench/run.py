"""`make bench`: generate (or reuse) the data, start the portal under gunicorn with production
settings, drive each page with wrk on the loopback interface next to a bare-Django baseline
measured in the same run, measure the background jobs, print a table and write
bench/out/results-<date>.json.

    python -m bench.run                       # scale 1.0 (the district), 15 s per page
    python -m bench.run --scale 0.1 --duration 10
    BENCH_SCALE=0.01 make bench

Sessions: created directly in the session store (django.contrib.sessions, the database backend),
one per user, as a completed login leaves them — for staff including the flag the staff-MFA
middleware sets after the TOTP step (`portal_staff_mfa_ok`); the staff users do have real TOTP
authenticators (allauth's own activation, bench/steps/orgs.py). The allauth login flow itself is
not benchmarked.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LUA = ROOT / "bench" / "wrk"
PY = sys.executable


def server_environment(port: int) -> dict:
    """The environment of the benchmarked portal: production settings plus bench.settings."""
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ys_bench")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/6")
    env.setdefault("CELERY_BROKER_URL", env["REDIS_URL"])
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_EMAIL_URL": "dummymail://",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
    })
    return env


@dataclass
class Page:
    key: str
    label: str
    path: str
    who: str  # "anonymous", "enterprise", "official", "staff", or "posters"
    rows: int  # rows the page shows: the baseline renders as many
    enterprise_page: bool = False  # target: >= 0.5 x baseline rps
    admin_queue: bool = False  # target: median < 300 ms
    script: str = "page.lua"
    min_ratio: float = 0.5  # of an enterprise page: issue 4's bar unless a later issue set one
    clients: int = 0  # submit.lua: concurrent clients, each its own session (0: as workers)
    concurrency: bool = False  # a submissions-per-second measure (issue 11), no ratio target


@dataclass
class Result:
    key: str
    label: str
    path: str
    rows: int
    skipped: str = ""
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    queries_min: int | None = None
    queries_max: int | None = None
    baseline_rps: float = 0.0
    ratio: float | None = None
    target: str = ""
    meets_target: bool | None = None
    clients: int = 0  # submission measures: concurrent clients
    filed: int = 0  # 302s: appeals filed
    filed_per_s: float = 0.0
    appeals_before: int | None = None  # cases in the database before and after the run
    appeals_after: int | None = None
    # --rounds: each round's figures (its page run and the baseline run just before it); the
    # figures above are then the medians of these (median_of_rounds)
    rounds: list = field(default_factory=list)


# A round's figures, each reported as the median over the rounds.
ROUND_FIGURES = ("rps", "baseline_rps", "ratio", "p50_ms", "p99_ms", "filed_per_s")


def median_of_rounds(rounds: list[Result], label: str) -> Result:
    """One result for the rounds of a page: each figure of ROUND_FIGURES the median of the
    rounds' (the ratio the median of the rounds' own ratios, each to the baseline measured just
    before its page, not the ratio of two medians); counts summed, query counts the min and max
    over all; every round kept in `rounds`. A round without a figure (skipped) counts for none."""
    measured = [r for r in rounds if not r.skipped and r.requests]
    first = measured[0] if measured else rounds[0]
    result = Result(first.key, label, first.path, first.rows, skipped=first.skipped,
                    clients=first.clients, appeals_before=rounds[0].appeals_before,
                    appeals_after=rounds[-1].appeals_after)
    result.rounds = [{name: getattr(r, name) for name in ROUND_FIGURES}
                     | {"requests": r.requests, "errors": r.errors} for r in rounds]
    if not measured:  # no request completed within its round (a missing page is never measured)
        result.meets_target = first.meets_target
        return result
    for name in ROUND_FIGURES:
        values = [getattr(r, name) for r in measured if getattr(r, name) is not None]
        if values:
            setattr(result, name, round(statistics.median(values), 3 if name == "ratio" else 1))
    result.skipped = ""
    result.requests = sum(r.requests for r in rounds)
    result.errors = sum(r.errors for r in rounds)
    result.filed = sum(r.filed for r in rounds)
    if result.appeals_before is not None:
        result.label = filed_label(result, label)
    statuses: dict = {}
    for r in rounds:
        for code, n in r.statuses.items():
            statuses[code] = statuses.get(code, 0) + n
    result.statuses = statuses
    lows = [r.queries_min for r in measured if r.queries_min is not None]
    highs = [r.queries_max for r in measured if r.queries_max is not None]
    result.queries_min, result.queries_max = (min(lows) if lows else None,
                                              max(highs) if highs else None)
    return result


def summarize(rounds: list[Result], page: Page) -> Result:
    """The page's reported result: the medians of its rounds, judged against its target; a miss
    whenever any round answered nothing in time, whatever the others measured."""
    result = judge(median_of_rounds(rounds, page.label), page)
    if any(r.requests == 0 and r.meets_target is False for r in rounds):
        result.meets_target = False
    return result


def filed_label(result: Result, label: str) -> str:
    """A submission page's label with the appeals its run(s) filed."""
    label += f" — {result.filed} appeals filed"
    late = result.appeals_after - result.appeals_before - result.filed
    if late:  # POSTs in flight when wrk stopped: filed, but their 302 was not counted
        label += f" (+{late} answered after wrk stopped)"
    return label


def judge(result: Result, page: Page) -> Result:
    """Set the page's target and whether `result` (one round, or the medians) meets it."""
    if result.skipped or result.ratio is None:
        return result
    if page.enterprise_page:
        result.target = f">= {page.min_ratio} x baseline"
        result.meets_target = result.ratio >= page.min_ratio
        if page.key == "submit":  # issue 11: and no submission waits long
            result.target += ", p99 < 100 ms"
            result.meets_target = result.meets_target and result.p99_ms < 100
    elif page.admin_queue:
        result.target = "p50 < 300 ms"
        result.meets_target = result.p50_ms < 300
    return result


def pages(info: dict) -> list[Page]:
    return [
        Page("home", "home page (enterprise user)", "/", "enterprise", 20, enterprise_page=True),
        Page("my_cases", f"my cases ({info.get('heavy_case_count', '?')} cases)", "/cases/",
             "enterprise", 20, enterprise_page=True),
        Page("case_detail", f"case detail ({info.get('long_case_events', '?')} public steps)",
             f"/cases/{info.get('long_case_id', 0)}/", "enterprise",
             info.get("long_case_events", 20) or 20, enterprise_page=True),
        Page("case_first_view", "case detail, first view (a different case each request)",
             (info.get("first_view_paths") or ["/cases/0/"])[0], "enterprise",
             info.get("first_view_rows", 7), enterprise_page=True, script="paths.lua",
             min_ratio=0.30),  # issue 11
        Page("submit", "appeal submission (GET form + POST)", "/cases/new/", "submitters", 20,
             enterprise_page=True, script="submit.lua", min_ratio=0.25),  # issue 11
        Page("inbox", "inbox", "/inbox/", "enterprise", 20, enterprise_page=True),
        Page("policies_for_me", f"policies for me ({info.get('policies_in_force', '?')} in force)",
             "/policies/for-me/", "enterprise", info.get("policies_in_force", 5) or 5,
             enterprise_page=True, min_ratio=0.40),  # issue 15: the other enterprise pages' bar
        Page("api_notifications", "API /api/v1/notifications/", "/api/v1/notifications/",
             "enterprise", 50, enterprise_page=True),
        Page("api_cases", "API /api/v1/cases/", "/api/v1/cases/", "enterprise", 50,
             enterprise_page=True),
        Page("admin_queue_unit", "admin queue, one unit (official)", "/admin/cases/case/",
             "official", 50, admin_queue=True),
        Page("admin_queue_department", "admin queue, department (staff)", "/admin/cases/case/",
             "staff", 50, admin_queue=True),
        Page("admin_units", "admin units list (staff)", "/admin/orgs/unit/", "staff", 60,
             admin_queue=True),
        Page("admin_enterprises", "admin enterprises list (staff)", "/admin/orgs/enterprise/",
             "staff", 100, admin_queue=True),
        # Issue 11: appeal submissions per second as clients are added, each client its own
        # session of another enterprise's member (bench/wrk/submit.lua). Run last: they file.
        *(Page(f"submit_{n}", f"appeal submissions, {n} client{'s' if n > 1 else ''}",
               "/cases/new/", "submitters", 20, script="submit.lua", clients=n,
               concurrency=True) for n in SUBMIT_CLIENTS),
    ]


SUBMIT_CLIENTS = (1, 4, 16)
# Each submitting client files as this many people in turn, one appeal each (bench/wrk/
# submit.lua): the portal's form limit lets a person file 60 appeals in 15 minutes, and one
# person filing thousands piled their own copies into the duplicate check's ten-minute window
# (every POST then read them all: 6.6 ms of PostgreSQL at 10,000, a round after another).
SUBMIT_PEOPLE_PER_CLIENT = 32


# --- setup ----------------------------------------------------------------------------------

def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing the Debian package ...", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=False,
                   stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        subprocess.run([*sudo, "apt-get", "update"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=True,
                       stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("could not install wrk (apt-get install wrk)")
    return found


def ensure_database(env: dict) -> None:
    import psycopg2
    from django.db import connection

    params = connection.get_connection_params()
    admin = psycopg2.connect(**{**{k: v for k, v in params.items()
                                   if k in ("user", "password", "host", "port")},
                                "dbname": "postgres"})
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["dbname"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{params["dbname"]}"')
    admin.close()


def ensure_data(scale: float, *, regenerate: bool) -> dict:
    from django.core.management import call_command

    from bench import generate

    call_command("migrate", verbosity=0, interactive=False)
    info = generate.marker()
    if regenerate or info is None or float(info.get("scale", -1)) != scale:
        said = ("an incomplete generation" if info and info.get("incomplete")
                else f"scale {info.get('scale')}" if info else "nothing")
        print(f"generating data at scale {scale} (the marker says {said}) ...", flush=True)
        info = generate.generate(scale=scale, force=True)
    else:
        print(f"reusing the data generated at scale {scale} on {info['generated_at']} "
              f"({info['seconds']} s)", flush=True)
    return info


def bench_facts(info: dict) -> dict:
    """Add what the pages need that the marker does not hold (counts read now)."""
    from portal.cases.kinds import Audience
    from portal.cases.models import Case, CaseEvent, Category

    info = dict(info)
    long_id = info.get("long_case_id")
    info["long_case_events"] = CaseEvent.objects.filter(
        case_id=long_id, audience__sees=Audience.SUBMITTER).count()
    info["long_case_all_events"] = CaseEvent.objects.filter(case_id=long_id).count()
    info["heavy_case_count"] = Case.objects.filter(
        enterprise_id=info["heavy_enterprise_id"]).count()
    # The case page as first seen: every request another case of the heavy enterprise (its
    # timeline not yet in the fragments cache), against a baseline of as many rows as those
    # cases show steps on average.
    first_view = list(Case.objects.filter(enterprise_id=info["heavy_enterprise_id"])
                      .exclude(pk=long_id).order_by("pk").values_list("pk", flat=True))
    info["first_view_paths"] = [f"/cases/{pk}/" for pk in first_view]
    steps = CaseEvent.objects.filter(case__enterprise_id=info["heavy_enterprise_id"],
                                     audience__sees=Audience.SUBMITTER).exclude(case_id=long_id).count()
    info["first_view_rows"] = max(1, round(steps / max(1, len(first_view))))
    info["category_id"] = Category.objects.filter(is_active=True).order_by("position", "code")
    info["category_id"] = info["category_id"].values_list("pk", flat=True).first()
    info["policies_in_force"] = ensure_policies()
    return info


BENCH_POLICIES = 5


def ensure_policies() -> int:
    """Publish BENCH_POLICIES policies in force (once: kept in the bench database), so "policies
    for me" shows what an enterprise meets: some it qualifies for, some that ask a fact. Each
    publish matches every enterprise in one INSERT … SELECT (≈ 7 s at scale 1.0); the notices'
    push is left queued and purged (no worker runs here)."""
    from policies import services
    from policies.models import Policy, PolicyClause, PolicyStatus, PolicyTestCase
    from portal.celery import app
    from portal.orgs.models import Unit

    title = "基准政策 {}"
    have = Policy.objects.filter(title__startswith="基准政策 ", status=PolicyStatus.IN_FORCE)
    if have.count() >= BENCH_POLICIES:
        return have.count()
    unit = Unit.objects.order_by("id").first()
    conditions = [  # eligible when a figure is known; unknown until a qualification is declared
        {"field": "registered_capital", "min": 0, "clause": "第二条"},
        {"any": [{"field": "qualification", "values": ["high-tech"], "clause": "第二条"},
                 {"field": "size", "values": ["micro", "small"], "clause": "第三条"}]},
        {"field": "qualification", "values": ["specialized-sme"], "clause": "第三条"},
    ]
    for n in range(have.count() + 1, BENCH_POLICIES + 1):
        policy = Policy.objects.create(title=title.format(n), unit=unit,
                                       conditions=conditions[n % len(conditions)],
                                       summary="基准测试用政策，用于“我的政策”页面。")
        PolicyClause.objects.create(policy=policy, number="第二条", text="申报条件。")
        PolicyClause.objects.create(policy=policy, number="第三条", text="支持对象。")
        PolicyTestCase.objects.create(policy=policy, name="已知", expected="eligible",
                                      profile={"registered_capital": 500, "size": "small",
                                               "qualifications": ["high-tech",
                                                                  "specialized-sme"]})
        started = time.perf_counter()
        services.policy_publish(policy=policy, by=None)
        print(f"bench policy {n} published (all enterprises matched) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    app.control.purge()
    return Policy.objects.filter(title__startswith="基准政策 ",
                                 status=PolicyStatus.IN_FORCE).count()


def submitter_ids(info: dict,
                  n: int = max(SUBMIT_CLIENTS) * SUBMIT_PEOPLE_PER_CLIENT) -> list[int]:
    """Return `n` users who may file appeals, each of another enterprise (not the heavy one, so
    the appeals they file leave its pages as they were): a submitting client per person, as
    browsers are. Appeal submission locks per submitter, so clients sharing one would queue."""
    from django.contrib.auth import get_user_model

    from portal.cases import permissions

    chosen, enterprises = [], set()
    users = (get_user_model().objects.filter(is_active=True, enterprise__isnull=False)
             .exclude(enterprise_id=info["heavy_enterprise_id"]).order_by("enterprise_id", "id"))
    for user in users[: n * 4].iterator():
        if user.enterprise_id not in enterprises and permissions.is_enterprise_member(user):
            enterprises.add(user.enterprise_id)
            chosen.append(user.pk)
            if len(chosen) == n:
                return chosen
    raise SystemExit(f"the bench data has fewer than {n} enterprise members who may submit")


def count_cases() -> int:
    from django.db import connection

    from portal.cases.models import Case

    count = Case.objects.count()
    connection.close()  # not held open across the load
    return count


# The CSRF secret of every signed-in bench session's cookie (32 characters, as Django makes).
CSRF_SECRET = secrets.token_hex(16)


def make_sessions(info: dict, *, submitters: bool = True) -> dict[str, list[str]]:
    """Return cookie headers per role, one session per user, saved in the session store.

    The submitting clients' people (max(SUBMIT_CLIENTS) * SUBMIT_PEOPLE_PER_CLIENT sessions)
    only when `submitters`: a run that files nothing does not make them."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from portal.accounts.middleware import _SESSION_KEY as STAFF_MFA_OK

    user_model = get_user_model()

    def cookie(user_id: int) -> str:
        user = user_model.objects.get(pk=user_id)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if user.is_staff:
            store[STAFF_MFA_OK] = True  # what the login's TOTP step leaves in the session
        store["portal_language"] = "zh-hans"
        store.create()
        # and the CSRF cookie a browser has kept since its sign-in page (without it every page
        # with a form would make and set a new one, which no browser asks for)
        return f"sessionid={store.session_key}; portal_language=zh-hans; csrftoken={CSRF_SECRET}"

    return {
        "anonymous": [""],
        "enterprise": [cookie(info["enterprise_user_id"])],
        "official": [cookie(info["official_id"])],
        "staff": [cookie(info["staff_id"])],
        "posters": [cookie(uid) for uid in info["poster_ids"]],
        "submitters": [cookie(uid) for uid in submitter_ids(info)] if submitters else [],
    }


def collectstatic(env: dict) -> None:
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                   check=True)
    subprocess.run([PY, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)


def start_server(env: dict, *, port: int, workers: int) -> subprocess.Popen:
    log = open(OUT / "gunicorn.log", "w")  # noqa: SIM115 (lives as long as the server)
    proc = subprocess.Popen([
        str(Path(PY).parent / "gunicorn"), "portal.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--timeout", "120", "--keep-alive", "5", "--log-level", "warning",
    ], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                if r.status == 200:
                    return proc
        except (TimeoutError, urllib.error.URLError, ConnectionError):
            pass
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited: see {OUT / 'gunicorn.log'}")
        time.sleep(0.5)
    stop_server(proc)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def probe(port: int, path: str, cookie: str) -> tuple[int, str]:
    """Return (status, queries header) of one GET, redirects not followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.headers.get("X-Bench-Queries", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("X-Bench-Queries", "")


# --- load -----------------------------------------------------------------------------------

def run_wrk(wrk: str, *, port: int, path: str, script: str, env_extra: dict, duration: int,
            connections: int, threads: int) -> dict:
    env = {**os.environ, "BENCH_LUA_DIR": str(LUA), "BENCH_PATH": path, **env_extra}
    out = subprocess.run([
        wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
        "-s", str(LUA / script), f"http://127.0.0.1:{port}{path}",
    ], env=env, capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line[len("BENCH_JSON "):])
            data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
            return data
    raise RuntimeError(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")


def measure_baseline(rows: int, *, port: int, duration: int, connections: int) -> dict:
    """wrk on the bare-Django baseline of `rows` rows: 2 s warm-up, then `duration` s."""
    path = f"/bench/baseline/{rows}/"
    run_wrk(WRK, port=port, path=path, script="page.lua", env_extra={}, duration=2,
            connections=connections, threads=min(2, connections))
    base = run_wrk(WRK, port=port, path=path, script="page.lua", env_extra={},
                   duration=duration, connections=connections, threads=min(2, connections))
    print(f"baseline {rows:>4} rows: {base['rps']:.1f} req/s, p50 {base['p50_us'] / 1000:.1f} "
          f"ms, {base['queries_max']} queries", flush=True)
    return base


def page_unavailable(page: Page, *, port: int, cookies: dict[str, list[str]]) -> str | None:
    """Why `page` cannot be measured (a missing page, one its user may not open), or None.

    Asked once, before any baseline is run for the page."""
    status, _queries = probe(port, page.path, cookies[page.who][0])
    if status == 404:
        return "404: the page does not exist yet"
    if status != 200:
        return f"HTTP {status} for this user: not measured"
    return None


def measure_page(wrk, page: Page, *, port, cookies, info, duration, connections) -> Result:
    """One round of wrk on `page` (page_unavailable said it answers)."""
    result = Result(page.key, page.label, page.path, page.rows)
    who = cookies[page.who]
    if page.script == "submit.lua":
        # one thread, one connection and one session per client; closed loop (each client
        # sends its next request when the last one is answered)
        people = SUBMIT_PEOPLE_PER_CLIENT
        threads = result.clients = min(page.clients or connections, len(who) // people)
        extra = {f"BENCH_COOKIE_{i}": c for i, c in enumerate(who[:threads * people], start=1)}
        extra["BENCH_PEOPLE"] = str(people)
        extra.update({"BENCH_CSRF": CSRF_SECRET, "BENCH_RUN": f"{time.time():.0f}-{page.key}",
                      "BENCH_CATEGORY": str(info["category_id"])})
        result.appeals_before = count_cases()
        data = run_wrk(WRK, port=port, path=page.path, script=page.script, env_extra=extra,
                       duration=duration, connections=threads, threads=threads)
        result.appeals_after = count_cases()
    else:
        threads = min(2, connections)
        extra = {"BENCH_COOKIE": who[0]}
        if page.script == "paths.lua":
            paths_file = OUT / f"paths-{page.key}.txt"
            paths_file.write_text("\n".join(info["first_view_paths"]) + "\n")
            extra.update({"BENCH_PATHS_FILE": str(paths_file), "BENCH_THREADS": str(threads)})
        run_wrk(WRK, port=port, path=page.path, script=page.script,  # warm-up
                env_extra={**extra, "BENCH_REVERSE": "1"}, duration=2,
                connections=connections, threads=threads)
        data = run_wrk(WRK, port=port, path=page.path, script=page.script,
                       env_extra=extra, duration=duration, connections=connections,
                       threads=threads)
    result.rps = round(data["rps"], 1)
    result.p50_ms = round(data["p50_us"] / 1000, 1)
    result.p99_ms = round(data["p99_us"] / 1000, 1)
    result.requests = data["requests"]
    result.errors = (data["errors_connect"] + data["errors_read"] + data["errors_write"]
                     + data["errors_timeout"])
    result.statuses = data["statuses"]
    result.queries_min, result.queries_max = data["queries_min"], data["queries_max"]
    if page.script == "submit.lua":
        # a submission is a GET of the form and a POST answered by a redirect (302)
        posted = result.filed = data["statuses"].get("302", 0)
        result.filed_per_s = round(posted / (data["duration_us"] / 1e6), 1)
        result.label = filed_label(result, page.label)
        bad = {k: v for k, v in data["statuses"].items() if k not in ("200", "302")}
        result.errors += sum(bad.values())
    else:
        result.errors += sum(v for k, v in data["statuses"].items() if k != "200")
    return result


WRK = ""


# --- background jobs ----------------------------------------------------------------------

def measure_jobs() -> dict:
    from django.apps import apps
    from django.db import connection

    from portal.cases.models import Case, CaseReminder
    from portal.cases.services import case_reminders_send_due
    from portal.ledger.services import ledger_verify
    from portal.notifications.models import Notification

    jobs: dict = {}
    due = Case.objects.filter(next_reminder_at__lte=datetime.datetime.now(datetime.UTC)).count()
    before_n, before_r = Notification.objects.count(), CaseReminder.objects.count()
    t0 = time.perf_counter()
    processed = case_reminders_send_due()
    first = time.perf_counter() - t0
    mid_n, mid_r = Notification.objects.count(), CaseReminder.objects.count()
    t0 = time.perf_counter()
    processed_again = case_reminders_send_due()
    second = time.perf_counter() - t0
    after_n, after_r = Notification.objects.count(), CaseReminder.objects.count()
    jobs["reminder_scan"] = {
        "cases_in_table": Case.objects.count(), "cases_due_before": due,
        "cases_processed": processed, "seconds": round(first, 2),
        "notifications_sent": mid_n - before_n, "reminders_recorded": mid_r - before_r,
        "second_run_seconds": round(second, 3), "second_run_cases": processed_again,
        "second_run_notifications": after_n - mid_n,
        "second_run_reminders": after_r - mid_r,
        "meets_target": first < 30 and after_n == mid_n and after_r == mid_r,
    }
    result = ledger_verify()
    jobs["ledger_verify"] = {"ok": result.ok, "entries": result.checked,
                             "seconds": round(result.seconds, 2),
                             "entries_per_second": round(result.rate),
                             "meets_target": result.ok and result.rate >= 100_000}
    if apps.is_installed("portal.routing"):
        from portal.routing.services import routing_suggest

        cases = list(Case.objects.select_related("category__parent", "enterprise")
                     .order_by("-id")[:200])
        timings = []
        for case in cases:
            t0 = time.perf_counter()
            routing_suggest(case=case)
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        jobs["routing_suggest"] = {"calls": len(timings),
                                   "p50_ms": round(timings[len(timings) // 2], 2),
                                   "p99_ms": round(timings[int(len(timings) * 0.99) - 1], 2)}
    else:
        jobs["routing_suggest"] = {"skipped": "portal.routing is not in INSTALLED_APPS yet"}
    connection.close()
    return jobs


# --- report ---------------------------------------------------------------------------------

def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    mem_kb = next((int(line.split()[1]) for line in open("/proc/meminfo")
                   if line.startswith("MemTotal")), 0)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "")
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "postgresql": pg, "python": sys.version.split()[0],
            "load_average_at_start": os.getloadavg()}


def print_table(results: list[Result], jobs: dict) -> None:
    head = (f"{'page':<52} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'x base':>7} "
            f"{'queries':>8}  target")
    print("\n" + head + "\n" + "-" * len(head))
    for r in results:
        if r.skipped:
            print(f"{r.label[:52]:<52} skipped: {r.skipped}")
            continue
        q = (f"{r.queries_min}" if r.queries_min == r.queries_max
             else f"{r.queries_min}-{r.queries_max}")
        ratio = f"{r.ratio:.3f}" if r.ratio is not None else "-"
        flag = {True: "ok", False: "MISSED", None: ""}[r.meets_target]
        print(f"{r.label[:52]:<52} {r.rps:>8.1f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {ratio:>7} "
              f"{q:>8}  {r.target} {flag}" + (f"  ({r.errors} errors)" if r.errors else ""))
    repeated = [r for r in results if len(r.rounds) > 1 and not r.skipped]
    if repeated:
        print(f"\nmedians of {len(repeated[0].rounds)} rounds; each round's x baseline "
              f"(its page run / the baseline run just before it) and p99 ms:")
        for r in repeated:
            print(f"{r.label[:52]:<52} " + "  ".join(
                f"{x['ratio']:.3f}/{x['p99_ms']:.0f}" if x["ratio"] is not None else "-"
                for x in r.rounds))
    clients = [r for r in results if r.clients and not r.skipped]
    if clients:
        print(f"\n{'appeal submissions (GET form + POST)':<38} {'req/s':>8} {'filed/s':>8} "
              f"{'p50 ms':>8} {'p99 ms':>8} {'filed':>6}  cases before -> after")
        for r in clients:
            print(f"{r.clients:>3} client{'s' if r.clients > 1 else ' '}{'':<27} {r.rps:>8.1f} "
                  f"{r.filed_per_s:>8.1f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.filed:>6}  "
                  f"{r.appeals_before:,} -> {r.appeals_after:,}"
                  + (f"  ({r.errors} errors)" if r.errors else ""))
    if not jobs:
        return
    scan, verify, routing = jobs["reminder_scan"], jobs["ledger_verify"], jobs["routing_suggest"]
    print(f"\nreminder scan over {scan['cases_in_table']:,} cases: {scan['cases_processed']:,} "
          f"due, {scan['seconds']} s, {scan['notifications_sent']:,} notifications; second run: "
          f"{scan['second_run_cases']} cases, {scan['second_run_notifications']} notifications "
          f"({scan['second_run_seconds']} s)  target < 30 s and nothing twice: "
          f"{'ok' if scan['meets_target'] else 'MISSED'}")
    print(f"ledger verification: {verify['entries']:,} entries in {verify['seconds']} s = "
          f"{verify['entries_per_second']:,}/s ({'intact' if verify['ok'] else 'BROKEN'})  "
          f"target >= 100,000/s: {'ok' if verify['meets_target'] else 'MISSED'}")
    if "skipped" in routing:
        print(f"routing suggestion: skipped ({routing['skipped']})")
    else:
        print(f"routing suggestion: p50 {routing['p50_ms']} ms, p99 {routing['p99_ms']} ms "
              f"over {routing['calls']} cases")


def main(argv=None) -> int:
    global WRK
    parser = argparse.ArgumentParser(description="Benchmark the portal (make bench).")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 1.0)))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 15)),
                        help="seconds per page (default 15)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn sync workers (default: the number of CPUs)")
    parser.add_argument("--connections", type=int, default=0,
                        help="wrk connections (default: as many as workers)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated page keys")
    parser.add_argument("--skip-jobs", action="store_true")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure each page this many times, each time just after its "
                             "baseline, and report the medians (docs/performance.md)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    connections = args.connections or args.workers

    env = server_environment(args.port)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    OUT.mkdir(parents=True, exist_ok=True)
    WRK = ensure_wrk()
    ensure_database(env)
    info = bench_facts(ensure_data(args.scale, regenerate=args.regenerate))
    env["BENCH_HEAVY_ENTERPRISE_ID"] = str(info["heavy_enterprise_id"])
    collectstatic(env)
    selected = [p for p in pages(info) if not args.only or p.key in args.only.split(",")]
    cookies = make_sessions(info, submitters=any(p.script == "submit.lua" for p in selected))
    from django.db import connection

    connection.close()
    started_at = datetime.datetime.now().astimezone()
    mach = machine()
    proc = start_server(env, port=args.port, workers=args.workers)
    results: list[Result] = []
    try:
        baselines: dict[int, list[dict]] = {}
        for page in selected:
            unavailable = page_unavailable(page, port=args.port, cookies=cookies)
            if unavailable:
                result = Result(page.key, page.label, page.path, page.rows, skipped=unavailable)
                print(f"  {result.label}: {unavailable}", flush=True)
                results.append(result)
                continue
            rounds = []
            for n in range(1, args.rounds + 1):
                # The baseline of the page's row count, measured just before the page: a shared
                # host's speed drifts over minutes, and the ratio compares the two
                base = measure_baseline(page.rows, port=args.port, duration=args.duration,
                                        connections=connections)
                baselines.setdefault(page.rows, []).append(base)
                result = measure_page(WRK, page, port=args.port, cookies=cookies, info=info,
                                      duration=args.duration, connections=connections)
                result.baseline_rps = round(base["rps"], 1)
                if not result.skipped and result.requests == 0:
                    result.skipped = (f"no request completed within {args.duration} s "
                                      f"(each took longer): target missed")
                    result.meets_target = False
                if not result.skipped and base["rps"]:
                    result.ratio = round(result.rps / base["rps"], 3)
                judge(result, page)
                round_label = f" (round {n} of {args.rounds})" if args.rounds > 1 else ""
                print(f"  {result.label}{round_label}: " + (result.skipped or
                      f"{result.rps} req/s, p50 {result.p50_ms} ms, p99 {result.p99_ms} ms, "
                      f"x{result.ratio} (baseline {result.baseline_rps} req/s), queries "
                      f"{result.queries_min}-{result.queries_max}"
                      + (f"; {result.filed_per_s} filed/s, cases {result.appeals_before:,} -> "
                         f"{result.appeals_after:,}" if result.clients else "")),
                      flush=True)
                rounds.append(result)
                if result.skipped:  # slower than a round: not again
                    break
            results.append(summarize(rounds, page))
    finally:
        stop_server(proc)
    jobs = {} if args.skip_jobs else measure_jobs()
    print_table(results, jobs)
    report = {
        "date": started_at.isoformat(timespec="seconds"), "scale": args.scale,
        "duration_per_page_s": args.duration, "gunicorn_workers": args.workers,
        "wrk_connections": connections, "machine": mach,
        "data": {k: info.get(k) for k in ("generated_at", "seconds", "timings", "counts",
                                          "heavy_case_count", "long_case_id",
                                          "long_case_events", "long_case_all_events",
                                          "open_cases", "overdue_cases")},
        "rounds": args.rounds,
        # every baseline run, by row count, in the order measured (one before each page round)
        "baselines": {str(k): [{"rps": round(v["rps"], 1), "p50_ms": v["p50_us"] / 1000,
                                "p99_ms": v["p99_us"] / 1000, "queries": v["queries_max"]}
                               for v in runs]
                      for k, runs in sorted(baselines.items())},
        "pages": [asdict(r) for r in results], "jobs": jobs,
    }
    path = OUT / f"results-{started_at:%Y-%m-%d-%H%M}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    print(f"\nwritten: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
