"""Web hardening (issue 16): `check --deploy` clean under the production settings (secure
cookies, HSTS, SSL redirect among its checks); a Content Security Policy without inline
scripts, and no page carrying an inline script, an on* handler or a javascript: link; CSRF on
every POST; rate limits on sign-in, receipt codes, every page form and every API write."""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.urls import URLResolver, get_resolver

from portal.cases.models import Case
from tests.cases.factories import CategoryFactory
from tests.factories import enterprise_user
from tests.totp import login
from tests.trust.matrix_world import build_matrix_world
from tests.trust.test_permission_matrix import NO_POST, concrete, url_patterns

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
# Views Django sees as csrf_exempt, and why that is safe. DRF's APIView exempts itself and
# enforces CSRF in SessionAuthentication for every request signed in by a session (a token
# request carries no ambient cookie); the live test below proves both.
CSRF_EXEMPT_JUSTIFIED = {"api:*": "DRF: SessionAuthentication enforces CSRF",
                         "schema": "DRF view, read-only", "api-docs": "read-only page",
                         "api-redoc": "read-only page"}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()   # every rate limit counts in the default cache
    yield
    cache.clear()


def test_check_deploy_is_clean_under_the_production_settings():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.production",
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
           "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
           "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x"),
           "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
           "DJANGO_EMAIL_URL": "smtp://127.0.0.1:25", "PORTAL_BASE_URL": "https://portal.example.cn"}
    script = (
        "import django, json; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
        "from django.conf import settings as s\n"
        "print(json.dumps({k: getattr(s, k) for k in ('SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', "
        "'SESSION_COOKIE_HTTPONLY', 'DEBUG', 'LANGUAGE_COOKIE_SECURE')}))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout + done.stderr
    values = json.loads(done.stdout.strip().splitlines()[-1])
    assert values == {"SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
                      "SECURE_HSTS_SECONDS": 31536000, "SECURE_SSL_REDIRECT": True,
                      "SESSION_COOKIE_HTTPONLY": True, "DEBUG": False,
                      "LANGUAGE_COOKIE_SECURE": True}


def test_the_content_security_policy_allows_no_inline_script(client, db):
    directives = django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for name in ("default-src", "script-src", "script-src-elem", "script-src-attr"):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(directives.get(name, []))
    assert directives["script-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    header = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in header and "unsafe-inline" not in header
    assert "frame-ancestors 'none'" in header
    # The API docs' own script comes from a URL of ours, which the policy allows.
    script = client.get("/api/docs/?script")
    assert script.status_code == 200 and "javascript" in script["Content-Type"]
    assert "SwaggerUIBundle" in script.content.decode()


class _InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and value and \
                    value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
        data_block = attrs.get("type", "").lower() in ("application/json", "application/ld+json")
        self._in_inline_script = tag == "script" and "src" not in attrs and not data_block

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}…")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.found


def test_no_template_carries_inline_script_or_handlers():
    templates = [p for p in ROOT.glob("**/templates/**/*.html")
                 if ".venv" not in p.parts and "node_modules" not in p.parts]
    assert len(templates) > 20
    found = {str(p.relative_to(ROOT)): inline_code(p.read_text())
             for p in templates}
    assert {p: f for p, f in found.items() if f} == {}


def test_no_rendered_page_carries_inline_script_or_handlers(db):
    """Every page of the URL configuration as three roles, admin pages included."""
    world = build_matrix_world()
    pages = 0
    problems = {}
    for role in ("anonymous", "enterprise_a", "complaint_desk"):
        client = Client()
        client.cookies["portal_language"] = "en"
        if world.users[role] is not None:
            login(client, world.users[role])
        for route, name in url_patterns():
            path = concrete(route, name, world)
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            found = inline_code(response.content.decode())
            if found:
                problems[(role, path)] = found
    assert pages > 150
    assert problems == {}


def _callbacks(patterns=None, namespace=None):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _callbacks(p.url_patterns, ns)
        else:
            name = p.name and (f"{namespace}:{p.name}" if namespace else p.name)
            yield name or str(p.pattern), p.callback


def test_no_view_is_csrf_exempt_without_a_reason():
    from fnmatch import fnmatch

    views = list(_callbacks())
    assert len(views) > 300
    exempt = [name for name, callback in views if getattr(callback, "csrf_exempt", False)
              and not any(fnmatch(name, p) for p in CSRF_EXEMPT_JUSTIFIED)]
    assert exempt == []


def test_every_post_without_a_csrf_token_is_refused(db):
    """Signed in by session, a POST without the token is refused everywhere (pages, admin and
    API alike), before the view runs."""
    world = build_matrix_world()
    for role in ("enterprise_a", "complaint_desk"):
        client = Client(enforce_csrf_checks=True)
        client.cookies["portal_language"] = "en"
        login(client, world.users[role])
        accepted = []
        # Following a report by its receipt code signs nobody in and reads no session
        # (authentication_classes = []): no ambient authority for a forged POST to use.
        no_session = {"api:complaints-follow"}
        for route, name in url_patterns():
            if name in NO_POST or name in no_session:
                continue
            path = concrete(route, name, world)
            response = client.post(path, {})
            if response.status_code != 403:
                accepted.append((path, response.status_code))
        assert accepted == [], role
        # Still signed in: the refusals were CSRF's, not a lost session.
        assert client.get("/api/v1/me/").status_code == 200


def test_sign_in_is_rate_limited(client, db):
    user = enterprise_user()
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
        assert response.status_code == 200
    refused = client.post("/accounts/login/", {"login": user.email,
                                                "password": "correct-horse-battery"})
    assert "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_receipt_codes_are_rate_limited(client, db):
    from tests.complaints.factories import report

    _complaint, code = report()
    reference = _complaint.reference
    for _ in range(5):
        client.post("/complaints/follow/", {"reference": reference, "code": "WRONG-CODE-0000"})
    page = client.post("/complaints/follow/", {"reference": reference, "code": code})
    assert "Too many attempts" in page.content.decode()
    assert page.status_code in (200, 429)


def test_every_page_form_shares_a_floor_rate_limit(client, db, settings):
    settings.PORTAL_FORM_RATE_LIMIT = (3, 900)
    login(client, enterprise_user())
    category = CategoryFactory()
    # Three forms of different pages count together.
    assert client.post("/inbox/preferences/", {}).status_code in (200, 302)
    assert client.post("/cases/new/", {}).status_code == 200          # refused input
    assert client.post("/prefs/text-size/", {"size": "large"}).status_code in (200, 302)
    token = client.get("/cases/new/").context["form_token"]
    refused = client.post("/cases/new/", {
        "form_token": token, "appeal_type": "help", "category": category.pk,
        "title": "厂房消防验收排期太久", "description": "已提交两个月仍未安排验收。"})
    assert refused.status_code == 429
    assert "Too many attempts. Please wait 15 minutes" in refused.content.decode()
    assert not Case.objects.exists()
    # Another person is not limited by this one's count.
    other = Client()
    login(other, enterprise_user())
    assert other.post("/inbox/preferences/", {}).status_code in (200, 302)


def test_every_api_write_is_rate_limited(db, settings):
    settings.PORTAL_API_SUBMISSION_RATE = "2/min"
    user = enterprise_user()
    client = Client()
    login(client, user)
    codes = [client.post("/api/v1/cases/", {"type": "help"}).status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    assert client.get("/api/v1/cases/").status_code == 200     # reads are not counted
    assert client.post("/api/v1/cases/", {}).status_code == 429
