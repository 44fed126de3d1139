"""The desk triages and assigns an uninvolved unit; the unit finds with reasoning; the reporter
answers questions, adds evidence, is told the outcome and rates it; identity requests."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from complaints import services
from complaints.constants import Finding, IdentityRequestStatus, Triage
from complaints.models import Complaint, IdentityRequest, IdentityViewing, ReporterNotice
from portal.cases import services as case_services
from portal.cases.constants import Action, Status
from portal.cases.kinds import Side
from portal.cases.models import Case, CaseEvent
from portal.ledger.models import LedgerEntry

from .factories import investigated, pdf, report

pytestmark = pytest.mark.django_db


def _status(complaint):
    return Case.objects.get(pk=complaint.pk).status


def test_the_accused_unit_its_parent_and_sub_units_can_never_investigate(
        desk, accused, bureau, sub_unit, investigator):
    complaint, _code = report(accused_unit=accused)
    for unit in (accused, bureau, sub_unit):
        with pytest.raises(ValidationError, match="cannot investigate this report") as exc:
            services.complaint_assign(complaint=complaint, actor=desk, unit=unit)
        assert "unit" in exc.value.message_dict
        assert _status(complaint) == Status.SUBMITTED
    services.complaint_assign(complaint=complaint, actor=desk, unit=investigator)
    case = Case.objects.get(pk=complaint.pk)
    assert (case.status, case.responsible_unit) == (Status.ASSIGNED, investigator)
    assert Complaint.objects.get(pk=complaint.pk).triage == Triage.ACCEPTED


def test_only_the_desk_triages_and_assigns(dept, official, accused, investigator):
    complaint, _code = report(accused_unit=accused)
    for person in (dept, official):
        with pytest.raises(PermissionDenied):
            services.complaint_triage(complaint=complaint, actor=person, decision="accepted")
        with pytest.raises(PermissionDenied):
            services.complaint_assign(complaint=complaint, actor=person, unit=investigator)
    assert _status(complaint) == Status.SUBMITTED


def test_not_accepted_needs_a_reason_which_the_reporter_reads(desk, accused):
    complaint, _code = report(accused_unit=accused)
    with pytest.raises(ValidationError, match="Say why the report is not accepted"):
        services.complaint_triage(complaint=complaint, actor=desk, decision="not_accepted")
    services.complaint_triage(complaint=complaint, actor=desk, decision="not_accepted",
                              reason="不属于营商环境投诉范围。")
    assert _status(complaint) == Status.NOT_ACCEPTED
    assert ReporterNotice.objects.filter(complaint=complaint,
                                         body__contains="不属于营商环境投诉范围").exists()


def test_duplicates_link_to_the_first_report_which_keeps_precedence(desk, accused):
    first, _ = report(accused_unit=accused)
    second, _ = report(accused_unit=accused)
    third, _ = report(accused_unit=accused)
    # The first cannot be made a duplicate of a later one.
    with pytest.raises(ValidationError, match="earliest report keeps precedence"):
        services.complaint_triage(complaint=first, actor=desk, decision="duplicate",
                                  duplicate_of=second)
    services.complaint_triage(complaint=second, actor=desk, decision="duplicate",
                              duplicate_of=first)
    # Linked to a duplicate, the third report is linked to the first.
    services.complaint_triage(complaint=third, actor=desk, decision="duplicate",
                              duplicate_of=second)
    assert Complaint.objects.get(pk=second.pk).duplicate_of == first
    assert Complaint.objects.get(pk=third.pk).duplicate_of == first
    assert _status(third) == Status.NOT_ACCEPTED and _status(first) == Status.SUBMITTED
    assert Complaint.objects.get(pk=first.pk).triage == Triage.PENDING
    assert LedgerEntry.objects.filter(action="complaints.triage").count() == 2


def test_a_finding_needs_its_reasoning_and_reaches_the_reporter_who_rates_it(
        desk, accused, investigator, official):
    complaint, code = report(accused_unit=accused)
    services.complaint_assign(complaint=complaint, actor=desk, unit=investigator)
    case = case_services.case_sign_for(case=complaint.case, actor=official)
    assert case.due_date is not None  # 15 working days
    # The unit asks; the reporter (by receipt code) answers and adds evidence.
    case_services.case_request_info(case=case, actor=official, question="请提供办理回执编号。")
    found = services.complaint_follow(reference=complaint.reference, code=code)
    services.complaint_reporter_answer(complaint=found, information="回执编号 A123。")
    services.complaint_reporter_supplement(complaint=found, note="补充录音", files=[pdf("录音说明.pdf")])
    for finding, reasoning in ((Finding.VERIFIED, "  "), ("maybe", "理由")):
        with pytest.raises(ValidationError):
            services.complaint_record_finding(complaint=complaint, actor=official,
                                              finding=finding, reasoning=reasoning)
    assert _status(complaint) == Status.IN_PROGRESS
    assert not Complaint.objects.get(pk=complaint.pk).finding
    services.complaint_record_finding(complaint=complaint, actor=official,
                                      finding=Finding.PARTLY_VERIFIED,
                                      reasoning="窗口确有推诿，但未发现索要财物。")
    stored = Complaint.objects.get(pk=complaint.pk)
    assert (stored.finding, _status(complaint)) == (Finding.PARTLY_VERIFIED, Status.ANSWERED)
    assert ReporterNotice.objects.filter(complaint=complaint,
                                         subject__en__icontains="has an outcome").exists()
    services.complaint_reporter_rate(complaint=found, score=4, comment="")
    assert _status(complaint) == Status.CLOSED
    # Every reporter step is recorded as the reporter, with no person.
    steps = CaseEvent.objects.filter(case_id=complaint.pk, action__in=[
        Action.PROVIDE_INFO, Action.SUPPLEMENT, Action.RATE])
    assert steps.count() == 3 and set(steps.values_list("actor_id", flat=True)) == {None}
    assert {s.actor_side for s in steps} <= {Side.REPORTER, Side.SUBMITTER}


def test_a_unit_not_responsible_cannot_record_a_finding(desk, accused, investigator, official,
                                                        accused_official):
    complaint, _ = report(accused_unit=accused)
    services.complaint_assign(complaint=complaint, actor=desk, unit=investigator)
    case_services.case_sign_for(case=complaint.case, actor=official)
    with pytest.raises(PermissionDenied):
        services.complaint_record_finding(complaint=complaint, actor=accused_official,
                                          finding=Finding.UNFOUNDED, reasoning="无此事。")


def test_identity_requests_are_decided_by_another_supervisor_and_open_for_a_while(
        desk, supervisor, dept, accused, investigator, official):
    complaint, _ = report(accused_unit=accused)
    investigated(complaint, desk=desk, unit=investigator, official=official)
    with pytest.raises(ValidationError):
        services.identity_request_create(complaint=complaint, asker=dept, reason=" ")
    request = services.identity_request_create(complaint=complaint, asker=dept,
                                               reason="需核实举报人是否为利害关系人。")
    with pytest.raises(PermissionDenied):  # no supervisor's permission
        services.identity_request_decide(request=request, actor=dept, approve=True, reason="x")
    with pytest.raises(PermissionDenied):
        services.identity_reveal(request=request, user=dept)  # not approved yet
    with pytest.raises(ValidationError):
        services.identity_request_decide(request=request, actor=supervisor, approve=True,
                                         reason="")
    services.identity_request_decide(request=request, actor=supervisor, approve=True,
                                     reason="理由充分。")
    request.refresh_from_db()
    assert request.status == IdentityRequestStatus.APPROVED and request.expires_at
    with pytest.raises(PermissionDenied):
        services.identity_reveal(request=request, user=official)  # the asker only
    assert services.identity_reveal(request=request, user=dept).complaint_id == complaint.pk
    assert IdentityViewing.objects.filter(request=request).count() == 1
    IdentityRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    request.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.identity_reveal(request=request, user=dept)
    assert set(LedgerEntry.objects.filter(action__startswith="complaints.identity")
               .values_list("action", flat=True)) == {
        "complaints.identity_request", "complaints.identity_decide", "complaints.identity_viewed"}


def test_an_identity_request_cannot_be_approved_by_its_asker(supervisor, desk, accused):
    """A desk supervisor asking as department staff still may not decide their own request:
    the service refuses, and so does the database."""
    complaint, _ = report(accused_unit=accused)
    request = IdentityRequest.objects.create(complaint=complaint, asker=supervisor, reason="r")
    with pytest.raises(PermissionDenied, match="your own identity request"):
        services.identity_request_decide(request=request, actor=supervisor, approve=True,
                                         reason="ok")
    assert IdentityRequest.objects.get(pk=request.pk).status == IdentityRequestStatus.PENDING
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        IdentityRequest.objects.filter(pk=request.pk).update(decided_by=supervisor)


def test_the_engine_itself_refuses_an_involved_unit_and_leaves_the_finding_to_its_form(
        client, desk, accused, bureau, investigator):
    """The kind's rule holds through the engine's own steps too (KindSpec.check_unit), and the
    engine's admin offers no bare "answer" for a report: its answer is the finding
    (KindSpec.own_steps)."""
    from portal.cases.admin_forms import steps_available
    from tests.factories import unit_official
    from tests.totp import login

    complaint, _code = report(accused_unit=accused)
    case = Case.objects.get(pk=complaint.pk)
    for unit in (accused, bureau):
        with pytest.raises(ValidationError, match="cannot investigate this report"):
            case_services.case_assign(case=case, actor=desk, unit=unit)
    assert _status(complaint) == Status.SUBMITTED
    services.complaint_assign(complaint=complaint, actor=desk, unit=investigator)
    official = unit_official(investigator)
    case = case_services.case_sign_for(case=Case.objects.get(pk=complaint.pk), actor=official)
    assert "answer" not in {form.slug for form in steps_available(user=official, case=case)}
    login(client, official)
    assert client.get(f"/admin/cases/case/{case.pk}/step/answer/").status_code == 404
