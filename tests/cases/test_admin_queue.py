"""The case admin as a queue: an official sees their own unit's cases only — in the list, the
case page, its history, downloads, autocomplete, actions and exports — with filters, search,
the deadline in words, and a fixed number of queries whatever the number of rows."""

import csv
import io

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from portal.accounts.roles import Role
from portal.appeals.constants import AppealType
from portal.cases import services
from portal.cases.admin.case import CaseAdmin
from portal.cases.constants import Status
from portal.cases.models import Case
from portal.core.paginator import CappedCountPaginator
from tests.factories import UnitFactory, UserFactory, unit_official
from tests.sql import plan_without_scans_or_sorts
from tests.totp import login

from .factories import (
    PNG_BYTES,
    CategoryFactory,
    answered_case,
    assigned_case,
    local_dt,
    signed_case,
    submit_case,
    upload,
)

pytestmark = pytest.mark.django_db
QUEUE = "/admin/cases/case/"



def rows(response) -> str:
    """The result table of a changelist, as text ("" when nothing matched)."""
    assert response.status_code == 200
    html = response.content.decode()
    start = html.find('id="result_list"')
    if start == -1:
        assert "0 cases" in html or "0 results" in html, "neither rows nor an empty result"
        return ""
    return html[start:html.find("</table>", start)]


def test_official_queue_lists_only_their_units_cases_in_words(client, dept, unit, official,
                                                               other_unit):
    mine = signed_case(dept, unit, official)
    waiting = assigned_case(dept, unit)
    theirs = signed_case(dept, other_unit)
    submit_case()  # not dispatched yet: nobody's queue but the department's

    table = rows(login(client, official).get(QUEUE))
    assert mine.reference in table and waiting.reference in table
    assert theirs.reference not in table
    assert "Signed for" in table and "Assigned to a unit" in table  # status in words
    assert "On time" in table
    assert "Request for help" in table  # the type in words
    assert mine.enterprise.name in table
    # Default order: cases waiting to be signed for (no answer deadline yet) first, so a new
    # assignment never sinks below a long queue; then the earliest due.
    assert table.index(waiting.reference) < table.index(mine.reference)


def test_department_sees_every_case_and_the_responsible_unit(client, dept, unit, other_unit):
    mine = signed_case(dept, unit)
    theirs = signed_case(dept, other_unit)
    fresh = submit_case()
    table = rows(login(client, dept).get(QUEUE))
    for case in (mine, theirs, fresh):
        assert case.reference in table
    assert str(unit.name_en) in table and str(other_unit.name_en) in table


def test_filters_use_the_engines_overdue_and_due_soon(client, dept, unit, official):
    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=False):  # Monday
        late = signed_case(dept, unit, official, subtype=AppealType.INQUIRY)  # due 3-4
        relaxed = signed_case(dept, unit, official, subtype=AppealType.HELP)  # due 3-16
    with time_machine.travel(local_dt(2026, 3, 4, 9, 0), tick=False):
        soon = signed_case(dept, unit, official, subtype=AppealType.INQUIRY)  # due 3-6
    paused = services.case_request_info(case=signed_case(dept, unit, official), actor=official,
                                        question="请补充营业执照。")
    login(client, official)
    with time_machine.travel(local_dt(2026, 3, 5, 10, 0), tick=False):
        overdue = rows(client.get(QUEUE, {"overdue": "yes"}))
        due_soon = rows(client.get(QUEUE, {"due_soon": "yes"}))
        everything = rows(client.get(QUEUE))
    assert late.reference in overdue
    assert soon.reference not in overdue and relaxed.reference not in overdue
    assert soon.reference in due_soon
    assert late.reference not in due_soon and relaxed.reference not in due_soon
    assert "Overdue by 1 day" in everything and "Due soon" in everything
    assert "Paused: waiting for the enterprise" in everything
    assert paused.reference in everything


