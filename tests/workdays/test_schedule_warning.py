"""The calendar warns people, not only the log (issue 12): while this year or the coming one
has no State Council holiday schedule in the calendar library and no correction entered,
department staff see it on the admin's work desk and the calendar pages."""

import datetime

import pytest
import time_machine

from portal.workdays import calendar, selectors
from portal.workdays.services import calendar_day_set
from tests.factories import department_staff, unit_official
from tests.totp import login

pytestmark = pytest.mark.django_db

LAST_KNOWN = calendar.LIBRARY_YEARS.stop - 1  # the library's last year (2026 with 1.11)
UNKNOWN = LAST_KNOWN + 1
WARNING = f"The State Council's holiday schedule for {UNKNOWN} is not in the working-day calendar"


def test_the_coming_year_without_a_schedule_is_reported_until_a_correction_is_entered():
    december = datetime.date(LAST_KNOWN, 12, 1)
    assert selectors.years_without_schedule(today=datetime.date(LAST_KNOWN - 1, 6, 1)) == []
    assert selectors.years_without_schedule(today=december) == [UNKNOWN]
    assert selectors.years_without_schedule(today=datetime.date(UNKNOWN, 3, 1)) == [
        UNKNOWN, UNKNOWN + 1]

    calendar_day_set(actor=department_staff(), date=datetime.date(UNKNOWN, 1, 1),
                     kind="holiday", name="元旦")

    assert selectors.years_without_schedule(today=december) == []


@pytest.fixture
def in_december():
    with time_machine.travel(datetime.datetime(LAST_KNOWN, 12, 1, 10, 0), tick=False):
        yield


@pytest.mark.parametrize("path", ["/admin/", "/admin/workdays/calendarday/",
                                  "/admin/workdays/calendarday/add/"])
def test_department_staff_see_the_warning_on_the_desk_and_the_calendar_pages(
        client, in_december, path):
    login(client, department_staff())

    html = client.get(path).content.decode()

    assert WARNING in html
    assert 'href="/admin/workdays/calendarday/add/"' in html


def test_the_warning_goes_once_the_years_corrections_are_entered(client, in_december):
    staff = department_staff()
    login(client, staff)
    response = client.post("/admin/workdays/calendarday/add/", {
        "date": f"{UNKNOWN}-01-01", "kind": "holiday", "name": "元旦"}, follow=True)

    assert response.status_code == 200
    assert WARNING not in response.content.decode()
    assert WARNING not in client.get("/admin/").content.decode()


def test_an_official_who_cannot_correct_the_calendar_is_not_told(client, in_december):
    login(client, unit_official())

    assert WARNING not in client.get("/admin/").content.decode()


def test_the_warning_is_translated(client, in_december):
    login(client, department_staff())
    client.cookies["portal_language"] = "zh-hant"

    html = client.get("/admin/").content.decode()

    assert f"{UNKNOWN} 年的國務院節假日安排" in html
