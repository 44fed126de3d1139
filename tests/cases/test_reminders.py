"""The deadline scan: reminders at 80 %, at the deadline and at 3×, each sent once even when
the scan runs twice (or concurrently); an overdue case opens one supervision item."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection

from portal.appeals.constants import AppealType
from portal.cases import services
from portal.cases.constants import ReminderMark, Status, SupervisionSource
from portal.cases.models import Case, CaseReminder, SupervisionItem
from portal.notifications.models import Notification
from tests.factories import department_staff, unit_official

from .factories import assigned_case, local_dt, notice_date, submit_case

pytestmark = pytest.mark.django_db


def _scan_twice(at):
    with time_machine.travel(at, tick=False):
        first = services.case_reminders_send_due()
        second = services.case_reminders_send_due()
    return first, second


def _national_day_case(dept, unit, official):
    """A help request signed for on 23 Sep 2026: due 14 Oct; marks 13 Oct 00:00, 15 Oct 00:00,
    12 Nov 00:00 (see test_deadlines)."""
    with time_machine.travel(local_dt(2026, 9, 23, 10, 0), tick=False):
        case = assigned_case(dept, unit, subtype=AppealType.HELP)
        return services.case_sign_for(case=case, actor=official)


def _about(person, case, text):
    return Notification.objects.filter(recipient=person, subject__contains=case.reference,
                                       subject__icontains=text).count()


def test_each_mark_is_sent_once_even_when_the_scan_runs_twice(
        dept, unit, official, django_capture_on_commit_callbacks):
    case = _national_day_case(dept, unit, official)

    assert _scan_twice(local_dt(2026, 10, 12, 23, 59)) == (0, 0)
    assert _about(official, case, "due by") == 0

    # 80 %: Tuesday 13 October 00:00.
    assert _scan_twice(local_dt(2026, 10, 13, 0, 1)) == (1, 0)
    assert _about(official, case, f"is due by {notice_date('2026-10-14')}") == 1
    assert _about(dept, case, "due") == 0
    assert not SupervisionItem.objects.exists()

    # The deadline: the end of 14 October. The unit is told, and a supervision item opens,
    # which the department hears of in one message per scan batch.
    with django_capture_on_commit_callbacks(execute=True):
        assert _scan_twice(local_dt(2026, 10, 15, 0, 1)) == (1, 0)
    assert _about(official, case, "is overdue") == 1
    item = SupervisionItem.objects.get()
    assert (item.source, item.case_id, item.unit) == (SupervisionSource.OVERDUE, case.pk, unit)
    assert Notification.objects.filter(recipient=dept, body__contains=case.reference,
                                       subject="1 overdue case is now under supervision (督办)"
                                       ).count() == 1
    assert Case.objects.get(pk=case.pk).is_supervised

    # 3×: the end of 11 November: the unit and the department.
    assert _scan_twice(local_dt(2026, 11, 12, 0, 1)) == (1, 0)
    assert _about(official, case, "long overdue") == 1
    assert _about(dept, case, "long overdue") == 1
    assert SupervisionItem.objects.count() == 1

    assert list(CaseReminder.objects.filter(case=case).values_list("mark", "skipped")) == [
        (ReminderMark.EARLY, False), (ReminderMark.DUE, False), (ReminderMark.LATE, False)]
    case.refresh_from_db()
    assert case.next_reminder_at is None
    assert _scan_twice(local_dt(2027, 1, 1, 0, 0)) == (0, 0)


def test_a_scan_that_was_away_sends_only_the_latest_mark(dept, unit, official):
    case = _national_day_case(dept, unit, official)
    assert _scan_twice(local_dt(2026, 10, 20, 9, 0)) == (1, 0)
    assert _about(official, case, "is due by") == 0
    assert _about(official, case, "is overdue") == 1
    assert list(CaseReminder.objects.filter(case=case).values_list("mark", "skipped")) == [
        (ReminderMark.EARLY, True), (ReminderMark.DUE, False)]


def test_an_answered_case_gets_no_more_reminders(dept, unit, official):
    case = _national_day_case(dept, unit, official)
    with time_machine.travel(local_dt(2026, 10, 9, 10, 0), tick=False):
        services.case_answer(case=case, actor=official, answer="已办结")
    assert _scan_twice(local_dt(2026, 11, 20, 0, 0)) == (0, 0)
    assert not CaseReminder.objects.exists() and not SupervisionItem.objects.exists()


def test_no_reminder_while_waiting_for_the_enterprise(dept, unit, official):
    case = _national_day_case(dept, unit, official)
    with time_machine.travel(local_dt(2026, 10, 9, 10, 0), tick=False):
        services.case_request_info(case=case, actor=official, question="请补充材料")
    assert _scan_twice(local_dt(2026, 10, 20, 0, 0)) == (0, 0)


def test_an_approved_extension_moves_the_next_mark(dept, unit, official):
    case = _national_day_case(dept, unit, official)
    assert _scan_twice(local_dt(2026, 10, 13, 8, 0)) == (1, 0)  # 80 % sent
    with time_machine.travel(local_dt(2026, 10, 13, 9, 0), tick=False):
        case = services.case_request_extension(case=case, actor=official,
                                               until=datetime.date(2026, 10, 30), reason="现场核查")
        case = services.case_decide_extension(case=case, actor=dept, approve=True)
    assert case.next_reminder_at == local_dt(2026, 10, 31, 0, 0)
    assert _scan_twice(local_dt(2026, 10, 15, 9, 0)) == (0, 0)  # no longer overdue
    assert _scan_twice(local_dt(2026, 10, 31, 0, 1)) == (1, 0)
    assert _about(official, case, f"is overdue: it was due by {notice_date('2026-10-30')}") == 1


def test_a_redo_starts_a_new_cycle_of_reminders(dept, unit, official):
    submitter_case = _national_day_case(dept, unit, official)
    assert _scan_twice(local_dt(2026, 10, 13, 8, 0)) == (1, 0)
    with time_machine.travel(local_dt(2026, 10, 13, 9, 0), tick=False):
        case = services.case_answer(case=submitter_case, actor=official, answer="答复")
        case = services.case_rate(case=case, actor=case.submitter, score=1, comment="未解决")
    # Redo from Tuesday 13 Oct, 10 working days: due Tuesday 27 Oct; 80 % = 00:00 on the
    # 9th working day, Monday 26 Oct.
    assert case.status == Status.REOPENED and case.due_date == datetime.date(2026, 10, 27)
    assert _scan_twice(local_dt(2026, 10, 26, 0, 1)) == (1, 0)
    assert _about(official, case, f"is due by {notice_date('2026-10-27')}") == 1


def test_the_department_is_reminded_to_dispatch(dept):
    # Submitted Monday 2 March 2026 at 09:00, acceptance due Tuesday 3 March: 80 % of one
    # working day is 19:12 on 3 March; the deadline is 00:00 on 4 March.
    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=False):
        case = submit_case()
    assert _scan_twice(local_dt(2026, 3, 3, 19, 0)) == (0, 0)
    assert _scan_twice(local_dt(2026, 3, 3, 19, 13)) == (1, 0)
    assert _about(dept, case, f"must be accepted and assigned by {notice_date('2026-03-03')}") == 1
    assert _scan_twice(local_dt(2026, 3, 4, 0, 1)) == (1, 0)
    assert _about(dept, case, "was not assigned in time") == 1
    assert not SupervisionItem.objects.exists()  # the department supervises itself otherwise


@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_send_each_reminder_once():
    dept = department_staff()
    official = unit_official()
    cases = [_national_day_case(dept, official.unit, official) for _ in range(6)]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def scan():
        try:
            barrier.wait(timeout=10)
            results.append(services.case_reminders_send_due(batch_size=2))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(local_dt(2026, 10, 13, 0, 1), tick=True):
        threads = [threading.Thread(target=scan) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors
    assert sum(results) == 6
    for case in cases:
        assert _about(official, case, "is due by") == 1
    assert CaseReminder.objects.count() == 6
