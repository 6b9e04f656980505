"""Open data: cases and indicators per estate and month, with no personal data.

Three data sets, each as CSV or JSON:

- ``indicators``: one row per estate and month — the case counts and the rates, from the roll-ups.
- ``figures``: one row per estate, month and indicator, for every area (structure, cases, meetings,
  evaluation, votes, money, works, volunteers) — the same figures as the dashboards, read from the
  stored figures (``gongzhi.indicators.store``) and the case roll-ups. Counts and rates of records,
  never the records themselves.
- ``cases``: one row per case taken in during a month — its estate, month, category, channel,
  urgency, state and outcome (on time, rating, solved). No number, title, description, address,
  coordinates, building, reporter, contact, photos or exact times: nothing that leads to a person.
"""

import datetime

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gongzhi.indicators import rollups, store
from gongzhi.indicators.models import CaseDay
from gongzhi.indicators.registry import Period, indicators
from gongzhi.places.models import Place, PlaceKind

INDICATOR_FIELDS = [
    "estate_id",
    "estate",
    "community",
    "subdistrict",
    "month",
    "received",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_rate",
    "composite_score",
]
FIGURE_FIELDS = [
    "estate_id",
    "estate",
    "community",
    "subdistrict",
    "month",
    "area",
    "indicator",
    "name",
    "unit",
    "value",
    "numerator",
    "denominator",
]
CASE_FIELDS = [
    "estate_id",
    "estate",
    "month",
    "category",
    "channel",
    "urgency",
    "state",
    "resolved_on_time",
    "rating",
    "solved",
]


def _names(place: Place) -> dict[int, tuple[str, str, str]]:
    """Estate id → (estate, community, subdistrict) names under ``place`` (two queries)."""
    estates = list(Place.objects.within(place).filter(kind=PlaceKind.ESTATE).values_list("id", "name", "path"))
    ancestor_ids = {int(part) for _i, _n, path in estates for part in path.strip("/").split("/")}
    ancestors = dict(
        Place.objects.filter(id__in=ancestor_ids, kind__in=(PlaceKind.COMMUNITY, PlaceKind.SUBDISTRICT)).values_list(
            "id", "kind"
        )
    )
    names = dict(Place.objects.filter(id__in=list(ancestors)).values_list("id", "name"))
    result = {}
    for estate_id, name, path in estates:
        parts = [int(p) for p in path.strip("/").split("/")]
        community = next((names[p] for p in parts if ancestors.get(p) == PlaceKind.COMMUNITY), "")
        subdistrict = next((names[p] for p in parts if ancestors.get(p) == PlaceKind.SUBDISTRICT), "")
        result[estate_id] = (name, community, subdistrict)
    return result


def indicator_rows(place: Place, period: Period):
    rollups.ensure_fresh()
    names = _names(place)
    rows = (
        CaseDay.objects.filter(estate_id__in=list(names), day__gte=period.start, day__lt=period.end)
        .annotate(month=TruncMonth("day"))
        .values("estate_id", "month")
        .annotate(**{name: Sum(name) for name in rollups.COUNTS})
        .order_by("estate_id", "month")
    )
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        figures = rollups.figures_from_sums({name: row[name] or 0 for name in rollups.COUNTS})
        estate, community, subdistrict = names[row["estate_id"]]

        yield {
            "estate_id": row["estate_id"],
            "estate": estate,
            "community": community,
            "subdistrict": subdistrict,
            "month": month.strftime("%Y-%m"),
            "received": figures["cases.received"].value,
            "response_rate": _plain(figures, "cases.response_rate"),
            "resolution_rate": _plain(figures, "cases.resolution_rate"),
            "satisfaction_rate": _plain(figures, "cases.satisfaction_rate"),
            "on_time_rate": _plain(figures, "cases.on_time_rate"),
            "composite_score": _plain(figures, "cases.composite_score"),
        }


def _plain(figures, key):
    value = figures[key].value
    return None if value is None else float(value)


def case_rows(place: Place, period: Period):
    from gongzhi.cases.indicators import EXCLUDED
    from gongzhi.cases.models import Case

    names = _names(place)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(period.end, datetime.time(), tzinfo=tz)
    rows = (
        Case.objects.filter(estate_id__in=list(names), created_at__gte=start, created_at__lt=end)
        .exclude(state__in=EXCLUDED)
        .order_by("estate_id", "created_at", "id")
        .values_list(
            "estate_id",
            "created_at",
            "category__name",
            "channel",
            "urgency",
            "state",
            "resolved_at",
            "deadline",
            "rating",
            "solved",
        )
    )
    for estate_id, created, category, channel, urgency, state, resolved, deadline, rating, solved in rows.iterator(
        chunk_size=5000
    ):
        yield {
            "estate_id": estate_id,
            "estate": names[estate_id][0],
            "month": timezone.localtime(created).strftime("%Y-%m"),
            "category": category or "",
            "channel": channel,
            "urgency": urgency,
            "state": state,
            "resolved_on_time": None if resolved is None or deadline is None else resolved <= deadline,
            "rating": rating or "",
            "solved": solved,
        }


def _month_periods(period: Period) -> list[Period]:
    periods = []
    month = period.start.replace(day=1)
    while month < period.end:
        periods.append(Period.month(month.year, month.month))
        month = periods[-1].end
    return periods


def _number(number):
    if number is None or isinstance(number, int):
        return number
    return float(number)


def figure_rows(place: Place, period: Period):
    """Every indicator that applies to an estate, for each estate under ``place`` and each whole
    month of the period: stored figures (computed once, recomputed when their records change)."""
    names = _names(place)
    estates = list(Place.objects.filter(id__in=list(names)).order_by("path"))
    chosen = [indicator for indicator in indicators() if indicator.applies_to(PlaceKind.ESTATE)]
    months = _month_periods(period)
    if not estates or not months:
        return
    rollups.ensure_fresh()
    found = store.lookup([(month, chosen, estates) for month in months])
    for estate in estates:
        estate_name, community, subdistrict = names[estate.id]
        for month in months:
            for indicator in chosen:
                figure = found[(month, indicator.key)][estate.id]
                yield {
                    "estate_id": estate.id,
                    "estate": estate_name,
                    "community": community,
                    "subdistrict": subdistrict,
                    "month": month.start.strftime("%Y-%m"),
                    "area": indicator.area,
                    "indicator": indicator.key,
                    "name": str(indicator.label),
                    "unit": str(indicator.unit),
                    "value": _number(figure.value),
                    "numerator": _number(figure.numerator),
                    "denominator": _number(figure.denominator),
                }
