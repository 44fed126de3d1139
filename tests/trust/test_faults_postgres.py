"""Faults: PostgreSQL restarted under a running portal (issue 16).

A real web server (gunicorn, persistent database connections as in production:
CONN_MAX_AGE 60) on a PostgreSQL of the test's own, loaded with `manage.py backup` /
`manage.py restore` from the test database (its server's own build when the machine has it:
this machine's PostgreSQL 15 tags every column with a `pg_attver` option that a stock
PostgreSQL refuses on restore). The test stops PostgreSQL, starts it again and
asks the same server for the same pages: no restart of the portal, and no 5xx once the database
is back (CONN_HEALTH_CHECKS replaces a connection the restart broke before a request uses it).
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from portal.core.management.commands._pg import connect, database_config
from tests.cases.factories import submit_case
from tests.factories import enterprise_user

from .faults_servers import ROOT, OwnPostgres, free_port, services, stop_process, wait_for

ROUNDS_AFTER_RECOVERY = 3


@pytest.fixture(scope="module")
def own_postgres(django_db_blocker):
    with django_db_blocker.unblock():
        server = OwnPostgres(connection.pg_version // 10000)
    server.start()
    yield server
    server.remove()


def start_web(database_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin", "HOME": str(log.parent),
        "DJANGO_SETTINGS_MODULE": "tests.trust.faults_settings",
        "DATABASE_URL": database_url, "FAULTS_CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0", "REDIS_URL": "redis://127.0.0.1:1/0",
        "DJANGO_MEDIA_ROOT": str(log.parent / "media"), "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--threads", "1", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=services.die_with_parent,
    )
    base = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return requests.get(f"{base}/healthz", timeout=60).status_code
        except requests.ConnectionError:
            assert process.poll() is None, log.read_text()
            return None

    wait_for(answers, timeout=60, interval=0.2, what="the web server")
    return process, base


def test_postgres_restart_the_portal_serves_again_without_a_restart(
        transactional_db, client, own_postgres, tmp_path):
    user = enterprise_user()
    case = submit_case(user)
    client.force_login(user)
    cookie = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
              "portal_language": "en"}
    dump = tmp_path / "portal.dump"
    call_command("backup", output=str(dump), stdout=io.StringIO())
    call_command("restore", str(dump), database_url=own_postgres.url(), stdout=io.StringIO())
    web, base = start_web(own_postgres.url(), tmp_path / "web.log")
    session = requests.Session()
    session.cookies.update(cookie)
    pages = ["/", reverse("cases:list"), reverse("cases:detail", args=[case.pk]), "/healthz"]

    def statuses():
        return {page: session.get(base + page, timeout=30).status_code for page in pages}

    try:
        assert statuses() == dict.fromkeys(pages, 200)
        assert case.reference in session.get(base + reverse("cases:list")).text

        # A restart between two requests: the web process's persistent connection is broken,
        # and the next request must not be the one that finds out (a 500 without
        # CONN_HEALTH_CHECKS).
        own_postgres.stop()
        own_postgres.start()
        assert statuses() == dict.fromkeys(pages, 200)

        # An outage seen by the load balancer, then recovery.
        own_postgres.stop()
        down = requests.get(base + "/healthz", timeout=30)  # the load balancer's probe
        assert down.status_code == 503 and down.json()["database"]["ok"] is False
        # A reader meanwhile: a page saying so in their language, 503 with Retry-After, no 500.
        page = session.get(base + reverse("cases:list"), timeout=30)
        assert page.status_code == 503 and page.headers.get("Retry-After") == "60"
        assert "The portal is briefly unavailable" in page.text

        own_postgres.start()
        for _ in range(ROUNDS_AFTER_RECOVERY):
            assert statuses() == dict.fromkeys(pages, 200)

        # And it takes submissions again: the appeal is saved in the restarted database.
        new = session.get(base + reverse("cases:new"), timeout=30)
        assert new.status_code == 200
        token = re.search(r'name="form_token" value="([^"]+)"', new.text).group(1)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', new.text).group(1)
        posted = session.post(base + reverse("cases:new"), allow_redirects=False, timeout=30,
                              data={"csrfmiddlewaretoken": csrf, "form_token": token,
                                    "appeal_type": "help", "category": case.category_id,
                                    "title": "After the restart", "description": "Saved?"})
        assert posted.status_code == 302, posted.text[:2000]
        conn = connect(database_config(own_postgres.url()))
        with conn, conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_case WHERE title = 'After the restart'")
            assert cursor.fetchone()[0] == 1
        conn.close()
    finally:
        stop_process(web)
    assert "Internal Server Error" not in (tmp_path / "web.log").read_text()
