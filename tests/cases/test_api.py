"""The cases API: who may see and do what, bad input, every engine step, fixed query counts,
and the OpenAPI schema. Refusals come in the one error format {"error": {...}}."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from portal.appeals.constants import AppealType
from portal.cases import services
from portal.cases.constants import ReturnReason, Status
from portal.cases.models import Attachment, Case, CaseEvent
from tests.factories import UnitFactory, unit_official

from .factories import (
    EXE_BYTES,
    PDF_BYTES,
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
BASE = "/api/v1/cases/"


def api(user=None) -> APIClient:
    client = APIClient()
    client.cookies["portal_language"] = "en"
    if user is not None:
        client.force_authenticate(user)
    return client


def step(user, case, name, data=None, fmt="json"):
    return api(user).post(f"{BASE}{case.pk}/{name}/", data or {}, format=fmt)


def error(response) -> dict:
    assert set(response.json()) == {"error"}, response.json()
    return response.json()["error"]


def status_of(case) -> str:
    return Case.objects.get(pk=case.pk).status


# --- reading ---------------------------------------------------------------------------------

def test_each_side_lists_only_the_cases_it_may_see(dept, unit, official, other_unit,
                                                   submitter, stranger):
    mine = assigned_case(dept, unit, submitter=submitter)
    theirs = assigned_case(dept, other_unit, submitter=stranger)
    waiting = submit_case(submitter)

    def refs(user):
        response = api(user).get(BASE)
        assert response.status_code == 200
        return sorted(row["reference"] for row in response.json()["results"])

    assert refs(submitter) == sorted([mine.reference, waiting.reference])
    assert refs(stranger) == [theirs.reference]
    assert refs(official) == [mine.reference]
    assert refs(dept) == sorted([mine.reference, theirs.reference, waiting.reference])
    assert api().get(BASE).status_code in (401, 403)


def test_list_filters_by_status_type_category_and_overdue(dept, unit, submitter):
    roads = CategoryFactory(code="roads")
    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=True):
        late = signed_case(dept, unit, submitter=submitter, subtype=AppealType.INQUIRY,
                           category=roads)
    with time_machine.travel(local_dt(2026, 3, 20, 9, 0), tick=True):
        suggestion = submit_case(submitter, subtype=AppealType.SUGGESTION)
        client = api(submitter)

        def ids(**params):
            response = client.get(BASE, params)
            assert response.status_code == 200, response.json()
            return [row["id"] for row in response.json()["results"]]

        assert ids(status="signed_for") == [late.pk]
        assert ids(type="suggestion") == [suggestion.pk]
        assert ids(category="roads") == [late.pk]
        assert ids(overdue="true") == [late.pk]
        row = client.get(BASE, {"overdue": "true"}).json()["results"][0]
    assert row["is_overdue"] is True and row["status_display"] == "Signed for"
    assert row["category"]["code"] == "roads" and row["due_date"] == late.due_date.isoformat()


def test_bad_list_filters_are_refused_with_field_messages(submitter):
    response = api(submitter).get(BASE, {"status": "lost", "category": "nope"})
    assert response.status_code == 400
    fields = error(response)["fields"]
    assert set(fields) == {"status", "category"}


def test_list_pages_with_a_cursor(submitter, category):
    for i in range(5):
        submit_case(submitter, category=category, title=f"诉求{i}")
    client = api(submitter)
    first = client.get(BASE, {"page_size": 3}).json()
    assert len(first["results"]) == 3 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    seen = [r["id"] for r in first["results"] + second["results"]]
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 5


def test_the_list_runs_the_same_queries_for_2_or_25_cases(dept, unit, submitter,
                                                          django_assert_num_queries):
    for _ in range(2):
        signed_case(dept, unit, submitter=submitter)
    client = api(dept)
    client.get(BASE)  # the first request of a user loads its permissions once
    with CaptureQueriesContext(connection) as ctx:
        assert len(client.get(BASE).json()["results"]) == 2
    for _ in range(23):
        signed_case(dept, unit, submitter=submitter)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(BASE)
    assert len(response.json()["results"]) == 25


def test_the_enterprise_reads_the_public_timeline_the_unit_reads_everything(dept, unit,
                                                                            submitter):
    official = unit_official(unit, full_name="林经办")
    case = signed_case(dept, unit, official, submitter=submitter)
    step(official, case, "notes", {"note": "需协调消防大队"})

    public = api(submitter).get(f"{BASE}{case.pk}/").json()
    actions = [e["action"] for e in public["timeline"]]
    assert actions == ["submit", "accept", "assign", "sign_for"]
    assert "需协调消防大队" not in str(public) and "林经办" not in str(public)
    assert public["timeline"][-1]["by"] == unit.display_name
    assert set(public["timeline"][-1]["details"]) <= {"due_date", "unit_name", "unit_name_en"}
    assert public["supervision"] is None

    full = api(official).get(f"{BASE}{case.pk}/").json()
    note = full["timeline"][-1]
    assert note["action"] == "note" and note["internal"] is True
    assert note["note"] == "需协调消防大队" and "林经办" in note["by"]
    assert full["supervision"]["is_supervised"] is False


def test_the_same_queries_for_a_short_or_long_timeline(dept, unit, submitter,
                                                       django_assert_num_queries):
    official = unit_official(unit)
    short = signed_case(dept, unit, official, submitter=submitter)
    long = signed_case(dept, unit, official, submitter=submitter)
    plain = signed_case(dept, unit, official, submitter=submitter)
    for i in range(6):
        step(official, long, "request-info", {"question": f"问题{i}"})
        step(submitter, long, "provide-info", {"information": f"回答{i}",
                                               "files": [upload(f"{i}.png", PNG_BYTES)]},
             fmt="multipart")
        step(official, plain, "request-info", {"question": f"问题{i}"})
        step(submitter, plain, "provide-info", {"information": f"回答{i}"})
    client = api(submitter)
    client.get(f"{BASE}{short.pk}/")
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"{BASE}{short.pk}/")
    with django_assert_num_queries(len(ctx.captured_queries)):
        data = client.get(f"{BASE}{plain.pk}/").json()
    assert len(data["timeline"]) == 16
    # the files are one query more, whatever their number, for a case that has some
    # (Case.attachment_count: a case with none reads none)
    with django_assert_num_queries(len(ctx.captured_queries) + 1):
        data = client.get(f"{BASE}{long.pk}/").json()
    assert len(data["timeline"]) == 16
    assert sum(len(event["attachments"]) for event in data["timeline"]) == 6


# --- refusals by role and visibility ---------------------------------------------------------

def test_an_official_of_another_unit_gets_404_for_reading_and_acting(dept, unit, other_unit):
    case = assigned_case(dept, unit)
    outsider = unit_official(other_unit)
    response = api(outsider).get(f"{BASE}{case.pk}/")
    assert response.status_code == 404 and error(response)["code"] == "not_found"
    for name in ("sign-for", "answer", "notes", "return", "transfer"):
        assert step(outsider, case, name, {"answer": "x", "note": "x"}).status_code == 404
    assert status_of(case) == Status.ASSIGNED
    assert not CaseEvent.objects.filter(case=case, actor=outsider).exists()


def test_another_enterprise_gets_404(dept, unit, submitter, stranger):
    case = answered_case(dept, unit, submitter=submitter)
    assert api(stranger).get(f"{BASE}{case.pk}/").status_code == 404
    assert step(stranger, case, "rate", {"score": 5}).status_code == 404
    assert status_of(case) == Status.ANSWERED


def test_an_enterprise_user_may_not_sign_for_or_dispatch(dept, unit, submitter):
    case = assigned_case(dept, unit, submitter=submitter)
    response = step(submitter, case, "sign-for")
    assert response.status_code == 403
    body = error(response)
    assert body["code"] == "permission_denied"
    assert body["message"] == (f"Only an official of the unit responsible for {case.reference} "
                               "may do this.")
    assert step(submitter, case, "transfer", {"unit": UnitFactory().pk}).status_code == 403
    assert status_of(case) == Status.ASSIGNED


def test_an_official_may_not_dispatch_and_the_department_may_not_rate(dept, unit, official,
                                                                      submitter):
    waiting = submit_case(submitter)
    assert api(official).get(f"{BASE}{waiting.pk}/").status_code == 404
    case = answered_case(dept, unit, official, submitter=submitter)
    response = step(official, case, "close")
    assert response.status_code == 403
    assert "business environment department" in error(response)["message"]
    response = step(dept, case, "rate", {"score": 5})
    assert response.status_code == 403
    assert status_of(case) == Status.ANSWERED


def test_only_enterprise_members_may_submit(official, category):
    response = api(official).post(BASE, {"title": "t", "description": "d",
                                         "category": category.code, "appeal_type": "help"})
    assert response.status_code == 403
    assert "Only a member of a registered enterprise" in error(response)["message"]
    assert not Case.objects.exists()


# --- submitting ------------------------------------------------------------------------------

def test_submit_with_attachments(submitter, category):
    response = api(submitter).post(BASE, {
        "appeal_type": "help", "category": category.code, "title": "厂房消防验收排期太久",
        "description": "已提交两个月仍未安排验收。",
        "files": [upload("申请表.pdf", PDF_BYTES), upload("现场.png", PNG_BYTES)],
    }, format="multipart")
    assert response.status_code == 201, response.json()
    data = response.json()
    case = Case.objects.get()
    assert data["reference"] == case.reference and data["status"] == "submitted"
    files = data["timeline"][0]["attachments"]
    assert sorted(f["name"] for f in files) == ["现场.png", "申请表.pdf"]
    download = api(submitter).get(next(f["download_url"] for f in files
                                       if f["name"] == "申请表.pdf"))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES


def test_submit_without_category_is_refused_with_the_engines_message(submitter):
    response = api(submitter).post(BASE, {"appeal_type": "help", "title": "t",
                                          "description": "d"}, format="json")
    assert response.status_code == 400
    assert error(response)["fields"] == {
        "category": ["Choose the category your appeal is about."]}
    assert not Case.objects.exists()


def test_submit_with_a_disguised_attachment_saves_nothing(submitter, category):
    response = api(submitter).post(BASE, {
        "appeal_type": "help", "category": category.code, "title": "t", "description": "d",
        "files": [upload("合同.pdf", PDF_BYTES), upload("发票.pdf", EXE_BYTES)],
    }, format="multipart")
    assert response.status_code == 400
    messages = error(response)["fields"]["files"]
    assert len(messages) == 1 and "“发票.pdf” is not a file type we accept" in messages[0]
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_submitting_the_same_appeal_twice_is_refused(submitter, category):
    body = {"appeal_type": "help", "category": category.code, "title": "t",
            "description": "d"}
    assert api(submitter).post(BASE, body, format="json").status_code == 201
    response = api(submitter).post(BASE, body, format="json")
    assert response.status_code == 400
    assert error(response)["code"] == "duplicate"
    assert "You submitted this appeal a moment ago" in error(response)["message"]
    assert Case.objects.count() == 1


# --- every step, through the API -------------------------------------------------------------

def test_the_whole_journey_through_the_api(dept, unit, official, other_unit, submitter,
                                           category):
    client = api(submitter)
    case_id = client.post(BASE, {"appeal_type": "help", "category": category.code,
                                 "title": "用电报装", "description": "新厂房需要报装用电。"},
                          format="json").json()["id"]
    case = Case.objects.get(pk=case_id)

    def ok(user, name, data=None, fmt="json"):
        response = step(user, case, name, data, fmt)
        assert response.status_code in (200, 201), response.json()
        return response.json()

    assert ok(dept, "accept")["status"] == "accepted"
    assert ok(dept, "assign", {"unit": other_unit.pk, "note": "请办理"})["status"] == "assigned"
    other = unit_official(other_unit)
    assert ok(other, "sign-for")["status"] == "signed_for"
    assert ok(other, "transfer", {"unit": unit.pk})["responsible_unit"]["id"] == unit.pk
    assert ok(official, "sign-for")["status"] == "signed_for"
    assert ok(official, "start")["status"] == "in_progress"
    assert ok(official, "request-info", {"question": "请提供用电负荷。"})["status"] == \
        "info_requested"
    assert ok(submitter, "provide-info", {"information": "500千瓦。"})["status"] == "in_progress"
    due = Case.objects.get(pk=case_id).due_date
    until = (due + datetime.timedelta(days=14)).isoformat()
    assert ok(official, "request-extension", {"until": until, "reason": "需现场勘查"})[
        "status"] == "extension_requested"
    extended = ok(dept, "decide-extension", {"approve": True})
    assert extended["status"] == "in_progress" and extended["due_date"] == until
    assert ok(official, "notes", {"note": "已联系供电局"})["action"] == "note"
    assert ok(official, "answer", {"answer": "已安排报装。", "files": [
        upload("回执.pdf", PDF_BYTES)]}, fmt="multipart")["status"] == "answered"
    redo = ok(submitter, "rate", {"score": 1, "comment": "没有进展"})
    assert redo["status"] == "reopened" and redo["satisfaction"] == 1
    ok(official, "start")
    ok(official, "answer", {"answer": "已于周三通电。"})
    closed = ok(submitter, "rate", {"score": 5})
    assert closed["status"] == "closed" and closed["satisfaction"] == 5

    timeline = client.get(f"{BASE}{case_id}/").json()["timeline"]
    public = [e["action"] for e in timeline]
    assert "note" not in public and "request_extension" not in public
    assert public.count("answer") == 2 and public[-1] == "rate"
    assert "已联系供电局" not in str(timeline) and "请办理" not in str(timeline)


def test_reject_needs_a_reason_then_closes_the_case(dept, submitter):
    case = submit_case(submitter)
    response = step(dept, case, "reject", {})
    assert response.status_code == 400
    assert error(response)["fields"] == {
        "reason": ["Tell the enterprise why the appeal is not accepted."]}
    assert status_of(case) == Status.SUBMITTED
    assert step(dept, case, "reject", {"reason": "不属于本平台受理范围"}).json()["status"] == \
        "not_accepted"


def test_return_needs_a_known_reason(dept, unit, official):
    case = signed_case(dept, unit, official)
    response = step(official, case, "return", {"reason": "bored"})
    assert response.status_code == 400 and "reason" in error(response)["fields"]
    response = step(official, case, "return", {"reason": ReturnReason.OTHER})
    assert error(response)["fields"] == {"note": ["Explain why you return the case."]}
    assert status_of(case) == Status.SIGNED_FOR
    response = step(official, case, "return", {"reason": ReturnReason.WRONG_UNIT})
    assert response.status_code == 200 and response.json()["status"] == "returned"
    # Returned, the case has left the unit: it no longer sees it.
    assert api(official).get(f"{BASE}{case.pk}/").status_code == 404


def test_close_an_answered_case(dept, unit):
    case = answered_case(dept, unit)
    assert step(dept, case, "close", {"note": "电话确认已解决"}).json()["status"] == "closed"


def test_a_step_not_allowed_now_is_refused_and_changes_nothing(dept, unit, official):
    case = signed_case(dept, unit, official)
    events = CaseEvent.objects.filter(case=case).count()
    response = step(official, case, "sign-for")
    assert response.status_code == 400
    body = error(response)
    assert body["code"] == "invalid_transition"
    assert body["message"] == (f"You cannot sign for case {case.reference} while it is "
                               "“Signed for”.")
    assert step(dept, case, "decide-extension", {"approve": True}).status_code == 400
    assert CaseEvent.objects.filter(case=case).count() == events


def test_rating_twice_is_refused_and_the_first_rating_stays(dept, unit, submitter):
    case = answered_case(dept, unit, submitter=submitter)
    assert step(submitter, case, "rate", {"score": 4}).status_code == 200
    response = step(submitter, case, "rate", {"score": 1, "comment": "改主意了"})
    assert response.status_code == 400
    body = error(response)
    assert body["code"] == "already_rated" and "(4 of 5)" in body["message"]
    case.refresh_from_db()
    assert case.satisfaction == 4 and case.status == Status.CLOSED


@pytest.mark.parametrize("data, field", [
    ({"score": 9}, "score"),
    ({}, "score"),
    ({"score": 2}, "comment"),
])
def test_a_bad_rating_is_refused_with_a_field_message(dept, unit, submitter, data, field):
    case = answered_case(dept, unit, submitter=submitter)
    response = step(submitter, case, "rate", data)
    assert response.status_code == 400 and list(error(response)["fields"]) == [field]
    assert status_of(case) == Status.ANSWERED


def test_an_answer_with_a_disguised_file_changes_nothing(dept, unit, official):
    case = signed_case(dept, unit, official)
    response = step(official, case, "answer", {"answer": "见附件", "files": [
        upload("答复.pdf", EXE_BYTES)]}, fmt="multipart")
    assert response.status_code == 400
    assert "“答复.pdf”" in error(response)["fields"]["files"][0]
    assert status_of(case) == Status.SIGNED_FOR and not Attachment.objects.exists()


def test_internal_files_stay_internal(dept, unit, official, submitter):
    case = signed_case(dept, unit, official, submitter=submitter)
    note = step(official, case, "notes", {"note": "内部", "files": [
        upload("内部.png", PNG_BYTES)]}, fmt="multipart").json()
    url = note["attachments"][0]["download_url"]
    assert api(official).get(url).status_code == 200
    assert api(submitter).get(url).status_code == 404


# --- the schema ------------------------------------------------------------------------------

def test_the_openapi_schema_lists_every_cases_endpoint(submitter):
    response = api(submitter).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/cases/"])
    assert "get" in paths["/api/v1/cases/{id}/"]
    assert "get" in paths["/api/v1/cases/{id}/files/{attachment_id}/"]
    for name in ("accept", "reject", "assign", "sign-for", "start", "answer", "return",
                 "transfer", "request-extension", "decide-extension", "request-info",
                 "provide-info", "rate", "close", "notes"):
        operation = paths[f"/api/v1/cases/{{id}}/{name}/"]["post"]
        assert operation["tags"] == ["cases"] and operation["summary"]
        assert {"400", "403", "404"} <= set(operation["responses"])
    submit = paths["/api/v1/cases/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in submit


def test_the_written_out_list_serializer_prints_what_drf_prints_field_by_field(
        dept, unit, submitter):
    from rest_framework import serializers

    from portal.appeals.api.serializers import CaseListOutputSerializer

    other = UnitFactory()
    new = submit_case(submitter)  # no unit, no due date yet
    signed = signed_case(dept, unit, submitter=submitter, subject_unit=other)
    closed = services.case_rate(case=answered_case(dept, unit, submitter=submitter),
                                actor=submitter, score=5)
    overdue = signed_case(dept, unit, submitter=submitter)
    Case.objects.filter(pk=overdue.pk).update(  # overdue, no category, no acceptance date
        due_date=datetime.date(2026, 1, 5), category=None, acceptance_due_date=None)
    cases = Case.objects.filter(pk__in=[new.pk, signed.pk, closed.pk, overdue.pk]).select_related(
        "category", "responsible_unit", "subject_unit")
    assert cases.get(pk=overdue.pk).is_overdue
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for case in cases:
                fast = CaseListOutputSerializer(case).data
                walked = serializers.Serializer.to_representation(CaseListOutputSerializer(),
                                                                  case)
                assert list(fast) == list(walked) and fast == walked
    printed = CaseListOutputSerializer(cases.get(pk=closed.pk)).data
    assert printed["closed_at"] and printed["satisfaction"] == 5 and printed["status"] == "closed"
    assert CaseListOutputSerializer(cases.get(pk=new.pk)).data["responsible_unit"] is None
