"""The responsible unit's official records a clause's fulfilment through the API, with the
service and permission rule the admin uses; every refusal in the API's one error format, in the
reader's language, and documented in the OpenAPI schema with a link the fuzzer follows."""

import datetime

import pytest
from rest_framework.test import APIClient

from policies.commitments.constants import ClauseStatus, CommitmentKind
from policies.commitments.models import Clause, EvidenceFile, Fulfilment
from portal.ledger.models import LedgerEntry
from portal.notifications.models import Notification
from tests.cases.factories import EXE_BYTES, PDF_BYTES, upload
from tests.factories import department_staff, enterprise_user, unit_official

from .factories import commitment

pytestmark = pytest.mark.django_db


def url(clause) -> str:
    return f"/api/v1/commitments/clauses/{clause.pk}/fulfilments/"


def api_as(user=None, language="en") -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    api.cookies["portal_language"] = language
    if user is not None:
        api.force_authenticate(user)
    return api


@pytest.fixture
def agreement():
    official = unit_official()
    c = commitment(unit=official.unit)
    member = enterprise_user(c.enterprise)
    return c.clauses.get(), official, member


def test_the_units_official_records_with_evidence_and_the_enterprise_is_asked(agreement):
    clause, official, member = agreement
    response = api_as(official).post(
        url(clause),
        {
            "note": "奖励资金已拨付。",
            "fulfilled_on": "2026-06-01",
            "files": [upload("拨付凭证.pdf", PDF_BYTES, "application/pdf")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "fulfilled" and body["fulfilled_on"] == "2026-06-01"
    assert body["fulfilments"][0]["note"] == "奖励资金已拨付。"
    assert body["fulfilments"][0]["files"] == ["拨付凭证.pdf"]
    assert EvidenceFile.objects.get().fulfilment.recorded_by == official
    notice = Notification.objects.get(recipient=member)
    assert "please confirm or dispute" in notice.subject
    assert LedgerEntry.objects.filter(action="commitments.fulfilment_recorded").count() == 1


def test_json_without_files_records_today(agreement):
    clause, official, member = agreement
    response = api_as(official).post(url(clause), {"note": "已办结。"}, format="json")
    assert response.status_code == 201
    clause.refresh_from_db()
    assert clause.status == ClauseStatus.FULFILLED and clause.fulfilled_on is not None


def _refusal(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    if code:
        assert error["code"] == code
    return error


def test_another_units_official_neither_sees_an_agreement_nor_records_a_public_commitment():
    mine, other = unit_official(), unit_official()
    agreement_clause = commitment(unit=mine.unit).clauses.get()
    error = _refusal(
        api_as(other).post(url(agreement_clause), {"note": "越权"}, format="json"), 404, "not_found"
    )
    assert error["message"] == "There is no clause with this id that you may see."
    # A public commitment is on the public pages, so the other unit's official sees it, and is
    # told why not, in their language.
    public = commitment(unit=mine.unit, kind=CommitmentKind.PUBLIC_SERVICE).clauses.get()
    error = _refusal(
        api_as(other, "zh-hans").post(url(public), {"note": "越权"}, format="json"),
        403,
        "permission_denied",
    )
    assert error["message"] == "只有责任单位的经办人才能登记该承诺的兑现情况。"
    assert not Fulfilment.objects.exists()


def test_the_enterprise_the_department_and_anonymous_are_refused(agreement):
    clause, official, member = agreement
    refused = _refusal(
        api_as(member).post(url(clause), {"note": "我们自己登记"}, format="json"),
        403,
        "permission_denied",
    )
    assert "Only an official of the responsible unit" in refused["message"]
    # The department sees every clause, but recording is the unit's own word (ADR 0014).
    _refusal(
        api_as(department_staff()).post(url(clause), {"note": "代登记"}, format="json"),
        403,
        "permission_denied",
    )
    _refusal(api_as().post(url(clause), {"note": "匿名"}, format="json"), 403)
    assert Clause.objects.get().status == ClauseStatus.PENDING
    assert not Fulfilment.objects.exists()


def test_a_clause_already_fulfilled_or_confirmed_is_refused_for_its_status(agreement):
    clause, official, member = agreement
    api = api_as(official)
    assert api.post(url(clause), {"note": "第一次"}, format="json").status_code == 201
    error = _refusal(
        api.post(url(clause), {"note": "第二次"}, format="json"), 400, "invalid_transition"
    )
    assert "that step is not possible now" in error["message"]
    api_as(member).post(f"/api/v1/commitments/clauses/{clause.pk}/confirm/")
    error = _refusal(
        api_as(official, "zh-hans").post(url(clause), {"note": "第三次"}, format="json"),
        400,
        "invalid_transition",
    )
    assert "“企业已确认兑现”" in error["message"]
    assert Fulfilment.objects.count() == 1


def test_a_disputed_clause_is_recorded_again(agreement):
    clause, official, member = agreement
    api = api_as(official)
    api.post(url(clause), {"note": "第一次"}, format="json")
    api_as(member).post(
        f"/api/v1/commitments/clauses/{clause.pk}/dispute/", {"reason": "只到账一半"}, format="json"
    )
    again = api.post(url(clause), {"note": "已补足差额。"}, format="json")
    assert again.status_code == 201 and again.json()["status"] == "fulfilled"
    assert [f["note"] for f in again.json()["fulfilments"]] == ["已补足差额。", "第一次"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "note", "This field is required."),
        ({"note": "   "}, "note", "This field may not be blank."),
        ({"note": "x" * 5001}, "note", "Ensure this field has no more than 5000 characters."),
        (
            {"note": "已办", "fulfilled_on": "2999-01-01"},
            "fulfilled_on",
            "The fulfilment date cannot be in the future.",
        ),
        ({"note": "已办", "fulfilled_on": "昨天"}, "fulfilled_on", "Date has wrong format."),
    ],
)
def test_bad_input_is_refused_field_by_field(agreement, data, field, message):
    clause, official, member = agreement
    error = _refusal(api_as(official).post(url(clause), data, format="json"), 400)
    assert error["fields"][field][0].startswith(message)
    assert not Fulfilment.objects.exists()


def test_a_file_of_a_type_not_accepted_saves_nothing(agreement):
    clause, official, member = agreement
    response = api_as(official, "zh-hans").post(
        url(clause),
        {"note": "已办", "files": [upload("a.pdf", PDF_BYTES), upload("setup.pdf", EXE_BYTES)]},
        format="multipart",
    )
    error = _refusal(response, 400)
    assert "setup.pdf" in error["fields"]["files"][0]
    assert not Fulfilment.objects.exists() and not EvidenceFile.objects.exists()
    assert Clause.objects.get().status == ClauseStatus.PENDING


def test_the_schema_documents_the_operation_its_refusals_and_a_link_to_it():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    path = "/api/v1/commitments/clauses/{id}/fulfilments/"
    operation = schema["paths"][path]["post"]
    error = {"$ref": "#/components/schemas/Error"}
    assert set(operation["responses"]) >= {"201", "400", "403", "404"}
    for code in ("400", "403", "404"):
        assert operation["responses"][code]["content"]["application/json"]["schema"] == error
    body = operation["requestBody"]["content"]
    multipart = body["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][multipart]["properties"]["files"]["type"] == "array"
    json_in = schema["components"]["schemas"]["FulfilmentJsonInRequest"]
    assert "files" not in json_in["properties"] and json_in["required"] == ["note"]
    # A commitment's page lists its clauses: the fuzzer and clients follow them here.
    detail = schema["paths"]["/api/v1/commitments/{id}/"]["get"]["responses"]["200"]["links"]
    assert detail[operation["operationId"]]["parameters"] == {
        "path.id": "$response.body#/clauses/0/id"
    }


def test_a_past_fulfilment_date_is_kept(agreement):
    clause, official, member = agreement
    day = datetime.date(2026, 3, 2)
    response = api_as(official).post(
        url(clause), {"note": "已办", "fulfilled_on": day.isoformat()}, format="json"
    )
    assert response.json()["fulfilments"][0]["fulfilled_on"] == "2026-03-02"


def test_an_official_finds_their_units_clauses_to_record_and_nobody_elses():
    mine, other = unit_official(), unit_official()
    own = commitment(unit=mine.unit, clauses=2, title="本单位协议")
    commitment(unit=other.unit, title="他单位协议")
    api = api_as(mine)
    rows = api.get("/api/v1/commitments/clauses/").json()["results"]
    assert [(r["commitment_title"], r["number"], r["status"]) for r in rows] == [
        ("本单位协议", 1, "pending"),
        ("本单位协议", 2, "pending"),
    ]
    assert rows[0]["enterprise"] == own.enterprise.name and rows[0]["commitment"] == own.pk
    first = own.clauses.get(number=1)
    assert api.post(url(first), {"note": "已办"}, format="json").status_code == 201
    pending = api.get("/api/v1/commitments/clauses/", {"status": "pending"}).json()["results"]
    assert [r["number"] for r in pending] == [2]
    bad = api.get("/api/v1/commitments/clauses/", {"status": "kept"})
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]
    everyone = api_as(department_staff()).get("/api/v1/commitments/clauses/").json()["results"]
    assert {r["commitment_title"] for r in everyone} == {"本单位协议", "他单位协议"}
    for user in (enterprise_user(own.enterprise), None):
        _refusal(api_as(user).get("/api/v1/commitments/clauses/"), 403)


def test_the_list_of_clauses_links_to_recording():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    record = schema["paths"]["/api/v1/commitments/clauses/{id}/fulfilments/"]["post"]
    links = schema["paths"]["/api/v1/commitments/clauses/"]["get"]["responses"]["200"]["links"]
    assert links[record["operationId"]]["parameters"] == {"path.id": "$response.body#/results/0/id"}
