"""Reads of 效度联评 that are more than a ``get``: survey results, the ledger, the ratings overview
and the flags a dashboard must not let anyone miss. Each list is scoped through ``access`` and
runs a fixed number of queries whatever the number of estates."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import access
from gongzhi.orgs.models import ServiceContract
from gongzhi.oversight.models import (
    Assessment,
    AssessmentStatus,
    Inspection,
    LedgerItem,
    LedgerState,
    QuestionKind,
    QuestionTarget,
    SubjectKind,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    SurveyStatus,
    SurveyTally,
)
from gongzhi.places.models import Flat, Place, PlaceKind

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def _setting(name: str, default):
    return getattr(settings, "GONGZHI", {}).get(name, default)


# Where consequences start (seed 000: results tied to the committee's re-election and the
# company's credit rating; seed 002: companies failing the assessment are removed).
def unsatisfactory_rate() -> Decimal:
    """An estate whose latest survey satisfaction is below this (%) flags its committee."""
    return Decimal(str(_setting("OVERSIGHT_UNSATISFACTORY_RATE", "60")))


def branch_min_stars() -> int:
    """A party branch rated below this many stars is flagged."""
    return int(_setting("OVERSIGHT_BRANCH_MIN_STARS", 3))


SURVEYS_PER_YEAR = 2  # seed 000: "每年至少组织2次群众满意度评价"


def min_group_size() -> int:
    """Survey figures drawn from fewer answers than this are not shown (a breakdown of two or
    three households' answers tells who answered what). ``GONGZHI["SURVEY_MIN_GROUP_SIZE"]``."""
    return max(1, int(_setting("SURVEY_MIN_GROUP_SIZE", 5)))


def small_group_text(size: int | None = None) -> str:
    return _("少于%(n)d份，不显示") % {"n": size or min_group_size()}


def _average(total, count) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(CENT, ROUND_HALF_UP)


def _rate(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(TENTH, ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------
# Surveys
# --------------------------------------------------------------------------------------------


def surveys_managed(user):
    return Survey.objects.filter(access.scope_q(user, "survey_manage", "place__path")).select_related("place")


def surveys_for_resident(user):
    """Published surveys that cover an estate where the user lives."""
    paths = access.paths_with(user, "resident")
    if not paths:
        return Survey.objects.none()
    estates = Place.objects.filter(path__in=paths)
    q = Q()
    for estate in estates:
        ancestors = estate.ancestor_ids()
        q |= Q(place_id__in=ancestors)
    return Survey.objects.filter(q, status=SurveyStatus.PUBLISHED).select_related("place").order_by("-closes_at")


def question_scores_by_estate(survey: Survey) -> dict[tuple[int, int], tuple[Decimal, int]]:
    rows = (
        SurveyAnswer.objects.filter(survey=survey, is_current=True, score__isnull=False)
        .values("estate_id", "question_id")
        .annotate(average=Avg("score"), n=Count("id"))
    )
    return {
        (r["estate_id"], r["question_id"]): (Decimal(str(r["average"])).quantize(CENT, ROUND_HALF_UP), r["n"])
        for r in rows
    }


@dataclass
class OptionResult:
    label: str
    count: int
    share: Decimal | None
    score: int | None = None


@dataclass
class QuestionResult:
    question: object
    answered: int = 0
    average: Decimal | None = None
    satisfied_rate: Decimal | None = None
    options: list[OptionResult] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    comment_count: int = 0
    low: bool = False
    # Fewer answers than the minimum group size: no option counts, averages or comments.
    suppressed: bool = False


@dataclass
class EstateResult:
    estate: Place
    flats: int
    responses: int
    response_rate: Decimal | None
    satisfaction: Decimal | None
    average: Decimal | None
    low_questions: int = 0
    # Fewer responses than the minimum group size: the figures are withheld.
    suppressed: bool = False


@dataclass
class SurveyResults:
    survey: Survey
    flats: int
    responses: int
    response_rate: Decimal | None
    satisfaction: Decimal | None
    estates: list[EstateResult]
    questions: list[QuestionResult]
    estate: Place | None = None
    min_group: int = 5
    suppressed: bool = False

    @property
    def small_group_text(self) -> str:
        return small_group_text(self.min_group)


COMMENTS_SHOWN = 200


def survey_results(survey: Survey, *, estate: Place | None = None, visible=None) -> SurveyResults:
    """Results of a survey, for all its estates or one. Only counts, averages and comment texts
    are returned — never a flat or a person, and comments are ordered by their text, not by the
    time they were written. A figure drawn from fewer answers than ``min_group_size()`` (an
    estate with fewer responses, a question with fewer answers or comments) is withheld here,
    so the page, the export and the API cannot show it. Fixed number of queries."""
    minimum = min_group_size()
    from gongzhi.oversight.services import survey_estates

    estates_qs = survey_estates(survey)
    if visible is not None:
        # Staff of part of a survey's area see the figures of the estates they look after.
        estates_qs = estates_qs.filter(visible)
    estates = {e.id: e for e in estates_qs}
    answers = SurveyAnswer.objects.filter(survey=survey, is_current=True)
    responses = SurveyResponse.objects.filter(survey=survey)
    flats = Flat.objects.filter(is_active=True, estate_id__in=list(estates))
    if estate is not None:
        answers = answers.filter(estate=estate)
        responses = responses.filter(estate=estate)
        flats = flats.filter(estate=estate)
    elif visible is not None:
        answers = answers.filter(estate_id__in=list(estates))
        responses = responses.filter(estate_id__in=list(estates))
    flats_by_estate = dict(flats.values("estate_id").annotate(n=Count("id")).values_list("estate_id", "n"))
    responses_by_estate = dict(responses.values("estate_id").annotate(n=Count("id")).values_list("estate_id", "n"))
    # Counts come from the running tallies (a few rows per estate and question), not from
    # the answers themselves.
    tallies = SurveyTally.objects.filter(survey=survey, count__gt=0)
    if estate is not None:
        tallies = tallies.filter(estate=estate)
    elif visible is not None:
        tallies = tallies.filter(estate_id__in=list(estates))
    per_key: dict[tuple[int, str], int] = defaultdict(int)
    scored_by_estate: dict[int, dict] = defaultdict(lambda: {"n": 0, "satisfied": 0, "sum": 0})
    per_question: dict[int, dict] = defaultdict(lambda: {"n": 0, "satisfied": 0, "sum": 0})
    per_estate_question: dict[tuple[int, int], dict] = defaultdict(lambda: {"n": 0, "sum": 0})
    for estate_id, question_id, key, count in tallies.values_list("estate_id", "question_id", "key", "count"):
        per_key[(question_id, key)] += count
        if key.startswith("s"):
            value = int(key[1:])
            for bucket in (scored_by_estate[estate_id], per_question[question_id]):
                bucket["n"] += count
                bucket["sum"] += value * count
                bucket["satisfied"] += count if value >= 4 else 0
            cell = per_estate_question[(estate_id, question_id)]
            cell["n"] += count
            cell["sum"] += value * count
    low_by_estate: dict[int, int] = defaultdict(int)
    for (estate_id, _question_id), cell in per_estate_question.items():
        average = _average(cell["sum"], cell["n"])
        if cell["n"] >= survey.min_answers_for_finding and average is not None and average < survey.low_score_threshold:
            low_by_estate[estate_id] += 1
    questions = list(survey.questions.prefetch_related("options"))
    text_ids = [q.id for q in questions if q.kind == QuestionKind.TEXT]
    comments: dict[int, list[str]] = defaultdict(list)
    comment_counts: dict[int, int] = defaultdict(int)
    for question_id in text_ids:
        comment_counts[question_id] = per_key.get((question_id, "t"), 0)
        # Read through the (question, is_current, text) index, at most COMMENTS_SHOWN rows.
        comments[question_id] = list(
            answers.filter(question_id=question_id)
            .exclude(text="")
            .order_by("text")
            .values_list("text", flat=True)[:COMMENTS_SHOWN]
        )
    question_results = []
    for question in questions:
        result = QuestionResult(question=question, answered=per_key.get((question.id, "answered"), 0))
        scored = per_question.get(question.id)
        if scored and scored["n"]:
            result.average = _average(scored["sum"], scored["n"])
            result.satisfied_rate = _rate(scored["satisfied"], scored["n"])
            result.low = result.average < survey.low_score_threshold
        if question.kind == QuestionKind.SCALE:
            for value in range(5, 0, -1):
                count = per_key.get((question.id, f"s{value}"), 0)
                result.options.append(
                    OptionResult(label=str(value), count=count, share=_rate(count, result.answered), score=value)
                )
        elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            for option in question.options.all():
                count = per_key.get((question.id, f"o{option.id}"), 0)
                result.options.append(
                    OptionResult(
                        label=option.label, count=count, share=_rate(count, result.answered), score=option.score
                    )
                )
        else:
            result.comments = comments.get(question.id, [])
            result.comment_count = comment_counts.get(question.id, 0)
        group = result.comment_count if question.kind == QuestionKind.TEXT else result.answered
        if 0 < group < minimum:
            result.suppressed = True
            result.average = result.satisfied_rate = None
            result.low = False
            result.options = []
            result.comments = []
        question_results.append(result)
    estate_rows = []
    for estate_id, place in sorted(estates.items(), key=lambda item: item[1].name):
        if estate is not None and estate_id != estate.id:
            continue
        scored = scored_by_estate.get(estate_id) if scored_by_estate.get(estate_id, {}).get("n") else None
        flats_here = flats_by_estate.get(estate_id, 0)
        responses_here = responses_by_estate.get(estate_id, 0)
        if 0 < responses_here < minimum:
            estate_rows.append(
                EstateResult(
                    estate=place,
                    flats=flats_here,
                    responses=None,
                    response_rate=None,
                    satisfaction=None,
                    average=None,
                    suppressed=True,
                )
            )
            continue
        estate_rows.append(
            EstateResult(
                estate=place,
                flats=flats_here,
                responses=responses_here,
                response_rate=_rate(responses_here, flats_here),
                satisfaction=_rate(scored["satisfied"], scored["n"]) if scored else None,
                average=_average(scored["sum"], scored["n"]) if scored else None,
                low_questions=low_by_estate.get(estate_id, 0),
            )
        )
    total_flats = sum(flats_by_estate.values())
    total_responses = sum(responses_by_estate.values())
    scored_n = sum(r["n"] for r in scored_by_estate.values())
    satisfied_n = sum(r["satisfied"] for r in scored_by_estate.values())
    suppressed = 0 < total_responses < minimum
    return SurveyResults(
        survey=survey,
        flats=total_flats,
        responses=total_responses,
        response_rate=_rate(total_responses, total_flats),
        satisfaction=None if suppressed else _rate(satisfied_n, scored_n),
        estates=estate_rows,
        questions=question_results,
        estate=estate,
        min_group=minimum,
        suppressed=suppressed,
    )


def survey_counts_by_estate(estates: list[Place], year: int) -> dict[int, int]:
    """How many published surveys covered each estate with a window opening in ``year``."""
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    surveys = list(
        Survey.objects.filter(status=SurveyStatus.PUBLISHED, opens_at__gte=start, opens_at__lt=end).values_list(
            "place__path", flat=True
        )
    )
    return {e.id: sum(1 for path in surveys if e.path.startswith(path)) for e in estates}


def estates_short_of_surveys(estates: list[Place], year: int) -> list[tuple[Place, int]]:
    """Estates with fewer than two surveys in the year (seed 000: at least two a year)."""
    counts = survey_counts_by_estate(estates, year)
    return [(e, counts[e.id]) for e in estates if counts[e.id] < SURVEYS_PER_YEAR]


# --------------------------------------------------------------------------------------------
# Computed criteria
# --------------------------------------------------------------------------------------------


def computed_criterion_value(method: str, assessment: Assessment) -> tuple[Decimal | None, str]:
    """A rate (0–100) computed from the records for the assessment's estate and period, with a
    line saying how; ``None`` when there are no records to compute it from."""
    start, end = assessment.period_start, assessment.period_end
    estate = assessment.estate
    if method == "survey_satisfaction":
        targets = {
            SubjectKind.COMPANY: [QuestionTarget.COMPANY],
            SubjectKind.BRANCH: [QuestionTarget.BRANCH],
            SubjectKind.INSTRUCTOR: [QuestionTarget.BRANCH, QuestionTarget.GENERAL],
        }[assessment.subject_kind]
        window_start = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
        window_end = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
        row = SurveyTally.objects.filter(
            estate=estate,
            key__startswith="s",
            question__target__in=targets,
            survey__closes_at__gte=window_start,
            survey__closes_at__lt=window_end,
        ).aggregate(n=Sum("count", default=0), satisfied=Sum("count", filter=Q(key__in=["s4", "s5"]), default=0))
        rate = _rate(row["satisfied"], row["n"])
        return rate, _("满意 %(a)s/%(b)s") % {"a": row["satisfied"], "b": row["n"]}
    if method == "ledger_closed_rate":
        items = LedgerItem.objects.filter(estate=estate, deadline__gte=start, deadline__lte=end)
        due = items.count()
        on_time = sum(
            1
            for signed_off_at, deadline in items.filter(state=LedgerState.SIGNED_OFF).values_list(
                "signed_off_at", "deadline"
            )
            if timezone.localdate(signed_off_at) <= deadline
        )
        return _rate(on_time, due), _("按期销号 %(a)s/%(b)s") % {"a": on_time, "b": due}
    if method in ("case_on_time_rate", "case_satisfaction"):
        return case_rate(method, estate, start, end)
    return None, ""


def case_rate(method: str, estate: Place, start: datetime.date, end: datetime.date) -> tuple[Decimal | None, str]:
    """From the case ledger: cases of the estate taken in during the period — the share resolved
    by their deadline, or the share of reviews that were satisfied or basically satisfied."""
    from gongzhi.cases.models import Case, Rating

    window_start = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    window_end = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    cases = Case.objects.filter(estate=estate, created_at__gte=window_start, created_at__lt=window_end)
    if method == "case_on_time_rate":
        row = cases.filter(deadline__isnull=False).aggregate(
            due=Count("id"),
            on_time=Count("id", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("deadline"))),
        )
        return _rate(row["on_time"], row["due"]), _("按时办结 %(a)s/%(b)s") % {"a": row["on_time"], "b": row["due"]}
    row = cases.exclude(rating="").aggregate(
        rated=Count("id"),
        satisfied=Count("id", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASICALLY_SATISFIED])),
    )
    return _rate(row["satisfied"], row["rated"]), _("回访满意 %(a)s/%(b)s") % {"a": row["satisfied"], "b": row["rated"]}


