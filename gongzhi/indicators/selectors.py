"""Reads behind the dashboard and the indicators API: which places a user may look at, and the
figures of a place with its breakdown, all in a fixed number of queries whatever the number of
estates."""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability
from gongzhi.core.errors import DomainError
from gongzhi.indicators import rendering, rollups, store
from gongzhi.indicators.registry import Figure, Indicator, Period, area_label, indicators
from gongzhi.indicators.scope import places_below
from gongzhi.places.models import Place, PlaceKind

DASHBOARD_KINDS = (PlaceKind.DISTRICT, PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.ESTATE)
EARLIEST = datetime.date(2000, 1, 1)


def dashboard_places(user) -> QuerySet:
    """Places (above buildings) where the user may see the dashboard."""
    return Place.objects.filter(access.scope_q(user, Capability.VIEW_DASHBOARD, "path"), kind__in=DASHBOARD_KINDS)


def place_choices(user, current: Place | None = None) -> list[Place]:
    """The places offered in the chooser: every place in scope above the estate; the estates when
    the user's scope is estates only (a second query). Estates of a larger scope are reached from
    the per-estate table, and not read here (a city has thousands)."""
    in_scope = dashboard_places(user).select_related("parent").order_by("path")
    chosen = list(in_scope.exclude(kind=PlaceKind.ESTATE)) or list(in_scope)
    if current is not None and all(place.id != current.id for place in chosen):
        chosen.append(current)
    return chosen


def default_place(user) -> Place | None:
    """The user's highest place: the shortest path they may see the dashboard at."""
    paths = access.paths_with(user, Capability.VIEW_DASHBOARD)
    if not paths:
        return None
    if "/" in paths:
        return Place.objects.filter(kind__in=DASHBOARD_KINDS).order_by("depth", "path").first()
    shortest = min(paths, key=lambda path: (len(path), path))
    return Place.objects.filter(path=shortest, kind__in=DASHBOARD_KINDS).first()


def parse_day(value: str | None, *, default: datetime.date | None = None, label: str = "") -> datetime.date:
    """A date typed as YYYY-MM-DD; refused with a clear message otherwise."""
    if value is None or not value.strip():
        return default or timezone.localdate()
    try:
        day = datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(
            _("日期“%(value)s”格式不正确，请按“年-月-日”填写，例如2025-06-30") % {"value": value}
        ) from None
    if day < EARLIEST:
        raise DomainError(_("日期不能早于%(date)s") % {"date": EARLIEST.isoformat()})
    return day


def period_for(start: datetime.date | None, day: datetime.date) -> Period:
    """[start, day]: structure figures read the state on ``day``; figures over a period (cases,
    meetings…) count from ``start``, by default the first day of the year of ``day``."""
    start = start or datetime.date(day.year, 1, 1)
    if start > day:
        raise DomainError(_("开始日期不能晚于截止日期"))
    return Period(start, day + datetime.timedelta(days=1))


@dataclass
class Card:
    indicator: Indicator
    figure: Figure

    @property
    def display(self) -> str:
        return self.figure.display(str(self.indicator.unit) if self.indicator.is_rate else "")

    @property
    def cell(self) -> str:
        """The short form used in tables: yes/no for a rate over a single estate."""
        return self.cell_text(_("是"), _("否"))

    def cell_text(self, yes: str, no: str) -> str:
        figure = self.figure
        if figure.value is None:
            return "—"
        if self.indicator.is_rate:
            if figure.denominator == 1:
                return yes if figure.numerator else no
            return f"{figure.value}%"
        return str(figure.value)

    @property
    def ratio(self) -> str:
        if not self.indicator.is_rate:
            return ""
        return f"{self.figure.numerator or 0}/{self.figure.denominator or 0}"


@dataclass
class Row:
    place: Place
    cells: list[Card]

    @property
    def figures(self) -> list[Figure]:
        return [cell.figure for cell in self.cells]

    @property
    def cells_html(self) -> str:
        """The row's figure cells as <td>s, built in one go: a subdistrict's table has thousands
        of cells and per-cell template lookups would dominate the page's render time."""
        return self.cells_html_in(_("是"), _("否"))

    def cells_html_in(self, yes: str, no: str) -> str:
        """``cells_html`` with the words for yes and no already translated (once per table)."""
        return rendering.cells_html((c.cell_text(yes, no), c.ratio) for c in self.cells)


@dataclass
class Section:
    area: str
    label: str
    cards: list[Card]


