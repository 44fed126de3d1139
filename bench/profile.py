"""Time one page in-process, through the same WSGI application gunicorn serves, and profile it.

    python -m bench.profile my_cases                 # mean and best ms per request
    python -m bench.profile my_cases --profile 30    # and cProfile's top 30 (own time)
    python -m bench.profile baseline --rows 20       # the bare-Django baseline
    python -m bench.profile my_cases --queries       # the SQL of one request, each timed
    python -m bench.profile my_cases --queries --explain  # and each SELECT's plan
    python -m bench.profile my_cases --cold          # no cached fragment: a first visit
    python -m bench.profile case_first_view          # walks the heavy enterprise's cases
    python -m bench.profile submit --profile 30      # GET the appeal form, POST it (files one)
    python -m bench.profile submit_post --queries    # only the POSTs timed, profiled, printed
    python -m bench.profile submit_get --cpu --profile 30  # only the form's GET (no filing)

Page keys are those of `bench.run.pages()` plus `baseline`. It runs against the bench database
(BENCH_DATABASE_URL, as `make bench`) with the bench settings, signed in as `make bench` signs in,
so what it shows is the per-request Python a page costs without HTTP and the load generator:
the number to shrink when a page's ratio to the baseline falls short (docs/performance.md).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import os
import pstats
import sys
import time


def _setup() -> None:
    from bench.run import server_environment

    # the bench database, as `make bench`, whatever DATABASE_URL the shell has for tests
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ys_bench")
    os.environ.update(server_environment(port=8000))
    import django

    django.setup()


def _environ(path: str, cookie: str, *, body: bytes = b"") -> dict:
    path, _, query = path.partition("?")
    post = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded"} if body else {}
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, **post,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1", "HTTP_COOKIE": cookie, "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "bench.profile", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
    }


def _print_queries(request, *, explain: bool = False) -> None:
    """Run one request and print its queries, each with the time it took in the database;
    with `explain`, each SELECT's whole SQL and its plan (EXPLAIN ANALYZE, run after it)."""
    from django.db import connection

    selects = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            print(f"{(time.perf_counter() - started) * 1000:6.2f} ms  {sql[:160]}")
            if explain and sql.lstrip().upper().startswith("SELECT"):
                selects.append((sql, params))

    with connection.execute_wrapper(timed):
        request()
    with connection.cursor() as cursor:
        for sql, params in selects:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            print(f"\n{cursor.mogrify(sql, params).decode()}")
            print("\n".join(f"    {row[0]}" for row in cursor.fetchall()))


class _Submitter:
    """File appeals as bench/wrk/submit.lua does: GET the form (its one-time token), POST it
    with the CSRF token of the session's cookie; a filed appeal is a 302. Each appeal is the
    next person's of `cookies`, in turn (one person's own filings would pile up in the duplicate
    check's ten-minute window: bench/run.py, SUBMIT_PEOPLE_PER_CLIENT). With `post_only`,
    the GET runs outside what is timed and profiled (`wrap` is applied to the POST only)."""

    def __init__(self, application, cookies: list[str], csrf: str, category: int) -> None:
        self.application, self.people, self.csrf = application, itertools.cycle(cookies), csrf
        self.cookie = next(self.people)
        self.category, self.n, self.run = category, 0, str(int(time.time()))

    def _call(self, environ) -> tuple[str, bytes]:
        status = []
        body = b"".join(self.application(environ, lambda s, h, *a: status.append(s)))
        return status[0], body

    def form(self) -> str:
        import re

        status, body = self._call(_environ("/cases/new/", self.cookie))
        found = re.search(rb'name="form_token"[^>]*?value="([^"]+)"', body)
        if not status.startswith("200") or not found:
            raise SystemExit(f"/cases/new/: {status}, no form token")
        return found.group(1).decode()

    def post(self, token: str) -> None:
        from urllib.parse import urlencode

        self.n += 1
        tag = f"{self.run}-{os.getpid()}-{self.n}"
        body = urlencode({
            "csrfmiddlewaretoken": self.csrf, "form_token": token, "appeal_type": "inquiry",
            "category": self.category, "title": f"压测诉求 {tag}：厂房租金补贴申报进度咨询",
            "description": "我司位于科学城，于上月提交了厂房租金补贴申报材料，至今未收到审核结果。"
                           f"请问目前办理进度如何，预计何时可以拨付？编号 {tag}",
            "subject_unit": ""}).encode()
        status, _ = self._call(_environ("/cases/new/", self.cookie, body=body))
        if not status.startswith("302"):
            raise SystemExit(f"POST /cases/new/: {status}, not filed")
        self.cookie = next(self.people)


