"""The department dashboard: per unit the open, overdue and due-soon cases, how it answered
and was rated in a period, returns and redos; open supervision items; links into the filtered
queue; department only; a fixed number of queries whatever the number of units."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.roles import Role
from portal.appeals.constants import AppealType
from portal.cases import services
from portal.cases.constants import ReturnReason
from tests.factories import UnitFactory, UserFactory, unit_official
from tests.totp import login

from .factories import local_dt, signed_case

pytestmark = pytest.mark.django_db
DASHBOARD = "/admin/cases/dashboard/"
FUTURE = datetime.date(2099, 6, 30)



def unit_row(html: str, unit) -> list[str]:
    """The cells of a unit's row, as text."""
    row = re.search(rf'<tr id="unit-{unit.pk}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in cells]


@pytest.fixture
def week(dept):
    """A week of work of two units, seen on Tuesday 10 March 2026."""
    unit_a, unit_b = UnitFactory(name_en="Tax Bureau"), UnitFactory(name_en="Water Company")
    a, b = unit_official(unit_a), unit_official(unit_b)
    at = lambda *args: time_machine.travel(local_dt(2026, 3, *args), tick=False)  # noqa: E731
    with at(2, 9, 0):  # Monday
        late = signed_case(dept, unit_a, a, subtype=AppealType.INQUIRY)  # due 4 March
        happy = signed_case(dept, unit_a, a)
        unhappy = signed_case(dept, unit_a, a)
        bounced = signed_case(dept, unit_b, b)
    with at(3, 9, 0):
        happy = services.case_answer(case=happy, actor=a, answer="已办结。")  # after 1 day
        services.case_rate(case=happy, actor=happy.submitter, score=5)
        services.case_return(case=bounced, actor=b, reason=ReturnReason.WRONG_UNIT)
    with at(4, 9, 0):
        unhappy = services.case_answer(case=unhappy, actor=a, answer="已答复。")  # 2 days
        services.case_rate(case=unhappy, actor=unhappy.submitter, score=1, comment="未解决。")
    with at(9, 9, 0):
        soon = signed_case(dept, unit_b, b, subtype=AppealType.INQUIRY)  # due 11 March
        item = services.supervision_open(actor=dept, target="三日内答复企业", due_date=FUTURE,
                                         case=late)
    return {"a": unit_a, "b": unit_b, "late": late, "soon": soon, "item": item}


def test_dashboard_shows_each_units_workload_and_performance(client, dept, week):
    login(client, dept)
    with time_machine.travel(local_dt(2026, 3, 10, 10, 0), tick=False):
        html = client.get(DASHBOARD).content.decode()
    a = unit_row(html, week["a"])
    assert a[:5] == ["Tax Bureau", "2", "1", "0", "1"]  # open, overdue, due soon, supervision
    assert a[5:] == ["2", "1.5 days", "3.0 (2 ratings)", "0", "1"]
    b = unit_row(html, week["b"])
    assert b[:5] == ["Water Company", "1", "0", "1", "0"]
    assert b[5:] == ["0", "—", "—", "1", "0"]  # the return counts for the unit that returned
    items = html[html.index('id="supervision-table"'):]
    assert week["late"].reference in items and "三日内答复企业" in items
    # The busiest unit first: the one with overdue cases.
    assert html.index(f'id="unit-{week["a"].pk}"') < html.index(f'id="unit-{week["b"].pk}"')


def test_dashboard_numbers_link_into_the_filtered_queue(client, dept, week):
    login(client, dept)
    with time_machine.travel(local_dt(2026, 3, 10, 10, 0), tick=False):
        html = client.get(DASHBOARD).content.decode()
        overdue = re.search(r'href="([^"]+)" aria-label="1 overdue cases of Tax Bureau"',
                            html).group(1).replace("&amp;", "&")
        queue = client.get(overdue).content.decode()
        soon = re.search(r'href="([^"]+)" aria-label="1 cases of Water Company due soon"',
                         html).group(1).replace("&amp;", "&")
        soon_queue = client.get(soon).content.decode()
    start = queue.index('id="result_list"')
    table = queue[start:queue.index("</table>", start)]
    assert week["late"].reference in table and table.count("<tr") == 2  # header + 1 case
    assert week["soon"].reference in soon_queue[soon_queue.index('id="result_list"'):]


def test_a_period_that_makes_no_sense_is_refused_in_words(client, dept, week):
    login(client, dept)
    with time_machine.travel(local_dt(2026, 3, 10, 10, 0), tick=False):
        response = client.get(DASHBOARD, {"start": "2026-03-10", "end": "2026-03-01"})
        nonsense = client.get(DASHBOARD, {"start": "yesterday", "end": ""})
    assert response.status_code == 200
    assert "The end of the period must not be before its start." in response.content.decode()
    assert nonsense.status_code == 200 and "Enter a valid date." in nonsense.content.decode()
    # The default period is used meanwhile: the figures are still there.
    assert unit_row(response.content.decode(), week["a"])[5] == "2"


def test_the_dashboard_is_the_departments_only(client, official, submitter):
    login(client, official)
    assert client.get(DASHBOARD).status_code == 403
    evaluator = UserFactory(roles=[Role.EVALUATOR])
    login(client, evaluator)
    assert client.get(DASHBOARD).status_code == 403
    client.force_login(submitter)
    response = client.get(DASHBOARD, follow=True)
    assert response.status_code == 403 or "/accounts/login/" in response.redirect_chain[-1][0]
    assert "Open supervision items" not in response.content.decode()


def _count(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    return len(queries)


def test_the_dashboard_runs_a_fixed_number_of_queries(client, dept, week,
                                                      django_assert_num_queries):
    login(client, dept)
    with time_machine.travel(local_dt(2026, 3, 10, 10, 0), tick=False):
        client.get(DASHBOARD)  # the first request of a session also checks the 2FA
        few = _count(client)
        for _ in range(4):
            unit = UnitFactory()
            official = unit_official(unit)
            signed_case(dept, unit, official)
            services.supervision_open(actor=dept, target="督办", due_date=FUTURE, unit=unit)
        with django_assert_num_queries(few):
            html = client.get(DASHBOARD).content.decode()
    assert html.count('<tr id="unit-') >= 6
