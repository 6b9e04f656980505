"""Deadlines: category × urgency policy, in hours for emergencies and in working days otherwise.

Working days follow the official calendar of public holidays and adjusted workdays (调休) from the
``chinesecalendar`` package. The package only knows the years the State Council has published (it
raises ``NotImplementedError`` for the others); for such a year we fall back to Monday–Friday as
working days and weekends as rest days, which is right for all but the holiday weeks, until the
package is upgraded with the new year's notice.

A deadline of N working days ends at the end of the N-th working day after the day the case was
dispatched (the dispatch day itself does not count, as in 12345 practice where a case taken in
on day D is due by the end of day D+N working days).
"""

import datetime

import chinese_calendar
from django.utils import timezone

from gongzhi.cases.models import Urgency


def is_working_day(day: datetime.date) -> bool:
    """Whether ``day`` is an official working day (adjusted workdays count; holidays do not).
    Years the calendar package does not know fall back to Monday–Friday."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The ``count``-th working day after ``day`` (``day`` itself is not counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    current = day
    remaining = count
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]: how many working days after ``start`` ``end`` is."""
    if end <= start:
        return 0
    days = 0
    current = start
    while current < end:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            days += 1
    return days


def end_of_day(day: datetime.date) -> datetime.datetime:
    tz = timezone.get_current_timezone()
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=tz)


def deadline_for(*, category, urgency: str, start: datetime.datetime) -> datetime.datetime:
    """The deadline of a case dispatched at ``start`` under the category's policy."""
    if category is None:
        hours, urgent_days, days = 4, 2, 5
    else:
        hours, urgent_days, days = category.emergency_hours, category.urgent_working_days, category.working_days
    if urgency == Urgency.EMERGENCY:
        return start + datetime.timedelta(hours=hours)
    local_day = timezone.localtime(start).date()
    count = urgent_days if urgency == Urgency.URGENT else days
    return end_of_day(add_working_days(local_day, count))
