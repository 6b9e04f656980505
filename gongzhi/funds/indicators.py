"""The money and small-works figures the reports quote (seed 002: a fund of 500,000 yuan seed money
and over 2,000,000 raised; 50,000 that drew 500,000; 586 micro-works; 1,051 planned and 881 done;
3,602,500 yuan of estate income; seed 004: wishes claimed). Each ``compute_many`` runs one grouped
query and adds the groups up by place path, whatever the number of places."""

from collections import Counter
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from gongzhi.funds.models import FundEntry, FundEntryKind, MicroProject, MicroWish, RenovationProject, RevenueEntry
from gongzhi.funds.services import cents
from gongzhi.indicators.registry import Figure, Indicator, Period, register

SOURCE_002 = _("晋江市青阳街道、池店镇小区治理报道（美好家园基金、微实事月定月办）")
SOURCE_004 = _("龙港市小区治理报道（微心愿认领）")


def _grouped(queryset, path_field: str, value) -> Counter:
    rows = queryset.values(path_field).annotate(v=value)
    return Counter({r[path_field]: r["v"] or 0 for r in rows})


def _by_place(places, totals: Counter, money: bool = False) -> dict[int, Figure]:
    result = {}
    for place in places:
        total = sum(
            (v for path, v in totals.items() if path and path.startswith(place.path)), Decimal("0.00") if money else 0
        )
        result[place.id] = Figure(cents(total) if money else total)
    return result


def _fund_rows(period: Period):
    return FundEntry.objects.filter(on_date__gte=period.start, on_date__lt=period.end)


def fund_raised(places, period):
    """Contributions (net of their reversals) to funds held at or under each place."""
    rows = _fund_rows(period).filter(
        Q(kind=FundEntryKind.CONTRIBUTION) | Q(kind=FundEntryKind.REVERSAL, reverses__kind=FundEntryKind.CONTRIBUTION)
    )
    return _by_place(places, _grouped(rows, "fund__place__path", Sum("amount")), money=True)


def fund_seed_money(places, period):
    rows = _fund_rows(period).filter(source="government").exclude(kind=FundEntryKind.GRANT)
    return _by_place(places, _grouped(rows, "fund__place__path", Sum("amount")), money=True)


def _grant_rows(period):
    return _fund_rows(period).filter(
        Q(kind=FundEntryKind.GRANT) | Q(kind=FundEntryKind.REVERSAL, reverses__kind=FundEntryKind.GRANT)
    )


def fund_granted(places, period):
    """Grants to projects in estates under each place (or by funds held there, for estate-less grants)."""
    totals = _grouped(_grant_rows(period), "fund__place__path", Sum("amount"))
    return {pid: Figure(-f.value) for pid, f in _by_place(places, totals, money=True).items()}


def fund_leverage(places, period):
    """Co-funding drawn in per yuan granted (seed 002: 50,000 drew 500,000 → 10.0)."""
    rows = _grant_rows(period).values("fund__place__path").annotate(g=Sum("amount"), c=Sum("co_funding"))
    result = {}
    for place in places:
        granted = -cents(
            sum((cents(r["g"]) for r in rows if r["fund__place__path"].startswith(place.path)), Decimal("0"))
        )
        drawn = cents(sum((cents(r["c"]) for r in rows if r["fund__place__path"].startswith(place.path)), Decimal("0")))
        value = (drawn / granted).quantize(Decimal("0.01")) if granted else None
        result[place.id] = Figure(value, drawn, granted)
    return result


def revenue_income(places, period):
    rows = RevenueEntry.objects.filter(on_date__gte=period.start, on_date__lt=period.end, is_cost=False)
    return _by_place(places, _grouped(rows, "estate__path", Sum("amount")), money=True)


def revenue_net(places, period):
    rows = RevenueEntry.objects.filter(on_date__gte=period.start, on_date__lt=period.end)
    return _by_place(places, _grouped(rows, "estate__path", Sum("amount")), money=True)


def _works(period):
    return MicroProject.objects.filter(month__gte=period.start, month__lt=period.end).exclude(status="cancelled")


def works_planned(places, period):
    return _by_place(places, _grouped(_works(period), "estate__path", Count("id")))


def works_done(places, period):
    """Done in the period, whichever month they were planned for."""
    rows = MicroProject.objects.filter(status="done", done_on__gte=period.start, done_on__lt=period.end)
    return _by_place(places, _grouped(rows, "estate__path", Count("id")))


def works_done_rate(places, period):
    rows = _works(period).values("estate__path").annotate(n=Count("id"), d=Count("id", filter=Q(status="done")))
    result = {}
    for place in places:
        n = sum(r["n"] for r in rows if r["estate__path"].startswith(place.path))
        d = sum(r["d"] for r in rows if r["estate__path"].startswith(place.path))
        result[place.id] = Figure.rate(d, n)
    return result


