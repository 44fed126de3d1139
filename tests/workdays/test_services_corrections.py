"""The department's corrections override the national calendar, at once."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from portal.ledger.models import LedgerEntry
from portal.ledger.services import ledger_payload_digest, ledger_verify
from portal.workdays import calendar
from portal.workdays.models import CalendarDay
from portal.workdays.services import (
    add_working_days,
    calendar_day_change,
    calendar_day_delete,
    calendar_day_set,
    is_working_day,
    working_days_between,
)
from tests.factories import department_staff, enterprise_user, unit_official

from .factories import CalendarDayFactory

pytestmark = pytest.mark.django_db

D = datetime.date
HOLIDAY, WORKDAY = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.WORKDAY


@pytest.fixture
def staff():
    return department_staff()


def test_a_correction_turns_a_working_day_into_a_holiday_at_once(staff):
    # Warm the cache first: the correction must not wait for it to expire.
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)
    calendar_day_set(actor=staff, date=D(2026, 3, 3), kind=HOLIDAY, name="区级防汛停工")
    assert not is_working_day(D(2026, 3, 3))
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 4)
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 6)) == 3


def test_a_correction_turns_a_weekend_day_into_a_working_day_at_once(staff):
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)  # Friday -> Monday
    calendar_day_set(actor=staff, date=D(2026, 3, 7), kind=WORKDAY, name="调休上班")
    assert is_working_day(D(2026, 3, 7))
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 7)


def test_corrections_for_a_year_the_library_does_not_know(staff):
    # The State Council publishes 2027's schedule: the department enters it.
    calendar_day_set(actor=staff, date=D(2027, 1, 1), kind=HOLIDAY, name="元旦")
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_changing_and_removing_a_correction(staff):
    day = calendar_day_set(actor=staff, date=D(2026, 3, 3), kind=HOLIDAY)
    assert not is_working_day(D(2026, 3, 3))
    calendar_day_change(actor=staff, calendar_day=day, date=D(2026, 3, 4), kind=HOLIDAY, name="")
    assert is_working_day(D(2026, 3, 3)) and not is_working_day(D(2026, 3, 4))
    calendar_day_delete(actor=staff, calendar_day=day)
    assert is_working_day(D(2026, 3, 4))
    assert not CalendarDay.objects.exists()


def test_setting_a_date_twice_replaces_the_first_correction(staff):
    calendar_day_set(actor=staff, date=D(2026, 3, 7), kind=WORKDAY)
    calendar_day_set(actor=staff, date=D(2026, 3, 7), kind=HOLIDAY, name="改回休息")
    assert CalendarDay.objects.get().kind == HOLIDAY
    assert not is_working_day(D(2026, 3, 7))


def test_a_correction_can_undo_a_statutory_holiday(staff):
    calendar_day_set(actor=staff, date=D(2026, 10, 7), kind=WORKDAY)
    assert is_working_day(D(2026, 10, 7))
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 7)


def test_every_change_is_recorded_in_the_ledger(staff):
    day = calendar_day_set(actor=staff, date=D(2026, 3, 3), kind=HOLIDAY, name="停工")
    calendar_day_delete(actor=staff, calendar_day=day)
    entries = list(LedgerEntry.objects.filter(object_type="workdays.calendarday"))
    assert [e.action for e in entries] == ["workdays.calendar_day_set",
                                           "workdays.calendar_day_deleted"]
    assert all(e.actor_id == staff.pk and e.object_id == str(day.pk) for e in entries)
    assert entries[0].payload_digest == ledger_payload_digest(
        {"date": D(2026, 3, 3), "kind": "holiday", "name": "停工"})
    assert ledger_verify().ok


@pytest.mark.parametrize("make_user", [enterprise_user, unit_official])
def test_only_department_staff_may_correct_the_calendar(make_user, staff):
    user = make_user()
    with pytest.raises(PermissionDenied):
        calendar_day_set(actor=user, date=D(2026, 3, 3), kind=HOLIDAY)
    day = calendar_day_set(actor=staff, date=D(2026, 3, 4), kind=HOLIDAY)
    with pytest.raises(PermissionDenied):
        calendar_day_change(actor=user, calendar_day=day, date=D(2026, 3, 4), kind=WORKDAY)
    with pytest.raises(PermissionDenied):
        calendar_day_delete(actor=user, calendar_day=day)
    assert list(CalendarDay.objects.values_list("date", "kind")) == [(D(2026, 3, 4), HOLIDAY)]
    assert is_working_day(D(2026, 3, 3))


@pytest.mark.parametrize("kwargs", [
    {"date": None, "kind": HOLIDAY},
    {"date": D(2026, 3, 3), "kind": "half-day"},
    {"date": D(2026, 3, 3), "kind": HOLIDAY, "name": "x" * 101},
])
def test_bad_input_is_refused_and_nothing_is_saved(staff, kwargs):
    with pytest.raises(ValidationError):
        calendar_day_set(actor=staff, **kwargs)
    assert not CalendarDay.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert is_working_day(D(2026, 3, 3))


def test_a_rolled_back_correction_is_forgotten(staff):
    assert is_working_day(D(2026, 3, 3))
    with pytest.raises(RuntimeError), transaction.atomic():
        calendar_day_set(actor=staff, date=D(2026, 3, 3), kind=HOLIDAY)
        assert not is_working_day(D(2026, 3, 3))  # seen inside its own transaction
        raise RuntimeError
    assert is_working_day(D(2026, 3, 3))


def test_a_row_saved_without_the_service_also_takes_effect():
    """Fixtures and data migrations write rows directly; the cache must follow them too."""
    assert is_working_day(D(2026, 3, 3))
    CalendarDayFactory(date=D(2026, 3, 3))
    assert not is_working_day(D(2026, 3, 3))


@pytest.mark.django_db(transaction=True)
def test_another_thread_sees_a_committed_correction(staff):
    seen = {}

    def other_thread():
        try:
            seen["before"] = is_working_day(D(2026, 3, 3))
            ready.set()
            committed.wait(10)
            seen["after"] = is_working_day(D(2026, 3, 3))
        finally:
            connection.close()

    ready, committed = threading.Event(), threading.Event()
    thread = threading.Thread(target=other_thread)
    thread.start()
    ready.wait(10)
    calendar_day_set(actor=staff, date=D(2026, 3, 3), kind=HOLIDAY)
    committed.set()
    thread.join(10)
    assert seen == {"before": True, "after": False}


def test_another_process_sees_a_correction_after_the_refresh_interval(staff, monkeypatch):
    assert is_working_day(D(2026, 3, 3))
    # Another process wrote the row: no signal here. Simulate only that (a raw INSERT).
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO workdays_calendarday (date, kind, name) VALUES (%s, %s, '')",
                       [D(2026, 3, 3), HOLIDAY])
    assert is_working_day(D(2026, 3, 3))  # still cached
    monkeypatch.setattr(calendar, "REFRESH_SECONDS", 0.0)
    assert not is_working_day(D(2026, 3, 3))


@pytest.mark.django_db(transaction=True)
def test_emptying_the_database_forgets_the_corrections(staff):
    """Regression guard: flush (and test teardown) truncates without row signals."""
    from django.core.management import call_command

    calendar_day_set(actor=staff, date=D(2026, 3, 3), kind=HOLIDAY)
    assert not is_working_day(D(2026, 3, 3))
    call_command("flush", interactive=False, verbosity=0)
    assert is_working_day(D(2026, 3, 3))
