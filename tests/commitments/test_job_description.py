"""The department reads what the daily overdue job does in the admin (Periodic tasks): that it
first repairs the clauses' stored working days, then sends the overdue ones to supervision.

Regression: the description said only the second half, though clauses_scan_overdue has moved
stale stored days (left by a failed calendar_changed listener) first since 97d77e1."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django_celery_beat.models import PeriodicTask

from tests.factories import department_staff
from tests.totp import login

pytestmark = pytest.mark.django_db

NAME = "commitments: overdue clauses to supervision"
NEW = (
    "先按工作日历更正每项尚未兑现的承诺事项的到期工作日（修复日历调整时未能随之更正的日期），"
    "再将已过到期工作日仍未兑现的承诺事项转入督办，每项只转一次。"
)
OLD = "将已过期限（节假日顺延至下一个工作日）仍未兑现的承诺事项转入督办，每项只转一次。"

reworded = importlib.import_module("policies.commitments.migrations.0007_overdue_job_description")


def test_department_staff_read_in_the_admin_that_the_job_repairs_stored_days(client):
    task = PeriodicTask.objects.get(name=NAME)
    login(client, department_staff())
    page = client.get(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")
    assert page.status_code == 200
    assert NEW in page.content.decode()


def _run_migration():
    with connection.schema_editor() as editor:
        reworded.reword(apps, editor)


def test_a_row_made_before_the_new_wording_is_reworded_in_its_language():
    PeriodicTask.objects.filter(name=NAME).update(description=OLD)
    _run_migration()
    assert PeriodicTask.objects.get(name=NAME).description == NEW
    for old, new in reworded.REWORDED.items():  # zh-hans, zh-hant, en
        PeriodicTask.objects.filter(name=NAME).update(description=old)
        _run_migration()
        assert PeriodicTask.objects.get(name=NAME).description == new


def test_a_description_the_department_wrote_itself_is_kept():
    PeriodicTask.objects.filter(name=NAME).update(description="每晚两点半执行，勿停用。")
    _run_migration()
    assert PeriodicTask.objects.get(name=NAME).description == "每晚两点半执行，勿停用。"
