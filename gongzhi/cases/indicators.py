"""The three rates of appeal handling (三率：响应率、解决率、满意率) and the case counts, computed
from the case events for any place and period. The exact definitions, and where they come from,
are written in docs/case-rates.md; the rating weights are ``settings.GONGZHI["CASE_RATING_WEIGHTS"]``.

A case belongs to the period in which it was taken in (``Case.created_at``) and to every place
above its estate. Merged and rejected cases are not counted.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import Case, CaseEvent, CaseState, EventKind
from gongzhi.indicators.registry import Figure, Indicator, Period, register

SOURCE = _("12345 政务服务便民热线“三率”考评通行做法（如北京市“接诉即办”考评）；定义见 docs/case-rates.md")
EXCLUDED = (CaseState.MERGED, CaseState.REJECTED)
RESPONSE_KINDS = (EventKind.SIGNED, EventKind.REPLIED, EventKind.RESOLVED)


def rating_weights() -> dict[str, Decimal]:
    weights = settings.GONGZHI.get("CASE_RATING_WEIGHTS", {})
    base = {"satisfied": Decimal(1), "basically_satisfied": Decimal("0.8"), "dissatisfied": Decimal(0)}
    base.update({key: Decimal(str(value)) for key, value in weights.items()})
    return base


def _bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(period.start, datetime.time(), tzinfo=tz),
        datetime.datetime.combine(period.end, datetime.time(), tzinfo=tz),
    )


def _prefixes(places) -> list[str]:
    kept: list[str] = []
    for path in sorted({p.path for p in places}, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def _paths_q(places, field: str) -> Q:
    """Cases (reached through ``field``, e.g. ``case__estate__path``) under the places. Estates are
    matched by id (an index lookup on the case); higher places by the prefix of the estate's path."""
    id_field = field.removesuffix("__path") + "_id"
    prefixes = _prefixes(places)
    estate_ids = [p.id for p in places if p.kind == "estate" and p.path in prefixes]
    query = Q(**{f"{id_field}__in": estate_ids}) if estate_ids else Q(pk__in=[])
    for path in prefixes:
        if path not in {p.path for p in places if p.id in estate_ids}:
            query |= Q(**{f"{field}__startswith": path})
    return query


def _attribute(places, path: str):
    return [p.id for p in places if path.startswith(p.path)]


def _case_events(places, start, end):
    """One query: the events that matter to the rates, of cases taken in during [start, end)
    under the places, in time order."""
    return (
        CaseEvent.objects.filter(_paths_q(places, "case__estate__path"))
        .filter(case__created_at__gte=start, case__created_at__lt=end)
        .exclude(case__state__in=EXCLUDED)
        .filter(
            kind__in=(
                EventKind.DISPATCHED,
                EventKind.TRANSFERRED,
                *RESPONSE_KINDS,
                EventKind.REVIEWED,
            )
        )
        .order_by("case_id", "at", "id")
        .values_list("case_id", "case__estate__path", "kind", "at", "rating", "solved")
    )


def _per_case(places, start, end) -> dict[int, dict]:
    cases: dict[int, dict] = {}
    for case_id, path, kind, at, rating, solved in _case_events(places, start, end).iterator(chunk_size=5000):
        info = cases.setdefault(case_id, {"path": path, "dispatched": None, "responded": None, "review": None})
        if kind in (EventKind.DISPATCHED, EventKind.TRANSFERRED):
            if info["dispatched"] is None:
                info["dispatched"] = at
        elif kind in RESPONSE_KINDS:
            if info["dispatched"] is not None and info["responded"] is None:
                info["responded"] = at
        elif kind == EventKind.REVIEWED:
            info["review"] = (rating, solved)  # the last review counts
    return cases


def response_rate_many(places, period: Period) -> dict[int, Figure]:
    start, end = _bounds(period)
    limit = datetime.timedelta(hours=settings.GONGZHI.get("CASE_RESPONSE_HOURS", 24))
    counts = defaultdict(lambda: [0, 0])
    for info in _per_case(places, start, end).values():
        if info["dispatched"] is None:
            continue
        on_time = info["responded"] is not None and info["responded"] - info["dispatched"] <= limit
        for place_id in _attribute(places, info["path"]):
            counts[place_id][1] += 1
            counts[place_id][0] += int(on_time)
    return {p.id: Figure.rate(*counts[p.id]) for p in places}


def resolution_rate_many(places, period: Period) -> dict[int, Figure]:
    start, end = _bounds(period)
    counts = defaultdict(lambda: [0, 0])
    for info in _per_case(places, start, end).values():
        if info["review"] is None:
            continue
        _rating, solved = info["review"]
        for place_id in _attribute(places, info["path"]):
            counts[place_id][1] += 1
            counts[place_id][0] += int(bool(solved))
    return {p.id: Figure.rate(*counts[p.id]) for p in places}


