"""Publication (Art. 6(2)): a negative case from a verified finding, de-identified, drafted by
one person and published when another approves; the public page filters by unit, kind, type
and year in three languages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints import services
from complaints.models import PublishedCase
from tests.factories import department_staff
from tests.totp import login

from .factories import REPORTER, investigated, report

pytestmark = pytest.mark.django_db


def _draft(actor, complaint, **change):
    kwargs = {"actor": actor, "kind": "negative", "unit": None, "year": 2026,
              "title": "窗口推诿致验收延误", "title_en": "Buck-passing delayed an inspection",
              "text": "某站窗口三次退件不说明理由，已责令整改并通报。",
              "text_en": "A window returned an application three times without reasons.",
              "complaint": complaint, **change}
    return services.publication_draft(**kwargs)


def test_a_negative_case_is_published_only_from_a_verified_finding_and_by_another_person(
        client, desk, dept, accused, investigator, official, reporter_user):
    open_report, _ = report(accused_unit=accused)
    with pytest.raises(ValidationError, match="verified or partly verified"):
        _draft(dept, open_report)
    complaint, _ = report(user=reporter_user, accused_unit=accused)
    investigated(complaint, desk=desk, unit=investigator, official=official)
    with pytest.raises(ValidationError, match="names the reporter"):
        _draft(dept, complaint, text=f"{REPORTER['enterprise']}举报某站推诿。")
    draft = _draft(dept, complaint)
    assert (draft.unit, draft.misconduct, draft.status) == (accused, "buck_passing", "draft")
    client.cookies["portal_language"] = "en"
    assert "Buck-passing delayed" not in client.get("/complaints/cases/").content.decode()
    with pytest.raises(PermissionDenied, match="another person"):
        services.publication_approve(publication=draft, actor=dept)
    services.publication_approve(publication=draft, actor=department_staff())
    page = client.get("/complaints/cases/").content.decode()
    assert "Buck-passing delayed an inspection" in page
    assert client.get("/complaints/cases/", {"kind": "excellent"}).content.decode().count(
        "Buck-passing delayed") == 0
    assert "Buck-passing delayed" in client.get(
        "/complaints/cases/", {"unit": accused.pk, "year": "2026",
                               "misconduct": "buck_passing"}).content.decode()
    client.cookies["portal_language"] = "zh-hant"
    assert "窗口推諉致驗收延誤" in client.get("/complaints/cases/").content.decode()


def test_drafting_and_approving_in_the_admin(client, dept, accused):
    login(client, dept)
    response = client.post("/admin/complaints/publishedcase/add/", {
        "kind": "excellent", "unit": accused.pk, "year": "2026", "title": "一窗通办",
        "title_en": "One window for everything", "text": "企业开办一天办结。",
        "text_en": "Opening a business takes one day."})
    assert response.status_code == 302
    publication = PublishedCase.objects.get()
    change = f"/admin/complaints/publishedcase/{publication.pk}/change/"
    assert 'value="approve"' not in client.get(change).content.decode()
    approver = department_staff()
    login(client, approver)
    assert client.post(change, {"_step": "approve", "approve-confirm": "on"}).status_code == 302
    assert PublishedCase.objects.get().status == "published"
