"""The enterprise's pages (dispute on a phone-first page, refusals), the public rate page's
figures and its query count, the API, and the officials' admin (scope, recording evidence)."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from policies.commitments import services
from policies.commitments.constants import ClauseStatus, CommitmentKind
from policies.commitments.models import Clause, Commitment, Fulfilment
from portal.cases.models import SupervisionItem
from portal.ledger.models import LedgerEntry
from tests.cases.factories import EXE_BYTES, PDF_BYTES, local_dt, upload
from tests.factories import department_staff, enterprise_user, unit_official
from tests.totp import login

from .factories import commitment

pytestmark = pytest.mark.django_db

NOW = local_dt(2026, 7, 15, 10, 0)  # a Wednesday


def _record(official, clause, on):
    return services.fulfilment_record(
        actor=official, clause=clause, note="已兑现。", fulfilled_on=on, files=[]
    )


def figures(html: str, code: str) -> dict[str, str]:
    """The figures the rate page shows for one unit."""
    card = html.split(f'id="unit-{code}"')[1].split("</section>")[0]
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', card))


@pytest.fixture
def recorded():
    official = unit_official()
    c = commitment(unit=official.unit)
    member = enterprise_user(c.enterprise)
    clause = c.clauses.get()
    _record(official, clause, datetime.date(2026, 6, 1))
    return c, clause, official, member


def test_the_enterprise_disputes_on_its_page_and_a_blank_reason_is_refused(client, recorded):
    c, clause, official, member = recorded
    client.force_login(member)
    page = client.get(f"/commitments/{c.pk}/").content.decode()
    assert "Confirm it was kept" in page and "Send my dispute" in page
    bad = client.post(f"/commitments/clauses/{clause.pk}/dispute/", {f"c{clause.pk}-reason": " "})
    assert bad.status_code == 400
    assert "Say why you dispute the fulfilment" in bad.content.decode()
    assert Clause.objects.get().status == ClauseStatus.FULFILLED
    ok = client.post(
        f"/commitments/clauses/{clause.pk}/dispute/",
        {f"c{clause.pk}-reason": "奖励只到账一半。"},
        follow=True,
    )
    assert "Your dispute was sent to" in ok.content.decode()
    assert Clause.objects.get().status == ClauseStatus.DISPUTED
    assert SupervisionItem.objects.count() == 1
    # A second submit of the same form changes nothing and opens nothing.
    again = client.post(
        f"/commitments/clauses/{clause.pk}/dispute/",
        {f"c{clause.pk}-reason": "奖励只到账一半。"},
        follow=True,
    )
    assert "that step is not possible now" in again.content.decode()
    assert SupervisionItem.objects.count() == 1


def test_another_enterprise_neither_sees_the_agreement_nor_confirms_it(client, recorded):
    c, clause, official, member = recorded
    client.force_login(enterprise_user())
    assert client.get(f"/commitments/{c.pk}/").status_code == 404
    assert client.post(f"/commitments/clauses/{clause.pk}/confirm/").status_code == 404
    assert Clause.objects.get().status == ClauseStatus.FULFILLED


def test_the_rate_page_counts_each_unit_in_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    with time_machine.travel(NOW, tick=False):
        a, b = unit_official(), unit_official()
        due = datetime.date(2026, 6, 30)
        ca = commitment(unit=a.unit, clauses=4, due=due)
        on_time, late, disputed, overdue = ca.clauses.order_by("number")
        _record(a, on_time, datetime.date(2026, 6, 29))
        _record(a, late, datetime.date(2026, 7, 2))
        _record(a, disputed, datetime.date(2026, 6, 1))
        services.fulfilment_dispute(
            actor=enterprise_user(ca.enterprise), clause=disputed, reason="没有到账"
        )
        commitment(
            unit=b.unit,
            clauses=2,
            due=datetime.date(2026, 12, 31),
            kind=CommitmentKind.PUBLIC_SERVICE,
        )
        with django_assert_num_queries(1):  # one query, whatever the number of units
            page = client.get("/commitments/rates/")
    html = page.content.decode()
    assert figures(html, a.unit.code) == {
        "rate": "25.0%",
        "on_time": "1",
        "late": "1",
        "overdue": "1",
        "disputed": "1",
        "not_due": "0",
    }
    assert figures(html, b.unit.code) == {
        "rate": "—",
        "on_time": "0",
        "late": "0",
        "overdue": "0",
        "disputed": "0",
        "not_due": "2",
    }
    assert overdue.status == ClauseStatus.PENDING
    api = APIClient().get("/api/v1/commitments/rates/").json()
    assert {r["code"]: (r["on_time"], r["overdue"], r["rate"]) for r in api} == {
        a.unit.code: (1, 1, 25.0),
        b.unit.code: (0, 0, None),
    }


def test_api_lists_what_the_reader_may_see_and_refuses_a_stranger(recorded):
    c, clause, official, member = recorded
    public = commitment(unit=official.unit, kind=CommitmentKind.PUBLIC_SERVICE, title="一日办结")
    api = APIClient()
    assert [r["title"] for r in api.get("/api/v1/commitments/").json()["results"]] == ["一日办结"]
    api.force_authenticate(member)
    assert {r["id"] for r in api.get("/api/v1/commitments/").json()["results"]} == {c.pk, public.pk}
    detail = api.get(f"/api/v1/commitments/{c.pk}/").json()
    assert detail["clauses"][0]["status"] == "fulfilled"
    blank = api.post(
        f"/api/v1/commitments/clauses/{clause.pk}/dispute/", {"reason": ""}, format="json"
    )
    assert blank.status_code == 400
    stranger = APIClient()
    stranger.force_authenticate(enterprise_user())
    assert stranger.post(f"/api/v1/commitments/clauses/{clause.pk}/confirm/").status_code == 404
    assert (
        api.post(f"/api/v1/commitments/clauses/{clause.pk}/confirm/").json()["status"]
        == "confirmed"
    )
    schema = APIClient().get("/api/schema/").content.decode()
    assert (
        "/api/v1/commitments/rates/" in schema
        and "/api/v1/commitments/clauses/{id}/dispute/" in schema
    )


def test_admin_scope_a_unit_official_sees_only_their_unit(client):
    mine, theirs = unit_official(), unit_official()
    own = commitment(unit=mine.unit, title="本单位协议")
    other = commitment(unit=theirs.unit, title="他单位协议")
    login(client, mine)
    listing = client.get("/admin/commitments/commitment/").content.decode()
    assert "本单位协议" in listing and "他单位协议" not in listing
    assert client.get(f"/admin/commitments/commitment/{other.pk}/change/").status_code == 302
    other_clause = other.clauses.get()
    assert client.get(f"/admin/commitments/clause/{other_clause.pk}/record/").status_code == 404
    # Adding a commitment for another unit is refused by the form.
    response = client.post(
        "/admin/commitments/commitment/add/",
        {
            "kind": "public_service",
            "title": "越权承诺",
            "unit": theirs.unit.pk,
            "clauses-TOTAL_FORMS": "0",
            "clauses-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    dept = department_staff()
    login(client, dept)
    listing = client.get("/admin/commitments/commitment/").content.decode()
    assert "本单位协议" in listing and "他单位协议" in listing
    # The department sees every clause but records no unit's evidence.
    assert (
        client.get(f"/admin/commitments/clause/{own.clauses.get().pk}/record/").status_code == 403
    )


def test_the_official_records_evidence_in_the_admin_and_bad_files_are_refused(client):
    official = unit_official()
    c = commitment(unit=official.unit)
    clause = c.clauses.get()
    login(client, official)
    change = client.get(f"/admin/commitments/clause/{clause.pk}/change/").content.decode()
    assert "Record the fulfilment" in change
    url = f"/admin/commitments/clause/{clause.pk}/record/"
    bad = client.post(
        url, {"note": "已拨付", "files": [upload("a.pdf", PDF_BYTES), upload("b.pdf", EXE_BYTES)]}
    )
    assert bad.status_code == 400 and "is not a file type we accept" in bad.content.decode()
    assert not Fulfilment.objects.exists()
    ok = client.post(url, {"note": "已拨付", "files": [upload("a.pdf", PDF_BYTES)]})
    assert ok.status_code == 302
    assert Clause.objects.get().status == ClauseStatus.FULFILLED
    evidence = Fulfilment.objects.get().files.get()
    assert evidence.original_name == "a.pdf"
    download = f"/admin/commitments/clause/{clause.pk}/evidence/{evidence.pk}/"
    assert download in client.get(f"/admin/commitments/clause/{clause.pk}/change/").content.decode()
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    login(client, unit_official())
    assert client.get(download).status_code == 404


def test_an_agreements_evidence_downloads_for_its_enterprise_only(client):
    """The public page's evidence link: an agreement's files reach the enterprise it was made
    with, and nobody else: a visitor is sent to sign in, another enterprise gets 404 (never that
    it exists)."""
    official = unit_official()
    party = enterprise_user()
    c = commitment(unit=official.unit, enterprise=party.enterprise)
    services.fulfilment_record(actor=official, clause=c.clauses.get(), note="已拨付",
                               fulfilled_on=datetime.date(2026, 6, 1),
                               files=[upload("a.pdf", PDF_BYTES)])
    url = f"/commitments/evidence/{Fulfilment.objects.get().files.get().pk}/"
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(enterprise_user())
    assert client.get(url).status_code == 404
    client.force_login(party)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES


def test_the_department_works_the_supervision_case_in_the_engines_admin(client, recorded):
    c, clause, official, member = recorded
    services.fulfilment_dispute(actor=member, clause=clause, reason="资金只到账一半。")
    clause.refresh_from_db()
    login(client, department_staff())
    page = client.get(f"/admin/cases/case/{clause.case_id}/change/")
    assert page.status_code == 200 and "给予落户奖励100万元" in page.content.decode()
    listing = client.get("/admin/cases/supervisionitem/")
    assert listing.status_code == 200 and clause.case.reference in listing.content.decode()


def test_the_commitment_page_reads_four_commitment_queries_for_one_clause_or_five(client):
    """The commitment, its clauses, their fulfilments and their files: none per clause. The
    page's own queries are pinned; the layout's (session, user, permissions, unread count) are
    other tests' and equal for both pages."""
    official = unit_official()
    totals = []
    for n in (1, 5):
        c = commitment(unit=official.unit, clauses=n)
        client.force_login(enterprise_user(c.enterprise))
        for clause in c.clauses.all():
            services.fulfilment_record(
                actor=official,
                clause=clause,
                note="已兑现。",
                files=[upload("凭证.pdf", PDF_BYTES, "application/pdf")],
            )
        client.get(f"/commitments/{c.pk}/")  # the navigation's cached fragment is warm
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(f"/commitments/{c.pk}/")
        assert page.content.decode().count("Confirm it was kept") == n
        own = [q["sql"] for q in ctx.captured_queries if '"commitments_' in q["sql"]]
        assert len(own) == 4, own
        totals.append(len(ctx))
    assert totals[0] == totals[1]


