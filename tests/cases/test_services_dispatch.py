"""The department's steps and the units' routing steps (退单, 转办)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.cases import services
from portal.cases.constants import Action, ReturnReason, Status, SupervisionSource
from portal.cases.models import Case, CaseEvent, SupervisionItem
from portal.ledger.models import LedgerEntry
from portal.notifications.models import Notification
from tests.factories import UnitFactory, unit_official

from .factories import assigned_case, notice_date, signed_case, submit_case

pytestmark = pytest.mark.django_db


def _events(case):
    return list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))


def test_department_accepts_and_the_submitter_is_told(dept, submitter,
                                                     django_capture_on_commit_callbacks):
    case = submit_case(submitter)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_accept(case=case, actor=dept)
    assert case.status == Status.ACCEPTED and case.accepted_at
    assert _events(case) == [Action.SUBMIT, Action.ACCEPT]
    assert Notification.objects.filter(recipient=submitter, subject__contains="accepted").exists()
    assert LedgerEntry.objects.filter(action="cases.accept").count() == 1


def test_accepting_twice_names_the_current_state_and_changes_nothing(dept):
    case = services.case_accept(case=submit_case(), actor=dept)
    with pytest.raises(ValidationError) as exc:
        services.case_accept(case=case, actor=dept)
    assert exc.value.messages == [
        f"You cannot accept case {case.reference} while it is “Accepted”."]
    assert isinstance(exc.value, services.InvalidTransition)
    assert _events(case) == [Action.SUBMIT, Action.ACCEPT]


def test_only_the_department_accepts(official, submitter):
    case = submit_case(submitter)
    for person in (official, submitter):
        with pytest.raises(PermissionDenied):
            services.case_accept(case=case, actor=person)
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED


def test_not_accepted_needs_a_reason_which_the_enterprise_sees(dept, submitter):
    case = submit_case(submitter)
    with pytest.raises(ValidationError) as exc:
        services.case_reject(case=case, actor=dept, reason="  ")
    assert exc.value.message_dict == {
        "reason": ["Tell the enterprise why the appeal is not accepted."]}
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED
    case = services.case_reject(case=case, actor=dept, reason="不属于政务服务范围")
    assert case.status == Status.NOT_ACCEPTED and case.closed_at and case.next_reminder_at is None
    event = CaseEvent.objects.get(case=case, action=Action.REJECT)
    assert event.seen_by_submitter and event.note == "不属于政务服务范围"


def test_assigning_a_submitted_case_accepts_it_first_and_tells_the_unit(
        dept, unit, official, django_capture_on_commit_callbacks):
    case = submit_case()
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_assign(case=case, actor=dept, unit=unit, note="请优先办理")
    assert case.status == Status.ASSIGNED and case.responsible_unit == unit
    assert case.accepted_at and case.assigned_at and case.next_reminder_at is None
    assert _events(case) == [Action.SUBMIT, Action.ACCEPT, Action.ASSIGN, Action.NOTE]
    # The dispatcher's instruction is internal; the assignment itself is public.
    note = CaseEvent.objects.get(case=case, action=Action.NOTE)
    assert note.note == "请优先办理" and not note.seen_by_submitter
    assert CaseEvent.objects.get(case=case, action=Action.ASSIGN).seen_by_submitter
    assert Notification.objects.filter(recipient=official, subject__contains="sign for").exists()


def test_the_unit_an_appeal_is_about_can_never_be_assigned_it(dept):
    about = UnitFactory()
    case = submit_case(subject_unit=about)
    with pytest.raises(ValidationError) as exc:
        services.case_assign(case=case, actor=dept, unit=about)
    assert "is the unit this case is about" in exc.value.message_dict["unit"][0]
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED
    assert _events(case) == [Action.SUBMIT]


def test_an_inactive_unit_cannot_be_assigned(dept):
    closed = UnitFactory(is_active=False)
    with pytest.raises(ValidationError, match="no longer active"):
        services.case_assign(case=submit_case(), actor=dept, unit=closed)


def test_a_unit_official_cannot_dispatch(official, unit):
    with pytest.raises(PermissionDenied):
        services.case_assign(case=submit_case(), actor=official, unit=unit)


def test_return_needs_a_reason_code(dept, unit, official):
    case = assigned_case(dept, unit)
    with pytest.raises(ValidationError) as exc:
        services.case_return(case=case, actor=official, reason="")
    assert exc.value.message_dict == {"reason": ["Choose why you return this case."]}
    with pytest.raises(ValidationError) as exc:
        services.case_return(case=case, actor=official, reason=ReturnReason.OTHER)
    assert exc.value.message_dict == {"note": ["Explain why you return the case."]}
    assert Case.objects.get(pk=case.pk).status == Status.ASSIGNED


def test_return_goes_back_to_the_department_off_the_enterprise_timeline(
        dept, unit, official, django_capture_on_commit_callbacks):
    case = signed_case(dept, unit, official)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_return(case=case, actor=official, reason=ReturnReason.NOT_COMPETENT)
    assert case.status == Status.RETURNED and case.responsible_unit is None
    assert case.return_count == 1 and case.due_date is None
    assert case.next_reminder_at is not None  # the department's clock runs again
    event = CaseEvent.objects.get(case=case, action=Action.RETURN)
    assert not event.seen_by_submitter
    assert event.extra["reason"] == "not_competent" and event.extra["unit"] == unit.pk
    assert Notification.objects.filter(recipient=dept, subject__contains="returned").exists()
    # The department reassigns it.
    other = UnitFactory()
    case = services.case_assign(case=case, actor=dept, unit=other)
    assert case.status == Status.ASSIGNED and case.responsible_unit == other


def test_returned_twice_opens_one_supervision_item(dept, unit, official):
    other = UnitFactory()
    other_official = unit_official(other)
    case = assigned_case(dept, unit)
    case = services.case_return(case=case, actor=official, reason=ReturnReason.WRONG_UNIT)
    assert not SupervisionItem.objects.exists()
    case = services.case_assign(case=case, actor=dept, unit=other)
    case = services.case_return(case=case, actor=other_official, reason=ReturnReason.NOT_COMPETENT)
    item = SupervisionItem.objects.get()
    assert (item.source, item.case, item.unit) == (SupervisionSource.RETURNED, case, other)
    assert Case.objects.get(pk=case.pk).is_supervised
    case = services.case_assign(case=case, actor=dept, unit=unit)
    services.case_return(case=case, actor=official, reason=ReturnReason.DUPLICATE)
    assert SupervisionItem.objects.count() == 1


def test_official_of_another_unit_cannot_return_or_sign_for(dept, unit, other_official):
    case = assigned_case(dept, unit)
    with pytest.raises(PermissionDenied):
        services.case_return(case=case, actor=other_official, reason=ReturnReason.NOT_COMPETENT)
    with pytest.raises(PermissionDenied):
        services.case_sign_for(case=case, actor=other_official)
    assert Case.objects.get(pk=case.pk).status == Status.ASSIGNED


def test_transfer_moves_the_case_and_the_new_unit_signs_for_it(dept, unit, official):
    case = signed_case(dept, unit, official)
    other = UnitFactory()
    other_official = unit_official(other)
    case = services.case_transfer(case=case, actor=official, unit=other, note="应由贵单位办理")
    assert case.status == Status.ASSIGNED and case.responsible_unit == other
    assert case.due_date is None and case.next_reminder_at is None
    event = CaseEvent.objects.get(case=case, action=Action.TRANSFER)
    assert event.seen_by_submitter and event.extra["from_unit"] == unit.pk
    # The old unit has lost it; the new one signs for it and its own clock starts.
    with pytest.raises(PermissionDenied):
        services.case_start(case=case, actor=official)
    case = services.case_sign_for(case=case, actor=other_official)
    assert case.status == Status.SIGNED_FOR and case.due_date


def test_transfer_refuses_the_subject_unit_and_the_same_unit(dept, unit, official):
    about = UnitFactory()
    case = signed_case(dept, unit, official, subject_unit=about)
    with pytest.raises(ValidationError, match="is the unit this case is about"):
        services.case_transfer(case=case, actor=official, unit=about)
    with pytest.raises(ValidationError, match="already with"):
        services.case_transfer(case=case, actor=official, unit=unit)
    assert Case.objects.get(pk=case.pk).responsible_unit == unit


def test_enterprise_cannot_transfer(dept, unit, submitter):
    case = assigned_case(dept, unit, submitter=submitter)
    with pytest.raises(PermissionDenied):
        services.case_transfer(case=case, actor=submitter, unit=UnitFactory())


def test_extension_approved_moves_the_due_date_and_tells_the_enterprise(
        dept, unit, official, submitter, django_capture_on_commit_callbacks):
    case = signed_case(dept, unit, official, submitter=submitter)
    old_due = case.due_date
    wanted = old_due + datetime.timedelta(days=14)
    with pytest.raises(ValidationError) as exc:
        services.case_request_extension(case=case, actor=official, until=old_due, reason="x")
    assert "after the current due date" in exc.value.message_dict["until"][0]
    with pytest.raises(ValidationError) as exc:
        services.case_request_extension(case=case, actor=official, until=wanted, reason="")
    assert exc.value.message_dict == {"reason": ["Explain why more time is needed."]}
    case = services.case_request_extension(case=case, actor=official, until=wanted,
                                           reason="需要现场核查")
    assert case.status == Status.EXTENSION_REQUESTED and case.extension_requested_until == wanted
    assert not CaseEvent.objects.get(case=case, action=Action.REQUEST_EXTENSION).seen_by_submitter
    with pytest.raises(PermissionDenied):
        services.case_decide_extension(case=case, actor=official, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_decide_extension(case=case, actor=dept, approve=True)
    assert case.status == Status.IN_PROGRESS and case.due_date == wanted
    assert case.extension_requested_until is None
    event = CaseEvent.objects.get(case=case, action=Action.APPROVE_EXTENSION)
    assert event.seen_by_submitter
    assert event.extra == {"old_due_date": old_due.isoformat(), "due_date": wanted.isoformat(),
                           "requested_until": wanted.isoformat()}
    assert Notification.objects.filter(recipient=submitter,
                                       subject__contains=notice_date(wanted)).exists()


def test_extension_refusal_needs_a_reason_and_keeps_the_due_date(dept, unit, official):
    case = signed_case(dept, unit, official)
    due = case.due_date
    case = services.case_request_extension(case=case, actor=official,
                                           until=due + datetime.timedelta(days=7), reason="r")
    with pytest.raises(ValidationError) as exc:
        services.case_decide_extension(case=case, actor=dept, approve=False)
    assert exc.value.message_dict == {"note": ["Tell the unit why the extension is refused."]}
    case = services.case_decide_extension(case=case, actor=dept, approve=False, note="时间足够")
    assert case.status == Status.IN_PROGRESS and case.due_date == due
    assert not CaseEvent.objects.get(case=case, action=Action.REFUSE_EXTENSION).seen_by_submitter
    with pytest.raises(services.InvalidTransition):
        services.case_decide_extension(case=case, actor=dept, approve=True)


def test_department_closes_an_answered_case_only(dept, unit, official):
    case = signed_case(dept, unit, official)
    with pytest.raises(services.InvalidTransition):
        services.case_close(case=case, actor=dept)
    case = services.case_answer(case=case, actor=official, answer="答复")
    case = services.case_close(case=case, actor=dept, note="电话确认已解决")
    assert case.status == Status.CLOSED and case.closed_at
