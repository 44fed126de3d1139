"""Periodic tasks declared in code, kept in django-celery-beat where the department edits them.

An app declares its periodic work in its `tasks.py`::

    PERIODIC_TASKS = [
        {"name": "notifications: re-queue pending e-mails",
         "task": "portal.notifications.tasks.notifications_requeue_pending",
         "interval_seconds": 60},
        {"name": "cases: deadline scan", "task": "portal.cases.tasks.cases_scan_deadlines",
         "crontab": {"minute": "*/5"}},
    ]

Each entry has a unique `name`, the Celery `task` name, and exactly one schedule:
`interval_seconds` or `crontab` (keys `minute`, `hour`, `day_of_week`, `day_of_month`,
`month_of_year`; unset ones mean "*"). Optional: `description`, `kwargs` (a dict),
`enabled` (default True).

`sync_periodic_tasks()` runs after every migrate. It creates the rows that are missing and
leaves every existing row alone, so what the department changed in the admin (enabled,
schedule, arguments) stays as they set it. Renaming an entry therefore creates a new row; the
old one is left for the department to delete.
"""

from __future__ import annotations

import json
import logging
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import translation

logger = logging.getLogger(__name__)

CRONTAB_FIELDS = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")
_KNOWN_KEYS = {"name", "task", "interval_seconds", "crontab", "description", "kwargs", "enabled"}


def declared_periodic_tasks() -> list[dict]:
    """Return every installed app's `tasks.PERIODIC_TASKS` entries, checked."""
    declared: list[dict] = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.tasks"
        try:
            if find_spec(module_name) is None:
                continue
        except ModuleNotFoundError:
            continue
        for entry in getattr(import_module(module_name), "PERIODIC_TASKS", []):
            _check(entry, module_name)
            declared.append(entry)
    names = [entry["name"] for entry in declared]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ImproperlyConfigured(f"PERIODIC_TASKS names used twice: {', '.join(duplicates)}")
    return declared


def _check(entry: dict, where: str) -> None:
    if not isinstance(entry, dict):
        raise ImproperlyConfigured(f"{where}.PERIODIC_TASKS entries must be dicts: {entry!r}")
    unknown = set(entry) - _KNOWN_KEYS
    if unknown:
        raise ImproperlyConfigured(f"{where}.PERIODIC_TASKS {entry.get('name')!r}: unknown "
                                   f"keys {sorted(unknown)}")
    for key in ("name", "task"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ImproperlyConfigured(f"{where}.PERIODIC_TASKS entry needs a {key!r}: {entry!r}")
    has_interval = "interval_seconds" in entry
    if has_interval == ("crontab" in entry):
        raise ImproperlyConfigured(f"{where}.PERIODIC_TASKS {entry['name']!r} needs exactly one "
                                   "of 'interval_seconds' and 'crontab'")
    if has_interval:
        seconds = entry["interval_seconds"]
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds <= 0:
            raise ImproperlyConfigured(f"{where}.PERIODIC_TASKS {entry['name']!r}: "
                                       "'interval_seconds' must be a positive integer")
    else:
        crontab = entry["crontab"]
        if not isinstance(crontab, dict) or not crontab or set(crontab) - set(CRONTAB_FIELDS):
            raise ImproperlyConfigured(f"{where}.PERIODIC_TASKS {entry['name']!r}: 'crontab' "
                                       f"takes some of {CRONTAB_FIELDS}")


def _interval(seconds: int, using: str):
    from django_celery_beat.models import IntervalSchedule

    schedule = IntervalSchedule.objects.using(using).filter(
        every=seconds, period=IntervalSchedule.SECONDS,
    ).order_by("pk").first()
    if schedule is None:
        schedule = IntervalSchedule(every=seconds, period=IntervalSchedule.SECONDS)
        schedule.full_clean()
        schedule.save(using=using)
    return schedule


def _crontab(spec: dict, using: str):
    from django_celery_beat.models import CrontabSchedule

    values = {field: str(spec.get(field, "*")) for field in CRONTAB_FIELDS}
    tz = getattr(settings, "CELERY_TIMEZONE", None) or settings.TIME_ZONE
    schedule = CrontabSchedule.objects.using(using).filter(
        **values, timezone=tz,
    ).order_by("pk").first()
    if schedule is None:
        schedule = CrontabSchedule(**values, timezone=tz)
        try:
            schedule.full_clean()
        except Exception as exc:
            raise ImproperlyConfigured(f"invalid crontab {spec!r}: {exc}") from exc
        schedule.save(using=using)
    return schedule


def sync_periodic_tasks(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Create the declared periodic tasks that do not exist yet; return the names created.

    Existing rows (matched by name) are never changed, whatever the department did to them.
    """
    from django_celery_beat.models import PeriodicTask

    declared = declared_periodic_tasks()
    created: list[str] = []
    with transaction.atomic(using=using):
        existing = set(PeriodicTask.objects.using(using).filter(
            name__in=[entry["name"] for entry in declared],
        ).values_list("name", flat=True))
        for entry in declared:
            if entry["name"] in existing:
                continue
            task = PeriodicTask(
                name=entry["name"],
                task=entry["task"],
                kwargs=json.dumps(entry.get("kwargs", {})),
                enabled=entry.get("enabled", True),
            )
            if "description" in entry:
                # Stored text, read by the department: write it in the site's language.
                with translation.override(settings.LANGUAGE_CODE):
                    task.description = str(entry["description"])
            if "interval_seconds" in entry:
                task.interval = _interval(entry["interval_seconds"], using)
            else:
                task.crontab = _crontab(entry["crontab"], using)
            task.full_clean(validate_unique=False)
            task.save(using=using)
            created.append(entry["name"])
    if created:
        logger.info("created periodic tasks: %s", ", ".join(created))
    return created


def sync_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver (connected for the core app only, so it runs once a migrate)."""
    if "django_celery_beat_periodictask" not in connections[using].introspection.table_names():
        return  # a partial migrate that has not reached django-celery-beat yet
    sync_periodic_tasks(using=using)
