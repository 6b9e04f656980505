"""Figures of 效度联评, declared once: surveys held and their response rate, residents'
satisfaction, the rectification ledger (open, signed off, overdue), estates short of their two
surveys a year, and how many property companies hold each credit grade. Every ``compute_many``
runs a fixed number of queries for any number of places."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.indicators.registry import Figure, Indicator, Period, register
from gongzhi.oversight.models import (
    Assessment,
    AssessmentStatus,
    LedgerItem,
    LedgerState,
    SubjectKind,
    Survey,
    SurveyResponse,
    SurveyStatus,
    SurveyTally,
)
from gongzhi.places.models import Flat, Place, PlaceKind


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _surveys_in(period: Period) -> list[tuple[int, str]]:
    return list(
        Survey.objects.filter(
            status=SurveyStatus.PUBLISHED, opens_at__gte=_aware(period.start), opens_at__lt=_aware(period.end)
        ).values_list("id", "place__path")
    )


def _covers(survey_path: str, place_path: str) -> bool:
    """A survey counts for a place if it covers it or lies inside it."""
    return place_path.startswith(survey_path) or survey_path.startswith(place_path)


def surveys_held(places, period: Period) -> dict[int, Figure]:
    surveys = _surveys_in(period)
    return {p.id: Figure.count(sum(1 for _id, path in surveys if _covers(path, p.path))) for p in places}


def _estate_paths(places) -> dict[int, str]:
    query = Q(pk__in=[])
    for place in places:
        query |= Q(path__startswith=place.path)
    return dict(Place.objects.filter(query, kind=PlaceKind.ESTATE).values_list("id", "path"))


def response_rate(places, period: Period) -> dict[int, Figure]:
    """Answer sheets / flats asked, over every survey opened in the period."""
    surveys = dict(_surveys_in(period))
    estates = _estate_paths(places)
    flats = dict(
        Flat.objects.filter(estate_id__in=list(estates), is_active=True)
        .values("estate_id")
        .annotate(n=Count("id"))
        .values_list("estate_id", "n")
    )
    responses = defaultdict(int)
    for row in (
        SurveyResponse.objects.filter(survey_id__in=list(surveys), estate_id__in=list(estates))
        .values("survey_id", "estate_id")
        .annotate(n=Count("id"))
    ):
        responses[(row["survey_id"], row["estate_id"])] = row["n"]
    result = {}
    for place in places:
        asked = answered = 0
        for survey_id, survey_path in surveys.items():
            for estate_id, estate_path in estates.items():
                if estate_path.startswith(place.path) and estate_path.startswith(survey_path):
                    asked += flats.get(estate_id, 0)
                    answered += responses[(survey_id, estate_id)]
        result[place.id] = Figure.rate(answered, asked)
    return result


def satisfaction(places, period: Period) -> dict[int, Figure]:
    """Scored answers of 4 or 5 / all scored answers, in surveys opened in the period."""
    surveys = [survey_id for survey_id, _path in _surveys_in(period)]
    estates = _estate_paths(places)
    rows = (
        SurveyTally.objects.filter(survey_id__in=surveys, estate_id__in=list(estates), key__startswith="s")
        .values("estate_id")
        .annotate(n=Sum("count"), satisfied=Sum("count", filter=Q(key__in=["s4", "s5"]), default=0))
    )
    by_estate = {r["estate_id"]: r for r in rows}
    result = {}
    for place in places:
        n = satisfied = 0
        for estate_id, path in estates.items():
            if path.startswith(place.path) and estate_id in by_estate:
                n += by_estate[estate_id]["n"]
                satisfied += by_estate[estate_id]["satisfied"]
        result[place.id] = Figure.rate(satisfied, n)
    return result


def _ledger_counts(places, period: Period):
    # "Overdue" as of the period's last day, or today while the period is still running.
    day = min(period.last_day, timezone.localdate())
    estates = _estate_paths(places)
    rows = (
        LedgerItem.objects.filter(estate_id__in=list(estates), created_at__lt=_aware(period.end))
        .values("estate_id")
        .annotate(
            open=Count(
                "id",
                filter=~Q(state=LedgerState.SIGNED_OFF) | Q(signed_off_at__gte=_aware(period.end)),
            ),
            signed_off=Count(
                "id",
                filter=Q(
                    state=LedgerState.SIGNED_OFF,
                    signed_off_at__gte=_aware(period.start),
                    signed_off_at__lt=_aware(period.end),
                ),
            ),
            overdue=Count(
                "id",
                filter=(~Q(state=LedgerState.SIGNED_OFF) | Q(signed_off_at__gte=_aware(period.end)))
                & Q(deadline__lt=day),
            ),
        )
    )
    by_estate = {r["estate_id"]: r for r in rows}

    def total(place, key):
        return sum(by_estate[e][key] for e, path in estates.items() if path.startswith(place.path) and e in by_estate)

    return total


def _ledger(key: str):
    def compute(places, period: Period) -> dict[int, Figure]:
        total = _ledger_counts(places, period)
        return {p.id: Figure.count(total(p, key)) for p in places}

    return compute


def estates_short_of_surveys(places, period: Period) -> dict[int, Figure]:
    """Estates with fewer than two surveys opened in the period (meant for a year)."""
    surveys = _surveys_in(period)
    estates = _estate_paths(places)
    short = {e for e, path in estates.items() if sum(1 for _s, sp in surveys if path.startswith(sp)) < 2}
    return {p.id: Figure.count(sum(1 for e in short if estates[e].startswith(p.path))) for p in places}


def _companies_with_grade(grade: str):
    def compute(places, period: Period) -> dict[int, Figure]:
        """Property companies whose latest submitted assessment in the place (ending by the
        period's end) has this credit grade."""
        estates = _estate_paths(places)
        rows = (
            Assessment.objects.filter(
                estate_id__in=list(estates),
                subject_kind=SubjectKind.COMPANY,
                status=AssessmentStatus.SUBMITTED,
                period_end__lt=period.end,
            )
            .order_by("-period_end", "-submitted_at", "-id")
            .values_list("estate_id", "subject_organization_id", "credit_grade")
        )
        rows = list(rows)
        result = {}
        for place in places:
            latest: dict[int, str] = {}
            for estate_id, company_id, credit in rows:
                if estates[estate_id].startswith(place.path):
                    latest.setdefault(company_id, credit)
            result[place.id] = Figure.count(sum(1 for g in latest.values() if g == grade))
        return result

    return compute


register(
    Indicator(
        key="oversight.surveys_held",
        area="evaluation",
        label=_("满意度测评次数"),
        formula=_("期间内开始的、覆盖该地区的已发布满意度测评数"),
        unit=_("次"),
        compute_many=surveys_held,
        source=_("满意度测评"),
        order=10,
        drilldown="oversight:surveys",
    )
)
register(
    Indicator(
        key="oversight.survey_response_rate",
        area="evaluation",
        label=_("测评参与率"),
        formula=_("收到的答卷户数 ÷ 测评覆盖的户数"),
        unit="%",
        compute_many=response_rate,
        source=_("满意度测评答卷"),
        order=11,
    )
)
register(
    Indicator(
        key="oversight.satisfaction",
        area="evaluation",
        label=_("群众满意率"),
        formula=_("评分为4–5分的答案数 ÷ 全部评分答案数（满意度测评）"),
        unit="%",
        compute_many=satisfaction,
        source=_("满意度测评答卷"),
        order=12,
    )
)
register(
    Indicator(
        key="oversight.estates_short_of_surveys",
        area="evaluation",
        label=_("测评不足两次的小区"),
        formula=_("期间内满意度测评少于2次的小区数（每年至少2次）"),
        unit=_("个"),
        compute_many=estates_short_of_surveys,
        source=_("满意度测评"),
        order=13,
    )
)
register(
    Indicator(
        key="oversight.ledger_open",
        area="evaluation",
        label=_("整改台账未销号"),
        formula=_("期末仍未销号的整改事项数"),
        unit=_("项"),
        compute_many=_ledger("open"),
        source=_("整改台账"),
        order=20,
        drilldown="oversight:ledger-index",
    )
)
register(
    Indicator(
        key="oversight.ledger_signed_off",
        area="evaluation",
        label=_("整改台账销号"),
        formula=_("期间内现场核验销号的整改事项数"),
        unit=_("项"),
        compute_many=_ledger("signed_off"),
        source=_("整改台账"),
        order=21,
    )
)
register(
    Indicator(
        key="oversight.ledger_overdue",
        area="evaluation",
        label=_("整改超期"),
        formula=_("期末未销号且已过整改时限的事项数"),
        unit=_("项"),
        compute_many=_ledger("overdue"),
        source=_("整改台账"),
        order=22,
    )
)
GRADE_LABELS = {
    "AAA": _("信用等级AAA的物业企业"),
    "AA": _("信用等级AA的物业企业"),
    "A": _("信用等级A的物业企业"),
    "B": _("信用等级B的物业企业"),
    "C": _("信用等级C的物业企业"),
}
for position, (grade, label) in enumerate(GRADE_LABELS.items()):
    register(
        Indicator(
            key=f"oversight.companies_grade_{grade.lower()}",
            area="evaluation",
            label=label,
            formula=_("最近一次物业考评信用等级为该等级的物业服务企业数"),
            unit=_("家"),
            compute_many=_companies_with_grade(grade),
            source=_("物业服务企业考评"),
            order=30 + position,
        )
    )
