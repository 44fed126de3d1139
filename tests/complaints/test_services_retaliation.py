"""Retaliation (打击报复): from a closed report, its reporter (receipt code or account) reports
retaliation; a linked report opens at the top of the desk's queue, followed with the same code."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from complaints import services
from complaints.constants import Misconduct
from complaints.models import Complaint, Reporter
from portal.cases.models import Case
from tests.totp import login

from .factories import investigated, report

pytestmark = pytest.mark.django_db


def _closed(desk, accused, investigator, official, **kwargs):
    complaint, code = report(accused_unit=accused, **kwargs)
    investigated(complaint, desk=desk, unit=investigator, official=official)
    services.complaint_reporter_rate(complaint=complaint, score=4)
    return complaint, code


def test_retaliation_is_reported_only_from_a_closed_report(desk, accused):
    complaint, _ = report(accused_unit=accused)
    with pytest.raises(ValidationError, match="once the report is closed"):
        services.complaint_report_retaliation(complaint=complaint, title="t", facts="f")
    assert Complaint.objects.count() == 1


def test_a_retaliation_report_is_linked_followed_with_the_same_code_and_first_in_the_queue(
        client, desk, accused, investigator, official):
    complaint, code = _closed(desk, accused, investigator, official)
    other, _ = report(accused_unit=accused)  # filed earlier than the retaliation report
    with pytest.raises(ValidationError) as exc:
        services.complaint_report_retaliation(complaint=complaint, title="", facts="")
    assert {"title", "facts"} <= set(exc.value.message_dict)
    new = services.complaint_report_retaliation(complaint=complaint, title="举报后被刁难",
                                                facts="举报后再去办事被故意拖延。")
    assert new.retaliation_for == complaint and new.accused_unit == accused
    assert Case.objects.get(pk=new.pk).subtype == Misconduct.RETALIATION
    assert Reporter.objects.get(complaint=new).user_id is None
    assert services.complaint_follow(reference=new.reference, code=code) == new
    login(client, desk)
    page = client.get("/admin/complaints/complaint/").content.decode()
    assert page.index(new.reference) < page.index(other.reference)


def test_the_reporter_reports_retaliation_from_the_closed_reports_page(
        client, desk, accused, investigator, official):
    cache.clear()
    complaint, code = _closed(desk, accused, investigator, official)
    client.post("/complaints/follow/", {"reference": complaint.reference, "code": code})
    page = client.get("/complaints/report/").content.decode()
    assert "Report retaliation" in page
    assert client.post("/complaints/report/retaliation/", {"title": "", "facts": ""}
                       ).status_code == 400
    response = client.post("/complaints/report/retaliation/", {
        "title": "举报后被刁难", "facts": "举报后再去办事被故意拖延。"})
    assert response.status_code == 302
    new = Complaint.objects.get(retaliation_for=complaint)
    assert new.reference in client.get("/complaints/report/").content.decode()
    cache.clear()
