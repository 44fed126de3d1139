"""Properties of working-day arithmetic, checked on many dates (hypothesis)."""

import datetime

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.workdays.calendar import LIBRARY_YEARS
from portal.workdays.services import add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.django_db

# The library's years and a few either side (Monday-Friday fallback there).
dates = st.dates(datetime.date(LIBRARY_YEARS.start - 2, 1, 1),
                 datetime.date(LIBRARY_YEARS.stop + 2, 12, 31))
library_dates = st.dates(datetime.date(LIBRARY_YEARS.start, 1, 1),
                         datetime.date(LIBRARY_YEARS.stop - 1, 12, 31))
counts = st.integers(min_value=1, max_value=80)
checks = settings(max_examples=300, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])


def reference_count(a, b):
    """Working days in (a, b], one day at a time, straight from the library."""
    total, day = 0, a
    while day < b:
        day += datetime.timedelta(days=1)
        total += chinese_calendar.is_workday(day)
    return total


@checks
@given(day=library_dates)
def test_agrees_with_the_library_day_by_day(day):
    assert is_working_day(day) == chinese_calendar.is_workday(day)


@checks
@given(a=dates, n=counts)
def test_the_nth_working_day_after_is_n_working_days_away(a, n):
    b = add_working_days(a, n)
    assert b > a
    assert is_working_day(b)
    assert working_days_between(a, b) == n
    assert working_days_between(a, b - datetime.timedelta(days=1)) == n - 1


@checks
@given(a=dates, n=st.integers(min_value=0, max_value=80))
def test_from_a_working_day_including_zero(a, n):
    if not is_working_day(a):
        a = add_working_days(a, 0)
    assert working_days_between(a, add_working_days(a, n)) == n


@checks
@given(a=dates, m=counts, n=counts)
def test_adding_in_two_steps_is_adding_once(a, m, n):
    assert add_working_days(add_working_days(a, m), n) == add_working_days(a, m + n)


@checks
@given(a=dates, n=counts)
def test_going_back_n_working_days(a, n):
    b = add_working_days(a, -n)
    assert b < a and is_working_day(b)
    # n working days in [b, a): b itself plus n - 1 after it, before a.
    assert working_days_between(b, a) == n - 1 + is_working_day(a)


@checks
@given(a=dates, b=dates, c=dates)
def test_counts_add_up_and_reverse(a, b, c):
    assert working_days_between(a, b) == -working_days_between(b, a)
    assert working_days_between(a, b) + working_days_between(b, c) == working_days_between(a, c)


@checks
@given(a=library_dates, span=st.integers(min_value=0, max_value=120))
def test_count_agrees_with_a_day_by_day_reference(a, span):
    b = a + datetime.timedelta(days=span)
    if b.year in LIBRARY_YEARS:
        assert working_days_between(a, b) == reference_count(a, b)
