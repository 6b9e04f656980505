"""Series expansion: months, the end of the month, holidays and adjusted workdays, unknown years."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.meetings import schedule
from gongzhi.meetings.schedule import Frequency, HolidayRule

D = datetime.date


def occ(**kwargs):
    return schedule.occurrences(**kwargs)


def test_monthly_on_the_7th_across_a_year():
    dates = occ(
        frequency=Frequency.MONTHLY, holiday_rule=HolidayRule.KEEP, start=D(2026, 1, 1), end=D(2027, 1, 1), month_day=7
    )
    assert [n for n, _ in dates] == [D(2026, m, 7) for m in range(1, 13)]
    assert all(n == a for n, a in dates)


def test_national_day_moves_the_7th_to_the_next_working_day_or_back_before_the_holiday():
    # 2026-10-01…07 is the National Day holiday; 2026-10-08 is the first working day after it.
    args = {"frequency": Frequency.MONTHLY, "start": D(2026, 10, 1), "end": D(2026, 11, 1), "month_day": 7}
    assert occ(holiday_rule=HolidayRule.KEEP, **args) == [(D(2026, 10, 7), D(2026, 10, 7))]
    assert occ(holiday_rule=HolidayRule.NEXT_WORKING_DAY, **args) == [(D(2026, 10, 7), D(2026, 10, 8))]
    assert occ(holiday_rule=HolidayRule.PREVIOUS_WORKING_DAY, **args) == [(D(2026, 10, 7), D(2026, 9, 30))]


def test_open_day_on_the_15th_in_spring_festival_uses_the_adjusted_saturday_workday():
    # 2026-02-15 (Sunday) falls in the Spring Festival holiday; Saturday 2026-02-14 is an adjusted
    # workday (调休上班) and 2026-02-24 the first working day after the holiday.
    args = {"frequency": Frequency.MONTHLY, "start": D(2026, 2, 1), "end": D(2026, 3, 1), "month_day": 15}
    assert occ(holiday_rule=HolidayRule.PREVIOUS_WORKING_DAY, **args) == [(D(2026, 2, 15), D(2026, 2, 14))]
    assert occ(holiday_rule=HolidayRule.NEXT_WORKING_DAY, **args) == [(D(2026, 2, 15), D(2026, 2, 24))]


def test_weekly_monday_in_the_spring_festival_holiday_does_not_meet_twice_on_one_day():
    # Mondays 16 and 23 February 2026 are both holidays; both would move to Tuesday the 24th.
    # The first is dropped (its matters go to the next meeting) instead of two meetings that day.
    dates = occ(
        frequency=Frequency.WEEKLY,
        holiday_rule=HolidayRule.NEXT_WORKING_DAY,
        start=D(2026, 2, 9),
        end=D(2026, 3, 3),
        weekday=0,
    )
    assert dates == [(D(2026, 2, 9), D(2026, 2, 9)), (D(2026, 2, 23), D(2026, 2, 24)), (D(2026, 3, 2), D(2026, 3, 2))]


def test_last_day_of_the_month_lands_on_the_28th_29th_30th_or_31st():
    dates = occ(
        frequency=Frequency.MONTHLY_LAST_DAY, holiday_rule=HolidayRule.KEEP, start=D(2028, 1, 1), end=D(2028, 7, 1)
    )
    assert [a for _, a in dates] == [
        D(2028, 1, 31),
        D(2028, 2, 29),
        D(2028, 3, 31),
        D(2028, 4, 30),
        D(2028, 5, 31),
        D(2028, 6, 30),
    ]


def test_unknown_year_falls_back_to_monday_to_friday():
    # The calendar package does not know 2040 yet: Saturday 2040-07-07 moves to Monday the 9th.
    dates = occ(
        frequency=Frequency.MONTHLY,
        holiday_rule=HolidayRule.NEXT_WORKING_DAY,
        start=D(2040, 7, 1),
        end=D(2040, 8, 1),
        month_day=7,
    )
    assert dates == [(D(2040, 7, 7), D(2040, 7, 9))]
    assert schedule.is_working_day(D(2040, 7, 6)) and not schedule.is_working_day(D(2040, 7, 8))


@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31)),
    days=st.integers(min_value=1, max_value=400),
    weekday=st.integers(min_value=0, max_value=6),
    rule=st.sampled_from([HolidayRule.KEEP, HolidayRule.NEXT_WORKING_DAY, HolidayRule.PREVIOUS_WORKING_DAY]),
)
def test_weekly_meetings_are_in_order_on_working_days_unless_kept_and_never_two_a_day(start, days, weekday, rule):
    end = start + datetime.timedelta(days=days)
    dates = occ(frequency=Frequency.WEEKLY, holiday_rule=rule, start=start, end=end, weekday=weekday)
    actual = [a for _, a in dates]
    assert actual == sorted(set(actual))
    assert all(start <= n < end and n.weekday() == weekday for n, _ in dates)
    if rule != HolidayRule.KEEP:
        assert all(schedule.is_working_day(a) for a in actual)
    # Only holidays can drop a week: with "keep", every week has its meeting.
    if rule == HolidayRule.KEEP:
        assert len(dates) == len(
            list(schedule.nominal_dates(frequency=Frequency.WEEKLY, start=start, end=end, weekday=weekday))
        )


@pytest.mark.parametrize("day", [1, 15, 28])
def test_monthly_day_up_to_28_exists_in_every_month(day):
    dates = occ(
        frequency=Frequency.MONTHLY,
        holiday_rule=HolidayRule.KEEP,
        start=D(2027, 1, 1),
        end=D(2028, 1, 1),
        month_day=day,
    )
    assert len(dates) == 12