# --------------------------------------------------------------------------------------------
# Ledger and inspections
# --------------------------------------------------------------------------------------------


def ledger_for_estate(estate: Place, *, state: str = ""):
    items = LedgerItem.objects.filter(estate=estate).select_related("responsible", "estate")
    if state == "overdue":
        items = items.overdue(timezone.localdate())
    elif state:
        items = items.filter(state=state)
    return items.prefetch_related("evidence", "verifications").order_by("-number")


def ledger_counts(estates: list[Place], on: datetime.date) -> dict[int, dict[str, int]]:
    rows = (
        LedgerItem.objects.filter(estate__in=estates)
        .values("estate_id")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=~Q(state=LedgerState.SIGNED_OFF)),
            signed_off=Count("id", filter=Q(state=LedgerState.SIGNED_OFF)),
            overdue=Count("id", filter=~Q(state=LedgerState.SIGNED_OFF) & Q(deadline__lt=on)),
        )
    )
    return {r["estate_id"]: r for r in rows}


def inspections_visible(user):
    return (
        Inspection.objects.filter(access.scope_q(user, "view_internal", "estate__path"))
        .select_related("estate", "inspector")
        .annotate(finding_count=Count("findings", distinct=True), check_count=Count("checks", distinct=True))
    )


# --------------------------------------------------------------------------------------------
# Ratings, history and flags
# --------------------------------------------------------------------------------------------


