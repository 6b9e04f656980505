"""Deadlines bite: the periodic jobs of the case ledger (run by ``manage.py run_periodic``).

Each job changes a case only when the case is not yet in the state the job would put it in, so a
second run with the same ``now`` changes nothing.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.cases import services
from gongzhi.cases.deadlines import working_days_between
from gongzhi.cases.models import WORKING_STATES, Case, CaseState, EventKind
from gongzhi.core.periodic import job

LEVEL_LABELS = {1: gettext_lazy("责任单位负责人"), 2: gettext_lazy("社区"), 3: gettext_lazy("街道")}


def escalation_level_for(deadline: datetime.datetime, now: datetime.datetime) -> int:
    """How far up an overdue case goes: level 1 (the head of the responsible organization) as soon
    as it is overdue, level 2 (the community) and 3 (the subdistrict) once the number of whole
    working days set in ``CASE_ESCALATION_WORKING_DAYS`` (default 1 and 3) has gone by since the
    deadline, counted on the official calendar."""
    if deadline >= now:
        return 0
    steps = settings.GONGZHI.get("CASE_ESCALATION_WORKING_DAYS", (0, 1, 3))
    # Whole working days gone by since the deadline (the current day counts once it is over).
    today = timezone.localtime(now).date()
    late = working_days_between(timezone.localtime(deadline).date(), today - datetime.timedelta(days=1))
    return sum(1 for threshold in steps if late >= threshold)


@job("cases.mark_overdue", order=10)
def mark_overdue(now: datetime.datetime) -> int:
    """Mark cases past their deadline as overdue and escalate them step by step."""
    changed = 0
    candidates = Case.objects.filter(state__in=WORKING_STATES, deadline__lt=now).values_list("pk", flat=True)
    for pk in list(candidates):
        case = Case.objects.select_for_update(of=("self",)).select_related("estate", "responsible").get(pk=pk)
        if case.state not in WORKING_STATES or case.deadline is None or case.deadline >= now:
            continue
        touched = False
        if not case.is_overdue:
            case.is_overdue = True
            case.save(update_fields=["is_overdue", "updated_at"])
            services._record(
                case,
                kind=EventKind.OVERDUE,
                acting_user=None,
                from_state=case.state,
                note=_("已超过办理时限"),
                deadline=case.deadline,
                at=now,
            )
            touched = True
        level = escalation_level_for(case.deadline, now)
        if level > case.escalation_level:
            # One event per level crossed, so that a late run still tells every level in turn.
            for step in range(case.escalation_level + 1, level + 1):
                case.escalation_level = step
                case.save(update_fields=["escalation_level", "updated_at"])
                services._record(
                    case,
                    kind=EventKind.ESCALATED,
                    acting_user=None,
                    from_state=case.state,
                    note=_("超期督办，已提级至%(level)s") % {"level": LEVEL_LABELS.get(step, LEVEL_LABELS[3])},
                    data={"level": step},
                    at=now,
                )
            touched = True
        changed += int(touched)
    return changed


@job("cases.request_review", order=20)
def request_review(now: datetime.datetime) -> int:
    """Ask the reporter of each newly resolved case for a review (hotline callers without an
    account appear in the "awaiting review" queue for a phone review)."""
    changed = 0
    for pk in list(
        Case.objects.filter(state=CaseState.RESOLVED, review_requested_at__isnull=True).values_list("pk", flat=True)
    ):
        case = Case.objects.select_for_update(of=("self",)).get(pk=pk)
        if case.state != CaseState.RESOLVED or case.review_requested_at is not None:
            continue
        case.review_requested_at = now
        case.save(update_fields=["review_requested_at", "updated_at"])
        services._record(
            case,
            kind=EventKind.REVIEW_REQUESTED,
            acting_user=None,
            from_state=case.state,
            note=_("请对办理结果进行评价"),
            at=now,
        )
        changed += 1
    return changed


@job("cases.close_unreviewed", order=30)
def close_unreviewed(now: datetime.datetime) -> int:
    """Close cases resolved more than ``CASE_REVIEW_DAYS`` days ago without a review, as "no
    review" (never counted as satisfied)."""
    days = settings.GONGZHI.get("CASE_REVIEW_DAYS", 7)
    cutoff = now - datetime.timedelta(days=days)
    changed = 0
    for pk in list(Case.objects.filter(state=CaseState.RESOLVED, resolved_at__lt=cutoff).values_list("pk", flat=True)):
        case = Case.objects.select_for_update(of=("self",)).get(pk=pk)
        if case.state != CaseState.RESOLVED or case.resolved_at is None or case.resolved_at >= cutoff:
            continue
        case.state = CaseState.CLOSED
        case.closed_at = now
        case.closed_without_review = True
        case.save(update_fields=["state", "closed_at", "closed_without_review", "updated_at"])
        services._record(
            case,
            kind=EventKind.CLOSED_NO_REVIEW,
            acting_user=None,
            from_state=CaseState.RESOLVED,
            note=_("办结后 %(days)s 天未评价，按“未评价”关闭") % {"days": days},
            at=now,
        )
        changed += 1
    return changed
