"""Intake: named or anonymous, the receipt code, evidence checked by content, nothing saved on
bad input."""

import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import services
from complaints.models import Complaint, Reporter, ReporterNotice
from portal.cases.kinds import Side
from portal.cases.models import Attachment, Case, CaseEvent
from portal.ledger.models import LedgerEntry
from tests.cases.factories import EXE_BYTES

from .factories import REPORTER, pdf, report

pytestmark = pytest.mark.django_db


def test_an_anonymous_report_gets_a_16_digit_receipt_code_stored_only_as_a_slow_hash(accused):
    complaint, code = report(accused_unit=accused, files=[pdf()])
    assert len(code) == 16 and code.isdigit()
    sealed = Reporter.objects.get(complaint=complaint)
    assert sealed.user_id is None and code not in sealed.receipt_hash
    # The password hasher (PBKDF2 in production; the tests' settings use a fast one).
    assert identify_hasher(sealed.receipt_hash).algorithm == get_hasher().algorithm
    case = complaint.case
    assert (case.kind, case.subtype, case.subject_unit_id) == ("complaint", "buck_passing",
                                                               accused.pk)
    assert (case.submitter_id, case.enterprise_id) == (None, None)
    event = CaseEvent.objects.get(case=case)
    assert (event.actor_id, event.actor_side) == (None, Side.REPORTER)
    assert Attachment.objects.get(case=case).uploaded_by_id is None
    assert not complaint.named
    # The reporter was told, in the sealed notices, in every language.
    notice = ReporterNotice.objects.get(complaint=complaint)
    assert notice.subject["en"] == f"We received your report {case.reference}"
    assert notice.subject["zh-hans"]
    assert services.complaint_follow(reference=case.reference, code=code) == complaint
    assert services.complaint_follow(reference=case.reference.lower(),
                                     code=f"{code[:4]} {code[4:8]}-{code[8:]}") == complaint


def test_a_named_report_keeps_the_person_only_in_the_sealed_table(reporter_user, accused):
    complaint, code = report(user=reporter_user, accused_unit=accused)
    assert code is None and complaint.named
    sealed = Reporter.objects.get(complaint=complaint)
    assert (sealed.user, sealed.name, sealed.phone, sealed.email, sealed.credit_code,
            sealed.enterprise_name) == (reporter_user, REPORTER["full_name"], REPORTER["phone"],
                                        REPORTER["email"], REPORTER["credit_code"],
                                        REPORTER["enterprise"])
    case = Case.objects.get(pk=complaint.pk)
    assert (case.submitter_id, case.enterprise_id) == (None, None)
    assert set(LedgerEntry.objects.filter(object_id=str(complaint.pk))
               .values_list("actor_id", flat=True)) == {None}


def test_a_wrong_code_or_reference_finds_nothing(accused):
    complaint, code = report(accused_unit=accused)
    wrong = str((int(code) + 1) % 10**16).zfill(16)
    assert services.complaint_follow(reference=complaint.reference, code=wrong) is None
    assert services.complaint_follow(reference="YS-1999-000001", code=code) is None
    assert services.complaint_follow(reference=complaint.reference, code="") is None


@pytest.mark.parametrize("change, field", [
    ({"title": "  "}, "title"), ({"facts": ""}, "facts"), ({"misconduct": "rudeness"}, "misconduct"),
    ({"accused_unit": None}, "accused_unit"),
])
def test_bad_input_is_refused_by_field_and_nothing_is_saved(accused, change, field):
    kwargs = {"user": None, "accused_unit": accused, "misconduct": "inaction", "title": "t",
              "facts": "f", **change}
    with pytest.raises(ValidationError) as exc:
        services.complaint_submit(**kwargs)
    assert field in exc.value.message_dict
    assert not Complaint.objects.exists() and not Case.objects.exists()


def test_an_executable_renamed_pdf_is_refused_and_nothing_is_saved(accused):
    fake = SimpleUploadedFile("证据.pdf", EXE_BYTES, content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        report(accused_unit=accused, files=[fake])
    assert "证据.pdf" in " ".join(exc.value.messages)
    assert not Complaint.objects.exists() and not Case.objects.exists()
    assert not Reporter.objects.exists() and not ReporterNotice.objects.exists()
