import datetime

import pytest

from portal.ledger.models import LedgerEntry
from portal.workdays.models import CalendarDay
from portal.workdays.services import add_working_days, is_working_day
from tests.factories import department_staff, enterprise_user, unit_official
from tests.totp import activate_totp

from .factories import CalendarDayFactory

pytestmark = pytest.mark.django_db

D = datetime.date
ADD_URL = "/admin/workdays/calendarday/add/"
LIST_URL = "/admin/workdays/calendarday/"


def login(client, user, *, staff=True):
    if staff:
        activate_totp(user)
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def staff_client(client):
    return login(client, department_staff())


def test_department_staff_add_a_holiday_and_deadlines_move_at_once(staff_client):
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)
    response = staff_client.post(ADD_URL, {"date": "2026-03-03", "kind": "holiday",
                                           "name": "区级停工"})
    assert response.status_code == 302, response.content.decode()
    assert CalendarDay.objects.get().date == D(2026, 3, 3)
    assert not is_working_day(D(2026, 3, 3))
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 4)
    assert LedgerEntry.objects.filter(action="workdays.calendar_day_set").count() == 1


def test_the_form_explains_the_choices(staff_client):
    page = staff_client.get(ADD_URL).content.decode()
    assert "make-up days the State Council announces" in page
    assert "takes effect at once" in page


def test_the_form_says_a_pending_commitment_clause_follows_a_correction(client):
    """Since clauses_follow_calendar, the help text no longer says nothing set is moved."""
    page = login(client, department_staff()).get(ADD_URL).content.decode()
    assert "(deadlines already set are not moved)" not in page
    assert "the working day it falls due on follows the correction" in page
    client.cookies["portal_language"] = "zh-hans"
    page = client.get(ADD_URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "尚未兑现的承诺条款，其约定期限不变，到期的工作日随调整而顺延或提前" in page


def test_the_list_shows_what_the_national_calendar_says(staff_client):
    CalendarDayFactory(date=D(2026, 10, 10), kind=CalendarDay.Kind.HOLIDAY)  # a make-up Saturday
    CalendarDayFactory(date=D(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY)
    page = staff_client.get(LIST_URL).content.decode()
    assert "Saturday" in page and "working day" in page
    assert "not published yet" in page


def test_a_second_correction_of_the_same_date_is_refused_with_a_message(staff_client):
    CalendarDayFactory(date=D(2026, 3, 3))
    response = staff_client.post(ADD_URL, {"date": "2026-03-03", "kind": "workday", "name": ""})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert CalendarDay.objects.get().kind == CalendarDay.Kind.HOLIDAY


def test_bad_date_is_refused_with_a_message(staff_client):
    response = staff_client.post(ADD_URL, {"date": "2026-02-30", "kind": "holiday"})
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_change_and_delete_through_the_admin(staff_client):
    day = CalendarDayFactory(date=D(2026, 3, 3))
    response = staff_client.post(f"{LIST_URL}{day.pk}/change/",
                                 {"date": "2026-03-03", "kind": "workday", "name": ""})
    assert response.status_code == 302
    assert is_working_day(D(2026, 3, 3))
    response = staff_client.post(f"{LIST_URL}{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert list(LedgerEntry.objects.values_list("action", flat=True)) == [
        "workdays.calendar_day_changed", "workdays.calendar_day_deleted"]


def test_bulk_delete_goes_through_the_service(staff_client):
    days = [CalendarDayFactory(date=D(2026, 3, d)) for d in (3, 4)]
    response = staff_client.post(LIST_URL, {"action": "delete_selected", "post": "yes",
                                            "_selected_action": [d.pk for d in days]})
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert is_working_day(D(2026, 3, 3)) and is_working_day(D(2026, 3, 4))
    assert LedgerEntry.objects.filter(action="workdays.calendar_day_deleted").count() == 2


def test_an_official_may_not_edit_the_calendar(client):
    login(client, unit_official())
    assert client.get(LIST_URL).status_code == 403
    assert client.post(ADD_URL, {"date": "2026-03-03", "kind": "holiday"}).status_code == 403
    assert not CalendarDay.objects.exists()


def test_an_enterprise_user_is_kept_out_of_the_admin(client):
    login(client, enterprise_user(), staff=False)
    response = client.post(ADD_URL, {"date": "2026-03-03", "kind": "holiday"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not CalendarDay.objects.exists()
