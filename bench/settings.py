"""Settings of the benchmarked portal: production's, as deployed, with three bench additions.

- `bench.middleware.QueryCountMiddleware` first, reporting SQL queries per request in the
  `X-Bench-Queries` response header;
- `ROOT_URLCONF = "bench.urls"`: the portal's URLs plus the bare-Django baseline view;
- the heavy enterprise of the baseline view (`BENCH_HEAVY_ENTERPRISE_ID`, set by run.py);
- static files collected into `bench/out/static` (whitenoise serves them, as in production).

`bench/run.py` sets the environment production requires (secret key, hosts, database, Redis,
e-mail to nowhere) and `DJANGO_SECURE_SSL_REDIRECT=false`, since the load generator speaks plain
HTTP on the loopback interface (TLS is the reverse proxy's job in production).
"""

from portal.settings.production import *  # noqa: F403
from portal.settings.production import BASE_DIR, MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# Three additions to production's settings:
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
STATIC_ROOT = BASE_DIR / "bench" / "out" / "static"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
BENCH_HEAVY_ENTERPRISE_ID = env.int("BENCH_HEAVY_ENTERPRISE_ID", default=1)  # noqa: F405
# The per-client floor rate limits on forms and API writes (docs/security.md) are off: each
# simulated user files appeals and reports every few seconds, far beyond a person's pace.
PORTAL_FORM_RATE_LIMIT = None
PORTAL_API_SUBMISSION_RATE = None
