"""Supervision items (督办) in the admin: lists and filters, the item's cases, opening and
closing through the engine's services, and who may do what."""

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.utils import timezone

from portal.cases import selectors, services
from portal.cases.constants import SupervisionSource, SupervisionStatus
from portal.cases.models import SupervisionItem
from tests.totp import login

from .factories import CategoryFactory, local_dt, signed_case, submit_case

pytestmark = pytest.mark.django_db
ITEMS = "/admin/cases/supervisionitem/"
FUTURE = datetime.date(2099, 6, 30)



def result_table(response) -> str:
    html = response.content.decode()
    start = html.find('id="result_list"')
    return "" if start == -1 else html[start:html.find("</table>", start)]


def errors(response) -> str:
    import re

    html = response.content.decode()
    return " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
                    + re.findall(r'<p class="errornote"[^>]*>(.*?)</p>', html, re.S))


@pytest.fixture
def items(dept, unit, official, other_unit):
    """An open manual item on a case of `unit`, an overdue one on `other_unit`, a closed one."""
    mine = signed_case(dept, unit, official, title="厂房消防验收久拖不决")
    on_case = services.supervision_open(actor=dept, target="五个工作日内完成验收",
                                        due_date=FUTURE, case=mine)
    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=False):
        late = services.supervision_open(actor=dept, target="梳理审批流程",
                                         due_date=datetime.date(2026, 3, 10), unit=other_unit)
    done = services.supervision_open(actor=dept, target="已完成的事项", due_date=FUTURE,
                                     unit=unit)
    done = services.supervision_close(item=done, actor=dept, note="已整改到位。")
    return on_case, late, done


def test_department_lists_and_filters_every_item(client, dept, unit, other_unit, items):
    on_case, late, done = items
    login(client, dept)
    every = result_table(client.get(ITEMS))
    assert on_case.case.reference in every  # "about": the case, or the unit's work
    assert every.count("<tr") == 4  # header + 3 items
    assert "Overdue" in every
    open_only = result_table(client.get(ITEMS, {"status__exact": SupervisionStatus.OPEN}))
    assert open_only.count("<tr") == 3
    overdue = result_table(client.get(ITEMS, {"overdue": "yes"}))
    assert overdue.count("<tr") == 2 and f">{late.pk}<" in overdue
    by_unit = result_table(client.get(ITEMS, {"unit": other_unit.pk}))
    assert by_unit.count("<tr") == 2 and f">{late.pk}<" in by_unit
    by_source = result_table(client.get(ITEMS, {"source__exact": SupervisionSource.MANUAL}))
    assert by_source.count("<tr") == 4
    found = result_table(client.get(ITEMS, {"q": on_case.case.reference}))
    assert found.count("<tr") == 2


def test_an_official_reads_only_their_units_items_and_cannot_open_or_close(client, official,
                                                                          items):
    on_case, late, done = items
    login(client, official)
    table = result_table(client.get(ITEMS))
    assert f">{on_case.pk}<" in table and f">{done.pk}<" in table
    assert f">{late.pk}<" not in table
    assert "梳理审批流程" not in client.get(f"{ITEMS}{late.pk}/change/",
                                         follow=True).content.decode()
    page = client.get(f"{ITEMS}{on_case.pk}/change/").content.decode()
    assert on_case.case.reference in page and "Close with an outcome" not in page
    assert client.get(f"{ITEMS}add/").status_code == 403
    assert client.post(f"{ITEMS}{on_case.pk}/close/", {"note": "自行关闭"}).status_code == 403
    on_case.refresh_from_db()
    assert on_case.status == SupervisionStatus.OPEN


