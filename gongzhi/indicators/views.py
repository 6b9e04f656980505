import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability
from gongzhi.core.errors import DomainError
from gongzhi.indicators import analysis, rendering, selectors
from gongzhi.indicators.registry import area_label, indicators
from gongzhi.indicators.scope import shared_facts
from gongzhi.open311.auth import use_session_grants
from gongzhi.places.models import Place


def place_for(request, value) -> Place:
    """The place asked for, if the user may see its dashboard: 404 for anyone else (outsiders do
    not learn which places exist)."""
    try:
        place = Place.objects.get(pk=int(value), kind__in=selectors.DASHBOARD_KINDS)
    except (TypeError, ValueError, Place.DoesNotExist):
        raise Http404 from None
    if not request.user.has_perm("indicators.view_dashboard", place):
        raise Http404
    return place


def drilldown_urls(place, period) -> dict[str, str]:
    """Figure key → the list of records behind it (the lists show only what the user may see)."""
    estate = place.id if place.kind == "estate" else None
    urls = {}
    for indicator in indicators():
        if indicator.area == "cases":
            urls[indicator.key] = analysis.case_list_url(period, estate=estate)
        elif indicator.drilldown:
            try:
                urls[indicator.key] = reverse(indicator.drilldown)
            except NoReverseMatch:
                continue
    return urls


@login_required
def dashboard(request):
    # What the user may see (posts → places) from the cache, kept per session for a few seconds
    # and dropped at once when a post, person or place changes (as the case pages do).
    use_session_grants(request)
    if not access.can(request.user, Capability.VIEW_DASHBOARD):
        raise PermissionDenied
    if request.GET.get("place"):
        place = place_for(request, request.GET["place"])
    else:
        place = selectors.default_place(request.user)
        if place is None:
            raise PermissionDenied
    today = timezone.localdate()
    errors = []
    try:
        day = selectors.parse_day(request.GET.get("date"), default=today)
    except DomainError as error:
        errors.append(error.message)
        day = today
    try:
        start = selectors.parse_day(request.GET.get("start")) if request.GET.get("start") else None
        period = selectors.period_for(start, day)
    except DomainError as error:
        errors.append(error.message)
        period = selectors.period_for(None, day)
    areas = selectors.table_areas()
    table_area = request.GET.get("area") or "structure"
    if table_area not in dict(areas):
        table_area = "structure"
    # One block for the whole page: the roll-ups caught up once, and what the cards, the tables,
    # the trend and the analysis all read (the estates' case sums…) queried once.
    with shared_facts():
        data = selectors.dashboard(place, period, table_area=table_area)
        every_responsible = request.GET.get("responsible") == "all"
        result = analysis.analyse(
            place, period, responsible=None if every_responsible else analysis.responsible_shown()
        )
        trend = selectors.trend(place, table_area, period.last_day)
    drill = drilldown_urls(place, period)
    day_text = period.last_day.isoformat()
    return render(
        request,
        "indicators/dashboard.html",
        {
            "dashboard": data,
            "sections": [(section, rendering.cards_html(section.cards, drill)) for section in data.sections],
            "community_rows": rendering.place_rows_html(
                data.communities, day=day_text, area=table_area, with_community=False
            ),
            "estate_rows": rendering.place_rows_html(
                data.estates, day=day_text, area=table_area, with_community=bool(data.communities)
            ),
            "place": place,
            "choices": selectors.place_choices(request.user, place),
            "day": period.last_day,
            "start": period.start,
            "chart_json": json.dumps(data.chart(), ensure_ascii=False),
            "analysis": result,
            "tables": analysis_tables(result, day_text),
            "charts_json": {key: json.dumps(spec, ensure_ascii=False) for key, spec in result.charts().items()},
            "drill": drill,
            "can_report": request.user.has_perm("reports.view_report", place),
            "errors": errors,
            "areas": areas,
            "table_area": table_area,
            "trend": trend,
            "trend_json": json.dumps(trend.chart(), ensure_ascii=False),
            "every_responsible_url": _with(request, responsible="all") if result.responsible_hidden else "",
        },
    )


def _with(request, **values) -> str:
    """This page's address with some of its parameters set."""
    query = request.GET.copy()
    for key, value in values.items():
        query[key] = value
    return f"?{query.urlencode()}"


def analysis_tables(result: analysis.Analysis, day: str) -> dict[str, str]:
    """The case analysis tables (trend, breakdowns, rankings), each with the same columns."""
    return {
        "trend": rendering.lines_html(result.trend, heading=_("月份"), table_id="trend-table"),
        "by_category": rendering.lines_html(result.by_category, heading=_("类别"), table_id="category-table"),
        "by_responsible": rendering.lines_html(
            result.by_responsible, heading=_("责任方"), table_id="responsible-table"
        ),
        "estate_ranking": rendering.lines_html(
            result.estate_ranking, heading=_("小区"), table_id="estate-ranking", ranked=True, place_links=True, day=day
        ),
        "company_ranking": rendering.lines_html(
            result.company_ranking, heading=_("物业企业"), table_id="company-ranking", ranked=True
        ),
    }


@login_required
def definitions(request):
    """Every figure's definition: label, formula, unit, source. Readable by anyone with a dashboard."""
    if not access.can(request.user, Capability.VIEW_DASHBOARD):
        raise PermissionDenied
    groups: dict[str, list] = {}
    for indicator in indicators():
        groups.setdefault(indicator.area, []).append(indicator)
    return render(
        request,
        "indicators/definitions.html",
        {"groups": [(area_label(area), items) for area, items in groups.items()]},
    )
