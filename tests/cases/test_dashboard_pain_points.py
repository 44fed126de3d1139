"""Pain points (Art. 6(1)) in the admin: the period's appeals grouped by category and topic,
ranked, with sample titles; any group turned into a supervision item (督办) with a target,
a responsible unit and a deadline; department only."""

import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.cases.constants import SupervisionSource
from portal.cases.models import SupervisionItem
from tests.totp import login

from .factories import INVOICES, LAND, CategoryFactory, local_dt, submit_case

pytestmark = pytest.mark.django_db
PAGE = "/admin/cases/pain-points/"
APRIL = local_dt(2026, 4, 15, 10, 0)  # the default period is then the first quarter



def errors(response) -> str:
    html = response.content.decode()
    return " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
                    + re.findall(r'<p class="errornote"[^>]*>(.*?)</p>', html, re.S))


@pytest.fixture
def appeals(db):
    tax = CategoryFactory(code="tax-pp", name_en="Taxes (test)")
    land = CategoryFactory(code="land-pp", name_en="Land (test)")
    with time_machine.travel(local_dt(2026, 3, 10, 9, 0), tick=False):
        made = {"tax": [submit_case(category=tax, title=t, description=d) for t, d in INVOICES],
                "land": [submit_case(category=land, title=t, description=d) for t, d in LAND]}
    with time_machine.travel(local_dt(2026, 4, 2, 9, 0), tick=False):  # another quarter
        submit_case(category=tax, title="发票额度", description="发票额度不够。")
    return tax, land, made


def group(html: str, rank: int) -> str:
    start = html.index(f'id="pain-point-{rank}"')
    end = html.find('<li id="pain-point-', start + 1)
    return html[start:end if end != -1 else len(html)]


def test_groups_are_ranked_with_sample_titles_for_last_quarter(client, dept, appeals):
    tax, land, made = appeals
    login(client, dept)
    with time_machine.travel(APRIL, tick=False):
        html = client.get(PAGE).content.decode()
    assert 'value="2026-01-01"' in html and 'value="2026-03-31"' in html
    first, second = group(html, 1), group(html, 2)
    assert "Land (test) · 用地" in first and "4 appeals" in first
    assert "Taxes (test) · 发票" in second and "3 appeals" in second
    assert sum(title in first for title, _ in LAND) == 3  # three samples
    assert "发票额度不够" not in html  # April is outside the period
    link = re.search(r'href="([^"]+)">See these appeals', second).group(1).replace("&amp;", "&")
    with time_machine.travel(APRIL, tick=False):
        queue = client.get(link).content.decode()
    start = queue.index('id="result_list"')
    table = queue[start:queue.index("</table>", start)]
    assert all(case.reference in table for case in made["tax"])
    assert table.count("<tr") == 4


def test_a_group_becomes_a_supervision_item_once(client, dept, unit, appeals):
    tax, land, made = appeals
    login(client, dept)
    with time_machine.travel(APRIL, tick=False):
        html = client.get(PAGE).content.decode()
        section = group(html, 2)
        prefix = re.search(r'name="group" value="(pp\d+)"', section).group(1)
        hidden = dict(re.findall(rf'<input type="hidden" name="({prefix}-[a-z_]+)" value="([^"]*)"',
                                 section))
        data = {"group": prefix, "start": "2026-01-01", "end": "2026-03-31", **hidden,
                f"{prefix}-unit": unit.pk, f"{prefix}-target": "发票领用一次办结，三个工作日内核定额度",
                f"{prefix}-due_date": "2026-06-30"}
        missing = client.post(PAGE, {**data, f"{prefix}-target": ""})
        assert "Say what must be achieved, e.g. an optimisation target." in errors(missing)
        no_unit = client.post(PAGE, {**data, f"{prefix}-unit": ""})
        assert "Choose the unit that must act." in errors(no_unit)
        past = client.post(PAGE, {**data, f"{prefix}-due_date": "2026-04-01"})
        assert "Choose a due date after today." in errors(past)
        assert not SupervisionItem.objects.exists()

        done = client.post(PAGE, data)
        assert done.status_code == 302
        item = SupervisionItem.objects.get()
        assert item.source == SupervisionSource.PAIN_POINT and item.unit == unit
        assert item.category == tax and item.topic == "发票"
        assert set(item.cases.all()) == set(made["tax"])
        again = client.post(PAGE, data)
        assert "already exists" in errors(again)
        assert SupervisionItem.objects.count() == 1
        shown = group(client.get(done["Location"]).content.decode(), 2)
    assert "Supervision item opened:" in shown and f"/supervisionitem/{item.pk}/change/" in shown


def test_a_bad_period_is_refused_in_words(client, dept, appeals):
    login(client, dept)
    with time_machine.travel(APRIL, tick=False):
        backwards = client.get(PAGE, {"start": "2026-03-31", "end": "2026-01-01"})
        too_long = client.get(PAGE, {"start": "2020-01-01", "end": "2026-03-31"})
    assert "The end of the period must not be before its start." in errors(backwards)
    assert "Choose a period of at most three years." in errors(too_long)
    assert "Land (test) · 用地" in backwards.content.decode()  # the default period meanwhile


def test_a_category_narrows_the_groups(client, dept, appeals):
    tax, land, made = appeals
    login(client, dept)
    with time_machine.travel(APRIL, tick=False):
        html = client.get(PAGE, {"start": "2026-01-01", "end": "2026-03-31",
                                 "category": tax.pk}).content.decode()
    assert "Taxes (test) · 发票" in html and "Land (test)" not in group(html, 1)


def test_pain_points_are_the_departments_only(client, official, unit, appeals):
    login(client, official)
    assert client.get(PAGE).status_code == 403
    response = client.post(PAGE, {"group": "pp0", "pp0-unit": unit.pk, "pp0-target": "x",
                                  "pp0-due_date": "2099-01-01", "pp0-period_start": "2026-01-01",
                                  "pp0-period_end": "2026-03-31", "pp0-topic": "发票"})
    assert response.status_code == 403
    assert not SupervisionItem.objects.exists()


def test_pain_points_run_a_fixed_number_of_queries(client, dept, appeals,
                                                    django_assert_num_queries):
    login(client, dept)
    with time_machine.travel(APRIL, tick=False):
        client.get(PAGE)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).content.decode().count('<li id="pain-point-') == 2
        with time_machine.travel(local_dt(2026, 2, 10, 9, 0), tick=False):
            for n in range(3):
                category = CategoryFactory()
                for title in ("停车位不足", "停车收费过高", "园区停车难"):
                    submit_case(category=category, title=f"{title} {n}",
                                description="员工停车困难，请协调增加车位。")
        with django_assert_num_queries(len(queries)):
            html = client.get(PAGE).content.decode()
    assert html.count('<li id="pain-point-') >= 5  # 2 groups before, one or more per category