def test_close_with_an_outcome_and_the_refusals(client, dept, items):
    on_case, late, done = items
    login(client, dept)
    page = client.get(f"{ITEMS}{on_case.pk}/change/").content.decode()
    assert "Close with an outcome" in page and "五个工作日内完成验收" in page
    assert on_case.case.reference in page
    missing = client.post(f"{ITEMS}{on_case.pk}/close/", {"note": "  "})
    assert "Record the outcome of the supervision." in errors(missing)
    on_case.refresh_from_db()
    assert on_case.status == SupervisionStatus.OPEN
    response = client.post(f"{ITEMS}{on_case.pk}/close/", {"note": "单位已完成验收并答复企业。"})
    assert response.status_code == 302
    assert "The supervision item was closed." in [str(m) for m in
                                                  get_messages(response.wsgi_request)]
    on_case.refresh_from_db()
    on_case.case.refresh_from_db()
    assert on_case.status == SupervisionStatus.CLOSED and not on_case.case.is_supervised
    again = client.post(f"{ITEMS}{on_case.pk}/close/", {"note": "再次关闭"})
    assert "This supervision item is already closed." in errors(again)
    assert client.post(f"{ITEMS}{on_case.pk}/delete/", {"post": "yes"}).status_code == 403


def test_open_an_item_by_hand(client, dept, unit, official):
    case = signed_case(dept, unit, official)
    login(client, dept)
    unknown = client.post(f"{ITEMS}add/", {"reference": "YS-2026-999999", "target": "x",
                                           "due_date": FUTURE.isoformat()})
    assert "No case has the reference number YS-2026-999999." in errors(unknown)
    past = client.post(f"{ITEMS}add/", {"reference": case.reference, "target": "尽快答复",
                                        "due_date": timezone.localdate().isoformat()})
    assert "Choose a due date after today." in errors(past)
    no_unit = client.post(f"{ITEMS}add/", {"target": "梳理流程", "due_date": FUTURE.isoformat()})
    assert "Choose the unit that must act." in errors(no_unit)
    assert not SupervisionItem.objects.exists()
    response = client.post(f"{ITEMS}add/", {"reference": case.reference.lower(),
                                            "target": "三日内答复", "due_date": FUTURE.isoformat()})
    item = SupervisionItem.objects.get()
    assert response["Location"].endswith(f"{ITEMS}{item.pk}/change/")
    assert item.case == case and item.unit == unit and item.created_by == dept
    general = client.post(f"{ITEMS}add/", {"unit": unit.pk, "target": "梳理审批流程",
                                           "due_date": FUTURE.isoformat()})
    assert general.status_code == 302
    assert SupervisionItem.objects.filter(case__isnull=True, unit=unit).count() == 1


def test_a_pain_point_item_shows_only_the_cases_the_reader_may_see(client, dept, unit,
                                                                   official, other_unit):
    category = CategoryFactory()
    with time_machine.travel(local_dt(2026, 3, 10, 9, 0), tick=False):
        ours = services.case_assign(case=submit_case(category=category, title="发票额度不足 一"),
                                    actor=dept, unit=unit)
        theirs = services.case_assign(case=submit_case(category=category, title="发票额度不足 二"),
                                      actor=dept, unit=other_unit)
        submit_case(category=category, title="发票额度不足 三")
    march = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    [point] = selectors.pain_points(user=dept, start=march[0], end=march[1])
    item = services.supervision_open_for_pain_point(
        actor=dept, category=category, topic=point.topic, period_start=march[0],
        period_end=march[1], unit=unit, target="发票领用一次办结", due_date=FUTURE)
    page = login(client, official).get(f"{ITEMS}{item.pk}/change/").content.decode()
    assert ours.reference in page and theirs.reference not in page
    assert "Showing the 1 of 3 grouped appeals you may see." in page
    page = login(client, dept).get(f"{ITEMS}{item.pk}/change/").content.decode()
    assert ours.reference in page and theirs.reference in page


def test_only_the_department_opens_items_by_hand(client, official, unit):
    login(client, official)
    response = client.post(f"{ITEMS}add/", {"unit": unit.pk, "target": "自我督办",
                                            "due_date": FUTURE.isoformat()})
    assert response.status_code == 403
    assert not SupervisionItem.objects.exists()
