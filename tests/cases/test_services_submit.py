import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from portal.appeals.constants import AppealType
from portal.appeals.services import appeal_submit
from portal.cases.constants import Action, Status
from portal.cases.models import Attachment, Case, CaseEvent
from portal.ledger.models import LedgerEntry
from portal.notifications.models import Notification
from tests.factories import UnitFactory

from .factories import PDF_BYTES, CategoryFactory, local_dt, submit_case, upload

pytestmark = pytest.mark.django_db


def test_submit_opens_a_case_with_reference_timeline_ledger_and_notices(
        submitter, dept, category, django_capture_on_commit_callbacks):
    with time_machine.travel(local_dt(2026, 3, 2, 10, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            case = appeal_submit(
                submitter=submitter, title="  施工许可办理问题  ", description="材料清单不明确。",
                category=category, subtype=AppealType.HELP,
                files=[upload("清单.pdf", PDF_BYTES)],
            )
    case.refresh_from_db()
    assert case.reference == "YS-2026-000001"
    assert case.title == "施工许可办理问题"
    assert case.status == Status.SUBMITTED
    assert case.enterprise == submitter.enterprise
    # Submitted Monday 2 March 2026: acceptance due the next working day, Tuesday 3 March.
    assert case.acceptance_due_date == datetime.date(2026, 3, 3)
    assert case.next_reminder_at is not None
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.to_status, event.seen_by_submitter) == (
        Action.SUBMIT, Status.SUBMITTED, True)
    attachment = Attachment.objects.get(case=case)
    assert attachment.event == event and attachment.content_type == "application/pdf"
    assert attachment.original_name == "清单.pdf" and attachment.file.name.endswith(".pdf")
    assert LedgerEntry.objects.filter(action="cases.submit", object_id=str(case.pk)).exists()
    assert Notification.objects.filter(recipient=dept, subject__contains=case.reference).exists()
    assert Notification.objects.filter(recipient=submitter,
                                       subject__contains=case.reference).exists()


def test_references_count_up_per_year():
    with time_machine.travel(local_dt(2026, 12, 31, 23, 0), tick=False):
        first = submit_case()
        second = submit_case()
    with time_machine.travel(local_dt(2027, 1, 1, 9, 0), tick=False):
        third = submit_case()
    assert [first.reference, second.reference, third.reference] == [
        "YS-2026-000001", "YS-2026-000002", "YS-2027-000001"]


def test_missing_category_is_refused_with_a_clear_message_and_nothing_saved(submitter):
    with pytest.raises(ValidationError) as exc:
        appeal_submit(submitter=submitter, title="问题", description="描述",
                             category=None, subtype=AppealType.INQUIRY)
    assert exc.value.message_dict["category"] == ["Choose the category your appeal is about."]
    assert not Case.objects.exists()


def test_missing_title_and_type_are_refused(submitter, category):
    with pytest.raises(ValidationError) as exc:
        appeal_submit(submitter=submitter, title=" ", description="描述",
                             category=category, subtype="")
    assert set(exc.value.message_dict) == {"title", "subtype"}
    assert not Case.objects.exists()


def test_inactive_category_is_refused(submitter):
    old = CategoryFactory(is_active=False)
    with pytest.raises(ValidationError) as exc:
        submit_case(submitter, category=old)
    assert "no longer in use" in exc.value.message_dict["category"][0]


def test_a_person_without_an_enterprise_cannot_submit(official, category):
    with pytest.raises(PermissionDenied):
        appeal_submit(submitter=official, title="t", description="d",
                             category=category, subtype=AppealType.INQUIRY)
    assert not Case.objects.exists()


def test_the_same_appeal_submitted_twice_is_refused_the_second_time(submitter, category):
    kwargs = dict(submitter=submitter, title="同一个问题", description="同样的描述",
                  category=category, subtype=AppealType.INQUIRY)
    first = appeal_submit(**kwargs)
    with pytest.raises(ValidationError) as exc:
        appeal_submit(**kwargs)
    assert first.reference in exc.value.messages[0]
    assert Case.objects.count() == 1


def test_the_duplicate_check_counts_the_submitters_open_copies_of_the_last_ten_minutes(
        submitter, colleague, dept, category):
    from portal.cases.services import case_reject

    kwargs = dict(title="同一个问题", description="同样的描述", category=category,
                  subtype=AppealType.INQUIRY)
    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=False):
        old = appeal_submit(submitter=submitter, **kwargs)
    with time_machine.travel(local_dt(2026, 3, 2, 9, 11), tick=False):
        # Eleven minutes on: the same text is a new appeal, and a colleague's is their own
        newer = appeal_submit(submitter=submitter, **kwargs)
        appeal_submit(submitter=colleague, **kwargs)
    with time_machine.travel(local_dt(2026, 3, 2, 9, 15), tick=False):
        with pytest.raises(ValidationError) as exc:
            appeal_submit(submitter=submitter, **kwargs)
        assert newer.reference in exc.value.messages[0]
        assert old.reference not in exc.value.messages[0]
        # A copy that was not accepted no longer stands in the way
        case_reject(case=newer, actor=dept, reason="请补充材料后重新提交")
        again = appeal_submit(submitter=submitter, **kwargs)
    assert Case.objects.filter(submitter=submitter).count() == 3
    assert again.reference not in (old.reference, newer.reference)


