"""The national schedule as the library knows it (checked against chinesecalendar 1.11.0)."""

import datetime

import pytest

from portal.workdays import calendar
from portal.workdays.services import (
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def test_spring_festival_2026_is_nine_days_off_with_two_make_up_saturdays():
    holiday = [D(2026, 2, 15) + datetime.timedelta(days=i) for i in range(9)]  # 15-23 Feb
    assert [d for d in holiday if is_working_day(d)] == []
    assert D(2026, 2, 14).weekday() == 5 and is_working_day(D(2026, 2, 14))
    assert D(2026, 2, 28).weekday() == 5 and is_working_day(D(2026, 2, 28))
    assert is_working_day(D(2026, 2, 13)) and is_working_day(D(2026, 2, 24))
    assert not is_working_day(D(2026, 3, 1))  # an ordinary Sunday


def test_deadline_across_spring_festival_2026():
    # Filed Friday 13 Feb: the make-up Saturday counts, then nothing until Tuesday 24 Feb.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 13), 10) == D(2026, 3, 5)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert working_days_between(D(2026, 2, 14), D(2026, 2, 23)) == 0


def test_national_day_2026_and_its_make_up_days():
    # The State Council's 2026 schedule as the library has it: 1-7 Oct off, make-up working
    # days Sunday 20 Sep and Saturday 10 Oct; Mid-Autumn (25-27 Sep) separately.
    assert all(not is_working_day(D(2026, 10, d)) for d in range(1, 8))
    assert D(2026, 9, 20).weekday() == 6 and is_working_day(D(2026, 9, 20))
    assert D(2026, 10, 10).weekday() == 5 and is_working_day(D(2026, 10, 10))
    assert not is_working_day(D(2026, 9, 25))  # Mid-Autumn Festival, a Friday
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4  # 8, 9, 10, 12 Oct


def test_zero_and_negative_n():
    assert add_working_days(D(2026, 2, 13), 0) == D(2026, 2, 13)  # a working day: itself
    assert add_working_days(D(2026, 2, 15), 0) == D(2026, 2, 24)  # a holiday: the next one
    assert next_working_day(D(2026, 10, 1)) == D(2026, 10, 8)
    assert add_working_days(D(2026, 2, 24), -1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 24), -2) == D(2026, 2, 13)


def test_between_is_zero_for_the_same_day_and_negative_backwards():
    assert working_days_between(D(2026, 5, 6), D(2026, 5, 6)) == 0
    assert working_days_between(D(2026, 2, 24), D(2026, 2, 13)) == -2
    # "How many working days late": positive once overdue.
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 4)) == 2


def test_counting_across_years():
    # 1-3 Jan 2026 off, Sunday 4 Jan a make-up working day.
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert working_days_between(D(2025, 12, 30), D(2026, 1, 5)) == 3  # 31 Dec, 4 Jan, 5 Jan
    assert add_working_days(D(2026, 1, 5), -2) == D(2025, 12, 31)


def test_a_year_the_library_does_not_know_is_monday_to_friday_with_one_warning(caplog):
    calendar._warned_years.discard(2027)  # once per process: forget earlier tests' warning
    caplog.set_level("WARNING", logger="portal.workdays.calendar")
    # 2027 is not in chinesecalendar 1.11.0 (the newest release on 2026-11-25).
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert not is_working_day(D(2027, 1, 2))
    calendar.invalidate()  # tables rebuilt: still only one warning
    assert working_days_between(D(2026, 12, 25), D(2027, 1, 8)) == 10
    warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(warnings) == 1
    assert "Monday to Friday" in warnings[0].getMessage()


def test_dates_only_never_datetimes():
    with pytest.raises(TypeError):
        is_working_day(datetime.datetime(2026, 2, 14, 23, 30))
    with pytest.raises(TypeError):
        add_working_days("2026-02-14", 1)
