"""Indicators are declared once: label (zh/en through translation), formula in words, unit, the
area they belong to and a function that computes the figure for a place and a date or period.
Dashboards, the report, exports and the API all read these declarations.

An indicator's ``compute(place, period)`` returns a ``Figure``. A ``Period`` is a half-open range of
dates [start, end); "as of a date" indicators read ``period.end - 1 day`` as their day.

``compute_many(places, period)`` computes the figure for several places in a fixed number of
queries; every indicator must provide it so dashboards do not grow their query count with the
number of places shown. ``gongzhi.indicators.scope.PlaceScope`` helps: it turns the places into
path-prefix filters and attributes rows found under them back to each place.

``levels`` names the kinds of place an indicator means something at (empty: every level); the
dashboard's per-estate table shows only indicators that apply to estates.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # exclusive

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @classmethod
    def day(cls, on: datetime.date) -> "Period":
        return cls(on, on + datetime.timedelta(days=1))

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        start = datetime.date(year, month, 1)
        end = datetime.date(year + (month == 12), month % 12 + 1, 1)
        return cls(start, end)

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1))


@dataclass(frozen=True)
class Figure:
    value: Decimal | int | None  # None: not defined (e.g. a rate with a zero denominator)
    numerator: int | Decimal | None = None
    denominator: int | Decimal | None = None

    @classmethod
    def rate(cls, numerator, denominator) -> "Figure":
        if not denominator:
            return cls(None, numerator, denominator)
        value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return cls(value, numerator, denominator)

    @classmethod
    def count(cls, value) -> "Figure":
        return cls(value)

    def display(self, unit: str = "") -> str:
        if self.value is None:
            return "—"
        return f"{self.value}{unit}"

    def as_dict(self) -> dict:
        def plain(number):
            if number is None or isinstance(number, int):
                return number
            return float(number) if isinstance(number, Decimal) else number

        return {"value": plain(self.value), "numerator": plain(self.numerator), "denominator": plain(self.denominator)}


@dataclass
class Indicator:
    key: str
    area: str  # "structure", "cases", "meetings", "evaluation", "elections", "money", "works", ...
    label: str | Promise
    formula: str | Promise
    unit: str | Promise
    compute_many: Callable[[list, Period], dict[int, Figure]]
    source: str | Promise = ""
    order: int = 0
    drilldown: str = ""  # URL name of the list of records behind the figure, if any
    tags: tuple[str, ...] = field(default_factory=tuple)
    # Kinds of place the figure means something at ("subdistrict", "community", "estate", ...);
    # empty: every level.
    levels: tuple[str, ...] = field(default_factory=tuple)
    short_label: str | Promise = ""  # for narrow table columns; the label when empty

    def __post_init__(self) -> None:
        # A rate's unit is the plain "%"; other units are translatable words.
        self.is_rate = not isinstance(self.unit, Promise) and self.unit == "%"

    def applies_to(self, kind: str) -> bool:
        return not self.levels or kind in self.levels

    def compute(self, place, period: Period) -> Figure:
        return self.compute_many([place], period)[place.id]


REGISTRY: dict[str, Indicator] = {}

# Headings of the areas on the dashboard; an app with a new area adds its heading here.
AREA_LABELS: dict[str, str | Promise] = {
    "structure": _("组织架构"),
    "cases": _("诉求办理"),
    "meetings": _("议事协商"),
    "evaluation": _("效度联评"),
    "elections": _("选举表决"),
    "money": _("资金"),
    "works": _("民生实事"),
    "volunteers": _("志愿服务"),
}
AREA_ORDER = tuple(AREA_LABELS)


def area_label(area: str) -> str | Promise:
    return AREA_LABELS.get(area, area)


def register(indicator: Indicator) -> Indicator:
    if indicator.key in REGISTRY:
        raise ValueError(f"indicator {indicator.key} declared twice")
    REGISTRY[indicator.key] = indicator
    return indicator


def _area_rank(area: str) -> tuple[int, str]:
    return (AREA_ORDER.index(area) if area in AREA_ORDER else len(AREA_ORDER), area)


def indicators(area: str | None = None) -> list[Indicator]:
    items = [i for i in REGISTRY.values() if area is None or i.area == area]
    return sorted(items, key=lambda i: (_area_rank(i.area), i.order, i.key))


def compute_table(keys: Iterable[str], places: list, period: Period) -> dict[str, dict[int, Figure]]:
    return {key: REGISTRY[key].compute_many(places, period) for key in keys}
