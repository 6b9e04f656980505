"""The figures the reports quote about deliberation (seed 000: "固定议事日活动160多场"、"临时议事活动
15场"、"200余名居民代表、网格员、楼栋长参与议事"、"提出意见建议126条"), computed from the records
for any place and period. Each ``compute_many`` runs a fixed number of grouped queries and adds
the groups up by place path in Python, whatever the number of places."""

import datetime
from collections import Counter

from django.db.models import Count
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.indicators.registry import Figure, Indicator, Period, register
from gongzhi.meetings.models import AgendaItem, Attendance, Meeting, MeetingStatus, Party, Resolution, Topic


def _bounds(period: Period):
    from gongzhi.meetings.services import local_datetime

    return local_datetime(period.start, datetime.time(0)), local_datetime(period.end, datetime.time(0))


def _by_place(places, counts: Counter) -> dict[int, Figure]:
    """Sum counts keyed by place path over each place and everything under it."""
    return {
        place.id: Figure.count(sum(n for path, n in counts.items() if path.startswith(place.path))) for place in places
    }


def _held(places, period: Period, *, ad_hoc: bool) -> dict[int, Figure]:
    start, end = _bounds(period)
    rows = (
        Meeting.objects.filter(status=MeetingStatus.CLOSED, is_ad_hoc=ad_hoc, starts_at__gte=start, starts_at__lt=end)
        .values("place__path")
        .annotate(n=Count("id"))
    )
    return _by_place(places, Counter({r["place__path"]: r["n"] for r in rows}))


def fixed_held(places, period):
    return _held(places, period, ad_hoc=False)


def ad_hoc_held(places, period):
    return _held(places, period, ad_hoc=True)


def _participants(parties):
    def compute(places, period):
        start, end = _bounds(period)
        rows = Attendance.objects.filter(
            meeting__status=MeetingStatus.CLOSED, meeting__starts_at__gte=start, meeting__starts_at__lt=end
        )
        if parties:
            rows = rows.filter(party__in=parties)
        rows = rows.values("meeting__place__path").annotate(n=Count("id"))
        return _by_place(places, Counter({r["meeting__place__path"]: r["n"] for r in rows}))

    return compute


def topics_proposed(places, period):
    start, end = _bounds(period)
    rows = (
        Topic.objects.filter(created_at__gte=start, created_at__lt=end).values("estate__path").annotate(n=Count("id"))
    )
    return _by_place(places, Counter({r["estate__path"]: r["n"] for r in rows}))


def topics_adopted(places, period):
    start, end = _bounds(period)
    rows = (
        AgendaItem.objects.filter(
            answer=AgendaItem.Answer.RESOLUTION,
            meeting__status=MeetingStatus.CLOSED,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
        )
        .values("topic__estate__path")
        .annotate(n=Count("id"))
    )
    return _by_place(places, Counter({r["topic__estate__path"]: r["n"] for r in rows}))


def resolutions_on_time(places, period):
    """Of the resolutions due in the period, the share whose case was resolved by the end of the
    deadline day (Asia/Shanghai)."""
    from gongzhi.cases.models import Case

    rows = list(
        Resolution.objects.filter(
            deadline__gte=period.start, deadline__lt=period.end, case_id__isnull=False
        ).values_list("case_id", "deadline", "item__topic__estate__path")
    )
    resolved = dict(Case.objects.filter(id__in=[r[0] for r in rows]).values_list("id", "resolved_at"))
    due: Counter = Counter()
    on_time: Counter = Counter()
    for case_id, deadline, path in rows:
        due[path] += 1
        resolved_at = resolved.get(case_id)
        if resolved_at is not None and timezone.localtime(resolved_at).date() <= deadline:
            on_time[path] += 1
    result = {}
    for place in places:
        numerator = sum(n for path, n in on_time.items() if path.startswith(place.path))
        denominator = sum(n for path, n in due.items() if path.startswith(place.path))
        result[place.id] = Figure.rate(numerator, denominator)
    return result


SOURCE = _("议事记录（会议、出席、议题、决议）")
register(
    Indicator(
        key="meetings.fixed_held",
        area="meetings",
        label=_("固定议事日会议召开场次"),
        formula=_("期间内已结束的固定议事（非临时）会议场数"),
        unit=_("场"),
        compute_many=fixed_held,
        source=SOURCE,
        order=10,
    )
)
register(
    Indicator(
        key="meetings.ad_hoc_held",
        area="meetings",
        label=_("临时议事召开场次"),
        formula=_("期间内已结束的临时议事会议场数"),
        unit=_("场"),
        compute_many=ad_hoc_held,
        source=SOURCE,
        order=20,
    )
)
register(
    Indicator(
        key="meetings.participants",
        area="meetings",
        label=_("参会人次"),
        formula=_("期间内已结束会议的出席登记人次（各方合计）"),
        unit=_("人次"),
        compute_many=_participants(None),
        source=SOURCE,
        order=30,
    )
)
register(
    Indicator(
        key="meetings.participants_grassroots",
        area="meetings",
        label=_("居民代表、网格员、楼栋长参会人次"),
        formula=_("期间内已结束会议中以居民代表、网格员、楼栋长身份出席的人次"),
        unit=_("人次"),
        compute_many=_participants([Party.RESIDENT_REPRESENTATIVE, Party.GRID_WORKER, Party.BUILDING_HEAD]),
        source=SOURCE,
        order=31,
    )
)
for order, party in enumerate(
    [
        Party.BRANCH,
        Party.COMMITTEE,
        Party.COMPANY,
        Party.COMMUNITY,
        Party.BUILDING_HEAD,
        Party.GRID_WORKER,
        Party.RESIDENT_REPRESENTATIVE,
        Party.PARTNER_UNIT,
        Party.DEPARTMENT,
    ],
    start=32,
):
    register(
        Indicator(
            key=f"meetings.participants.{party.value}",
            area="meetings",
            label=format_lazy("{}{}", _("参会人次："), party.label),
            formula=_("期间内已结束会议中以该身份出席的人次"),
            unit=_("人次"),
            compute_many=_participants([party]),
            source=SOURCE,
            order=order,
            tags=("by_role",),
        )
    )
register(
    Indicator(
        key="meetings.topics_proposed",
        area="meetings",
        label=_("征集议题数（点题）"),
        formula=_("期间内提出的议题条数（居民点题、诉求转入、监督员发现、开门纳谏日等）"),
        unit=_("条"),
        compute_many=topics_proposed,
        source=SOURCE,
        order=50,
    )
)
register(
    Indicator(
        key="meetings.topics_adopted",
        area="meetings",
        label=_("形成决议的议题数"),
        formula=_("期间内已结束会议上答题结果为“形成决议”的议题数"),
        unit=_("条"),
        compute_many=topics_adopted,
        source=SOURCE,
        order=60,
    )
)
register(
    Indicator(
        key="meetings.resolutions_on_time",
        area="meetings",
        label=_("决议按时办结率"),
        formula=_("完成时限在期间内的决议中，跟踪事项在时限当日或之前办结的比例"),
        unit="%",
        compute_many=resolutions_on_time,
        source=SOURCE,
        order=70,
    )
)
