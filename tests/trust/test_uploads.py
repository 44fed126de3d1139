"""Uploads, across the portal's entry points: type known from content (a program renamed .pdf
or .jpg is refused), size and count limits, names sanitised, stored under generated names, and
served only through views that check who may read them (MEDIA_URL serves nothing)."""

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.db import models

from complaints.models import Complaint
from portal.cases.models import Case, EngineSettings
from tests.cases.factories import PDF_BYTES, CategoryFactory, submit_case, upload
from tests.factories import UnitFactory, enterprise_user
from tests.totp import login

pytestmark = pytest.mark.django_db
# A Windows program (MZ header, PE signature) and an ELF one, named as documents.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + \
    b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00L\x01" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 300
DISGUISED = [("合同.pdf", EXE, "application/pdf"), ("现场.jpg", EXE, "image/jpeg"),
             ("说明.pdf", ELF, "application/pdf")]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()   # rate limits count in the cache
    yield
    cache.clear()


def _appeal(client, category, files):
    token = client.get("/cases/new/").context["form_token"]
    return client.post("/cases/new/", {
        "form_token": token, "appeal_type": "help", "category": category.pk,
        "title": "厂房消防验收排期太久", "description": "已提交两个月仍未安排验收。",
        "attachments": files})


def _report(client, files):
    return client.post("/complaints/", {
        "accused_unit": UnitFactory().pk, "misconduct": "graft", "title": "办证时被索要好处费",
        "facts": "窗口人员暗示需要“意思一下”才能加快办理。", "occurred_on": "2026-11-02",
        "place": "政务服务中心", "official_name": "", "attachments": files})


@pytest.mark.parametrize(("name", "data", "claimed"), DISGUISED)
def test_a_program_named_as_a_document_is_refused_on_every_form(client, name, data, claimed):
    user = enterprise_user()
    login(client, user)
    category = CategoryFactory()
    page = _appeal(client, category, [upload(name, data, claimed)]).content.decode()
    assert "is not a file type we accept" in page and name in page
    assert not Case.objects.exists()
    api = client.post("/api/v1/cases/", {"type": "help", "category": category.code,
                                         "title": "标题", "description": "说明",
                                         "files": [upload(name, data, claimed)]})
    assert api.status_code == 400 and "is not a file type we accept" in api.content.decode()
    page = _report(client, [upload(name, data, claimed)]).content.decode()
    assert "is not a file type we accept" in page
    assert not Case.objects.exists() and not Complaint.objects.exists()


def test_size_and_count_limits_are_enforced_with_a_message(client):
    settings = EngineSettings.load()
    settings.attachment_max_bytes, settings.attachment_max_count = 2048, 2
    settings.save()
    login(client, enterprise_user())
    category = CategoryFactory()
    big = upload("大文件.pdf", PDF_BYTES + b"0" * 4096, "application/pdf")
    page = _appeal(client, category, [big]).content.decode()
    assert "is too large" in page and "2.0\xa0KB" in page
    three = [upload(f"{n}.pdf", PDF_BYTES, "application/pdf") for n in range(3)]
    page = _appeal(client, category, three).content.decode()
    assert "at most 2 files" in page
    assert not Case.objects.exists()
    two = [upload(f"{n}.pdf", PDF_BYTES, "application/pdf") for n in range(2)]
    ok = _appeal(client, category, two)   # at the limit: accepted
    assert ok.status_code == 302, ok.context["form"].errors
    assert ok.status_code == 302 and Case.objects.get().attachments.count() == 2


def test_stored_names_are_generated_and_the_shown_name_is_sanitised(client):
    user = enterprise_user()
    case = submit_case(user, files=[upload("../../etc/passwd\x07\u202e.pdf", PDF_BYTES,
                                           "application/pdf")])
    attachment = case.attachments.get()
    assert attachment.original_name == "passwd.pdf"
    assert "passwd" not in attachment.file.name and ".." not in attachment.file.name
    assert attachment.file.name.endswith(".pdf")
    login(client, user)
    response = client.get(f"/cases/{case.pk}/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")


def test_no_model_stores_a_file_under_a_path_the_client_chose():
    hostile = "../../../etc/cron.d/evil name\x00.pdf"
    fields = [f for model in apps.get_models() for f in model._meta.get_fields()
              if isinstance(f, models.FileField)]
    assert fields
    for field in fields:
        try:
            stored = field.generate_filename(field.model(), hostile)
        except SuspiciousFileOperation:
            continue   # Django refuses the path outright: the upload fails, nothing is stored
        assert ".." not in stored and "\x00" not in stored and "/etc/" not in stored, (field, stored)


def test_uploaded_files_are_not_served_as_public_media(client, settings):
    user = enterprise_user()
    case = submit_case(user, files=[upload("材料.pdf", PDF_BYTES, "application/pdf")])
    attachment = case.attachments.get()
    login(client, user)
    assert client.get(f"/cases/{case.pk}/files/{attachment.pk}/").status_code == 200
    for who in (user, None):
        if who is None:
            client.logout()
        response = client.get(settings.MEDIA_URL + attachment.file.name)
        assert response.status_code == 404
        assert PDF_BYTES not in response.content


def test_a_qualification_certificate_is_checked_by_content_and_renamed():
    from django.core.exceptions import ValidationError

    from policies import services as policy_services
    from policies.models import Certificate
    from portal.orgs.models import Qualification

    user = enterprise_user()
    qualification = Qualification.objects.order_by("pk").first()
    key = f"qualification:{qualification.code}"
    with pytest.raises(ValidationError, match="is not a file type we accept"):
        policy_services.fact_supply(enterprise=user.enterprise, by=user, key=key, holds=True,
                                    certificate=upload("资质证书.pdf", EXE, "application/pdf"))
    assert not Certificate.objects.exists()
    policy_services.fact_supply(enterprise=user.enterprise, by=user, key=key, holds=True,
                                certificate=upload("../资质证书.pdf", PDF_BYTES, "application/pdf"))
    stored = Certificate.objects.get().file.name
    assert stored.endswith("certificate.pdf") or stored.rsplit("/", 1)[-1].startswith("certificate")
    assert "资质" not in stored and ".." not in stored