def key_is_submit(page: str) -> bool:
    return page in ("submit", "submit_post")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="a key of bench.run.pages(), or 'baseline'")
    parser.add_argument("--rows", type=int, default=20, help="rows of the baseline")
    parser.add_argument("-n", type=int, default=300, help="requests per batch (5 batches)")
    parser.add_argument("--profile", type=int, default=0, metavar="TOP",
                        help="print cProfile's TOP functions by own time")
    parser.add_argument("--sort", default="tottime", help="cProfile order: tottime, cumulative")
    parser.add_argument("--cpu", action="store_true",
                        help="profile by the process's CPU time, not wall time (leaves out the "
                             "waits for PostgreSQL and for the cores: the steadier split on a "
                             "shared machine)")
    parser.add_argument("--callers", action="append", default=[], metavar="PATTERN",
                        help="with --profile: who calls the functions matching PATTERN "
                             "(pstats' print_callers; may be given more than once)")
    parser.add_argument("--callees", action="append", default=[], metavar="PATTERN",
                        help="with --profile: what the functions matching PATTERN call "
                             "(pstats' print_callees; may be given more than once)")
    parser.add_argument("--cold", action="store_true",
                        help="empty the fragments cache before each request (a cache miss)")
    parser.add_argument("--explain", action="store_true",
                        help="with --queries: each SELECT's SQL and EXPLAIN ANALYZE plan")
    parser.add_argument("--queries", action="store_true",
                        help="print the SQL of one request, with each query's time")
    args = parser.parse_args(argv)
    _setup()

    from django.core.cache import caches

    from bench import generate, run
    from portal.wsgi import application

    run.OUT.mkdir(exist_ok=True)
    run.collectstatic(dict(os.environ))  # the pages' templates name the manifest's files
    info = run.bench_facts(generate.marker() or {})
    if args.page == "baseline":
        path, who = f"/bench/baseline/{args.rows}/", "anonymous"
    else:
        key = "submit" if args.page in ("submit_post", "submit_get") else args.page
        page = {p.key: p for p in run.pages(info)}.get(key)
        if page is None:
            parser.error("unknown page")
        path, who = page.path, page.who
    # The first view walks its paths, a different case each request, as its wrk script does.
    if args.page == "case_first_view" and not info.get("first_view_paths"):
        parser.error("the bench data names no first-view cases: run make bench once")
    walk = itertools.cycle(info["first_view_paths"] if args.page == "case_first_view"
                           else [path])
    cookies = run.make_sessions(info)[who]
    cookie = cookies[0]
    submitter = (_Submitter(application, cookies, run.CSRF_SECRET, info["category_id"])
                 if key_is_submit(args.page) else None)

    def request() -> None:
        if submitter is not None:
            if args.page == "submit_post":  # the GET neither timed nor profiled
                if profiling:
                    profiling[0].disable()
                wall, cpu_time = time.perf_counter(), time.process_time()
                token = submitter.form()
                excluded[0] += time.perf_counter() - wall
                excluded[1] += time.process_time() - cpu_time
                if profiling:
                    profiling[0].enable()
            else:
                token = submitter.form()
            submitter.post(token)
            return
        if args.cold:  # every fragment rendered again: the page as a first visit shows it
            caches["fragments"].clear()
        status, path = [], next(walk)
        body = application(_environ(path, cookie), lambda s, h, *a: status.append(s))
        b"".join(body)
        if not status[0].startswith("200"):
            raise SystemExit(f"{path}: {status[0]}")

    excluded, profiling = [0.0, 0.0], []  # (wall, CPU) seconds of untimed GETs; the profiler
    for _ in range(20):  # warm up: URLs, templates, translations, connections
        request()
    if args.queries:
        _print_queries(request, explain=args.explain)
    batches, cpu = [], []
    for _ in range(5):
        excluded[:] = [0.0, 0.0]
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(args.n):
            request()
        batches.append((time.perf_counter() - started - excluded[0]) / args.n * 1000)
        cpu.append((time.process_time() - cpu_started - excluded[1]) / args.n * 1000)
    # The process's CPU time is the steadier figure on a shared machine: it leaves out the
    # waits for PostgreSQL (and for other processes' turns on the cores).
    print(f"{args.page} {path}: best {min(batches):.2f} ms, mean "
          f"{sum(batches) / len(batches):.2f} ms per request; Python CPU best "
          f"{min(cpu):.2f} ms ({args.n} x 5)")
    if args.profile:
        profiler = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
        profiling.append(profiler)
        profiler.enable()
        for _ in range(args.n):
            request()
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        stats.print_stats(args.profile)
        for pattern in args.callers:
            stats.print_callers(pattern)
        for pattern in args.callees:
            stats.print_callees(pattern)
    return 0


if __name__ == "__main__":
    sys.exit(main())