@dataclass
class Dashboard:
    place: Place
    period: Period
    sections: list[Section]
    columns: list[Indicator] = field(default_factory=list)  # indicators shown per estate/community
    communities: list[Row] = field(default_factory=list)
    estates: list[Row] = field(default_factory=list)

    @property
    def day(self) -> datetime.date:
        return self.period.last_day

    def chart(self) -> dict:
        """What the chart draws: each rate indicator for the communities (or estates) under the
        place, or for the place itself when it is an estate."""
        rows = self.communities or self.estates
        rates = [(i, indicator) for i, indicator in enumerate(self.columns) if indicator.is_rate]
        if rows:
            return {
                "mode": "breakdown",
                "categories": [row.place.name for row in rows],
                "series": [
                    {
                        "key": indicator.key,
                        "name": str(indicator.label),
                        "values": [_number(row.figures[i].value) for row in rows],
                    }
                    for i, indicator in rates
                ],
            }
        cards = [card for section in self.sections for card in section.cards if card.indicator.is_rate]
        return {
            "mode": "place",
            "categories": [str(card.indicator.short_label or card.indicator.label) for card in cards],
            "series": [{"key": "value", "name": self.place.name, "values": [_number(c.figure.value) for c in cards]}],
        }


def _number(value):
    return None if value is None else float(value)


def table_areas() -> list[tuple[str, str]]:
    """Areas that have indicators for estates: (area, heading), in dashboard order."""
    seen: dict[str, str] = {}
    for indicator in indicators():
        if indicator.applies_to(PlaceKind.ESTATE):
            seen.setdefault(indicator.area, str(area_label(indicator.area)))
    return list(seen.items())


def dashboard(place: Place, period: Period, *, table_area: str = "structure", breakdown: bool = True) -> Dashboard:
    """The figures of ``place`` on the period (every area), with one row per community and per
    estate under it for the indicators of ``table_area``. A fixed number of queries: each indicator
    computes once for the place, and those of the table area once for all rows together."""
    chosen = indicators()
    estates: list[Place] = []
    communities: list[Place] = []
    if breakdown and place.kind != PlaceKind.ESTATE:
        below = places_below(place)
        estates = [p for p in below if p.kind == PlaceKind.ESTATE]
        communities = [p for p in below if p.kind == PlaceKind.COMMUNITY] if place.kind != PlaceKind.COMMUNITY else []
    columns = [i for i in chosen if i.area == table_area and i.applies_to(PlaceKind.ESTATE)]
    column_keys = {indicator.key for indicator in columns}
    everything = [place, *communities, *estates]
    rollups.ensure_fresh()
    # Stored figures (store.py): two reads of stored rows, recomputing only what changed.
    found = store.lookup(
        [
            (period, [i for i in chosen if i.key in column_keys], everything),
            (period, [i for i in chosen if i.key not in column_keys and i.applies_to(place.kind)], [place]),
        ]
    )
    computed = {key: figures for (_period, key), figures in found.items()}
    sections: dict[str, Section] = {}
    for indicator in chosen:
        if not indicator.applies_to(place.kind):
            continue
        section = sections.setdefault(indicator.area, Section(indicator.area, str(area_label(indicator.area)), []))
        section.cards.append(Card(indicator, computed[indicator.key][place.id]))

    def rows(places):
        return [Row(p, [Card(indicator, computed[indicator.key][p.id]) for indicator in columns]) for p in places]

    # Community rows use the estate columns too, so both tables and the chart line up.
    return Dashboard(
        place=place,
        period=period,
        sections=list(sections.values()),
        columns=columns,
        communities=rows(communities),
        estates=rows(estates),
    )


@dataclass
class TrendRow:
    month: datetime.date
    cells: list[Card]

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def cells_html(self) -> str:
        return Row.cells_html_in(self, _("是"), _("否"))


@dataclass
class Trend:
    """An area's figures for the place, month by month (the last month up to the day shown)."""

    area: str
    label: str
    columns: list[Indicator]
    rows: list[TrendRow]

    def chart(self) -> dict:
        """Counts on the left axis, rates on the right; the same numbers as the table."""
        return {
            "type": "line",
            "categories": [row.label for row in self.rows],
            "series": [
                {
                    "name": str(indicator.short_label or indicator.label),
                    "values": [_number(row.cells[i].figure.value) for row in self.rows],
                    "axis": 1 if indicator.is_rate else 0,
                }
                for i, indicator in enumerate(self.columns)
            ],
        }


TREND_MONTHS = 12


def trend(place: Place, area: str, day: datetime.date, months: int = TREND_MONTHS) -> Trend:
    """The indicators of ``area`` that apply to the place, for each of the ``months`` months
    ending with the month of ``day``: whole past months (stored, precomputed by the periodic job)
    and the current month up to ``day``. A fixed number of queries."""
    columns = [i for i in indicators(area) if i.applies_to(place.kind)]
    firsts = store.month_starts(day, months)
    periods = [
        Period(first, min(Period.month(first.year, first.month).end, day + datetime.timedelta(days=1)))
        for first in firsts
    ]
    rollups.ensure_fresh()
    found = store.lookup([(period, columns, [place]) for period in periods])
    rows = [
        TrendRow(period.start, [Card(indicator, found[(period, indicator.key)][place.id]) for indicator in columns])
        for period in periods
    ]
    return Trend(area, str(area_label(area)), columns, rows)
