"""Indicators of owners' votes and committee elections. Committee formation, red committees and dual
chairs are declared once in ``gongzhi/orgs/indicators.py``; the figures here are the ones only this
app's records can give. Each ``compute_many`` runs a fixed number of queries."""

import datetime

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Appointment
from gongzhi.elections.models import Election, ElectionStatus, Vote, VoteStatus
from gongzhi.indicators.registry import Figure, Indicator, Period, register
from gongzhi.indicators.scope import PlaceScope, appointment_current_q, org_current_q
from gongzhi.orgs.models import OrgKind

AREA = "elections"
COMMITTEE_POSTS = ("committee_chair", "committee_vice_chair", "committee_member")
FORMATION_DAYS = 31  # seed 003: "业委会31天快速组建"
TERM_WARNING_DAYS = 183  # about six months: the first term-end warning of the national rule set


def _closed_in(period: Period):
    # Days are local (Asia/Shanghai) days.
    start = timezone.make_aware(datetime.datetime.combine(period.start, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(period.end, datetime.time.min))
    return Vote.objects.filter(status=VoteStatus.CLOSED, closed_at__gte=start, closed_at__lt=end)


def compute_votes_held(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    rows = _closed_in(period).filter(scope.q("estate__path")).values_list("estate__path", "id")
    return scope.counts(rows)


def compute_vote_turnout(places, period: Period) -> dict[int, Figure]:
    """Owners who took part ÷ owners on the frozen rolls, over the votes closed in the period."""
    scope = PlaceScope(places)
    rows = _closed_in(period).filter(scope.q("estate__path")).values_list("estate__path", "total_owners", "result")
    taking_part = {place.id: 0 for place in places}
    on_rolls = {place.id: 0 for place in places}
    for path, total, result in rows:
        participating = (result.get("turnout") or result).get("participating_owners", 0)
        for owner in scope.owners(path):
            taking_part[owner] += participating
            on_rolls[owner] += total or 0
    return {place_id: Figure.rate(taking_part[place_id], on_rolls[place_id]) for place_id in taking_part}


def compute_votes_passed(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    rows = (
        _closed_in(period)
        .filter(scope.q("estate__path"), passed=True, seats__isnull=True)
        .values_list("estate__path", "id")
    )
    return scope.counts(rows)


def compute_committee_party_members(places, period: Period) -> dict[int, Figure]:
    """Party members among the current members of owners' committees (each person once per
    committee)."""
    scope = PlaceScope(places)
    day = period.last_day
    rows = (
        Appointment.objects.filter(
            appointment_current_q(day),
            org_current_q(day, "organization__"),
            scope.q("organization__place__path"),
            organization__kind=OrgKind.OWNERS_COMMITTEE,
            post__in=COMMITTEE_POSTS,
        )
        .values_list("organization__place__path", "organization_id", "person_id", "person__is_party_member")
        .order_by()
        .distinct()
    )
    members = {place.id: set() for place in places}
    party = {place.id: set() for place in places}
    for path, org, person, is_party in rows:
        for owner in scope.owners(path):
            members[owner].add((org, person))
            if is_party:
                party[owner].add((org, person))
    return {place_id: Figure.rate(len(party[place_id]), len(members[place_id])) for place_id in members}


def compute_fast_formations(places, period: Period) -> dict[int, Figure]:
    """Elections filed in the period that went from opening to filing within 31 days ÷ all
    elections filed in the period."""
    scope = PlaceScope(places)
    rows = Election.objects.filter(
        scope.q("estate__path"), status=ElectionStatus.FILED, filed_on__gte=period.start, filed_on__lt=period.end
    ).values_list("estate__path", "opened_on", "filed_on")
    fast = {place.id: 0 for place in places}
    total = {place.id: 0 for place in places}
    for path, opened_on, filed_on in rows:
        for owner in scope.owners(path):
            total[owner] += 1
            fast[owner] += int((filed_on - opened_on).days <= FORMATION_DAYS)
    return {place_id: Figure.rate(fast[place_id], total[place_id]) for place_id in total}


def compute_terms_ending_soon(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    day = period.last_day
    rows = (
        Election.objects.filter(
            scope.q("estate__path"),
            term_ends_on__gt=day,
            term_ends_on__lte=day + datetime.timedelta(days=TERM_WARNING_DAYS),
        )
        .exclude(status=ElectionStatus.CANCELLED)
        .values_list("estate__path", "id")
    )
    return scope.counts(rows)


def cite(seed, text):
    return format_lazy(_("{seed}：{text}"), seed=seed, text=text)


SEED_003 = _("池店镇（晋江市）“六个一”工作方法")
SEED_004 = _("龙港市“1+2+N”小区治理机制")

register(
    Indicator(
        key="elections.votes_held",
        area=AREA,
        order=10,
        label=_("业主表决次数"),
        short_label=_("表决"),
        formula=_("期间内截止计票的业主共同决定表决次数（含业委会选举）"),
        unit=_("次"),
        source=_("《民法典》第二百七十八条"),
        compute_many=compute_votes_held,
    )
)
register(
    Indicator(
        key="elections.vote_turnout",
        area=AREA,
        order=11,
        label=_("业主表决参与率"),
        short_label=_("参与率"),
        formula=_(
            "期间内截止的表决中参与表决的业主人数之和 ÷ 各次冻结名册的业主人数之和 × 100%（业主人数按司法解释第九条计）"
        ),
        unit="%",
        source=_("《民法典》第二百七十八条：参与表决的业主须占专有部分面积和人数三分之二以上"),
        compute_many=compute_vote_turnout,
    )
)
register(
    Indicator(
        key="elections.votes_passed",
        area=AREA,
        order=12,
        label=_("表决通过事项数"),
        short_label=_("通过"),
        formula=_("期间内截止并通过的表决事项数（不含业委会选举）"),
        unit=_("项"),
        source=_("《民法典》第二百七十八条"),
        compute_many=compute_votes_passed,
    )
)
register(
    Indicator(
        key="elections.committee_party_members",
        area=AREA,
        order=20,
        label=_("业委会委员中党员比例"),
        short_label=_("委员党员"),
        formula=_("当日在任业委会主任、副主任、委员中的党员人数 ÷ 在任委员人数 × 100%（每人每个业委会计一次）"),
        unit="%",
        source=cite(SEED_004, _("业委会党员比例达56.3%")),
        compute_many=compute_committee_party_members,
    )
)
register(
    Indicator(
        key="elections.fast_formations",
        area=AREA,
        order=21,
        label=_("31天内完成组建的选举占比"),
        short_label=_("31天组建"),
        formula=_("期间内完成备案、且从启动到备案不超过31天的业委会选举数 ÷ 期间内完成备案的选举数 × 100%"),
        unit="%",
        source=cite(SEED_003, _("推创“业委会31天快速组建”，70个小区全部完成组建")),
        compute_many=compute_fast_formations,
    )
)
register(
    Indicator(
        key="elections.terms_ending_soon",
        area=AREA,
        order=22,
        label=_("半年内任期届满的业委会"),
        short_label=_("临近换届"),
        formula=_("任期将在当日之后约六个月（183天）内届满的业委会个数"),
        unit=_("个"),
        source=_("《业主大会和业主委员会指导规则》：业主委员会任期届满前应当组织换届选举"),
        compute_many=compute_terms_ending_soon,
    )
)
