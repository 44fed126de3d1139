"""The complaints API: anonymous intake with a receipt code, named intake with a token or
session, following by reference and code ("Not found." only, rate limited), bad input refused
and nothing saved."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from complaints.models import Complaint, Reporter
from portal.cases.models import Case
from tests.cases.factories import EXE_BYTES

from .factories import REPORTER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _body(accused, **extra):
    return {"accused_unit": accused.pk, "misconduct": "slowness", "title": "营业执照变更拖了两个月",
            "facts": "材料齐全，窗口一直说在走流程。", **extra}


def test_an_anonymous_report_by_api_gets_its_code_once_and_is_followed_with_it(accused):
    api = APIClient()
    created = api.post("/api/v1/complaints/", _body(accused), format="json")
    assert created.status_code == 201 and created["Cache-Control"] == "no-store"
    code, reference = created.data["receipt_code"], created.data["reference"]
    assert len(code) == 16 and created.data["named"] is False
    followed = api.post("/api/v1/complaints/follow/", {"reference": reference, "code": code},
                        format="json")
    assert followed.status_code == 200
    assert followed.data["status"] == "submitted"
    assert reference in followed.data["notices"][0]["subject"]  # in the request's language
    wrong = api.post("/api/v1/complaints/follow/", {"reference": reference,
                                                    "code": "1" * 16}, format="json")
    assert wrong.status_code == 404 and wrong.data["error"]["code"] == "not_found"
    for _ in range(4):
        api.post("/api/v1/complaints/follow/", {"reference": reference, "code": "1" * 16},
                 format="json")
    assert api.post("/api/v1/complaints/follow/", {"reference": reference, "code": code},
                    format="json").status_code == 429


def test_a_named_report_by_api_returns_no_code_and_names_nobody(accused, reporter_user):
    api = APIClient()
    api.force_authenticate(reporter_user)
    created = api.post("/api/v1/complaints/", _body(accused), format="json")
    assert created.status_code == 201 and created.data["receipt_code"] is None
    assert Reporter.objects.get().user == reporter_user
    assert not [v for v in REPORTER.values() if v in created.content.decode()]


def test_bad_input_by_api_is_refused_and_nothing_saved(accused):
    api = APIClient()
    response = api.post("/api/v1/complaints/", _body(accused, misconduct="rude", title=""),
                        format="json")
    assert response.status_code == 400
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("证据.pdf", EXE_BYTES, content_type="application/pdf")
    response = api.post("/api/v1/complaints/", {**_body(accused), "files": [fake]},
                        format="multipart")
    assert response.status_code == 400 and "证据.pdf" in response.content.decode()
    assert not Complaint.objects.exists() and not Case.objects.exists()