def test_a_form_key_is_the_submitters_own(submitter, colleague, category):
    from portal.appeals.services import AlreadySubmitted

    mine = appeal_submit(submitter=submitter, title="甲", description="一", category=category,
                         subtype=AppealType.INQUIRY, submission_key="nonce-1")
    with pytest.raises(AlreadySubmitted) as exc:
        appeal_submit(submitter=submitter, title="乙", description="二", category=category,
                      subtype=AppealType.INQUIRY, submission_key="nonce-1")
    assert (exc.value.case_id, exc.value.reference) == (mine.pk, mine.reference)
    # Another person posting the same key (never handed to them) is not shown this case
    # (the view never lets that happen: the key is signed for the person it was handed to); the
    # unique key refuses to file it twice
    with pytest.raises(IntegrityError):
        appeal_submit(submitter=colleague, title="丙", description="三", category=category,
                      subtype=AppealType.INQUIRY, submission_key="nonce-1")
    assert Case.objects.count() == 1


def test_a_bad_attachment_refuses_the_whole_submission(submitter, category):
    with pytest.raises(ValidationError) as exc:
        submit_case(submitter, category=category,
                    files=[upload("ok.pdf", PDF_BYTES), upload("invoice.pdf", b"MZ\x90\x00" * 40)])
    assert "invoice.pdf" in exc.value.message_dict["files"][0]
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_subject_unit_is_recorded(submitter):
    about = UnitFactory()
    case = submit_case(submitter, subject_unit=about)
    assert case.subject_unit == about


def test_submit_is_saved_when_redis_is_down(submitter, category, settings):
    """The broker being away never fails a submission (DESIGN §6)."""
    from tests.fixtures.celery import unreachable_broker

    with unreachable_broker():
        case = submit_case(submitter, category=category)
    assert Case.objects.filter(pk=case.pk, status=Status.SUBMITTED).exists()


def test_a_new_case_needs_no_check_constraint_validated_in_python():
    """case_open leaves the check constraints to PostgreSQL because a new case has no score and
    no responsible unit, so both hold. A constraint added to Case must be looked at there."""
    from portal.cases.models import Case

    # The form key's uniqueness holds too: the kind's service found no case with the key (under
    # its per-submitter lock), and only the person a key was signed for can post it.
    assert sorted(c.name for c in Case._meta.constraints) == [
        "case_satisfaction_1_to_5", "case_subject_unit_never_responsible",
        "case_submission_key_unique"]