def test_status_category_type_and_supervised_filters(client, dept, unit, official):
    tax = CategoryFactory()
    vat = CategoryFactory(parent=tax)
    in_sub = signed_case(dept, unit, official, category=vat, subtype=AppealType.INQUIRY)
    other = assigned_case(dept, unit)
    login(client, official)
    by_category = rows(client.get(QUEUE, {"category": tax.pk}))  # includes sub-categories
    assert in_sub.reference in by_category and other.reference not in by_category
    by_status = rows(client.get(QUEUE, {"status": Status.ASSIGNED}))
    assert other.reference in by_status and in_sub.reference not in by_status
    by_type = rows(client.get(QUEUE, {"subtype__exact": AppealType.INQUIRY}))
    assert in_sub.reference in by_type and other.reference not in by_type
    supervised = client.get(QUEUE, {"is_supervised__exact": "1"})
    assert in_sub.reference not in supervised.content.decode()


def test_search_by_reference_and_by_words(client, dept, unit, official, other_unit):
    permit = signed_case(dept, unit, official, title="施工许可证办理缓慢")
    water = signed_case(dept, unit, official, title="自来水接入申请",
                        description="新厂房需要接入自来水管网，报装进度缓慢。")
    theirs = signed_case(dept, other_unit, title="施工许可证办理缓慢 另一单位")
    login(client, official)
    by_reference = rows(client.get(QUEUE, {"q": permit.reference}))
    assert permit.reference in by_reference and water.reference not in by_reference
    assert theirs.reference not in rows(client.get(QUEUE, {"q": theirs.reference}))
    by_words = rows(client.get(QUEUE, {"q": "自来水"}))
    assert water.reference in by_words and permit.reference not in by_words


def _queue_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["official", "department"])
def test_the_queue_runs_a_fixed_number_of_queries(client, dept, unit, official, who,
                                                  django_assert_num_queries):
    user = official if who == "official" else dept
    category = CategoryFactory()
    for _ in range(2):
        signed_case(dept, unit, official, category=category)
    login(client, user).get(QUEUE)  # the first request of a session also checks the 2FA
    few = _queue_queries(client)
    few_filtered = _queue_queries(client, {"overdue": "yes", "category": category.pk,
                                           "q": "施工"})
    for _ in range(28):
        services.case_assign(case=submit_case(category=category), actor=dept, unit=unit)
    with django_assert_num_queries(few):
        response = client.get(QUEUE)
    assert rows(response).count("<tr") == 31  # header + 30 rows
    with django_assert_num_queries(few_filtered):
        client.get(QUEUE, {"overdue": "yes", "category": category.pk, "q": "施工"})


def test_an_official_cannot_open_another_units_case_anywhere(client, dept, unit, official,
                                                             other_unit):
    theirs = signed_case(dept, other_unit,
                         files=[upload("licence.png", PNG_BYTES, "image/png")])
    attachment = theirs.attachments.get()
    login(client, official)
    base = f"{QUEUE}{theirs.pk}/"
    for url in (f"{base}change/", f"{base}history/"):
        response = client.get(url, follow=True)
        assert theirs.title not in response.content.decode()
        assert "doesn’t exist" in response.content.decode()
    assert client.get(f"{base}step/answer/").status_code == 404
    assert client.post(f"{base}step/answer/", {"answer": "越权答复"}).status_code == 404
    assert client.get(f"/cases/{theirs.pk}/files/{attachment.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.SIGNED_FOR and theirs.answered_at is None


def test_autocomplete_offers_only_the_officials_own_cases(client, dept, unit, official,
                                                          other_unit):
    mine = signed_case(dept, unit, official, title="施工许可证 本单位")
    theirs = signed_case(dept, other_unit, title="施工许可证 别的单位")
    response = login(client, official).get("/admin/autocomplete/", {
        "app_label": "cases", "model_name": "supervisionitem", "field_name": "case",
        "term": "施工许可证"})
    assert response.status_code == 200
    ids = {r["id"] for r in response.json()["results"]}
    assert ids == {str(mine.pk)}
    assert str(theirs.pk) not in ids


def test_export_lists_only_the_officials_cases_and_defuses_formulas(client, dept, unit,
                                                                   official, other_unit):
    mine = signed_case(dept, unit, official, title="=HYPERLINK(\"http://evil\") 发票问题")
    theirs = signed_case(dept, other_unit)
    response = login(client, official).post(QUEUE, {
        "action": "export_csv", ACTION_CHECKBOX_NAME: [mine.pk, theirs.pk]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][0] == "Reference number"
    assert [r[0] for r in table[1:]] == [mine.reference]
    assert table[1][1].startswith("'=HYPERLINK")  # a spreadsheet shows it as text
    assert theirs.reference not in text


def test_the_case_page_is_read_only(client, dept, unit, official):
    case = signed_case(dept, unit, official)
    login(client, official)
    page = client.get(f"{QUEUE}{case.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in html and "<textarea" not in html
    # Related rows are text, not links into admin pages that are not the official's.
    assert "/admin/cases/category/" not in html and "/admin/orgs/enterprise/" not in html
    assert case.category.name in html and case.enterprise.name in html
    response = client.post(f"{QUEUE}{case.pk}/change/", {"status": Status.CLOSED,
                                                         "due_date": "2099-01-01"})
    assert response.status_code == 403
    assert client.get(f"{QUEUE}add/").status_code == 403
    assert client.post(f"{QUEUE}{case.pk}/delete/", {"post": "yes"}).status_code == 403
    case.refresh_from_db()
    assert case.status == Status.SIGNED_FOR


def test_case_page_shows_timeline_with_internal_steps_marked_and_files(client, dept, unit,
                                                                       official, other_official):
    case = signed_case(dept, unit, official,
                       files=[upload("营业执照.png", PNG_BYTES, "image/png")])
    services.case_add_internal_note(case=case, actor=official, note="已电话联系企业负责人。",
                                    files=[upload("通话记录.txt", "通话十分钟".encode(),
                                                  "text/plain")])
    login(client, official)
    html = client.get(f"{QUEUE}{case.pk}/change/").content.decode()
    timeline = html[html.index('id="timeline"'):html.index('id="attachments"')]
    assert "已电话联系企业负责人。" in timeline
    note_row = timeline[timeline.rindex("<tr", 0, timeline.index("已电话联系")):]
    assert 'class="event-internal"' in note_row[:40] and "Internal" in note_row
    assert "Signed for" in timeline and "Submitted" in timeline
    files = html[html.index('id="attachments"'):]
    assert "营业执照.png" in files and "通话记录.txt" in files
    first = case.attachments.order_by("id").first()
    link = f"/cases/{case.pk}/files/{first.pk}/"  # the portal's own download view
    assert f'href="{link}"' in files
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG_BYTES
    assert "attachment;" in download["Content-Disposition"]
    # The history link of the admin leads to the timeline.
    history = client.get(f"{QUEUE}{case.pk}/history/")
    assert history.status_code == 302 and history["Location"].endswith("#timeline")


def test_enterprise_users_and_evaluators_are_refused(client, dept, unit, submitter):
    case = signed_case(dept, unit, submitter=submitter)
    client.force_login(submitter)
    for url in (QUEUE, f"{QUEUE}{case.pk}/change/", "/admin/cases/dashboard/"):
        response = client.get(url, follow=True)
        assert response.status_code in (403, 200)
        assert case.reference not in response.content.decode()
        assert response.status_code == 403 or "/accounts/login/" in response.redirect_chain[-1][0]

    evaluator = UserFactory(roles=[Role.EVALUATOR])
    login(client, evaluator)
    for url in (QUEUE, f"{QUEUE}{case.pk}/change/", f"{QUEUE}{case.pk}/step/answer/",
                "/admin/cases/dashboard/", "/admin/cases/pain-points/"):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert case.reference not in response.content.decode()
    index = client.get("/admin/").content.decode()
    assert QUEUE not in index


def test_the_admin_index_links_the_department_pages_for_the_department_only(client, dept,
                                                                            official):
    index = login(client, dept).get("/admin/").content.decode()
    assert "/admin/cases/dashboard/" in index and "/admin/cases/pain-points/" in index
    index = login(client, official).get("/admin/").content.decode()
    assert QUEUE in index
    assert "/admin/cases/dashboard/" not in index and "/admin/cases/pain-points/" not in index


def test_a_new_official_of_another_unit_starts_with_an_empty_queue(client, dept, unit):
    signed_case(dept, unit)
    newcomer = unit_official(UnitFactory())
    response = login(client, newcomer).get(QUEUE)
    assert response.status_code == 200
    assert "0 cases" in response.content.decode() or "YS-" not in rows(response)
    assert Case.objects.count() == 1


# --- the queue at district scale: open cases by default, a capped count, indexes -----------

def closed_case(dept, unit, official):
    case = answered_case(dept, unit, official)
    return services.case_rate(case=case, actor=case.submitter, score=5)


@pytest.mark.parametrize("who", ["official", "department"])
def test_the_queue_shows_open_cases_unless_all_or_closed_ones_are_asked_for(
        client, dept, unit, official, who):
    working = signed_case(dept, unit, official)
    closed = closed_case(dept, unit, official)
    login(client, official if who == "official" else dept)

    default = client.get(QUEUE)
    assert working.reference in rows(default) and closed.reference not in rows(default)
    sidebar = default.content.decode()
    assert "All open cases" in sidebar and "All cases, closed ones too" in sidebar
    everything = rows(client.get(QUEUE, {"status": "all"}))
    assert working.reference in everything and closed.reference in everything
    only_closed = rows(client.get(QUEUE, {"status": Status.CLOSED}))
    assert closed.reference in only_closed and working.reference not in only_closed
    # A search looks at every case unless a status is chosen: an old reference is found.
    assert closed.reference in rows(client.get(QUEUE, {"q": closed.reference}))
    assert rows(client.get(QUEUE, {"q": closed.reference, "status": "open"})) == ""


def test_a_long_queue_is_counted_up_to_a_cap_and_every_page_still_opens(
        client, dept, unit, official, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 2)
    monkeypatch.setattr(CaseAdmin, "list_per_page", 1)
    cases = [signed_case(dept, unit, official) for _ in range(4)]
    login(client, official)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(QUEUE).content.decode()
    assert "2+ cases" in html  # counted 3 rows: "more than 2"
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"] and "cases_case" in q["sql"]]
    assert counts and all("LIMIT 3" in sql for sql in counts)  # never a count of every case
    # Beyond the counted pages (3), the rows are still there, one a page, earliest due first.
    order = Case.objects.order_by(F("due_date").asc(nulls_first=True), "-submitted_at", "-id")
    fourth = order.values_list("reference", flat=True)[3]
    assert fourth in rows(client.get(QUEUE, {"p": 4}))
    assert {c.reference for c in cases} == set(order.values_list("reference", flat=True))
    past_the_end = client.get(QUEUE, {"p": 5})
    assert past_the_end.status_code == 302 and "e=1" in past_the_end["Location"]


@pytest.mark.parametrize("who", ["official", "department"])
def test_the_default_queue_is_read_from_an_index_in_its_order(client, dept, unit, official, who):
    """At district scale the department's queue sorted every case (> 15 s): its default list
    must be served by the partial index case_open_by_due, whose predicate its filter matches."""
    for _ in range(3):
        signed_case(dept, unit, official)
    login(client, official if who == "official" else dept).get(QUEUE)
    with CaptureQueriesContext(connection) as queries:
        client.get(QUEUE)
    listing = next(q["sql"] for q in queries
                   if q["sql"].startswith('SELECT "cases_case"."id"') and "ORDER BY" in q["sql"])
    plan = plan_without_scans_or_sorts(listing)
    assert "case_open_by_due" in plan, plan
    assert "Sort" not in plan, plan
