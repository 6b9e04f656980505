"""Deadlines bite: overdue marking and escalation, review requests, closing unreviewed cases.
Every job run a second time with the same ``now`` changes nothing."""

import datetime
import io
import zoneinfo

from django.core.management import call_command

from gongzhi.cases import services
from gongzhi.cases.indicators import satisfaction_rate_many
from gongzhi.cases.models import Case, CaseEvent, CaseState
from gongzhi.cases.periodic import escalation_level_for
from gongzhi.core.periodic import run_all
from gongzhi.indicators.registry import Period


def run(now):
    return run_all(now, only="cases.")


def snapshot():
    return list(Case.objects.order_by("pk").values()), CaseEvent.objects.count()


def test_overdue_cases_escalate_step_by_step_and_twice_changes_nothing(world, dispatched):
    case = dispatched()
    on_time = dispatched(description="另一件按时的")
    services.case_extend_request(
        case=on_time,
        acting_user=world.users["steward"],
        until=on_time.deadline + datetime.timedelta(days=60),
        reason="x",
    )
    services.case_extend_decide(case=on_time, acting_user=world.users["community_worker"], approve=True)

    just_late = case.deadline + datetime.timedelta(minutes=1)
    assert run(just_late)["cases.mark_overdue"] == 1
    case.refresh_from_db()
    assert case.is_overdue and case.escalation_level == 1
    before = snapshot()
    assert run(just_late)["cases.mark_overdue"] == 0
    assert snapshot() == before

    much_later = case.deadline + datetime.timedelta(days=15)
    assert run(much_later)["cases.mark_overdue"] == 1
    case.refresh_from_db()
    assert case.escalation_level == 3
    before = snapshot()
    assert run(much_later) == {"cases.mark_overdue": 0, "cases.request_review": 0, "cases.close_unreviewed": 0}
    assert snapshot() == before
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds.count("overdue") == 1 and kinds.count("escalated") == 3
    assert not Case.objects.get(pk=on_time.pk).is_overdue


def test_escalation_levels_count_whole_working_days():
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    deadline = datetime.datetime(2026, 2, 13, 23, 59, 59, tzinfo=shanghai)  # a Friday
    assert escalation_level_for(deadline, deadline - datetime.timedelta(seconds=1)) == 0
    assert escalation_level_for(deadline, deadline + datetime.timedelta(hours=12)) == 1
    # Saturday the 14th is an adjusted working day: once it is over, one working day has passed.
    assert escalation_level_for(deadline, datetime.datetime(2026, 2, 15, 9, tzinfo=shanghai)) == 2
    # 15–23 February are the Spring Festival holiday: still one working day late on the 23rd.
    assert escalation_level_for(deadline, datetime.datetime(2026, 2, 23, 18, tzinfo=shanghai)) == 2
    assert escalation_level_for(deadline, datetime.datetime(2026, 2, 25, 9, tzinfo=shanghai)) == 2
    assert escalation_level_for(deadline, datetime.datetime(2026, 2, 26, 9, tzinfo=shanghai)) == 3


def test_review_is_requested_then_unreviewed_cases_close_as_no_review(world, dispatched):
    case = dispatched()
    case = services.case_resolve(case=case, acting_user=world.users["steward"], note="已处理")
    soon = case.resolved_at + datetime.timedelta(hours=1)
    assert run(soon)["cases.request_review"] == 1
    assert run(soon)["cases.request_review"] == 0
    assert Case.objects.get(pk=case.pk).state == CaseState.RESOLVED

    later = case.resolved_at + datetime.timedelta(days=8)
    out = io.StringIO()
    call_command("run_periodic", "--now", later.isoformat(), "--only", "cases.", stdout=out)
    assert "cases.close_unreviewed: 1" in out.getvalue()
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.closed_without_review
    before = snapshot()
    out = io.StringIO()
    call_command("run_periodic", "--now", later.isoformat(), "--only", "cases.", stdout=out)
    assert "cases.close_unreviewed: 0" in out.getvalue() and snapshot() == before
    # "No review" never counts as satisfied: nobody rated, so there is no satisfaction figure.
    today = case.created_at.date()
    period = Period(today - datetime.timedelta(days=1), today + datetime.timedelta(days=2))
    assert satisfaction_rate_many([world.estate], period)[world.estate.id].value is None
