"""Deadlines in Chinese working days (chinesecalendar: holidays and make-up working days)."""

import datetime

import pytest
import time_machine

from portal.appeals.constants import KIND as APPEAL_KIND
from portal.appeals.constants import AppealType
from portal.cases import services
from portal.cases.constants import ReminderMark, Stage
from portal.cases.deadlines import deadline_working_days, reminder_marks
from portal.cases.models import DeadlineRule

from .factories import CategoryFactory, assigned_case, local_dt

D = datetime.date


@pytest.mark.django_db
@pytest.mark.parametrize(("stage", "subtype", "days"), [
    (Stage.ACCEPTANCE, AppealType.INQUIRY, 1),
    (Stage.HANDLING, AppealType.INQUIRY, 2),
    (Stage.HANDLING, AppealType.HELP, 10),
    (Stage.HANDLING, AppealType.SUGGESTION, 10),
    (Stage.HANDLING, AppealType.COMPLAINT, 15),
])
def test_default_rules_are_those_of_design_section_9(stage, subtype, days):
    assert deadline_working_days(kind=APPEAL_KIND, stage=stage, subtype=subtype) == days


@pytest.mark.django_db
def test_the_most_specific_rule_wins():
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    DeadlineRule.objects.create(kind=APPEAL_KIND, stage=Stage.HANDLING, category=parent,
                                working_days=7)
    DeadlineRule.objects.create(kind=APPEAL_KIND, stage=Stage.HANDLING, category=child,
                                working_days=5)
    DeadlineRule.objects.create(kind=APPEAL_KIND, stage=Stage.HANDLING, category=child,
                                subtype=AppealType.INQUIRY, working_days=1)
    days = lambda t, c: deadline_working_days(  # noqa: E731
        kind=APPEAL_KIND, stage=Stage.HANDLING, subtype=t, category=c)
    assert days(AppealType.INQUIRY, child) == 1  # category + type
    assert days(AppealType.HELP, child) == 5  # category
    assert days(AppealType.HELP, parent) == 7  # parent's rule
    assert days(AppealType.HELP, CategoryFactory(parent=parent)) == 7  # inherited from parent
    assert days(AppealType.HELP, CategoryFactory()) == 10  # the type's default


@pytest.mark.django_db
def test_sign_for_across_national_day_2026(dept, unit, official):
    """A help request (10 working days) signed for on Wednesday 23 September 2026.

    Working days after it: Thu 24 Sep (1); Fri 25 Sep is Mid-Autumn Festival; 28, 29, 30 Sep
    (2-4); 1-7 October is National Day; 8, 9 Oct (5, 6); Saturday 10 Oct is a make-up working
    day (7); 12, 13, 14 Oct (8-10). Due: Wednesday 14 October 2026.
    """
    with time_machine.travel(local_dt(2026, 9, 23, 10, 0), tick=False):
        case = assigned_case(dept, unit, subtype=AppealType.HELP)
        case = services.case_sign_for(case=case, actor=official)
    assert case.due_date == D(2026, 10, 14)


@pytest.mark.django_db
def test_inquiry_across_spring_festival_2026(dept, unit, official):
    """An inquiry (2 working days) signed for on Friday 13 February 2026.

    Saturday 14 Feb is a make-up working day (1); 15-23 Feb is Spring Festival; Tuesday
    24 Feb (2). Due: Tuesday 24 February 2026. Submitted the same Friday, acceptance was due
    on the make-up Saturday 14 February.
    """
    with time_machine.travel(local_dt(2026, 2, 13, 9, 0), tick=False):
        case = assigned_case(dept, unit, subtype=AppealType.INQUIRY)
        assert case.acceptance_due_date == D(2026, 2, 14)
        case = services.case_sign_for(case=case, actor=official)
    assert case.due_date == D(2026, 2, 24)


