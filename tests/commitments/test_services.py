"""Recording, confirming and disputing a fulfilment; supervision (督办) on the case engine once
per clause and cause; the refusals an official or an enterprise would meet."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from policies.commitments import services
from policies.commitments.constants import Cause, ClauseStatus, CommitmentKind
from policies.commitments.models import ClauseSupervision, EvidenceFile, Fulfilment
from portal.cases.models import Case, SupervisionItem
from portal.ledger.models import LedgerEntry
from portal.notifications.models import Notification
from tests.cases.factories import EXE_BYTES, PDF_BYTES, local_dt, upload
from tests.factories import department_staff, enterprise_user, unit_official

from .factories import commitment

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement():
    official = unit_official()
    c = commitment(unit=official.unit)
    member = enterprise_user(c.enterprise)
    return c, c.clauses.get(), official, member


def _record(official, clause, **kwargs):
    kwargs.setdefault("note", "奖励资金已拨付到企业账户。")
    kwargs.setdefault("files", [upload("拨付凭证.pdf", PDF_BYTES, "application/pdf")])
    return services.fulfilment_record(actor=official, clause=clause, **kwargs)


def test_recording_tells_the_enterprise_and_is_ledgered(agreement):
    c, clause, official, member = agreement
    fulfilment = _record(official, clause)
    clause.refresh_from_db()
    assert clause.status == ClauseStatus.FULFILLED
    assert [f.original_name for f in fulfilment.files.all()] == ["拨付凭证.pdf"]
    notice = Notification.objects.get(recipient=member)
    assert "please confirm or dispute" in notice.subject and notice.url == f"/commitments/{c.pk}/"
    assert (
        LedgerEntry.objects.filter(
            action="commitments.fulfilment_recorded", object_id=str(clause.pk)
        ).count()
        == 1
    )


def test_a_disputed_fulfilment_opens_one_supervision_item(agreement):
    c, clause, official, member = agreement
    _record(official, clause)
    services.fulfilment_dispute(actor=member, clause=clause, reason="资金只到账一半。")
    clause.refresh_from_db()
    assert clause.status == ClauseStatus.DISPUTED
    item = SupervisionItem.objects.get(case=clause.case)
    assert item.unit == official.unit and item.source == "commitment_disputed"
    assert clause.case.kind == "commitment" and clause.case.is_supervised
    assert ClauseSupervision.objects.get(clause=clause).cause == Cause.DISPUTED
    # The department reads what is disputed on the item itself (in the site's language).
    assert "资金只到账一半。" in item.target and "给予落户奖励100万元" in item.target
    assert (
        Notification.objects.filter(recipient=official, subject__contains="disputed").count() == 1
    )
    assert LedgerEntry.objects.filter(action="commitments.fulfilment_disputed").count() == 1
    # Evidence again, disputed again: still one item for the dispute.
    _record(official, clause, files=[])
    services.fulfilment_dispute(actor=member, clause=clause, reason="仍未到账。")
    assert SupervisionItem.objects.filter(case=clause.case).count() == 1
    assert Case.objects.filter(kind="commitment").count() == 1


def test_confirm_and_the_second_answer_is_refused(agreement):
    c, clause, official, member = agreement
    _record(official, clause)
    services.fulfilment_confirm(actor=member, clause=clause)
    clause.refresh_from_db()
    assert clause.status == ClauseStatus.CONFIRMED
    assert LedgerEntry.objects.filter(action="commitments.fulfilment_confirmed").count() == 1
    with pytest.raises(ValidationError, match="Fulfilment confirmed"):
        services.fulfilment_dispute(actor=member, clause=clause, reason="改主意了")
    assert not SupervisionItem.objects.exists()


def test_another_enterprise_cannot_confirm_or_dispute(agreement):
    c, clause, official, member = agreement
    _record(official, clause)
    stranger = enterprise_user()
    with pytest.raises(PermissionDenied, match="Only the enterprise"):
        services.fulfilment_confirm(actor=stranger, clause=clause)
    with pytest.raises(PermissionDenied, match="Only the enterprise"):
        services.fulfilment_dispute(actor=stranger, clause=clause, reason="x")
    clause.refresh_from_db()
    assert clause.status == ClauseStatus.FULFILLED and not SupervisionItem.objects.exists()


def test_an_official_of_another_unit_or_the_department_cannot_record(agreement):
    c, clause, official, member = agreement
    for actor in (unit_official(), department_staff(), member):
        with pytest.raises(PermissionDenied, match="Only an official of the responsible unit"):
            _record(actor, clause)
    assert not Fulfilment.objects.exists()


def test_bad_input_is_refused_and_nothing_is_half_saved(agreement):
    c, clause, official, member = agreement
    with pytest.raises(ValidationError) as exc:
        _record(
            official,
            clause,
            files=[
                upload("凭证.pdf", PDF_BYTES, "application/pdf"),
                upload("setup.pdf", EXE_BYTES, "application/pdf"),
            ],
        )
    assert "“setup.pdf” is not a file type we accept" in exc.value.message_dict["files"][0]
    with pytest.raises(ValidationError) as exc:
        _record(official, clause, fulfilled_on=datetime.date.today() + datetime.timedelta(days=2))
    assert exc.value.message_dict["fulfilled_on"] == [
        "The fulfilment date cannot be in the future."
    ]
    with pytest.raises(ValidationError) as exc:
        _record(official, clause, note="   ")
    assert exc.value.message_dict["note"] == ["Say what was done to keep this commitment."]
    clause.refresh_from_db()
    assert clause.status == ClauseStatus.PENDING
    assert not Fulfilment.objects.exists() and not EvidenceFile.objects.exists()
    assert not LedgerEntry.objects.filter(action__startswith="commitments.").exists()
    _record(official, clause)
    with pytest.raises(ValidationError) as exc:
        services.fulfilment_dispute(actor=member, clause=clause, reason=" ")
    assert exc.value.message_dict["reason"] == [
        "Say why you dispute the fulfilment, so the unit can act on it."
    ]
    clause.refresh_from_db()
    assert clause.status == ClauseStatus.FULFILLED and not SupervisionItem.objects.exists()


def test_a_public_service_commitment_is_disputed_by_any_enterprise_user_but_not_confirmed():
    """Any enterprise may dispute a commitment made to every enterprise, but one dispute alone
    neither marks the clause disputed nor opens supervision (ADR 0014; test_public_disputes)."""
    official = unit_official()
    c = commitment(unit=official.unit, kind=CommitmentKind.PUBLIC_SERVICE, title="办照一日办结")
    clause = c.clauses.get()
    _record(official, clause)
    anyone = enterprise_user()
    with pytest.raises(PermissionDenied):
        services.fulfilment_confirm(actor=anyone, clause=clause)
    services.fulfilment_dispute(actor=anyone, clause=clause, reason="我办了三天。")
    clause.refresh_from_db()
    assert clause.status == ClauseStatus.FULFILLED
    assert not SupervisionItem.objects.filter(case__commitment_clause=clause).exists()


def test_the_overdue_scan_opens_one_item_per_clause_even_run_twice():
    official = unit_official()
    # Due Saturday 3 October 2026, in the National Day holiday: falls due on Thursday 8 October,
    # the first working day after it.
    c = commitment(unit=official.unit, clauses=2, due=datetime.date(2026, 10, 3))
    kept = c.clauses.get(number=2)
    with time_machine.travel(local_dt(2026, 9, 30, 10, 0), tick=False):
        _record(official, kept)
    with time_machine.travel(local_dt(2026, 10, 8, 10, 0), tick=False):
        assert services.clauses_scan_overdue() == 0  # the due day itself is not late
    with time_machine.travel(local_dt(2026, 10, 9, 10, 0), tick=False):
        assert services.clauses_scan_overdue() == 1
        assert services.clauses_scan_overdue() == 0
    late = c.clauses.get(number=1)
    item = SupervisionItem.objects.get()
    assert item.case == late.case and item.source == "commitment_overdue"
    assert item.unit == official.unit
    assert ClauseSupervision.objects.get().cause == Cause.OVERDUE
    assert LedgerEntry.objects.filter(action="commitments.supervision_opened").count() == 1
