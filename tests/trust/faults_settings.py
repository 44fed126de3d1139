"""Settings for the processes a fault test starts (a Celery worker, a web server): the test
settings, with e-mail to the test's own SMTP server and the timings a test can wait for.

    DJANGO_SETTINGS_MODULE=tests.trust.faults_settings
    FAULTS_SMTP_PORT=...            # the test's SmtpSink (tests/trust/faults_servers.py)
    FAULTS_VISIBILITY_TIMEOUT=...   # seconds before an unacknowledged task is handed out again
    FAULTS_CONN_MAX_AGE=...         # persistent database connections, as in production
    FAULTS_OUTBOX_RETRY_AFTER_SECONDS=...  # the e-mail sweeper's wait (production: 60 s)
"""

import os

from portal.settings.test import *  # noqa: F403

if os.environ.get("FAULTS_SMTP_PORT"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = "127.0.0.1"
    EMAIL_PORT = int(os.environ["FAULTS_SMTP_PORT"])
    EMAIL_TIMEOUT = 60

if os.environ.get("FAULTS_VISIBILITY_TIMEOUT"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "visibility_timeout": int(os.environ["FAULTS_VISIBILITY_TIMEOUT"]),
    }

if os.environ.get("FAULTS_OUTBOX_RETRY_AFTER_SECONDS"):
    PORTAL = {**PORTAL,  # noqa: F405
              "OUTBOX_RETRY_AFTER_SECONDS": int(os.environ["FAULTS_OUTBOX_RETRY_AFTER_SECONDS"])}

if os.environ.get("FAULTS_CONN_MAX_AGE"):
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ["FAULTS_CONN_MAX_AGE"])  # noqa: F405

if os.environ.get("FAULTS_CONN_HEALTH_CHECKS") == "0":  # to see the fault test fail without them
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405
