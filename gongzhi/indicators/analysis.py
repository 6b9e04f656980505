"""The case analysis under a dashboard: trend by month, breakdowns by category and by responsible
party, rankings of estates and of property companies, and the links from each number to the case
list behind it. Read from the roll-ups: a fixed number of queries, whatever the number of cases."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.indicators import rendering, rollups
from gongzhi.indicators.models import Dimension
from gongzhi.indicators.registry import Figure, Period
from gongzhi.indicators.scope import contract_current_q, places_below
from gongzhi.places.models import Place, PlaceKind

LINE_KEYS = (
    "cases.response_rate",
    "cases.resolution_rate",
    "cases.satisfaction_rate",
    "cases.on_time_rate",
    "cases.composite_score",
)
RATE_KEYS = ("cases.response_rate", "cases.resolution_rate", "cases.satisfaction_rate", "cases.on_time_rate")


def case_list_url(
    period: Period, *, estate: int | None = None, category: int | None = None, tab="all", base: str = ""
) -> str:
    """The case list (queue) filtered to the cases behind a figure; the list itself shows only
    the cases the user may see. ``base``: the list's address, when already known (a page with a
    link per estate reverses it once)."""
    query = {"tab": tab, "date_from": period.start.isoformat(), "date_to": period.last_day.isoformat()}
    if estate:
        query["estate"] = estate
    if category:
        query["category"] = category
    return f"{base or reverse('cases:queue')}?{urlencode(query)}"


@dataclass
class Line:
    label: str
    figures: dict[str, Figure]
    sums: dict
    url: str = ""
    place: Place | None = None

    def value(self, key):
        return self.figures[key].value

    @property
    def rates_html(self) -> str:
        """The five figures after the count as <td>s, built in one go (rankings have a row per
        estate; per-cell template filters would dominate the page's render time)."""
        cells = []
        for key in LINE_KEYS:
            figure = self.figures.get(key)
            if figure is None or figure.value is None:
                text = "—"
            else:
                text = f"{figure.value}%" if key.endswith("_rate") else str(figure.value)
            cells.append((text, None))
        return rendering.cells_html(cells)


@dataclass
class Analysis:
    trend: list[Line]
    by_category: list[Line]
    by_responsible: list[Line]
    estate_ranking: list[Line]
    company_ranking: list[Line]
    # How many responsible parties are summed in the breakdown's last line (0: all of them shown).
    responsible_hidden: int = 0

    def charts(self) -> dict:
        def spec(lines, kind):
            return {
                "type": kind,
                "categories": [line.label for line in lines],
                "series": [
                    {"name": _("受理件数"), "values": [line.sums["received"] for line in lines], "axis": 0},
                    *(
                        {"name": name, "values": [_plain(line.value(key)) for line in lines], "axis": 1}
                        for key, name in (
                            ("cases.on_time_rate", _("按时办结率")),
                            ("cases.satisfaction_rate", _("满意率")),
                        )
                    ),
                ],
            }

        return {
            "trend": spec(self.trend, "line"),
            "category": spec(self.by_category, "bar"),
            "responsible": spec(self.by_responsible, "bar"),
        }


def _plain(value):
    return None if value is None else float(value)


def _months_back(day: datetime.date, months: int) -> datetime.date:
    year, month = day.year, day.month - (months - 1)
    while month <= 0:
        month += 12
        year -= 1
    return datetime.date(year, month, 1)


def responsible_shown() -> int:
    """The responsible parties shown one by one in a dashboard's breakdown (the most cases first;
    ``GONGZHI["DASHBOARD_RESPONSIBLE_SHOWN"]``, 15): the others are summed in one line, and the whole
    list is a click away."""
    from django.conf import settings

    return int(settings.GONGZHI.get("DASHBOARD_RESPONSIBLE_SHOWN", 15))


def analyse(place: Place, period: Period, *, months: int = 12, responsible: int | None = None) -> Analysis:
    """The case analysis of a place; ``responsible``: how many responsible parties to list one by one
    (None: all)."""
    from gongzhi.cases.models import Category
    from gongzhi.orgs.models import Organization, ServiceContract

    estate_id = place.id if place.kind == PlaceKind.ESTATE else None
    queue = reverse("cases:queue")
    first = _months_back(period.last_day, months)
    trend = []
    for month, figures in rollups.monthly(place, first, months):
        month_period = Period.month(month.year, month.month)
        trend.append(
            Line(
                month.strftime("%Y-%m"),
                figures,
                {"received": figures["cases.received"].value},
                case_list_url(month_period, estate=estate_id, base=queue),
            )
        )

    parts = rollups.breakdowns(
        place, period, (Dimension.CATEGORY, Dimension.RESPONSIBLE), keep={Dimension.RESPONSIBLE: responsible}
    )
    categories = dict(Category.objects.values_list("id", "name"))
    uncategorized, unassigned = _("未分类"), _("未指定")
    by_category = [
        Line(
            categories.get(key, uncategorized),
            figures,
            sums,
            case_list_url(period, estate=estate_id, category=key, base=queue) if key else "",
        )
        for key, figures, sums in parts[Dimension.CATEGORY]
    ]
    party_keys = [key for key, _f, _s in parts[Dimension.RESPONSIBLE] if isinstance(key, int)]
    party_names = dict(Organization.objects.filter(id__in=party_keys).values_list("id", "name"))
    by_responsible, responsible_hidden = [], 0
    for key, figures, sums in parts[Dimension.RESPONSIBLE]:
        if isinstance(key, rollups.Rest):
            responsible_hidden = key.count
            label = _("其余%(count)d个责任方") % {"count": key.count}
        else:
            label = party_names.get(key, unassigned)
        by_responsible.append(Line(label, figures, sums))

    estate_ranking: list[Line] = []
    company_ranking: list[Line] = []
    if place.kind != PlaceKind.ESTATE:
        estates = [below for below in places_below(place) if below.kind == PlaceKind.ESTATE]
        # With the place itself: the same rows the place's own case cards read (one query).
        sums = rollups.place_sums([place, *estates], period)
        # The estates' links differ only in the estate: the period's address once, the id added.
        of_period = case_list_url(period, base=queue)
        for estate in estates:
            figures = rollups.figures_from_sums(sums[estate.id])
            estate_ranking.append(
                Line(estate.name, figures, sums[estate.id], f"{of_period}&estate={int(estate.id)}", estate)
            )
        estate_ranking.sort(key=_rank_key)
        day = period.last_day
        contracts = ServiceContract.objects.filter(contract_current_q(day), estate__in=[e.id for e in estates])
        companies: dict[int, list] = {}
        names = {}
        for estate_id_, company_id, company_name in contracts.values_list("estate_id", "company_id", "company__name"):
            companies.setdefault(company_id, []).append(estate_id_)
            names[company_id] = company_name
        for company_id, estate_ids in companies.items():
            total = dict.fromkeys(rollups.COUNTS, 0)
            for eid in set(estate_ids):
                for name in rollups.COUNTS:
                    total[name] += sums[eid][name]
            company_ranking.append(
                Line(
                    _("%(name)s（%(count)d个小区）") % {"name": names[company_id], "count": len(set(estate_ids))},
                    rollups.figures_from_sums(total),
                    total,
                )
            )
        company_ranking.sort(key=_rank_key)
    return Analysis(trend, by_category, by_responsible, estate_ranking, company_ranking, responsible_hidden)


def _rank_key(line: Line):
    """Best first: the combined score of the three rates, then satisfaction; no data last."""
    score = line.figures["cases.composite_score"].value
    satisfaction = line.figures["cases.satisfaction_rate"].value
    return (score is None, -(score or 0), -(satisfaction or 0), line.label)