@pytest.mark.django_db  # the calendar reads the department's corrections
def test_reminder_marks_across_national_day_2026():
    """10 working days from 23 Sep 2026 (due 14 Oct, see above).

    80 %: 8 working days passed = 00:00 on the 9th working day, Tuesday 13 October.
    Deadline: the end of 14 October = 00:00 on 15 October.
    3×: 30 working days: 15, 16 Oct (11, 12); 19-23 (13-17); 26-30 (18-22); 2-6 Nov (23-27);
    9, 10, 11 Nov (28-30) → the end of Wednesday 11 November 2026.
    """
    marks = reminder_marks(start=D(2026, 9, 23), due=D(2026, 10, 14))
    assert [(m.mark, m.at) for m in marks] == [
        (ReminderMark.EARLY, local_dt(2026, 10, 13, 0, 0)),
        (ReminderMark.DUE, local_dt(2026, 10, 15, 0, 0)),
        (ReminderMark.LATE, local_dt(2026, 11, 12, 0, 0)),
    ]


@pytest.mark.django_db  # the calendar reads the department's corrections
def test_reminder_marks_of_a_two_day_deadline_fall_within_a_day():
    """2 working days from Friday 13 Feb 2026 (due Tuesday 24 Feb): 80 % = 1.6 days, so
    0.6 of the second working day, 14:24 on 24 February; 3× = 6 working days: 24-27 Feb
    (2-5), Saturday 28 Feb make-up day (6) → the end of 28 February."""
    marks = reminder_marks(start=D(2026, 2, 13), due=D(2026, 2, 24))
    assert [m.at for m in marks] == [local_dt(2026, 2, 24, 14, 24), local_dt(2026, 2, 25, 0, 0),
                                     local_dt(2026, 3, 1, 0, 0)]


@pytest.mark.django_db  # the calendar reads the department's corrections
def test_reminder_marks_follow_the_settings():
    marks = reminder_marks(start=D(2026, 3, 2), due=D(2026, 3, 16), early_percent=50,
                           late_multiple=2)
    # 5 of 10 working days passed: 00:00 on the 6th, Tuesday 10 March; 2× = 20 working days
    # from 2 March: the end of Monday 30 March.
    assert [m.at for m in marks] == [local_dt(2026, 3, 10, 0, 0), local_dt(2026, 3, 17, 0, 0),
                                     local_dt(2026, 3, 31, 0, 0)]


@pytest.mark.django_db
def test_a_correction_of_the_calendar_by_the_department_moves_new_due_dates(dept, unit, official):
    """An inquiry signed for on Monday 2 March 2026 is due Wednesday 4 March; once the
    department makes Tuesday 3 March a holiday, the next one is due Thursday 5 March."""
    from portal.workdays.models import CalendarDay
    from portal.workdays.services import calendar_day_set

    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=False):
        first = services.case_sign_for(
            case=assigned_case(dept, unit, subtype=AppealType.INQUIRY), actor=official)
        calendar_day_set(actor=dept, date=D(2026, 3, 3), kind=CalendarDay.Kind.HOLIDAY,
                         name="test closure")
        second = services.case_sign_for(
            case=assigned_case(dept, unit, subtype=AppealType.INQUIRY), actor=official)
    assert (first.due_date, second.due_date) == (D(2026, 3, 4), D(2026, 3, 5))


@pytest.mark.django_db
def test_rules_and_settings_kept_in_memory_change_when_the_department_saves_them():
    """Rules and engine settings are read on every step and kept in the process's memory
    (models.CONFIG_MEMO_SECONDS); a save or delete in the admin takes effect at once."""
    from portal.cases.models import EngineSettings

    kind, stage = APPEAL_KIND, Stage.HANDLING
    before = deadline_working_days(kind=kind, stage=stage, subtype=AppealType.INQUIRY)
    rule = DeadlineRule.objects.get(kind=kind, stage=stage, subtype=AppealType.INQUIRY,
                                    category=None)
    rule.working_days = before + 7
    rule.save()
    assert deadline_working_days(kind=kind, stage=stage, subtype=AppealType.INQUIRY) == before + 7
    rule.delete()
    assert deadline_working_days(kind=kind, stage=stage, subtype=AppealType.INQUIRY) != before + 7

    settings = EngineSettings.load()
    settings.attachment_max_count = 3
    settings.save()
    assert EngineSettings.load().attachment_max_count == 3