def test_an_official_enters_an_agreement_naming_the_enterprise_by_its_credit_code(client):
    official = unit_official()
    enterprise = enterprise_user().enterprise
    login(client, official)
    form = {
        "kind": "agreement",
        "title": "总部落户协议",
        "unit": official.unit.pk,
        "clauses-TOTAL_FORMS": "1",
        "clauses-INITIAL_FORMS": "0",
        "clauses-0-number": "1",
        "clauses-0-text": "三年内给予租金补贴",
        "clauses-0-due_date": "2027-06-30",
    }
    missing = client.post("/admin/commitments/commitment/add/", form)
    assert "An agreement names the enterprise it is made with." in missing.content.decode()
    unknown = client.post(
        "/admin/commitments/commitment/add/", {**form, "enterprise_code": "91440112MA59XXXX0X"}
    )
    assert "No enterprise with this unified social credit code" in unknown.content.decode()
    assert not Commitment.objects.exists() and not Clause.objects.exists()
    ok = client.post(
        "/admin/commitments/commitment/add/",
        {**form, "enterprise_code": enterprise.credit_code.lower()},
    )
    assert ok.status_code == 302
    saved = Commitment.objects.get()
    assert saved.enterprise == enterprise and saved.created_by == official
    assert saved.clauses.get().text == "三年内给予租金补贴"
    assert LedgerEntry.objects.get(action="commitments.created").object_id == str(saved.pk)
    # A clause once made is not rewritten: its fields come back read-only.
    change = client.get(f"/admin/commitments/commitment/{saved.pk}/change/").content.decode()
    assert 'name="clauses-0-due_date"' not in change and "三年内给予租金补贴" in change


def test_a_clause_due_on_a_holiday_falls_due_on_the_next_working_day_on_the_rate_page(client):
    official = unit_official()
    # Due Saturday 3 October 2026, in the National Day holiday: falls due on Thursday 8 October.
    c = commitment(unit=official.unit, clauses=2, due=datetime.date(2026, 10, 3))
    services.commitment_record_saved(actor=official, commitment=c, created=True)
    assert {cl.falls_due_on for cl in c.clauses.all()} == {datetime.date(2026, 10, 8)}
    with time_machine.travel(local_dt(2026, 10, 8, 10, 0), tick=False):
        _record(official, c.clauses.get(number=1), datetime.date(2026, 10, 8))
        html = client.get("/commitments/rates/").content.decode()
    assert figures(html, official.unit.code) == {
        "rate": "100.0%",
        "on_time": "1",
        "late": "0",
        "overdue": "0",
        "disputed": "0",
        "not_due": "1",
    }
    with time_machine.travel(local_dt(2026, 10, 9, 10, 0), tick=False):
        html = client.get("/commitments/rates/").content.decode()
    assert figures(html, official.unit.code)["overdue"] == "1"
