"""The responsible unit's steps and the enterprise's answer to its question."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from portal.appeals.constants import AppealType
from portal.cases import services
from portal.cases.constants import Action, Status
from portal.cases.models import Attachment, Case, CaseEvent
from portal.notifications.models import Notification

from .factories import (
    EXE_BYTES,
    PNG_BYTES,
    assigned_case,
    local_dt,
    notice_date,
    signed_case,
    submit_case,
    upload,
)

pytestmark = pytest.mark.django_db


def test_sign_for_starts_the_clock_and_tells_the_enterprise_the_due_date(
        dept, unit, official, submitter, django_capture_on_commit_callbacks):
    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=False):
        case = assigned_case(dept, unit, submitter=submitter, subtype=AppealType.HELP)
        with django_capture_on_commit_callbacks(execute=True):
            case = services.case_sign_for(case=case, actor=official)
    # Help request: 10 working days after Monday 2 March 2026 (no holiday) = Monday 16 March.
    assert case.status == Status.SIGNED_FOR and case.due_date == datetime.date(2026, 3, 16)
    assert case.clock_started_on == datetime.date(2026, 3, 2)
    assert case.clock_due_on == case.due_date and case.next_reminder_at
    event = CaseEvent.objects.get(case=case, action=Action.SIGN_FOR)
    assert event.seen_by_submitter and event.extra["working_days"] == 10
    assert Notification.objects.filter(recipient=submitter, body__contains=notice_date("2026-03-16")).exists()


def test_signing_for_twice_is_refused(dept, unit, official):
    case = signed_case(dept, unit, official)
    with pytest.raises(services.InvalidTransition) as exc:
        services.case_sign_for(case=case, actor=official)
    assert "while it is “Signed for”" in exc.value.messages[0]


def test_bulk_sign_for_signs_what_it_may_and_explains_the_rest(dept, unit, official,
                                                              other_unit):
    mine = [assigned_case(dept, unit) for _ in range(2)]
    theirs = assigned_case(dept, other_unit)
    signed, refused = services.case_sign_for_many(
        case_ids=[mine[0].pk, theirs.pk, mine[1].pk], actor=official)
    assert [c.pk for c in signed] == [mine[0].pk, mine[1].pk]
    assert list(refused) == [theirs.pk] and "Only an official of the unit" in refused[theirs.pk]
    assert Case.objects.get(pk=theirs.pk).status == Status.ASSIGNED


def test_answer_needs_text_and_then_stops_the_clock(dept, unit, official, submitter,
                                                   django_capture_on_commit_callbacks):
    case = signed_case(dept, unit, official, submitter=submitter)
    with pytest.raises(ValidationError) as exc:
        services.case_answer(case=case, actor=official, answer="")
    assert exc.value.message_dict == {"answer": ["Write the answer to the enterprise."]}
    case = services.case_start(case=case, actor=official)
    assert case.status == Status.IN_PROGRESS
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_answer(case=case, actor=official, answer="已协调办理。",
                                    files=[upload("回执.png", PNG_BYTES)])
    assert case.status == Status.ANSWERED and case.answered_at and case.next_reminder_at is None
    event = CaseEvent.objects.get(case=case, action=Action.ANSWER)
    assert event.seen_by_submitter and event.note == "已协调办理。" and event.extra["on_time"]
    assert Attachment.objects.get(case=case).event == event
    assert Notification.objects.filter(recipient=submitter, subject__contains="rate").exists()


def test_answer_with_a_disguised_file_changes_nothing(dept, unit, official):
    case = signed_case(dept, unit, official)
    with pytest.raises(ValidationError):
        services.case_answer(case=case, actor=official, answer="答复",
                             files=[upload("答复.pdf", EXE_BYTES)])
    assert Case.objects.get(pk=case.pk).status == Status.SIGNED_FOR
    assert not CaseEvent.objects.filter(case=case, action=Action.ANSWER).exists()


def test_enterprise_and_other_units_cannot_answer(dept, unit, submitter, other_official):
    case = signed_case(dept, unit, submitter=submitter)
    for person in (submitter, other_official):
        with pytest.raises(PermissionDenied):
            services.case_answer(case=case, actor=person, answer="x")


def test_question_pauses_the_clock_and_the_answer_moves_the_due_date(
        dept, unit, official, submitter, django_capture_on_commit_callbacks):
    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=False):
        case = signed_case(dept, unit, official, submitter=submitter)  # due Mon 16 March
        with django_capture_on_commit_callbacks(execute=True):
            case = services.case_request_info(case=case, actor=official,
                                              question="请提供营业执照副本。")
    assert case.status == Status.INFO_REQUESTED and case.next_reminder_at is None
    assert Notification.objects.filter(recipient=submitter, body="请提供营业执照副本。").exists()
    with pytest.raises(ValidationError) as exc:
        services.case_provide_info(case=case, actor=submitter, information=" ")
    assert "information" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.case_provide_info(case=case, actor=official, information="x")
    # Answered on Thursday 5 March: the unit waited 3 working days (3, 4, 5 March), so the
    # due date moves from Monday 16 to Thursday 19 March.
    with time_machine.travel(local_dt(2026, 3, 5, 15, 0), tick=False):
        case = services.case_provide_info(case=case, actor=submitter, information="已上传。",
                                          files=[upload("执照.png", PNG_BYTES)])
    assert case.status == Status.IN_PROGRESS
    assert case.due_date == datetime.date(2026, 3, 19) and case.next_reminder_at
    event = CaseEvent.objects.get(case=case, action=Action.PROVIDE_INFO)
    assert event.seen_by_submitter and event.extra["paused_working_days"] == 3


def test_a_colleague_may_not_answer_for_someone_elses_case_but_the_admin_may(
        dept, unit, official, submitter, colleague, ent_admin):
    case = signed_case(dept, unit, official, submitter=submitter)
    case = services.case_request_info(case=case, actor=official, question="?")
    with pytest.raises(PermissionDenied):
        services.case_provide_info(case=case, actor=colleague, information="x")
    case = services.case_provide_info(case=case, actor=ent_admin, information="补充说明")
    assert case.status == Status.IN_PROGRESS


def test_internal_note_is_kept_from_the_enterprise(dept, unit, official, submitter):
    case = signed_case(dept, unit, official, submitter=submitter)
    event = services.case_add_internal_note(case=case, actor=official, note="企业曾多次来电")
    assert not event.seen_by_submitter and event.action == Action.NOTE
    assert services.case_add_internal_note(case=case, actor=dept, note="关注")
    with pytest.raises(PermissionDenied):
        services.case_add_internal_note(case=case, actor=submitter, note="x")
    with pytest.raises(ValidationError):
        services.case_add_internal_note(case=case, actor=official, note="")


def test_an_unassigned_case_cannot_be_handled_by_any_unit(official):
    case = submit_case()
    with pytest.raises(PermissionDenied):
        services.case_sign_for(case=case, actor=official)


def test_events_cannot_be_edited_or_deleted(dept, unit):
    """The timeline is append-only: the database refuses updates and deletes."""
    from django.db import InternalError, transaction

    case = assigned_case(dept, unit)
    event = CaseEvent.objects.filter(case=case).first()
    with pytest.raises(InternalError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(InternalError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()
    assert CaseEvent.objects.get(pk=event.pk).note == ""


def test_notices_name_the_unit_in_each_recipients_language(dept, unit, official, submitter,
                                                           django_capture_on_commit_callbacks):
    submitter.language = "en"
    submitter.save(update_fields=["language"])
    case = assigned_case(dept, unit, submitter=submitter)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_sign_for(case=case, actor=official)
    subject = Notification.objects.get(recipient=submitter, subject__contains="handling").subject
    assert subject == f"{unit.name_en} is handling your appeal {case.reference}"


@pytest.mark.parametrize("step", [
    lambda c, o, s, d: services.case_sign_for(case=c, actor=o),
    lambda c, o, s, d: services.case_start(case=c, actor=o),
    lambda c, o, s, d: services.case_answer(case=c, actor=o, answer="再答复"),
    lambda c, o, s, d: services.case_request_info(case=c, actor=o, question="?"),
    lambda c, o, s, d: services.case_provide_info(case=c, actor=s, information="x"),
    lambda c, o, s, d: services.case_request_extension(
        case=c, actor=o, until=datetime.date(2099, 1, 1), reason="r"),
    lambda c, o, s, d: services.case_decide_extension(case=c, actor=d, approve=False, note="n"),
    lambda c, o, s, d: services.case_transfer(case=c, actor=d, unit=o.unit),
    lambda c, o, s, d: services.case_accept(case=c, actor=d),
    lambda c, o, s, d: services.case_reject(case=c, actor=d, reason="r"),
    lambda c, o, s, d: services.case_assign(case=c, actor=d, unit=o.unit),
], ids=["sign_for", "start", "answer", "request_info", "provide_info", "request_extension",
        "decide_extension", "transfer", "accept", "reject", "assign"])
def test_steps_not_allowed_on_an_answered_case_name_its_state_and_change_nothing(
        step, dept, unit, official, submitter):
    case = signed_case(dept, unit, official, submitter=submitter)
    case = services.case_answer(case=case, actor=official, answer="答复")
    before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(services.InvalidTransition) as exc:
        step(case, official, submitter, dept)
    assert exc.value.messages[0].endswith(f"{case.reference} while it is “Answered”.")
    assert Case.objects.get(pk=case.pk).status == Status.ANSWERED
    assert CaseEvent.objects.filter(case=case).count() == before


def test_department_may_transfer_too(dept, unit, official, other_unit, other_official):
    case = signed_case(dept, unit, official)
    case = services.case_transfer(case=case, actor=dept, unit=other_unit)
    assert case.responsible_unit == other_unit
    assert services.case_sign_for(case=case, actor=other_official).status == Status.SIGNED_FOR
