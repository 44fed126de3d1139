"""The reporter's pages: intake with its warnings, the receipt, following by code (not found,
rate limited), answering, adding evidence, the outcome and the rating."""

import re

import pytest
from django.core.cache import cache

from complaints.models import Complaint, Reporter
from portal.cases import services as case_services
from portal.cases.constants import Status
from portal.cases.models import Case

from .factories import REPORTER, investigated, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _post_report(client, accused, **extra):
    data = {"accused_unit": accused.pk, "misconduct": "graft", "title": "办证时被索要好处费",
            "facts": "窗口人员暗示需要“意思一下”才能加快办理。", "occurred_on": "2026-11-02",
            "place": "政务服务中心", "official_name": "", **extra}
    return client.post("/complaints/", data)


def test_the_intake_page_warns_plainly_before_an_anonymous_report(client):
    page = client.get("/complaints/").content.decode()
    assert "A lost receipt code cannot be recovered." in page
    assert "Anonymous reports are handled but not rewarded." in page
    assert "the report is anonymous" in page


def test_an_anonymous_report_gets_its_receipt_then_is_followed_by_code(client, accused):
    response = _post_report(client, accused, attachments=[pdf()])
    assert response.status_code == 302 and response.url == "/complaints/receipt/"
    receipt = client.get("/complaints/receipt/").content.decode()
    code = re.search(r"(\d{4} \d{4} \d{4} \d{4})", receipt).group(1).replace(" ", "")
    complaint = Complaint.objects.get()
    assert complaint.reference in receipt
    download = client.get("/complaints/receipt/download/")
    text = download.content.decode()
    assert complaint.reference in text and code[:4] in text
    assert "Misconduct: Graft or obstruction" in text
    # Continuing needs the confirmation; then the code is gone from the session.
    assert "Confirm that you have saved" in client.post("/complaints/receipt/", {}).content.decode()
    assert client.post("/complaints/receipt/", {"saved": "on"}).status_code == 302
    assert client.get("/complaints/receipt/").status_code == 302
    # A new browser follows it with reference and code.
    client.cookies.clear()
    client.cookies["portal_language"] = "en"
    assert client.get("/complaints/report/").status_code == 302  # to "follow a report"
    followed = client.post("/complaints/follow/", {"reference": complaint.reference,
                                                   "code": code})
    assert followed.status_code == 302
    page = client.get(followed.url).content.decode()
    assert complaint.case.title in page and "We received your report" in page


def test_a_wrong_code_says_only_not_found_and_attempts_lock_out(client, accused):
    _post_report(client, accused)
    code = client.session["complaints.receipt"]["code"]
    complaint = Complaint.objects.get()
    client.cookies.clear()
    client.cookies["portal_language"] = "en"
    wrong = str((int(code) + 7) % 10**16).zfill(16)
    for _attempt in range(5):
        response = client.post("/complaints/follow/", {"reference": complaint.reference,
                                                       "code": wrong})
        assert response.status_code == 404
        body = response.content.decode()
        assert "Not found." in body
        assert not re.search(r"wrong|incorrect|invalid|does not match", body, re.I)
    # Locked out now, even with the right code.
    locked = client.post("/complaints/follow/", {"reference": complaint.reference, "code": code})
    assert locked.status_code == 429 and "Too many attempts" in locked.content.decode()
    cache.clear()
    assert client.post("/complaints/follow/", {"reference": complaint.reference,
                                               "code": code}).status_code == 302


def test_anonymous_submissions_are_rate_limited_per_client(client, accused):
    for _ in range(5):
        assert _post_report(client, accused).status_code == 302
    refused = _post_report(client, accused)
    assert refused.status_code == 429 and "Too many anonymous reports" in refused.content.decode()
    assert Complaint.objects.count() == 5


def test_an_executable_renamed_pdf_is_refused_on_the_page_and_nothing_is_saved(client, accused):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.cases.factories import EXE_BYTES

    fake = SimpleUploadedFile("证据.pdf", EXE_BYTES, content_type="application/pdf")
    response = _post_report(client, accused, attachments=[fake])
    assert response.status_code == 200
    assert "is not a file type we accept" in response.content.decode()
    assert not Complaint.objects.exists() and not Case.objects.exists()


def test_a_named_report_is_filed_by_a_signed_in_user_and_listed_as_theirs(
        client, reporter_user, accused):
    client.force_login(reporter_user)
    response = _post_report(client, accused, phone="020-12345678")
    complaint = Complaint.objects.get()
    assert response.url == "/complaints/report/"
    assert complaint.named and Reporter.objects.get().phone == "020-12345678"
    assert complaint.reference in client.get("/complaints/mine/").content.decode()
    assert client.post("/complaints/mine/open/", {"report": complaint.pk}).url == response.url
    page = client.get(response.url).content.decode()
    assert REPORTER["full_name"] not in page.split("<main")[-1]


def test_the_reporter_answers_the_question_sees_the_outcome_and_rates_it(
        client, accused, desk, investigator, official):
    _post_report(client, accused)
    client.post("/complaints/receipt/", {"saved": "on"})
    complaint = Complaint.objects.get()
    case_services.case_assign(case=complaint.case, actor=desk, unit=investigator)
    case = case_services.case_sign_for(case=complaint.case, actor=official)
    case_services.case_request_info(case=case, actor=official, question="具体是哪一天？")
    page = client.get("/complaints/report/").content.decode()
    assert "具体是哪一天？" in page
    empty = client.post("/complaints/report/answer/", {"information": ""})
    assert empty.status_code == 400
    assert client.post("/complaints/report/answer/",
                       {"information": "11月2日上午。"}).status_code == 302
    assert Case.objects.get(pk=complaint.pk).status == Status.IN_PROGRESS
    from complaints import services

    services.complaint_record_finding(complaint=complaint, actor=official, finding="verified",
                                      reasoning="调取录像，情况属实，已处理。")
    page = client.get("/complaints/report/").content.decode()
    assert "调取录像，情况属实" in page and "Verified" in page
    assert client.post("/complaints/report/rating/",
                       {"score": "5"}).status_code == 302
    assert Case.objects.get(pk=complaint.pk).status == Status.CLOSED


def test_another_user_cannot_open_a_report_by_its_number(client, accused, reporter_user):
    _post_report(client, accused)
    complaint = Complaint.objects.get()
    client.cookies.clear()
    client.force_login(reporter_user)
    assert client.post("/complaints/mine/open/", {"report": complaint.pk}).status_code == 404
    assert client.get("/complaints/report/").status_code == 302
    assert client.post("/complaints/report/rating/", {"score": "5"}).status_code == 404


__all__ = ["investigated"]


def test_the_limits_count_each_client_behind_the_proxy_separately(client, accused, settings):
    """Behind the proxy every request comes from its address: the limit must follow the
    client the proxy names, or five wrong codes would lock everybody out."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    from allauth import app_settings

    if app_settings.TRUSTED_PROXY_COUNT != 1:  # read at import by some allauth versions
        pytest.skip("allauth reads the proxy count at import")
    for _ in range(5):
        client.post("/complaints/follow/", {"reference": "YS-2026-000001", "code": "1" * 16},
                    HTTP_X_FORWARDED_FOR="203.0.113.7")
    locked = client.post("/complaints/follow/", {"reference": "YS-2026-000001",
                                                 "code": "1" * 16},
                         HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = client.post("/complaints/follow/", {"reference": "YS-2026-000001",
                                                "code": "1" * 16},
                        HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert (locked.status_code, other.status_code) == (429, 404)
