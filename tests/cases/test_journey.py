"""The whole journey of an appeal (issue 3, "Done when"), at the service level."""

import pytest
import time_machine

from portal.appeals.constants import AppealType
from portal.appeals.services import appeal_submit
from portal.cases import selectors, services
from portal.cases.constants import Action, Status
from portal.ledger.models import LedgerEntry
from portal.notifications.models import Notification

from .factories import PDF_BYTES, local_dt, upload

pytestmark = pytest.mark.django_db


def test_submit_assign_answer_rate_1_redo_answer_rate_5_closed(
        dept, unit, official, submitter, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), \
            time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=True):
        case = appeal_submit(
            submitter=submitter, title="厂房消防验收排期太久", description="已提交两个月未安排验收。",
            category=category, subtype=AppealType.HELP,
            files=[upload("申请表.pdf", PDF_BYTES)])
        case = services.case_assign(case=case, actor=dept, unit=unit, note="请加急")
        case = services.case_sign_for(case=case, actor=official)
        services.case_add_internal_note(case=case, actor=official, note="需协调消防大队")
        case = services.case_answer(case=case, actor=official, answer="已安排下周验收。")
        case = services.case_rate(case=case, actor=submitter, score=1,
                                  comment="下周没有安排")
        assert case.status == Status.REOPENED
        case = services.case_start(case=case, actor=official)
        case = services.case_answer(case=case, actor=official, answer="已于周三完成验收。")
        case = services.case_rate(case=case, actor=submitter, score=5, comment="感谢")
    assert case.status == Status.CLOSED and case.satisfaction == 5 and case.reopen_count == 1

    timeline = list(selectors.case_timeline_for(case=case, user=submitter))
    assert [(e.action, e.to_status) for e in timeline] == [
        (Action.SUBMIT, Status.SUBMITTED),
        (Action.ACCEPT, Status.ACCEPTED),
        (Action.ASSIGN, Status.ASSIGNED),
        (Action.SIGN_FOR, Status.SIGNED_FOR),
        (Action.ANSWER, Status.ANSWERED),
        (Action.RATE, Status.REOPENED),
        (Action.START, Status.IN_PROGRESS),
        (Action.ANSWER, Status.ANSWERED),
        (Action.RATE, Status.CLOSED),
    ]
    notes = " ".join(e.note for e in timeline)
    assert "需协调消防大队" not in notes and "请加急" not in notes
    assert [a.original_name for a in timeline[0].attachments.all()] == ["申请表.pdf"]
    # The government side sees the internal notes too.
    internal = [e.action for e in selectors.case_timeline_for(case=case, user=official)]
    assert internal.count(Action.NOTE) == 2
    # Every step is in the ledger.
    assert LedgerEntry.objects.filter(object_id=str(case.pk),
                                      action__startswith="cases.").count() == 11
    # The enterprise heard of the receipt, the sign-for, both answers and the redo.
    mine = list(Notification.objects.filter(recipient=submitter).values_list("subject", flat=True))
    assert sum("has been answered" in s for s in mine) == 2
    assert any("We received your submission" in s for s in mine)
