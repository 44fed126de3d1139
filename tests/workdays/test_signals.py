"""Other apps hear of a calendar correction once it commits (`signals.calendar_changed`), reading
the corrected calendar, and once per transaction however many corrections it made; a correction
rolled back tells nobody, and a listener that fails neither undoes the correction nor fails the
department's request nor silences the other listeners."""

import datetime

import pytest
from django.db import transaction

from portal.workdays.models import CalendarDay
from portal.workdays.services import calendar_day_delete, calendar_day_set, is_working_day
from portal.workdays.signals import calendar_changed
from tests.factories import department_staff

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def heard():
    calls = []

    def listener(sender, **kwargs):
        calls.append((sender, is_working_day(D(2026, 3, 3))))

    calendar_changed.connect(listener, dispatch_uid="tests.workdays.heard")
    yield calls
    calendar_changed.disconnect(dispatch_uid="tests.workdays.heard")


def test_a_correction_is_announced_after_it_commits(heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(actor=department_staff(), date=D(2026, 3, 3), kind="holiday")
        assert heard == []  # not before the commit
    assert heard == [(CalendarDay, False)]  # once, and the listener reads the holiday


def test_a_correction_rolled_back_is_not_announced(heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            calendar_day_set(actor=department_staff(), date=D(2026, 3, 3), kind="holiday")
            raise RuntimeError
    assert heard == []
    assert is_working_day(D(2026, 3, 3))


def test_a_failing_listener_leaves_the_correction_made_and_the_others_told(
    django_capture_on_commit_callbacks,
):
    heard = []

    def broken(sender, **kwargs):
        raise RuntimeError("listener failed")

    def listener(sender, **kwargs):
        heard.append(sender)

    calendar_changed.connect(broken, dispatch_uid="tests.workdays.broken")
    calendar_changed.connect(listener, dispatch_uid="tests.workdays.after_broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            calendar_day_set(actor=department_staff(), date=D(2026, 3, 3), kind="holiday")
    finally:
        calendar_changed.disconnect(dispatch_uid="tests.workdays.broken")
        calendar_changed.disconnect(dispatch_uid="tests.workdays.after_broken")
    assert heard == [CalendarDay]
    assert CalendarDay.objects.filter(date=D(2026, 3, 3)).exists()
    assert not is_working_day(D(2026, 3, 3))


def test_several_corrections_in_one_transaction_are_announced_once(
    heard, django_capture_on_commit_callbacks
):
    """Regression: each saved or deleted row queued its own calendar_changed, so a transaction
    changing N corrections made every listener recompute N times."""
    staff = department_staff()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        calendar_day_set(actor=staff, date=D(2026, 3, 3), kind="holiday")
        calendar_day_set(actor=staff, date=D(2026, 3, 4), kind="holiday")
        calendar_day_delete(actor=staff, calendar_day=CalendarDay.objects.get(date=D(2026, 3, 4)))
    assert heard == [(CalendarDay, False)]
    # The next transaction is announced again.
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(actor=staff, date=D(2026, 3, 3), kind="workday")
    assert heard == [(CalendarDay, False), (CalendarDay, True)]


def test_a_change_after_a_rolled_back_savepoint_is_still_announced(
    heard, django_capture_on_commit_callbacks
):
    """The first change queued the announcement inside a savepoint that rolled back, dropping
    it: the change made after it must queue its own."""
    staff = department_staff()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            calendar_day_set(actor=staff, date=D(2026, 3, 4), kind="holiday")
            raise RuntimeError
        calendar_day_set(actor=staff, date=D(2026, 3, 3), kind="holiday")
    assert heard == [(CalendarDay, False)]
    assert is_working_day(D(2026, 3, 4))


def test_a_change_inside_a_released_savepoint_is_announced_once(
    heard, django_capture_on_commit_callbacks
):
    staff = department_staff()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with transaction.atomic():
            calendar_day_set(actor=staff, date=D(2026, 3, 4), kind="holiday")
        calendar_day_set(actor=staff, date=D(2026, 3, 3), kind="holiday")
    assert heard == [(CalendarDay, False)]


@pytest.mark.django_db(transaction=True)
def test_one_real_commit_announces_once_and_the_next_commit_again(heard):
    """With real commits (no test transaction around them), as the admin's requests run."""
    staff = department_staff()
    with transaction.atomic():
        calendar_day_set(actor=staff, date=D(2026, 3, 3), kind="holiday")
        calendar_day_set(actor=staff, date=D(2026, 3, 4), kind="holiday")
        assert heard == []
    assert heard == [(CalendarDay, False)]
    calendar_day_set(actor=staff, date=D(2026, 3, 3), kind="workday")
    assert heard == [(CalendarDay, False), (CalendarDay, True)]
