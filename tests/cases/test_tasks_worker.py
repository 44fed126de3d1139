"""The deadline scan and auto-close as Celery tasks on a real worker and Redis."""

import pytest
import time_machine

from portal.appeals.constants import AppealType
from portal.cases import services, tasks
from portal.cases.constants import ReminderMark, Status, SupervisionSource
from portal.cases.models import Case, CaseReminder, SupervisionItem
from portal.notifications.models import Notification
from tests.factories import department_staff, enterprise_user, unit_official
from tests.fixtures.celery import wait_until

from .factories import assigned_case, local_dt

# Restore the reference data (industries, roles) that the worker tests' flush removes.
worker_db = pytest.mark.django_db(transaction=True)


@worker_db
def test_overdue_escalates_once_through_the_worker_even_when_queued_twice(celery_worker):
    dept = department_staff()
    official = unit_official()
    with time_machine.travel(local_dt(2026, 9, 23, 10, 0), tick=False):
        case = assigned_case(dept, official.unit, subtype=AppealType.HELP)
        case = services.case_sign_for(case=case, actor=official)  # due 14 October 2026
    # 15 October, 09:00: past the deadline (the 80 % mark of 13 October passed unseen).
    with time_machine.travel(local_dt(2026, 10, 15, 9, 0), tick=True):
        tasks.case_deadline_scan.delay()
        tasks.case_deadline_scan.delay()
        runs = celery_worker.wait_for_runs("portal.cases.tasks.case_deadline_scan", 2)
    assert [r.state for r in runs] == ["SUCCESS", "SUCCESS"]
    assert sorted(r.retval for r in runs) == [0, 1]
    item = wait_until(lambda: SupervisionItem.objects.filter(case=case).first())
    assert item.source == SupervisionSource.OVERDUE and item.unit == official.unit
    assert Notification.objects.filter(recipient=official, subject__contains="is overdue").count() == 1
    assert Notification.objects.filter(recipient=dept, subject__contains="under supervision",
                                       body__contains=case.reference).count() == 1
    assert list(CaseReminder.objects.filter(case=case).values_list("mark", "skipped")) == [
        (ReminderMark.EARLY, True), (ReminderMark.DUE, False)]


@worker_db
def test_auto_close_runs_on_the_worker(celery_worker):
    dept = department_staff()
    official = unit_official()
    submitter = enterprise_user()
    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=False):
        case = assigned_case(dept, official.unit, submitter=submitter)
        case = services.case_sign_for(case=case, actor=official)
        services.case_answer(case=case, actor=official, answer="答复")
    with time_machine.travel(local_dt(2026, 3, 11, 9, 0), tick=True):
        tasks.case_auto_close.delay()
        tasks.case_auto_close.delay()
        runs = celery_worker.wait_for_runs("portal.cases.tasks.case_auto_close", 2)
    assert sorted(r.retval for r in runs) == [0, 1]
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED


def test_periodic_tasks_are_declared_for_beat():
    names = {entry["task"] for entry in tasks.PERIODIC_TASKS}
    assert names == {"portal.cases.tasks.case_deadline_scan", "portal.cases.tasks.case_auto_close"}
    assert all(entry["interval_seconds"] <= 3600 for entry in tasks.PERIODIC_TASKS)
