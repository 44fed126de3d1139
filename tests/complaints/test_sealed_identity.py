"""Issue 14, "Done when": the officials of the accused unit and of the investigating unit never
see the reporter's name, phone, e-mail, credit code or enterprise in any page, admin view, API
response, e-mail or log line; the desk sees them; the admin's steps refuse what the services
refuse."""

import logging

import pytest
from django.core import mail
from rest_framework.test import APIClient

from complaints import services
from complaints.models import Complaint, IdentityRequest
from portal.cases import services as case_services
from portal.cases.constants import Status
from portal.cases.models import Case
from portal.notifications.models import Notification
from tests.totp import login

from .factories import REPORTER, pdf, report

pytestmark = pytest.mark.django_db
IDENTITY = [REPORTER["full_name"], REPORTER["phone"], REPORTER["email"], REPORTER["credit_code"],
            REPORTER["enterprise"]]


def _identity_in(text: str) -> list[str]:
    return [value for value in IDENTITY if value in text]


def _pages(client, paths):
    found = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 302, 403, 404), (path, response.status_code)
        found[path] = response.content.decode()
    return found


def test_officials_never_see_who_reported_and_the_desk_does(
        client, caplog, reporter_user, desk, dept, accused, investigator, official,
        accused_official):
    caplog.set_level(logging.DEBUG)
    complaint, _ = report(user=reporter_user, accused_unit=accused, files=[pdf()])
    pk = complaint.pk
    # The desk assigns through the admin: the accused unit is refused, an uninvolved one taken.
    login(client, desk)
    refused = client.post(f"/admin/complaints/complaint/{pk}/change/",
                          {"_step": "assign", "assign-unit": accused.pk})
    assert refused.status_code == 200
    assert "cannot investigate this report" in refused.content.decode()
    assert Case.objects.get(pk=pk).status == Status.SUBMITTED
    assert client.post(f"/admin/complaints/complaint/{pk}/change/",
                       {"_step": "assign", "assign-unit": investigator.pk}).status_code == 302
    desk_page = client.get(f"/admin/complaints/complaint/{pk}/change/").content.decode()
    assert set(_identity_in(desk_page)) == set(IDENTITY)
    # The unit signs for it, asks the reporter, and records its finding through the admin.
    case = case_services.case_sign_for(case=complaint.case, actor=official)
    case = case_services.case_request_info(case=case, actor=official, question="请补充时间。")
    services.complaint_reporter_answer(complaint=complaint, information="11月2日上午。")
    login(client, official)
    no_reason = client.post(f"/admin/complaints/complaint/{pk}/change/",
                            {"_step": "finding", "finding-finding": "verified",
                             "finding-reasoning": ""})
    assert "Give the reasoning of the finding" in no_reason.content.decode()
    assert not Complaint.objects.get(pk=pk).finding
    assert client.post(f"/admin/complaints/complaint/{pk}/change/",
                       {"_step": "finding", "finding-finding": "verified",
                        "finding-reasoning": "调取录像，属实。"}).status_code == 302
    assert Complaint.objects.get(pk=pk).finding == "verified"
    # The investigating unit's official asks for the identity; the request page names nobody.
    client.post(f"/admin/complaints/complaint/{pk}/change/",
                {"_step": "identity", "identity-reason": "需联系举报人核实细节。"})
    request = IdentityRequest.objects.get()

    paths = ["/admin/complaints/complaint/", f"/admin/complaints/complaint/{pk}/change/",
             "/admin/cases/case/", f"/admin/cases/case/{pk}/change/", "/admin/",
             "/admin/complaints/identityrequest/",
             f"/admin/complaints/identityrequest/{request.pk}/change/",
             "/admin/complaints/reporter/", "/inbox/"]
    for person in (official, accused_official, dept):
        login(client, person)
        for path, text in _pages(client, paths).items():
            assert _identity_in(text) == [], (person, path)
        api = APIClient()
        api.force_authenticate(person)
        for path in ("/api/v1/cases/", f"/api/v1/cases/{pk}/"):
            response = api.get(path)
            assert _identity_in(response.content.decode()) == [], (person, path)
    # The accused unit does not even see the report.
    login(client, accused_official)
    assert complaint.reference not in client.get("/admin/complaints/complaint/").content.decode()
    assert client.get(f"/admin/complaints/complaint/{pk}/change/").status_code in (302, 403, 404)
    assert client.get("/admin/complaints/reporter/").status_code == 403
    mails = " ".join(f"{m.to} {m.subject} {m.body}" for m in mail.outbox)
    inbox = " ".join(f"{n.subject} {n.body}" for n in Notification.objects.all())
    assert _identity_in(mails + inbox + caplog.text) == []


def test_an_approved_identity_request_shows_the_reporter_to_its_asker_only(
        client, reporter_user, desk, supervisor, dept, accused, investigator, official):
    complaint, _ = report(user=reporter_user, accused_unit=accused)
    request = services.identity_request_create(complaint=complaint, asker=dept,
                                               reason="需核实是否为利害关系人。")
    # The asker cannot decide, even if they could decide others' (the form is not offered).
    path = f"/admin/complaints/identityrequest/{request.pk}/change/"
    login(client, supervisor)
    assert client.post(path, {"_step": "decide", "decide-approve": "yes",
                              "decide-reason": ""}).status_code == 200
    assert IdentityRequest.objects.get().status == "pending"
    assert client.post(path, {"_step": "decide", "decide-approve": "yes",
                              "decide-reason": "理由充分。"}).status_code == 302
    login(client, dept)
    page = client.get(path).content.decode()
    assert REPORTER["full_name"] in page and "this viewing is recorded" in page
    login(client, official)
    assert client.get(path).status_code in (302, 403, 404)


def test_the_desk_queue_lists_reports_by_due_date(client, desk, accused, investigator, official):
    late, _ = report(accused_unit=accused)
    waiting, _ = report(accused_unit=accused)
    services.complaint_assign(complaint=late, actor=desk, unit=investigator)
    case_services.case_sign_for(case=late.case, actor=official)
    login(client, desk)
    page = client.get("/admin/complaints/complaint/").content.decode()
    # Not yet due (waiting for triage) first, then by due date.
    assert page.index(waiting.reference) < page.index(late.reference)
