"""Keep every active series' meetings scheduled ahead and the agenda pool in step with the cases
the dispatcher flagged "put on the agenda"."""

from gongzhi.core.periodic import job


@job("meetings.materialize_series", order=30)
def materialize_series(now) -> int:
    from gongzhi.meetings.services import materialize_all

    return materialize_all(now)


@job("meetings.topics_from_flagged_cases", order=31)
def topics_from_flagged_cases(now) -> int:
    """Catch-up for the case_changed signal: every open case flagged on_agenda has its topic."""
    from gongzhi.meetings.services import topics_sync_from_cases

    return topics_sync_from_cases()