def _weighted_rate(numerator: Decimal, denominator: int) -> Figure:
    if not denominator:
        return Figure(None, numerator, denominator)
    value = (numerator * 100 / denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return Figure(value, numerator, denominator)


def satisfaction_rate_many(places, period: Period) -> dict[int, Figure]:
    start, end = _bounds(period)
    return _satisfaction(places, start, end)


def _satisfaction(places, start, end) -> dict[int, Figure]:
    weights = rating_weights()
    sums: dict[int, Decimal] = defaultdict(Decimal)
    counts: dict[int, int] = defaultdict(int)
    for info in _per_case(places, start, end).values():
        if info["review"] is None:
            continue
        rating, _solved = info["review"]
        for place_id in _attribute(places, info["path"]):
            counts[place_id] += 1
            sums[place_id] += weights.get(rating, Decimal(0))
    return {p.id: _weighted_rate(sums[p.id], counts[p.id]) for p in places}


def satisfaction_figures(estate, start, end) -> Figure:
    """Satisfaction of one estate for [start, end) datetimes (the estate board)."""
    return _satisfaction([estate], start, end)[estate.id]


def _case_rows(places, period: Period):
    start, end = _bounds(period)
    return (
        Case.objects.filter(_paths_q(places, "estate__path"), created_at__gte=start, created_at__lt=end)
        .exclude(state__in=EXCLUDED)
        .values_list("estate__path", "resolved_at", "deadline")
    )


def received_many(places, period: Period) -> dict[int, Figure]:
    counts = defaultdict(int)
    for path, _resolved, _deadline in _case_rows(places, period).iterator(chunk_size=5000):
        for place_id in _attribute(places, path):
            counts[place_id] += 1
    return {p.id: Figure.count(counts[p.id]) for p in places}


def on_time_rate_many(places, period: Period) -> dict[int, Figure]:
    counts = defaultdict(lambda: [0, 0])
    for path, resolved_at, deadline in _case_rows(places, period).iterator(chunk_size=5000):
        if resolved_at is None or deadline is None:
            continue
        for place_id in _attribute(places, path):
            counts[place_id][1] += 1
            counts[place_id][0] += int(resolved_at <= deadline)
    return {p.id: Figure.rate(*counts[p.id]) for p in places}


register(
    Indicator(
        key="cases.received",
        area="cases",
        label=_("受理诉求件数"),
        formula=_("期间内受理的诉求件数（不含合并、不予受理）"),
        unit=_("件"),
        compute_many=received_many,
        source=SOURCE,
        order=10,
        drilldown="cases:queue",
    )
)
register(
    Indicator(
        key="cases.response_rate",
        area="cases",
        label=_("响应率"),
        formula=_("派单后规定时间内（默认24小时）签收、答复或办结的件数 ÷ 已派单件数 × 100%"),
        unit="%",
        compute_many=response_rate_many,
        source=SOURCE,
        order=20,
    )
)
register(
    Indicator(
        key="cases.resolution_rate",
        area="cases",
        label=_("解决率"),
        formula=_("回访中反映人表示“已解决”的件数 ÷ 参加回访的件数 × 100%（以最后一次回访为准）"),
        unit="%",
        compute_many=resolution_rate_many,
        source=SOURCE,
        order=30,
    )
)
register(
    Indicator(
        key="cases.satisfaction_rate",
        area="cases",
        label=_("满意率"),
        formula=_(
            "（满意件数×1 + 基本满意件数×0.8 + 不满意件数×0）÷ 参加回访的件数 × 100%；权重可配置；未评价关闭的不计入"
        ),
        unit="%",
        compute_many=satisfaction_rate_many,
        source=SOURCE,
        order=40,
    )
)
register(
    Indicator(
        key="cases.on_time_rate",
        area="cases",
        label=_("按时办结率"),
        formula=_("在办理时限内办结的件数 ÷ 已办结件数 × 100%（以最近一次办结为准）"),
        unit="%",
        compute_many=on_time_rate_many,
        source=SOURCE,
        order=50,
    )
)


def rate_weights() -> dict[str, Decimal]:
    """Weights of the three rates in the combined score (``CASE_RATE_WEIGHTS``); equal by default."""
    weights = {"response": Decimal(1), "resolution": Decimal(1), "satisfaction": Decimal(1)}
    weights.update({key: Decimal(str(value)) for key, value in settings.GONGZHI.get("CASE_RATE_WEIGHTS", {}).items()})
    return weights


def composite_many(places, period: Period) -> dict[int, Figure]:
    """Σ weight × rate ÷ Σ weight over the rates defined for the place (three queries)."""
    weights = rate_weights()
    parts = {
        "response": response_rate_many(places, period),
        "resolution": resolution_rate_many(places, period),
        "satisfaction": satisfaction_rate_many(places, period),
    }
    result = {}
    for place in places:
        total = Decimal(0)
        weight_sum = Decimal(0)
        for key, figures in parts.items():
            value = figures[place.id].value
            if value is not None and weights.get(key):
                total += weights[key] * Decimal(value)
                weight_sum += weights[key]
        if not weight_sum:
            result[place.id] = Figure(None)
        else:
            result[place.id] = Figure((total / weight_sum).quantize(Decimal("0.1"), ROUND_HALF_UP), total, weight_sum)
    return result


register(
    Indicator(
        key="cases.composite_score",
        area="cases",
        label=_("三率综合得分"),
        formula=_("响应率、解决率、满意率按配置的权重加权平均（默认等权）；没有数据的比率不参与"),
        unit=_("分"),
        compute_many=composite_many,
        source=SOURCE,
        order=60,
    )
)
