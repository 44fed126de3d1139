"""Settings shared by every environment; values come from the environment (django-environ).

Production secrets have no default here: `production.py` refuses to start without them.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal.core",
    "portal.accounts",
    "portal.core.apps.PortalAdminConfig",  # django.contrib.admin with the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's widget templates, for FORM_RENDERER below
    # third party
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "pgtrigger",
    "csp",
    # core domain
    "portal.orgs",
    "portal.ledger",
    "portal.workdays",
    "portal.notifications",
    "portal.cases",
    "portal.appeals",
    "portal.routing",
    # feature apps
    "complaints",
    "policies",
    "policies.commitments",  # 履约: commitments kept (Art. 3 ¶3)
    "observers",
    "evaluation",
    "rewards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's UserSessionsMiddleware, writing "last seen" every few minutes, not every request
    "portal.accounts.middleware.UserSessionActivityMiddleware",
    "portal.accounts.middleware.StaffMFARequiredMiddleware",
    # After authentication: counts a signed-in person's forms by account (portal/core/ratelimit.py)
    "portal.core.ratelimit.FormRateLimitMiddleware",
]
# Every page form: at most this many POSTs per client per window (limit, seconds); None: off.
PORTAL_FORM_RATE_LIMIT = (60, 15 * 60)
# Every write through the API: at most this many per client ("number/s|m|h|d"); None: off.
PORTAL_API_SUBMISSION_RATE = "30/min"

ROOT_URLCONF = "portal.urls"
CSRF_FAILURE_VIEW = "portal.core.views.csrf_failure"
# Every form (pages, allauth, admin widgets) drawn from templates/forms/: error summary, messages
# tied to their fields, "Enter ..." / "Choose ..." instead of "This field is required."
FORM_RENDERER = "portal.core.forms.PortalFormRenderer"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.core.context_processors.site",
                "portal.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/yingshang"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

# The cache holds rate-limit counters and short-lived page fragments. It lives in the
# database so that login keeps working (and keeps throttling) when Redis is away.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
    },
    # Rendered fragments of pages, in each web process's memory, under keys that name the
    # version of the data they show (so a change is a new key, never a stale hit): a case's
    # timeline, keyed by its last step. docs/performance.md.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "portal-fragments",
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    # Each signed-in user's permission set, in each web process's memory, under the version
    # their row carries (accounts/backends.py): one query less on every signed-in page.
    "permissions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "portal-permissions",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}

AUTH_USER_MODEL = "accounts.User"
# allauth's sign-in; a user's permissions (own and their roles') read in one query
AUTHENTICATION_BACKENDS = ["portal.accounts.backends.PortalBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # read by nothing; forms carry the token

# django-allauth: e-mail is the login; every address is verified.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_ADAPTER = "portal.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "portal.orgs.forms.EnterpriseSignupForm"}
# The issue asks that an e-mail already in use is told plainly at sign-up; the rate limits
# below keep address probing slow (docs/security.md).
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[营商环境政企通] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Yingshang Portal"
USERSESSIONS_TRACK_ACTIVITY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Dates in each language's own way (portal/formats: the one place; templates name a format)
FORMAT_MODULE_PATH = ["portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="noreply@yingshang.example.gov.cn")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis as broker. Publishing never blocks a request for long: if the broker is
# away the row that needs the work is already saved and a sweeper re-queues it later.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker waits for Redis as long as it is away, trying every 2 s (portal.celery.Consumer).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CONSUMER = "portal.celery:Consumer"
# When the worker loses Redis, a running task finishes and commits (docs/adr/0004, 8): its ack
# is lost, so the message comes back after the visibility timeout and finds its work done. Celery
# 6 will cancel such tasks instead; an e-mail cancelled after the mail server accepted it but
# before its row was marked sent would go out twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_PUBLISH_RETRY = False
# A request publishes once and gives up at once when Redis is away (issue 16: it used to retry
# for the whole 2 s connection timeout, twice per appeal): no retries while connecting
# (max_retries 0), a 100 ms connect timeout for a Redis that does not answer at all. Workers
# and beat keep retrying on their own (portal/celery.py). visibility_timeout: a task whose
# worker died unacknowledged is handed out again after this long; it is longer than the
# longest countdown a task sets (the e-mail backoff caps at one hour).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.1, "socket_timeout": 5, "max_retries": 0,
    "visibility_timeout": 2 * 3600,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "portal.core.api.schema.PortalAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "portal.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min"},
    # Every write through the API, per client: PORTAL_API_SUBMISSION_RATE (issue 16).
    "DEFAULT_THROTTLE_CLASSES": ["portal.core.api.throttling.SubmissionRateThrottle"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Yingshang Portal API",
    "DESCRIPTION": "营商环境政企通 — enterprise appeals, policies, supervision and open data.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"CaseStatusEnum": "portal.cases.constants.Status",
                            "PolicyStatusEnum": "policies.models.PolicyStatus"},
    # Every refusal documented, links between operations (portal/core/api/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "portal.core.api.schema.add_links"],
}

# Content Security Policy: every asset is ours; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

PORTAL = {
    "SITE_NAME": _("Yingshang Portal"),
    # The portal's public address, for links in e-mails.
    "BASE_URL": env("PORTAL_BASE_URL", default="http://127.0.0.1:8000"),
    # How long a pending notification e-mail waits before the sweeper re-queues it.
    "OUTBOX_RETRY_AFTER_SECONDS": 60,
    "OUTBOX_MAX_ATTEMPTS": 5,  # then the e-mail is marked failed
    "OUTBOX_RETRY_BACKOFF_SECONDS": 60,  # doubles each try, capped at 1 h
}

# Commitments (履约): a commitment made to every enterprise counts a fulfilment disputed, and the
# department supervises (督办) it, once this many distinct enterprises dispute the same
# fulfilment; an agreement's own party disputes alone (docs/adr/0014).
COMMITMENTS_PUBLIC_DISPUTES_TO_DISPUTE = 3
