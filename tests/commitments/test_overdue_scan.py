"""The daily overdue scan selects, in SQL, the pending clauses whose stored day of falling due
(`Clause.falls_due_on`, written when the commitment is saved in the admin) is past: not one due
today or later, not one kept, and each told once. It first moves stored days the calendar no
longer gives (a missed calendar_changed pass), so it selects on the corrected day."""

import datetime

import pytest
import time_machine

from policies.commitments import services
from policies.commitments.models import Clause
from portal.cases.models import SupervisionItem
from portal.ledger.models import LedgerEntry
from portal.notifications.models import Notification
from tests.cases.factories import local_dt
from tests.factories import enterprise_user, unit_official

from .factories import commitment

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 18)  # a Wednesday
NOW = local_dt(2026, 11, 18, 2, 30)  # when the job runs


def _saved_in_admin(c):
    """Store each clause's day of falling due, as the admin does on save."""
    services.commitment_record_saved(actor=unit_official(unit=c.unit), commitment=c, created=True)
    return c


def test_a_clause_fallen_due_yesterday_is_found_one_due_today_or_later_is_not():
    official = unit_official()
    past = _saved_in_admin(commitment(unit=official.unit, due=TODAY - datetime.timedelta(days=1)))
    today = _saved_in_admin(commitment(unit=official.unit, due=TODAY))
    future = _saved_in_admin(commitment(unit=official.unit, due=TODAY + datetime.timedelta(days=1)))
    for c in (past, today, future):
        clause = c.clauses.get()
        assert clause.falls_due_on == clause.due_date  # working days: stored as they are
    member = enterprise_user(past.enterprise)
    with time_machine.travel(NOW, tick=False):
        assert services.clause_overdue_ids() == [past.clauses.get().pk]
        assert services.clauses_scan_overdue() == 1
        assert services.clauses_scan_overdue() == 0  # told once
        assert services.clause_overdue_ids() == []
    item = SupervisionItem.objects.get()
    assert item.case == past.clauses.get().case and item.source == "commitment_overdue"
    assert Notification.objects.filter(recipient=member).count() == 1
    for c in (today, future):
        assert c.clauses.get().case is None


def test_the_stored_day_after_a_holiday_decides_not_the_due_date():
    """Due Saturday 3 October 2026, in the National Day holiday: stored as falling due on
    Thursday 8 October, so on that day the clause is not yet late, on the 9th it is."""
    official = unit_official()
    c = _saved_in_admin(commitment(unit=official.unit, due=datetime.date(2026, 10, 3)))
    clause = c.clauses.get()
    assert clause.falls_due_on == datetime.date(2026, 10, 8)
    with time_machine.travel(local_dt(2026, 10, 8, 2, 30), tick=False):
        assert services.clause_overdue_ids() == []
        assert services.clauses_scan_overdue() == 0
    with time_machine.travel(local_dt(2026, 10, 9, 2, 30), tick=False):
        assert services.clause_overdue_ids() == [clause.pk]
        assert services.clauses_scan_overdue() == 1


def test_a_clause_kept_before_it_fell_due_is_not_found():
    official = unit_official()
    c = _saved_in_admin(commitment(unit=official.unit, due=TODAY - datetime.timedelta(days=7)))
    with time_machine.travel(local_dt(2026, 11, 10, 10, 0), tick=False):
        services.fulfilment_record(actor=official, clause=c.clauses.get(), note="已办", files=[])
    with time_machine.travel(NOW, tick=False):
        assert services.clause_overdue_ids() == []
        assert services.clauses_scan_overdue() == 0
    assert not SupervisionItem.objects.exists()


def test_a_clause_without_a_stored_day_still_falls_due_on_the_working_day():
    """A clause written outside the admin (falls_due_on empty): its due date moved past holidays
    decides, as before the day was stored."""
    official = unit_official()
    c = commitment(unit=official.unit, due=datetime.date(2026, 10, 3), stored_day=False)
    clause = c.clauses.get()
    assert clause.falls_due_on is None
    with time_machine.travel(local_dt(2026, 10, 8, 2, 30), tick=False):
        assert services.clause_overdue_ids() == []
    with time_machine.travel(local_dt(2026, 10, 9, 2, 30), tick=False):
        assert services.clause_overdue_ids() == [clause.pk]


def test_the_selection_is_one_query(django_assert_num_queries):
    official = unit_official()
    for n in range(5):
        _saved_in_admin(commitment(unit=official.unit, due=TODAY - datetime.timedelta(days=n + 1)))
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(1):
        ids = services.clause_overdue_ids()
    assert sorted(ids) == sorted(Clause.objects.values_list("pk", flat=True))


def _stale(clause, day):
    """The stored day as a missed pass of calendar_changed leaves it (the listener failed)."""
    Clause.objects.filter(pk=clause.pk).update(falls_due_on=day)


def test_the_scan_first_repairs_a_stored_day_left_late_and_finds_the_clause_overdue():
    """Due Tuesday 17 November, a working day, but stored as Thursday 19 (as if a holiday on
    the 17th and 18th had been deleted and the commitments listener had failed): the scan moves
    the day back to the 17th first, so on the 18th the clause is overdue and supervised."""
    official = unit_official()
    c = _saved_in_admin(commitment(unit=official.unit, due=datetime.date(2026, 11, 17)))
    clause = c.clauses.get()
    _stale(clause, datetime.date(2026, 11, 19))
    with time_machine.travel(NOW, tick=False):
        assert services.clauses_scan_overdue() == 1
    clause.refresh_from_db()
    assert clause.falls_due_on == datetime.date(2026, 11, 17)
    assert SupervisionItem.objects.get().case == clause.case
    assert LedgerEntry.objects.filter(
        action="commitments.falls_due_moved", object_id=str(clause.pk)
    ).count() == 1


def test_the_scan_first_repairs_a_stored_day_left_early_and_waits_for_the_working_day():
    """Due Wednesday 18 November, stored as Monday 16 (stale the other way): the scan moves it to
    the 18th, so on the 18th nothing is overdue; on the 19th the scan supervises it."""
    official = unit_official()
    c = _saved_in_admin(commitment(unit=official.unit, due=TODAY))
    clause = c.clauses.get()
    _stale(clause, datetime.date(2026, 11, 16))
    with time_machine.travel(NOW, tick=False):
        assert services.clauses_scan_overdue() == 0
        clause.refresh_from_db()
        assert clause.falls_due_on == TODAY
        assert services.clause_overdue_ids() == []
    assert not SupervisionItem.objects.exists()
    with time_machine.travel(local_dt(2026, 11, 19, 2, 30), tick=False):
        assert services.clauses_scan_overdue() == 1
    assert SupervisionItem.objects.get().case == Clause.objects.get(pk=clause.pk).case
