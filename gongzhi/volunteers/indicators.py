"""The figures of the community's own work (seed 003: 375 teams, 2,600 working party members
checked in, 459 service events; seed 002: 48 joint enforcement operations, 112 problems cleared, 58
penalties; 14 reception visits, 40 problems solved on the spot). One grouped query per figure."""

from collections import Counter
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from gongzhi.indicators.registry import Figure, Indicator, register
from gongzhi.volunteers.models import (
    Booking,
    EnforcementPatrol,
    Participation,
    PartyServiceLog,
    PatrolProblem,
    ReceptionVisit,
    ServiceEvent,
    ServiceOrder,
    VisitProblem,
    VolunteerTeam,
)

SOURCE_002 = _("晋江市青阳街道、池店镇小区治理报道（联合执法、面对面大接访、共建单位接单）")
SOURCE_003 = _("泉州市鲤城区小区治理报道（志愿队伍、在职党员报到、服务场次）")


def _grouped(queryset, path_field, value) -> Counter:
    return Counter({r[path_field]: r["v"] or 0 for r in queryset.values(path_field).annotate(v=value)})


def _by_place(places, totals: Counter):
    result = {}
    for place in places:
        total = sum((v for path, v in totals.items() if path and path.startswith(place.path)), 0)
        if isinstance(total, (Decimal, float)):
            # Hours: SQLite sums decimals as floats, so round back to the tenth they are kept in.
            total = Decimal(str(total)).quantize(Decimal("0.1"))
        result[place.id] = Figure(total)
    return result


def _in(period, field="on_date"):
    return {f"{field}__gte": period.start, f"{field}__lt": period.end}


def teams(places, period):
    """Teams registered by the period's end and not stood down before it, at or under each place."""
    rows = VolunteerTeam.objects.filter(created_at__date__lt=period.end).exclude(stood_down_at__date__lt=period.end)
    return _by_place(places, _grouped(rows, "place__path", Count("id")))


def events(places, period):
    return _by_place(places, _grouped(ServiceEvent.objects.filter(**_in(period)), "estate__path", Count("id")))


def volunteer_hours(places, period):
    rows = Participation.objects.filter(**_in(period, "event__on_date"))
    return _by_place(places, _grouped(rows, "event__estate__path", Sum("hours")))


def participants(places, period):
    rows = Participation.objects.filter(**_in(period, "event__on_date"))
    return _by_place(places, _grouped(rows, "event__estate__path", Count("id")))


def party_service_hours(places, period):
    rows = PartyServiceLog.objects.filter(**_in(period))
    return _by_place(places, _grouped(rows, "check_in__estate__path", Sum("hours")))


def patrols(places, period):
    return _by_place(places, _grouped(EnforcementPatrol.objects.filter(**_in(period)), "estate__path", Count("id")))


def _problems(outcomes=None):
    def compute(places, period):
        rows = PatrolProblem.objects.filter(**_in(period, "patrol__on_date"))
        if outcomes:
            rows = rows.filter(outcome__in=outcomes)
        return _by_place(places, _grouped(rows, "patrol__estate__path", Count("id")))

    return compute


def visits(places, period):
    return _by_place(places, _grouped(ReceptionVisit.objects.filter(**_in(period)), "estate__path", Count("id")))


def visit_attendance(places, period):
    return _by_place(places, _grouped(ReceptionVisit.objects.filter(**_in(period)), "estate__path", Sum("attendance")))


def visit_problems(solved_only: bool):
    def compute(places, period):
        rows = VisitProblem.objects.filter(**_in(period, "visit__on_date"))
        if solved_only:
            rows = rows.filter(solved_on_spot=True)
        return _by_place(places, _grouped(rows, "visit__estate__path", Count("id")))

    return compute


def orders_done(places, period):
    rows = ServiceOrder.objects.filter(status="done", **_in(period, "done_at__date"))
    return _by_place(places, _grouped(rows, "estate__path", Count("id")))


