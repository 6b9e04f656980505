"""Deadline arithmetic on the official calendar: Spring Festival 2026 (15–23 February off, Saturday
14 and Saturday 28 February worked), and the fallback for years the calendar does not know."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.cases.deadlines import add_working_days, deadline_for, is_working_day, working_days_between
from gongzhi.cases.models import Category

D = datetime.date
TZ = timezone.get_fixed_timezone(8 * 60)


def test_spring_festival_2026_holidays_and_adjusted_workdays():
    assert is_working_day(D(2026, 2, 14))  # Saturday, worked (调休)
    assert not any(is_working_day(D(2026, 2, day)) for day in range(15, 24))
    assert is_working_day(D(2026, 2, 24))
    assert is_working_day(D(2026, 2, 28))  # Saturday, worked
    assert not is_working_day(D(2026, 3, 1))


@pytest.mark.parametrize(
    "start, days, due",
    [
        (D(2026, 2, 12), 1, D(2026, 2, 13)),
        (D(2026, 2, 12), 2, D(2026, 2, 14)),  # the adjusted Saturday counts
        (D(2026, 2, 12), 3, D(2026, 2, 24)),  # the whole holiday is skipped
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        (D(2026, 2, 13), 6, D(2026, 2, 28)),  # second adjusted Saturday
        (D(2026, 2, 13), 7, D(2026, 3, 2)),
        (D(2026, 2, 16), 1, D(2026, 2, 24)),  # dispatched during the holiday
        (D(2026, 2, 13), 0, D(2026, 2, 13)),
    ],
)
def test_working_days_across_spring_festival(start, days, due):
    assert add_working_days(start, days) == due


def test_years_the_calendar_does_not_know_fall_back_to_weekdays():
    assert is_working_day(D(2031, 1, 6))  # a Monday
    assert not is_working_day(D(2031, 1, 4))  # a Saturday
    assert add_working_days(D(2031, 1, 3), 1) == D(2031, 1, 6)  # Friday + 1 = Monday


def test_policy_emergency_in_hours_others_in_working_days(db):
    category = Category.objects.get(code="elevator")  # 2 working days; urgent 1; emergency 2 hours
    start = datetime.datetime(2026, 2, 13, 16, 30, tzinfo=TZ)
    assert deadline_for(category=category, urgency="emergency", start=start) == start + datetime.timedelta(hours=2)
    urgent = timezone.localtime(deadline_for(category=category, urgency="urgent", start=start))
    assert (urgent.date(), urgent.time()) == (D(2026, 2, 14), datetime.time(23, 59, 59))
    normal = timezone.localtime(deadline_for(category=category, urgency="normal", start=start))
    assert normal.date() == D(2026, 2, 24)


dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2032, 12, 31))


@settings(max_examples=200, deadline=None)
@given(start=dates, days=st.integers(min_value=1, max_value=30))
def test_the_due_day_is_a_working_day_exactly_n_working_days_later(start, days):
    due = add_working_days(start, days)
    assert due > start
    assert is_working_day(due)
    assert working_days_between(start, due) == days
    # No earlier day would do.
    assert working_days_between(start, due - datetime.timedelta(days=1)) == days - 1


@settings(max_examples=100, deadline=None)
@given(start=dates, a=st.integers(min_value=0, max_value=20), b=st.integers(min_value=0, max_value=20))
def test_adding_working_days_composes_and_is_monotonic(start, a, b):
    assert add_working_days(add_working_days(start, a), b) == add_working_days(start, a + b) or not is_working_day(
        add_working_days(start, a)
    )
    if a <= b:
        assert add_working_days(start, a) <= add_working_days(start, b)