def works_backlog(places, period):
    """Planned for a month before the period's end and still not done on its last day."""
    rows = MicroProject.objects.filter(month__lt=period.end, status="planned")
    rows_done_late = MicroProject.objects.filter(month__lt=period.end, status="done", done_on__gte=period.end)
    totals = _grouped(rows, "estate__path", Count("id")) + _grouped(rows_done_late, "estate__path", Count("id"))
    return _by_place(places, totals)


def wishes_posted(places, period):
    rows = MicroWish.objects.filter(created_at__date__gte=period.start, created_at__date__lt=period.end)
    return _by_place(places, _grouped(rows, "estate__path", Count("id")))


def wishes_claimed(places, period):
    rows = MicroWish.objects.filter(claimed_at__date__gte=period.start, claimed_at__date__lt=period.end)
    return _by_place(places, _grouped(rows, "estate__path", Count("id")))


def wishes_fulfilled(places, period):
    rows = MicroWish.objects.filter(fulfilled_at__date__gte=period.start, fulfilled_at__date__lt=period.end)
    return _by_place(places, _grouped(rows, "estate__path", Count("id")))


def renovation_amount(places, period):
    rows = RenovationProject.objects.filter(
        application__status__in=("submitted", "approved", "rejected"),
        application__submitted_on__gte=period.start,
        application__submitted_on__lt=period.end,
    )
    return _by_place(places, _grouped(rows, "estate__path", Sum("amount")), money=True)


def _register(key, area, label, formula, unit, compute, source, order):
    register(
        Indicator(
            key=key,
            area=area,
            label=label,
            formula=formula,
            unit=unit,
            compute_many=compute,
            source=source,
            order=order,
        )
    )


_register(
    "funds.raised",
    "money",
    _("基金筹集金额"),
    _("期间内基金收到的捐资合计（扣除冲正）"),
    _("元"),
    fund_raised,
    SOURCE_002,
    10,
)
_register(
    "funds.seed_money",
    "money",
    _("政府启动资金"),
    _("期间内来源为政府的捐资合计"),
    _("元"),
    fund_seed_money,
    SOURCE_002,
    15,
)
_register(
    "funds.granted",
    "money",
    _("基金资助金额"),
    _("期间内基金资助项目的金额合计（扣除冲正）"),
    _("元"),
    fund_granted,
    SOURCE_002,
    20,
)
_register(
    "funds.leverage",
    "money",
    _("资助撬动倍数"),
    _("资助带动的配套资金 ÷ 资助金额"),
    _("倍"),
    fund_leverage,
    SOURCE_002,
    30,
)
_register(
    "funds.revenue_income",
    "money",
    _("小区公共收益收入"),
    _("期间内停车、充电、广告、租赁等公共收益收入"),
    _("元"),
    revenue_income,
    SOURCE_002,
    40,
)
_register(
    "funds.revenue_net",
    "money",
    _("业主公共收益净额"),
    _("期间内公共收益收入减支出"),
    _("元"),
    revenue_net,
    SOURCE_002,
    50,
)
_register(
    "funds.renovation_applied",
    "money",
    _("改造项目包申报金额"),
    _("期间内申报的改造项目包所含项目预算合计"),
    _("元"),
    renovation_amount,
    SOURCE_002,
    60,
)
_register(
    "works.planned",
    "works",
    _("微实事计划件数"),
    _("计划月份在期间内的微实事（不含取消）"),
    _("件"),
    works_planned,
    SOURCE_002,
    10,
)
_register("works.done", "works", _("微实事办结件数"), _("期间内办结的微实事"), _("件"), works_done, SOURCE_002, 20)
_register(
    "works.done_rate",
    "works",
    _("微实事办结率"),
    _("计划月份在期间内且已办结的 ÷ 计划件数"),
    "%",
    works_done_rate,
    SOURCE_002,
    30,
)
_register(
    "works.backlog",
    "works",
    _("微实事积压件数"),
    _("期末仍未办结的已计划微实事"),
    _("件"),
    works_backlog,
    SOURCE_002,
    40,
)
_register(
    "works.wishes_posted",
    "works",
    _("微心愿发布数"),
    _("期间内居民发布的微心愿"),
    _("个"),
    wishes_posted,
    SOURCE_004,
    50,
)
_register(
    "works.wishes_claimed",
    "works",
    _("微心愿认领数"),
    _("期间内被认领的微心愿"),
    _("个"),
    wishes_claimed,
    SOURCE_004,
    60,
)
_register(
    "works.wishes_fulfilled",
    "works",
    _("微心愿实现数"),
    _("期间内实现的微心愿"),
    _("个"),
    wishes_fulfilled,
    SOURCE_004,
    70,
)
