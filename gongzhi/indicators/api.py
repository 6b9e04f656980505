"""The indicators as JSON: the same definitions and figures as the dashboard, under the same
permission (``indicators.view_dashboard`` at the place)."""

from django.utils.translation import gettext as _
from ninja import Router, Schema

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability
from gongzhi.core.errors import DomainError
from gongzhi.indicators import selectors
from gongzhi.indicators.registry import area_label, indicators
from gongzhi.places.models import Place

router = Router(tags=["indicators"])


class DefinitionOut(Schema):
    key: str
    area: str
    area_label: str
    label: str
    formula: str
    unit: str
    source: str
    is_rate: bool
    levels: list[str]


class FigureOut(Schema):
    key: str
    label: str
    unit: str
    value: float | int | None
    numerator: float | int | None
    denominator: float | int | None


class PlaceFiguresOut(Schema):
    id: int
    name: str
    kind: str
    figures: list[FigureOut]


class DashboardOut(Schema):
    place: PlaceFiguresOut
    date: str
    start: str
    communities: list[PlaceFiguresOut]
    estates: list[PlaceFiguresOut]


def _definition(indicator) -> dict:
    return {
        "key": indicator.key,
        "area": indicator.area,
        "area_label": str(area_label(indicator.area)),
        "label": str(indicator.label),
        "formula": str(indicator.formula),
        "unit": str(indicator.unit),
        "source": str(indicator.source),
        "is_rate": indicator.is_rate,
        "levels": list(indicator.levels),
    }


def _figures(cards) -> list[dict]:
    return [
        {"key": card.indicator.key, "label": str(card.indicator.label), "unit": str(card.indicator.unit)}
        | card.figure.as_dict()
        for card in cards
    ]


def _place(place, cards) -> dict:
    return {"id": place.id, "name": place.name, "kind": place.kind, "figures": _figures(cards)}


def _require_dashboard(user) -> None:
    if not access.can(user, Capability.VIEW_DASHBOARD):
        raise DomainError(_("您无权查看指标看板"), status=403)


@router.get("/definitions", response=list[DefinitionOut], summary="Every indicator's definition")
def definitions(request):
    _require_dashboard(request.user)
    return [_definition(indicator) for indicator in indicators()]


@router.get(
    "/figures", response=DashboardOut, summary="The figures of a place on a date, with its communities and estates"
)
def figures(
    request,
    place: int | None = None,
    date: str | None = None,
    start: str | None = None,
    breakdown: bool = True,
    area: str = "structure",
):
    user = request.user
    _require_dashboard(user)
    if place is None:
        chosen = selectors.default_place(user)
    else:
        chosen = Place.objects.filter(pk=place, kind__in=selectors.DASHBOARD_KINDS).first()
        if chosen is not None and not user.has_perm("indicators.view_dashboard", chosen):
            chosen = None
    if chosen is None:
        raise DomainError(_("没有找到该地点"), status=404)
    day = selectors.parse_day(date)
    period = selectors.period_for(selectors.parse_day(start) if start else None, day)
    data = selectors.dashboard(chosen, period, table_area=area, breakdown=breakdown)
    cards = [card for section in data.sections for card in section.cards]
    return {
        "place": _place(chosen, cards),
        "date": period.last_day.isoformat(),
        "start": period.start.isoformat(),
        "communities": [_place(row.place, row.cells) for row in data.communities],
        "estates": [_place(row.place, row.cells) for row in data.estates],
    }