def latest_assessments(estates: list[Place]) -> dict[tuple[int, str], Assessment]:
    """The latest submitted assessment of each estate for each kind of subject (one query)."""
    latest: dict[tuple[int, str], Assessment] = {}
    rows = (
        Assessment.objects.filter(estate__in=estates, status=AssessmentStatus.SUBMITTED)
        .select_related("scorecard")
        .defer("note", "scorecard__grade_bands", "scorecard__star_bands", "scorecard__source")
        .order_by("estate_id", "subject_kind", "-period_end", "-submitted_at", "-id")
    )
    for assessment in rows:
        latest.setdefault((assessment.estate_id, assessment.subject_kind), assessment)
    return latest


def latest_survey_satisfaction(estates: list[Place]) -> dict[int, dict]:
    """Satisfaction in the latest closed survey of each estate (three queries)."""
    now = timezone.now()
    estate_ids = [e.id for e in estates]
    rows = (
        SurveyTally.objects.filter(
            estate_id__in=estate_ids, key__startswith="s", count__gt=0, survey__closes_at__lte=now
        )
        .values("estate_id", "survey_id")
        .annotate(
            n=Sum("count"),
            satisfied=Sum("count", filter=Q(key__in=["s4", "s5"]), default=0),
        )
    )
    surveys = {}
    by_estate: dict[int, list] = defaultdict(list)
    for row in rows:
        by_estate[row["estate_id"]].append(row)
        surveys[row["survey_id"]] = None
    for survey in Survey.objects.filter(id__in=list(surveys)).only("id", "title", "closes_at"):
        surveys[survey.id] = survey
    responses = {
        (r["estate_id"], r["survey_id"]): r["n"]
        for r in SurveyResponse.objects.filter(estate_id__in=estate_ids, survey_id__in=list(surveys))
        .values("estate_id", "survey_id")
        .annotate(n=Count("id"))
    }
    minimum = min_group_size()
    result = {}
    for estate_id, items in by_estate.items():
        row = max(items, key=lambda r: (surveys[r["survey_id"]].closes_at, r["survey_id"]))
        # A satisfaction rate of fewer households than the minimum group size is neither shown
        # nor used to flag anyone.
        suppressed = responses.get((estate_id, row["survey_id"]), 0) < minimum
        result[estate_id] = {
            "survey": surveys[row["survey_id"]],
            "rate": None if suppressed else _rate(row["satisfied"], row["n"]),
            "answers": row["n"],
            "suppressed": suppressed,
            "suppressed_text": small_group_text(minimum) if suppressed else "",
        }
    return result


