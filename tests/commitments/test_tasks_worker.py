"""The daily overdue job on a real Celery worker and Redis: queued twice, one supervision item."""

import datetime

import pytest
import time_machine

from policies.commitments import tasks
from policies.commitments.models import ClauseSupervision
from portal.cases.models import SupervisionItem
from portal.core.schedules import declared_periodic_tasks
from portal.notifications.models import Notification
from tests.cases.factories import local_dt
from tests.factories import enterprise_user, unit_official
from tests.fixtures.celery import wait_until

from .factories import commitment


@pytest.mark.django_db(transaction=True)
def test_the_overdue_job_queued_twice_opens_one_item(celery_worker):
    official = unit_official()
    c = commitment(unit=official.unit, due=datetime.date(2026, 11, 30))  # a Monday
    member = enterprise_user(c.enterprise)
    with time_machine.travel(local_dt(2026, 12, 2, 2, 30), tick=True):
        tasks.commitments_scan_overdue.delay()
        tasks.commitments_scan_overdue.delay()
        runs = celery_worker.wait_for_runs("policies.commitments.tasks.commitments_scan_overdue", 2)
    assert [r.state for r in runs] == ["SUCCESS", "SUCCESS"]
    assert sorted(r.retval for r in runs) == [0, 1]
    item = wait_until(lambda: SupervisionItem.objects.first())
    assert item.source == "commitment_overdue" and item.unit == official.unit
    assert SupervisionItem.objects.count() == 1
    assert ClauseSupervision.objects.get().clause == c.clauses.get()
    # The agreement's enterprise is told once, whichever run opened the item.
    assert Notification.objects.filter(recipient=member).count() == 1


def test_the_job_is_declared_for_beat_daily():
    entry = next(
        e
        for e in declared_periodic_tasks()
        if e["task"] == "policies.commitments.tasks.commitments_scan_overdue"
    )
    assert entry["crontab"] == {"minute": "30", "hour": "2"}
