"""Dates of a meeting series: the rule ("the 7th of every month", "every Monday", "the last day of
the month") and what happens when the day is a public holiday.

Working days follow the official calendar of holidays and adjusted workdays (package
``chinesecalendar``, the same one case deadlines use). For a year the package does not know yet
(the State Council publishes each year's calendar in the autumn before), Monday–Friday are working
days and Saturday–Sunday are not, so a series can be planned years ahead and is re-checked once the
package is updated.

Days 29–31 are refused for a monthly rule: February never has them and four months have no 31st,
so "the 31st" would silently become a different day in five months of the year. A series that
should meet at the end of the month uses the explicit "last day of the month" rule (28/29 February,
30 April, 31 May …).
"""

import calendar
import datetime
from collections.abc import Iterator


class Frequency:
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    MONTHLY_LAST_DAY = "monthly_last_day"


class HolidayRule:
    KEEP = "keep"
    NEXT_WORKING_DAY = "next_working_day"
    PREVIOUS_WORKING_DAY = "previous_working_day"


LATEST_MONTH_DAY = 28  # the last day every month has


def is_working_day(day: datetime.date) -> bool:
    # The same official calendar (and the same fallback) as case deadlines.
    from gongzhi.cases.deadlines import is_working_day as official

    return official(day)


def nominal_dates(
    *,
    frequency: str,
    start: datetime.date,
    end: datetime.date,
    month_day: int | None = None,
    weekday: int | None = None,
) -> Iterator[datetime.date]:
    """Dates the rule names in [start, end), before any holiday shift."""
    if frequency == Frequency.WEEKLY:
        first = start + datetime.timedelta(days=(weekday - start.weekday()) % 7)
        day = first
        while day < end:
            yield day
            day += datetime.timedelta(days=7)
        return
    year, month = start.year, start.month
    while True:
        if frequency == Frequency.MONTHLY_LAST_DAY:
            day_number = calendar.monthrange(year, month)[1]
        else:
            day_number = month_day
        day = datetime.date(year, month, day_number)
        if day >= end:
            return
        if day >= start:
            yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def shift_for_holiday(day: datetime.date, rule: str) -> datetime.date:
    if rule == HolidayRule.KEEP or is_working_day(day):
        return day
    step = datetime.timedelta(days=1 if rule == HolidayRule.NEXT_WORKING_DAY else -1)
    moved = day
    while not is_working_day(moved):
        moved += step
    return moved


def occurrences(
    *,
    frequency: str,
    holiday_rule: str,
    start: datetime.date,
    end: datetime.date,
    month_day: int | None = None,
    weekday: int | None = None,
) -> list[tuple[datetime.date, datetime.date]]:
    """(nominal date, actual date) pairs for nominal dates in [start, end).

    When a holiday shift would put a meeting on or past the next nominal date (a weekly meeting in
    the National Day week moved to the next working day that is already the next meeting's day, or
    a previous-working-day shift back onto the last one), the shifted meeting is dropped: the
    matter goes to the neighbouring meeting instead of holding two on one day.
    """
    # Look one period beyond each end so that shifts can be compared with the neighbours.
    margin = datetime.timedelta(days=40)
    nominal = list(
        nominal_dates(frequency=frequency, start=start - margin, end=end + margin, month_day=month_day, weekday=weekday)
    )
    result = []
    for index, day in enumerate(nominal):
        if not (start <= day < end):
            continue
        actual = shift_for_holiday(day, holiday_rule)
        if actual > day and index + 1 < len(nominal) and actual >= nominal[index + 1]:
            continue
        if actual < day and index > 0 and actual <= nominal[index - 1]:
            continue
        result.append((day, actual))
    return result
