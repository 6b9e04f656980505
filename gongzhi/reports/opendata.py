"""Open data: cases and indicators per estate and month, with no personal data.

Two data sets, each as CSV or JSON:

- ``indicators``: one row per estate and month — the case counts and the rates, from the roll-ups.
- ``cases``: one row per case taken in during a month — its estate, month, category, channel,
  urgency, state and outcome (on time, rating, solved). No number, title, description, address,
  coordinates, building, reporter, contact, photos or exact times: nothing that leads to a person.
"""

import datetime

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gongzhi.indicators import rollups
from gongzhi.indicators.models import CaseDay
from gongzhi.indicators.registry import Period
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
