"""Development settings: `make run`. DEBUG on, console e-mail, a fixed throwaway key.

The database and Redis: DATABASE_URL / REDIS_URL from the environment or .env, else those of
the `make run` that is running (portal/settings/running.py). With neither, PORTAL_DATABASE_FROM
is None and manage.py says how to start the portal instead of failing to connect.
"""

from pathlib import Path

from .running import adopt_running_portal

PORTAL_DATABASE_FROM = adopt_running_portal(Path(__file__).resolve().parent.parent.parent)

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-not-for-production-use")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
