"""The working day a pending clause falls due on (`Clause.falls_due_on`, stored when the
commitment is saved in the admin) follows the department's corrections of the working-day
calendar, so the overdue scan and the rate page count from the corrected day.

Regression: the day was stored only when the commitment was saved; a holiday added later on a
clause's due day left it due that day, so the rate page counted it overdue (and the scan picked
it) while the office was closed and the next working day had not come."""

import datetime
import re

import pytest
import time_machine

from policies.commitments import services
from policies.commitments.models import Clause
from portal.cases.models import SupervisionItem
from portal.ledger.models import LedgerEntry
from portal.workdays import calendar
from portal.workdays import services as workdays
from portal.workdays.models import CalendarDay
from portal.workdays.signals import calendar_changed
from tests.cases.factories import local_dt
from tests.factories import department_staff, unit_official
from tests.totp import login

from .factories import commitment

pytestmark = pytest.mark.django_db

D = datetime.date
FRIDAY, SATURDAY, SUNDAY, MONDAY = (
    D(2026, 11, 20),
    D(2026, 11, 21),
    D(2026, 11, 22),
    D(2026, 11, 23),
)


def figures(html: str, code: str) -> dict[str, str]:
    """The figures the rate page shows for one unit."""
    card = html.split(f'id="unit-{code}"')[1].split("</section>")[0]
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', card))


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.invalidate()
    yield
    calendar.invalidate()


def test_a_holiday_added_in_the_admin_on_the_due_day_moves_it_to_the_next_working_day(
    client, django_capture_on_commit_callbacks
):
    official = unit_official()
    clause = commitment(unit=official.unit, due=FRIDAY).clauses.get()
    assert clause.falls_due_on == FRIDAY
    with time_machine.travel(local_dt(2026, 11, 16, 9, 0), tick=False):
        login(client, department_staff())
        with django_capture_on_commit_callbacks(execute=True):
            added = client.post(
                "/admin/workdays/calendarday/add/",
                {"date": "2026-11-20", "kind": "holiday", "name": "台风停工"},
            )
    assert added.status_code == 302, added.content.decode()
    clause.refresh_from_db()
    assert clause.falls_due_on == MONDAY
    assert LedgerEntry.objects.filter(
        action="commitments.falls_due_moved", object_id=str(clause.pk)
    ).exists()
    client.logout()
    with time_machine.travel(local_dt(2026, 11, 23, 2, 30), tick=False):
        assert services.clause_overdue_ids() == []
        assert services.clauses_scan_overdue() == 0
        rates = figures(client.get("/commitments/rates/").content.decode(), official.unit.code)
    assert (rates["overdue"], rates["not_due"]) == ("0", "1")
    with time_machine.travel(local_dt(2026, 11, 24, 2, 30), tick=False):
        assert services.clause_overdue_ids() == [clause.pk]
        assert services.clauses_scan_overdue() == 1
        rates = figures(client.get("/commitments/rates/").content.decode(), official.unit.code)
    assert rates["overdue"] == "1"
    assert SupervisionItem.objects.get().case == Clause.objects.get(pk=clause.pk).case


def test_a_make_up_working_day_changed_or_deleted_moves_the_day_each_time(
    django_capture_on_commit_callbacks,
):
    staff = department_staff()
    clause = commitment(due=SATURDAY).clauses.get()
    assert clause.falls_due_on == MONDAY

    def falls_due_after(change):
        with django_capture_on_commit_callbacks(execute=True):
            result = change()
        clause.refresh_from_db()
        return clause.falls_due_on, result

    day, made_up = falls_due_after(
        lambda: workdays.calendar_day_set(actor=staff, date=SATURDAY, kind="workday")
    )
    assert day == SATURDAY  # the office opens on the due day itself
    day, _ = falls_due_after(
        lambda: workdays.calendar_day_change(
            actor=staff, calendar_day=made_up, date=SUNDAY, kind="workday"
        )
    )
    assert day == SUNDAY  # the Saturday is off again; the Sunday is worked
    day, _ = falls_due_after(
        lambda: workdays.calendar_day_delete(
            actor=staff, calendar_day=CalendarDay.objects.get(date=SUNDAY)
        )
    )
    assert day == MONDAY
    assert LedgerEntry.objects.filter(action="commitments.falls_due_moved").count() == 3


def test_a_kept_clause_and_one_never_stored_are_left_as_they_are(
    django_capture_on_commit_callbacks,
):
    """A clause kept keeps the day it was judged against (on time or late); a clause written
    outside the admin has no stored day and is worked out at each use."""
    official = unit_official()
    pending = commitment(unit=official.unit, due=FRIDAY).clauses.get()
    kept = commitment(unit=official.unit, due=FRIDAY).clauses.get()
    never_stored = commitment(unit=official.unit, due=FRIDAY, stored_day=False).clauses.get()
    with time_machine.travel(local_dt(2026, 11, 19, 10, 0), tick=False):
        services.fulfilment_record(actor=official, clause=kept, note="已拨付", files=[])
    with django_capture_on_commit_callbacks(execute=True):
        workdays.calendar_day_set(actor=department_staff(), date=FRIDAY, kind="holiday")
    days = dict(Clause.objects.values_list("pk", "falls_due_on"))
    assert days == {pending.pk: MONDAY, kept.pk: FRIDAY, never_stored.pk: None}
    assert LedgerEntry.objects.filter(action="commitments.falls_due_moved").count() == 1


@pytest.mark.django_db(transaction=True)  # real commits, as the admin's requests make them
def test_corrections_deleted_together_in_the_admin_move_the_clauses_in_one_pass(client):
    """Regression: the admin's "delete selected" deleted each correction in its own
    transaction, each announcing calendar_changed, so N corrections deleted made N passes over
    the pending clauses. Now one transaction, one announcement, one pass."""
    staff = department_staff()
    typhoon = [
        workdays.calendar_day_set(actor=staff, date=day, kind="holiday", name="台风停工")
        for day in (FRIDAY, MONDAY, D(2026, 11, 24))
    ]
    due_friday = commitment(due=FRIDAY).clauses.get()
    due_saturday = commitment(due=SATURDAY).clauses.get()
    assert (due_friday.falls_due_on, due_saturday.falls_due_on) == (D(2026, 11, 25),) * 2
    passes = []

    def counted(sender, **kwargs):
        passes.append(sender)

    calendar_changed.connect(counted, dispatch_uid="tests.commitments.counted")
    try:
        login(client, staff)
        response = client.post(
            "/admin/workdays/calendarday/",
            {
                "action": "delete_selected",
                "post": "yes",
                "_selected_action": [day.pk for day in typhoon],
            },
        )
    finally:
        calendar_changed.disconnect(dispatch_uid="tests.commitments.counted")
    assert response.status_code == 302, response.content.decode()
    assert not CalendarDay.objects.exists()
    assert passes == [CalendarDay]  # the commitments listener ran once, not three times
    days = dict(Clause.objects.values_list("pk", "falls_due_on"))
    assert days == {due_friday.pk: FRIDAY, due_saturday.pk: MONDAY}
    moved = LedgerEntry.objects.filter(action="commitments.falls_due_moved")
    assert sorted(moved.values_list("object_id", flat=True)) == sorted(
        [str(due_friday.pk), str(due_saturday.pk)]
    )
    assert LedgerEntry.objects.filter(action="workdays.calendar_day_deleted").count() == 3