def orders_taken_rate(places, period):
    rows = (
        ServiceOrder.objects.filter(**_in(period, "created_at__date"))
        .values("estate__path")
        .annotate(n=Count("id"), t=Count("id", filter=Q(status__in=("taken", "done"))))
    )
    return {
        p.id: Figure.rate(
            sum(r["t"] for r in rows if r["estate__path"].startswith(p.path)),
            sum(r["n"] for r in rows if r["estate__path"].startswith(p.path)),
        )
        for p in places
    }


def bookings(places, period):
    rows = Booking.objects.filter(cancelled_at__isnull=True, **_in(period, "starts_at__date"))
    return _by_place(places, _grouped(rows, "room__venue__estate__path", Count("id")))


def _register(key, label, formula, unit, compute, source, order):
    register(
        Indicator(
            key=key,
            area="volunteers",
            label=label,
            formula=formula,
            unit=unit,
            compute_many=compute,
            source=source,
            order=order,
        )
    )


_register("volunteers.teams", _("志愿服务队数"), _("期末已组建的志愿服务队"), _("支"), teams, SOURCE_003, 10)
_register("volunteers.events", _("志愿服务场次"), _("期间内开展的志愿服务活动"), _("场"), events, SOURCE_003, 20)
_register(
    "volunteers.participants",
    _("志愿服务参与人次"),
    _("期间内活动的参与登记人次"),
    _("人次"),
    participants,
    SOURCE_003,
    30,
)
_register(
    "volunteers.hours", _("志愿服务时长"), _("期间内参与者服务时长合计"), _("小时"), volunteer_hours, SOURCE_003, 40
)
_register(
    "volunteers.party_service_hours",
    _("在职党员服务时长"),
    _("期间内报到党员登记的服务时长"),
    _("小时"),
    party_service_hours,
    SOURCE_003,
    50,
)
_register("volunteers.patrols", _("联合执法场次"), _("期间内开展的小区联合执法"), _("场"), patrols, SOURCE_002, 60)
_register(
    "volunteers.patrol_problems",
    _("联合执法发现问题数"),
    _("期间内联合执法发现的问题"),
    _("件"),
    _problems(),
    SOURCE_002,
    70,
)
_register(
    "volunteers.patrol_cleared",
    _("联合执法清理问题数"),
    _("现场整改或查处的问题"),
    _("件"),
    _problems(("fixed_on_spot", "penalized")),
    SOURCE_002,
    80,
)
_register(
    "volunteers.patrol_penalties",
    _("联合执法处罚数"),
    _("查处的问题"),
    _("件"),
    _problems(("penalized",)),
    SOURCE_002,
    90,
)
_register("volunteers.visits", _("面对面接访场次"), _("期间内领导到小区接访的场次"), _("场"), visits, SOURCE_002, 100)
_register(
    "volunteers.visit_attendance",
    _("接访来访人数"),
    _("期间内接访登记的来访人数"),
    _("人"),
    visit_attendance,
    SOURCE_002,
    110,
)
_register(
    "volunteers.visit_problems",
    _("接访收集问题数"),
    _("接访中居民反映并转为诉求的问题"),
    _("件"),
    visit_problems(False),
    SOURCE_002,
    120,
)
_register(
    "volunteers.visit_solved",
    _("接访现场解决问题数"),
    _("接访中现场解决的问题"),
    _("件"),
    visit_problems(True),
    SOURCE_002,
    130,
)
_register(
    "volunteers.orders_done",
    _("共建单位完成订单数"),
    _("期间内共建单位报告完成的服务订单"),
    _("单"),
    orders_done,
    SOURCE_002,
    140,
)
_register(
    "volunteers.orders_taken_rate",
    _("订单接单率"),
    _("期间内发布的订单中已被接单的比例"),
    "%",
    orders_taken_rate,
    SOURCE_002,
    150,
)
_register("volunteers.bookings", _("功能室预约次数"), _("期间内有效的功能室预约"), _("次"), bookings, SOURCE_003, 160)
