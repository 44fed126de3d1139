"""Production settings: Django's deployment checklist passes with the documented environment
(docs/operations.md), and the settings refuse to start when a required variable is missing.

Each case runs `manage.py check` in a fresh process, since settings load once per process.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "yingshang.example.gov.cn",
    "DATABASE_URL": "postgres://portal:db-password@db.internal:5432/yingshang",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "DJANGO_EMAIL_URL": "smtp+tls://portal:mail-password@smtp.example.gov.cn:587",
    "PORTAL_BASE_URL": "https://yingshang.example.gov.cn",
}


def manage_check(*args: str, unset: tuple[str, ...] = (), **overrides: str):
    # Nothing from the test run's own environment may leak in (DATABASE_URL, DJANGO_*, ...).
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PORTAL_"))
        and k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    }
    env.update(PRODUCTION_ENV)
    env.update(overrides)
    for name in unset:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_deploy_checklist_is_clean_with_the_documented_production_environment():
    result = manage_check("--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_a_short_secret_key():
    """A guessable key does not even start: production settings refuse it outright."""
    result = manage_check("--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY="change-me")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be at least 50 random characters" in result.stderr


def test_deploy_checklist_fails_on_a_weak_long_secret_key():
    """The check is live: a long key with few distinct characters is reported (W009)."""
    result = manage_check("--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY="a" * 60)

    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage_check(unset=("DJANGO_SECRET_KEY",))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set the DJANGO_SECRET_KEY environment variable" in result.stderr


@pytest.mark.parametrize(
    "variable",
    ["DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "DJANGO_EMAIL_URL", "PORTAL_BASE_URL"],
)
def test_production_refuses_to_start_without_each_required_variable(variable):
    result = manage_check(unset=(variable,))

    assert result.returncode != 0
    assert f"Set the {variable} environment variable" in result.stderr
