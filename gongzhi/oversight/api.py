"""Evaluation over JSON (``/api/v1/oversight/``): open surveys and answering them, survey results
(figures only, never who answered), an estate's rectification ledger and a company's ratings —
the same services, selectors and permissions as the pages."""

import datetime
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from gongzhi.core.errors import DomainError
from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.oversight import selectors, services
from gongzhi.oversight.models import Survey
from gongzhi.places.models import Flat, Place, PlaceKind

router = Router(tags=["oversight"])


class SurveyOut(Schema):
    id: int
    title: str
    place: str
    phase: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime


class AnswerIn(Schema):
    flat_id: int
    # Question id → option id (single), list of option ids (multiple), 1–5 (scale) or text.
    answers: dict[str, int | str | list[int]]


class AnswerOut(Schema):
    survey_id: int
    revision: int


class OptionResultOut(Schema):
    label: str
    count: int
    share: Decimal | None


class QuestionResultOut(Schema):
    id: int
    text: str
    kind: str
    target: str
    answered: int
    average: Decimal | None
    satisfied_rate: Decimal | None
    options: list[OptionResultOut]
    comments: list[str]
    suppressed: bool = Field(False, description="Fewer answers than the minimum group size: figures withheld")


class EstateResultOut(Schema):
    estate_id: int
    estate: str
    flats: int
    responses: int | None
    response_rate: Decimal | None
    satisfaction: Decimal | None
    suppressed: bool = Field(False, description="Fewer responses than the minimum group size: figures withheld")


class ResultsOut(Schema):
    survey_id: int
    flats: int
    responses: int
    response_rate: Decimal | None
    satisfaction: Decimal | None
    suppressed: bool = Field(False, description="Fewer responses than the minimum group size: satisfaction withheld")
    min_group_size: int
    suppressed_text: str
    estates: list[EstateResultOut]
    questions: list[QuestionResultOut]


class LedgerItemOut(Schema):
    id: int
    number: int
    source: str
    title: str
    responsible: str | None
    deadline: datetime.date | None
    state: str
    overdue: bool
    case_number: str | None


class RatingOut(Schema):
    estate: str
    scorecard: str
    version: int
    period_start: datetime.date
    period_end: datetime.date
    total: Decimal | None
    percent: Decimal | None
    stars: int | None
    credit_grade: str
    passed: bool | None


def _survey(request, survey_id: int, perm: str) -> Survey:
    survey = Survey.objects.select_related("place").filter(pk=survey_id).first()
    if survey is None or not request.user.has_perm("oversight.view_survey", survey):
        raise Http404
    if not request.user.has_perm(perm, survey):
        raise DomainError(_("您不能进行此操作"), status=403)
    return survey


def _survey_out(survey: Survey) -> SurveyOut:
    return SurveyOut(
        id=survey.id,
        title=survey.title,
        place=survey.place.name,
        phase=survey.phase(),
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
    )


@router.get("/surveys", response=list[SurveyOut], summary="Surveys of my estate and surveys I run")
def surveys(request):
    mine = list(selectors.surveys_for_resident(request.user)[:50])
    managed = [s for s in selectors.surveys_managed(request.user)[:100] if s not in mine]
    return [_survey_out(s) for s in mine + managed]


@router.post("/surveys/{survey_id}/answers", response=AnswerOut, summary="Answer (or change the answer) for my flat")
def answer(request, survey_id: int, payload: AnswerIn):
    survey = _survey(request, survey_id, "oversight.view_survey")
    flat = Flat.objects.filter(pk=payload.flat_id).first()
    if flat is None:
        raise DomainError(_("只能为自己居住或拥有的房屋答卷"), status=403)
    answers = {key: value for key, value in payload.answers.items() if str(key).isdecimal() and len(key) < 19}
    response = services.survey_answer_submit(survey=survey, flat=flat, answers=answers, acting_user=request.user)
    return AnswerOut(survey_id=survey.id, revision=response.revision)


@router.get("/surveys/{survey_id}/results", response=ResultsOut, summary="Results: figures and comments only")
def results(request, survey_id: int):
    survey = _survey(request, survey_id, "oversight.view_survey_results")
    estate = None
    if not (request.user.has_perm("oversight.manage_survey", survey) or _is_staff(request.user)):
        from gongzhi.accounts import access

        estate = services.survey_estates(survey).filter(path__in=access.paths_with(request.user, "resident")).first()
    visible = None
    if estate is None and not request.user.has_perm("oversight.manage_survey", survey):
        from gongzhi.accounts import access

        visible = access.scope_q(request.user, "view_internal", "path")
    data = selectors.survey_results(survey, estate=estate, visible=visible)
    return ResultsOut(
        survey_id=survey.id,
        flats=data.flats,
        responses=data.responses,
        response_rate=data.response_rate,
        satisfaction=data.satisfaction,
        suppressed=data.suppressed,
        min_group_size=data.min_group,
        suppressed_text=data.small_group_text,
        estates=[
            EstateResultOut(
                estate_id=row.estate.id,
                estate=row.estate.name,
                flats=row.flats,
                responses=row.responses,
                response_rate=row.response_rate,
                satisfaction=row.satisfaction,
                suppressed=row.suppressed,
            )
            for row in data.estates
        ],
        questions=[
            QuestionResultOut(
                id=q.question.id,
                text=q.question.text,
                kind=q.question.kind,
                target=q.question.target,
                answered=q.answered,
                average=q.average,
                satisfied_rate=q.satisfied_rate,
                options=[OptionResultOut(label=o.label, count=o.count, share=o.share) for o in q.options],
                comments=q.comments,
                suppressed=q.suppressed,
            )
            for q in data.questions
        ],
    )


def _is_staff(user) -> bool:
    from gongzhi.accounts import access

    return access.can(user, "view_internal")


@router.get("/ledger/{estate_id}", response=list[LedgerItemOut], summary="An estate's rectification ledger")
def ledger(request, estate_id: int):
    estate = Place.objects.filter(pk=estate_id, kind=PlaceKind.ESTATE).first()
    if estate is None or not request.user.has_perm("oversight.view_ledger", estate):
        raise Http404
    return [
        LedgerItemOut(
            id=item.id,
            number=item.number,
            source=item.source,
            title=item.title,
            responsible=item.responsible.name if item.responsible else None,
            deadline=item.deadline,
            state=item.state,
            overdue=item.is_overdue(),
            case_number=item.case.number if item.case_id else None,
        )
        for item in selectors.ledger_for_estate(estate).select_related("case")
    ]


@router.get("/companies/{company_id}/ratings", response=list[RatingOut], summary="A property company's ratings")
def company_ratings(request, company_id: int):
    company = get_object_or_404(Organization, pk=company_id, kind=OrgKind.PROPERTY_COMPANY)
    if not request.user.has_perm("oversight.view_company_rating", company):
        raise Http404
    return [
        RatingOut(
            estate=a.estate.name,
            scorecard=a.scorecard.name,
            version=a.scorecard.version,
            period_start=a.period_start,
            period_end=a.period_end,
            total=a.total,
            percent=a.percent,
            stars=a.stars,
            credit_grade=a.credit_grade,
            passed=a.passed,
        )
        for a in selectors.company_history(company)
    ]