@dataclass
class RatingRow:
    estate: Place
    company: object = None
    company_assessment: Assessment | None = None
    branch_assessment: Assessment | None = None
    instructor_assessment: Assessment | None = None
    satisfaction: dict | None = None
    surveys_this_year: int = 0
    ledger: dict | None = None


def ratings_overview(user, *, place: Place | None = None, on: datetime.date | None = None) -> list[RatingRow]:
    """Every estate the user may see as staff, with its company, the latest ratings of company,
    branch and instructor, the latest survey satisfaction and the ledger counts. A fixed number of
    queries for any number of estates."""
    on = on or timezone.localdate()
    estates_qs = Place.objects.filter(
        access.scope_q(user, "view_internal", "path"), kind=PlaceKind.ESTATE, is_active=True
    ).select_related("parent")
    if place is not None:
        estates_qs = estates_qs.filter(path__startswith=place.path)
    estates = list(estates_qs.order_by("parent__name", "name"))
    contracts = (
        ServiceContract.objects.filter(estate__in=estates, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("company")
        .order_by("estate_id", "-starts_on")
    )
    company_of: dict[int, object] = {}
    for contract in contracts:
        company_of.setdefault(contract.estate_id, contract.company)
    latest = latest_assessments(estates)
    satisfaction = latest_survey_satisfaction(estates)
    survey_counts = survey_counts_by_estate(estates, on.year)
    ledger = ledger_counts(estates, on)
    return [
        RatingRow(
            estate=estate,
            company=company_of.get(estate.id),
            company_assessment=latest.get((estate.id, SubjectKind.COMPANY)),
            branch_assessment=latest.get((estate.id, SubjectKind.BRANCH)),
            instructor_assessment=latest.get((estate.id, SubjectKind.INSTRUCTOR)),
            satisfaction=satisfaction.get(estate.id),
            surveys_this_year=survey_counts.get(estate.id, 0),
            ledger=ledger.get(estate.id),
        )
        for estate in estates
    ]


@dataclass
class Flag:
    kind: str  # "company", "committee", "branch", "surveys"
    estate: Place
    subject: str
    evidence: str
    assessment: Assessment | None = None
    survey: Survey | None = None


def flags(rows: list[RatingRow], on: datetime.date | None = None) -> list[Flag]:
    """Consequences nobody may miss (the decisions stay with people): companies below the pass
    mark, committees of estates rated unsatisfactory, branches below the grade, estates short
    of surveys this year."""
    on = on or timezone.localdate()
    from gongzhi.orgs.models import Organization, OrgKind

    committees = {
        org.place_id: org
        for org in Organization.objects.current().filter(
            kind=OrgKind.OWNERS_COMMITTEE, place__in=[r.estate for r in rows]
        )
    }
    result: list[Flag] = []
    line = unsatisfactory_rate()
    min_stars = branch_min_stars()
    for row in rows:
        a = row.company_assessment
        if a is not None and a.passed is False:
            result.append(
                Flag(
                    kind="company",
                    estate=row.estate,
                    subject=a.subject_name,
                    evidence=_("%(card)s（%(start)s—%(end)s）得分率%(percent)s%%，信用等级%(grade)s，达标线 %(line)s%%")
                    % {
                        "card": a.scorecard.name,
                        "start": a.period_start,
                        "end": a.period_end,
                        "percent": a.percent,
                        "grade": a.credit_grade,
                        "line": a.scorecard.pass_mark,
                    },
                    assessment=a,
                )
            )
        s = row.satisfaction
        if s and s["rate"] is not None and s["rate"] < line:
            committee = committees.get(row.estate.id)
            result.append(
                Flag(
                    kind="committee",
                    estate=row.estate,
                    subject=committee.name if committee else _("（未成立业委会）"),
                    evidence=_("%(survey)s：满意率 %(rate)s%%（%(n)s 个评分），低于 %(line)s%%")
                    % {"survey": s["survey"].title, "rate": s["rate"], "n": s["answers"], "line": line},
                    survey=s["survey"],
                )
            )
        b = row.branch_assessment
        if b is not None and b.stars is not None and b.stars < min_stars:
            result.append(
                Flag(
                    kind="branch",
                    estate=row.estate,
                    subject=b.subject_name,
                    evidence=_("%(card)s（%(start)s—%(end)s）%(stars)s星，得分率%(percent)s%%，低于%(min)s星")
                    % {
                        "card": b.scorecard.name,
                        "start": b.period_start,
                        "end": b.period_end,
                        "stars": b.stars,
                        "percent": b.percent,
                        "min": min_stars,
                    },
                    assessment=b,
                )
            )
        if row.surveys_this_year < SURVEYS_PER_YEAR:
            result.append(
                Flag(
                    kind="surveys",
                    estate=row.estate,
                    subject=row.estate.name,
                    evidence=_("%(year)s年已开展满意度测评 %(n)s 次，每年至少 %(min)s 次")
                    % {"year": on.year, "n": row.surveys_this_year, "min": SURVEYS_PER_YEAR},
                )
            )
    return result


def company_history(company) -> list[Assessment]:
    return list(
        Assessment.objects.filter(subject_organization=company, status=AssessmentStatus.SUBMITTED)
        .select_related("scorecard", "estate")
        .order_by("-period_end", "-id")
    )


def company_estate_paths(company) -> list[str]:
    """Estates the company serves or has served: their staff and residents may see its ratings."""
    return list(ServiceContract.objects.filter(company=company).values_list("estate__path", flat=True))
