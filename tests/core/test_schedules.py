"""Periodic tasks declared in code land in django-celery-beat once; the admin's edits stay."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from portal.celery import app
from portal.core.schedules import declared_periodic_tasks, sync_periodic_tasks
from portal.notifications import tasks as notification_tasks

pytestmark = pytest.mark.django_db

SWEEPER = "notifications: re-queue pending e-mails"


def _snapshot():
    return sorted(PeriodicTask.objects.values(
        "pk", "name", "task", "enabled", "interval_id", "crontab_id", "kwargs", "description",
        "date_changed",
    ), key=lambda row: row["pk"])


def test_migrate_registered_the_outbox_sweeper():
    task = PeriodicTask.objects.get(name=SWEEPER)
    assert task.task == "portal.notifications.tasks.notifications_requeue_pending"
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (60, IntervalSchedule.SECONDS)
    assert task.description


def test_every_declared_task_is_a_registered_celery_task():
    app.loader.import_default_modules()
    for entry in declared_periodic_tasks():
        assert entry["task"] in app.tasks, entry


def test_rows_are_created_once_and_a_second_run_changes_nothing():
    PeriodicTask.objects.all().delete()
    IntervalSchedule.objects.all().delete()

    assert SWEEPER in sync_periodic_tasks()
    first = _snapshot()
    intervals = IntervalSchedule.objects.count()

    assert sync_periodic_tasks() == []
    assert _snapshot() == first
    assert IntervalSchedule.objects.count() == intervals


def test_what_the_department_changed_in_the_admin_is_kept():
    task = PeriodicTask.objects.get(name=SWEEPER)
    task.enabled = False
    task.interval = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    task.save()

    assert sync_periodic_tasks() == []

    task.refresh_from_db()
    assert task.enabled is False
    assert (task.interval.every, task.interval.period) == (5, IntervalSchedule.MINUTES)
    assert PeriodicTask.objects.filter(name=SWEEPER).count() == 1


def test_a_deleted_row_comes_back_at_the_next_run():
    PeriodicTask.objects.filter(name=SWEEPER).delete()
    assert sync_periodic_tasks() == [SWEEPER]
    assert PeriodicTask.objects.get(name=SWEEPER).enabled


def test_crontab_entries_use_the_portal_time_zone(monkeypatch):
    monkeypatch.setattr(notification_tasks, "PERIODIC_TASKS", [
        *notification_tasks.PERIODIC_TASKS,
        {"name": "test: nightly", "task": "portal.notifications.tasks.notifications_requeue_pending",
         "crontab": {"minute": "30", "hour": "2"}, "kwargs": {"dry_run": True},
         "enabled": False},
    ])
    assert sync_periodic_tasks() == ["test: nightly"]
    task = PeriodicTask.objects.get(name="test: nightly")
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("30", "2", "*")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    assert task.kwargs == '{"dry_run": true}'
    assert task.enabled is False
    # the nightly jobs' 02:30 row is shared, not made again (other apps' times are their own)
    assert CrontabSchedule.objects.filter(minute="30", hour="2").count() == 1


@pytest.mark.parametrize("entry, message", [
    ({"name": "x", "task": "t"}, "exactly one"),
    ({"name": "x", "task": "t", "interval_seconds": 60, "crontab": {"minute": "1"}},
     "exactly one"),
    ({"name": "x", "task": "t", "interval_seconds": 0}, "positive integer"),
    ({"name": "x", "task": "t", "interval_seconds": "60"}, "positive integer"),
    ({"name": "x", "task": "t", "crontab": {"minutes": "1"}}, "'crontab' takes"),
    ({"name": "x", "task": "t", "crontab": {"minute": "99"}}, "invalid crontab"),
    ({"name": "", "task": "t", "interval_seconds": 60}, "needs a 'name'"),
    ({"name": "x", "interval_seconds": 60}, "needs a 'task'"),
    ({"name": "x", "task": "t", "interval_seconds": 60, "every": 2}, "unknown keys"),
    ({"name": SWEEPER, "task": "t", "interval_seconds": 60}, "used twice"),
])
def test_a_wrong_declaration_is_refused_clearly(monkeypatch, entry, message):
    monkeypatch.setattr(notification_tasks, "PERIODIC_TASKS",
                        [*notification_tasks.PERIODIC_TASKS, entry])
    before = _snapshot()
    with pytest.raises(ImproperlyConfigured, match=message):
        sync_periodic_tasks()
    assert _snapshot() == before
