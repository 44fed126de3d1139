"""Test settings: real PostgreSQL and Redis (see conftest.py), fast hashing, in-memory mail."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default="/tmp/yingshang-test-media")  # noqa: S108
# Tests use their own Redis database so a developer's running portal is left alone.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default="redis://127.0.0.1:6379/15"))
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The floor rate limit on page forms is off: many tests post dozens of forms as one client.
# tests/trust/test_web_hardening.py turns it on.
PORTAL_FORM_RATE_LIMIT = None
PORTAL_API_SUBMISSION_RATE = None
