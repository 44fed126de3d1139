"""Rating answers: ≥ 3 closes, ≤ 2 redo (重办), unhappy twice → supervision, rate once,
auto-close when not rated in time."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from portal.cases import services
from portal.cases.constants import Action, Status, SupervisionSource
from portal.cases.models import Case, CaseEvent, EngineSettings, SupervisionItem
from portal.notifications.models import Notification

from .factories import answered_case, local_dt, signed_case

pytestmark = pytest.mark.django_db


def test_a_good_rating_closes_the_case(dept, unit, official, submitter,
                                       django_capture_on_commit_callbacks):
    case = answered_case(dept, unit, official, submitter=submitter)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_rate(case=case, actor=submitter, score=4, comment="满意")
    assert case.status == Status.CLOSED and case.closed_at
    assert (case.satisfaction, case.satisfaction_comment) == (4, "满意")
    event = CaseEvent.objects.get(case=case, action=Action.RATE)
    assert event.seen_by_submitter and event.extra == {"score": 4}
    assert Notification.objects.filter(recipient=official, subject__contains="rated 4").exists()


def test_rating_twice_is_refused_with_a_clear_message(dept, unit, official, submitter):
    case = answered_case(dept, unit, official, submitter=submitter)
    services.case_rate(case=case, actor=submitter, score=5)
    with pytest.raises(ValidationError) as exc:
        services.case_rate(case=case, actor=submitter, score=1, comment="改主意了")
    assert exc.value.messages == ["You have already rated this answer (5 of 5)."]
    case.refresh_from_db()
    assert (case.status, case.satisfaction) == (Status.CLOSED, 5)


@pytest.mark.parametrize("score", [0, 6, "5", None, True, 2.5])
def test_score_must_be_1_to_5(dept, unit, official, submitter, score):
    case = answered_case(dept, unit, official, submitter=submitter)
    with pytest.raises(ValidationError) as exc:
        services.case_rate(case=case, actor=submitter, score=score, comment="c")
    assert exc.value.message_dict == {
        "score": ["Choose a score from 1 (very unhappy) to 5 (very satisfied)."]}
    assert Case.objects.get(pk=case.pk).status == Status.ANSWERED


def test_an_unhappy_rating_needs_a_comment(dept, unit, official, submitter):
    case = answered_case(dept, unit, official, submitter=submitter)
    with pytest.raises(ValidationError) as exc:
        services.case_rate(case=case, actor=submitter, score=2)
    assert "still unresolved" in exc.value.message_dict["comment"][0]


def test_only_the_enterprise_side_rates(dept, unit, official, submitter, colleague, stranger):
    case = answered_case(dept, unit, official, submitter=submitter)
    for person in (official, dept, colleague, stranger):
        with pytest.raises(PermissionDenied):
            services.case_rate(case=case, actor=person, score=5)


def test_a_case_not_answered_cannot_be_rated(dept, unit, official, submitter):
    case = signed_case(dept, unit, official, submitter=submitter)
    with pytest.raises(services.InvalidTransition, match="while it is “Signed for”"):
        services.case_rate(case=case, actor=submitter, score=5)


def test_unhappy_reopens_for_redo_with_a_new_due_date(dept, unit, official, submitter,
                                                     django_capture_on_commit_callbacks):
    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=False):
        case = answered_case(dept, unit, official, submitter=submitter)
    # Rated on Wednesday 1 April 2026; a help request gets 10 working days again. Qingming
    # Festival takes Monday 6 April off: 2, 3, 7, 8, 9, 10, 13, 14, 15, 16 April → 16 April.
    with time_machine.travel(local_dt(2026, 4, 1, 9, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            case = services.case_rate(case=case, actor=submitter, score=1,
                                      comment="问题没有解决")
    assert case.status == Status.REOPENED and case.responsible_unit == unit
    assert (case.unhappy_count, case.reopen_count) == (1, 1)
    assert case.due_date == datetime.date(2026, 4, 16) and case.next_reminder_at
    assert Notification.objects.filter(recipient=official, subject__contains="redo").exists()
    assert not SupervisionItem.objects.exists()
    # The unit answers again and the enterprise may rate the new answer.
    case = services.case_answer(case=case, actor=official, answer="已重新办理")
    case = services.case_rate(case=case, actor=submitter, score=5)
    assert case.status == Status.CLOSED and case.satisfaction == 5


def test_unhappy_twice_opens_a_supervision_item(dept, unit, official, submitter):
    case = answered_case(dept, unit, official, submitter=submitter)
    case = services.case_rate(case=case, actor=submitter, score=2, comment="没解决")
    case = services.case_answer(case=case, actor=official, answer="再次答复")
    case = services.case_rate(case=case, actor=submitter, score=1, comment="仍未解决")
    assert case.status == Status.REOPENED and case.unhappy_count == 2 and case.is_supervised
    item = SupervisionItem.objects.get()
    assert (item.source, item.case, item.unit) == (SupervisionSource.UNHAPPY, case, unit)
    supervise = CaseEvent.objects.get(case=case, action=Action.SUPERVISE)
    assert not supervise.seen_by_submitter


def test_answers_not_rated_in_time_close_by_themselves_once(dept, unit, official, submitter,
                                                           django_capture_on_commit_callbacks):
    # Answered Monday 2 March 2026; 5 working days to rate: until the end of Monday 9 March.
    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=False):
        case = answered_case(dept, unit, official, submitter=submitter)
    assert EngineSettings.load().auto_close_after_working_days == 5
    with time_machine.travel(local_dt(2026, 3, 9, 23, 59), tick=False):
        assert services.case_auto_close_unrated() == 0
    with time_machine.travel(local_dt(2026, 3, 10, 0, 30), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.case_auto_close_unrated() == 1
        assert services.case_auto_close_unrated() == 0
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.satisfaction is None
    event = CaseEvent.objects.get(case=case, action=Action.AUTO_CLOSE)
    assert event.actor is None and event.seen_by_submitter
    assert Notification.objects.filter(recipient=submitter,
                                       subject__contains="not rated in time").count() == 1
    with pytest.raises(ValidationError):
        services.case_rate(case=case, actor=submitter, score=5)


def test_auto_close_counts_working_days_across_a_holiday(dept, unit, official, submitter):
    # Answered Wednesday 30 September 2026. Working days after it: 8 Oct (1), 9 Oct (2),
    # Saturday 10 Oct make-up day (3), 12 Oct (4), 13 Oct (5): rating open until 13 October.
    with time_machine.travel(local_dt(2026, 9, 30, 16, 0), tick=False):
        case = answered_case(dept, unit, official, submitter=submitter)
    with time_machine.travel(local_dt(2026, 10, 13, 18, 0), tick=False):
        assert services.case_auto_close_unrated() == 0
    with time_machine.travel(local_dt(2026, 10, 14, 1, 0), tick=False):
        assert services.case_auto_close_unrated() == 1
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED
