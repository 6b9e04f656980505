"""Pages of 效度联评. Each view parses input, asks permission, calls one service or selector and
renders; refused actions come back as a message and change nothing."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts import access
from gongzhi.core.errors import DomainError
from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.oversight import exports, selectors, services
from gongzhi.oversight.models import (
    AnswerChannel,
    Assessment,
    AssessmentStatus,
    CheckResult,
    CheckSubject,
    Criterion,
    CriterionMethod,
    Inspection,
    LedgerItem,
    LedgerState,
    QuestionKind,
    QuestionTarget,
    Scorecard,
    ScorecardStatus,
    ScoringMode,
    SubjectKind,
    Survey,
    SurveyPhase,
    SurveyQuestion,
)
from gongzhi.oversight.rules import lives_in_survey_area
from gongzhi.places.models import Flat, Place, PlaceKind


def _object_for(user, obj, view_perm: str, act_perm: str | None = None):
    """404 for those who may not see the object at all, 403 for those who see it but may not act."""
    if not user.has_perm(view_perm, obj):
        raise Http404
    if act_perm and not user.has_perm(act_perm, obj):
        raise PermissionDenied
    return obj


def _done(request, action, success: str, url: str):
    """Run a service call; a refusal becomes an error message and changes nothing."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(url)


def _int(value) -> int:
    """An id typed or posted by hand: anything that is not a number finds nothing."""
    value = str(value or "").strip()
    return int(value) if value.isdecimal() and len(value) < 19 else 0


def _parse_local(value: str) -> datetime.datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise DomainError(_("时间格式不正确")) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _parse_date(value: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise DomainError(_("日期格式不正确")) from None


def _estates_with(user, capability: str):
    return Place.objects.filter(access.scope_q(user, capability, "path"), kind=PlaceKind.ESTATE, is_active=True)


# --------------------------------------------------------------------------------------------
# Overview
# --------------------------------------------------------------------------------------------


@login_required
def home(request):
    if not access.can(request.user, "view_internal"):
        return redirect("oversight:surveys")
    rows = selectors.ratings_overview(request.user)
    return render(
        request,
        "oversight/home.html",
        {
            "rows": rows,
            "flags": selectors.flags(rows),
            "year": timezone.localdate().year,
            "can_assess": access.can(request.user, "assess"),
            "can_inspect": access.can(request.user, "case_inspect"),
            "can_manage_surveys": access.can(request.user, "survey_manage"),
            "can_manage_scorecards": access.can(request.user, "scorecard_manage"),
        },
    )


# --------------------------------------------------------------------------------------------
# Surveys
# --------------------------------------------------------------------------------------------


def _survey(request, survey_id: int, act_perm: str | None = None, view_perm: str = "oversight.view_survey"):
    survey = get_object_or_404(Survey.objects.select_related("place"), pk=survey_id)
    return _object_for(request.user, survey, view_perm, act_perm)


@login_required
def surveys(request):
    user = request.user
    managed = list(selectors.surveys_managed(user)[:200])
    mine = list(selectors.surveys_for_resident(user)[:50])
    if not managed and not mine and not access.can(user, "resident") and not access.can(user, "view_internal"):
        raise PermissionDenied
    warnings = []
    if access.can(user, "survey_manage"):
        estates = list(_estates_with(user, "survey_manage"))
        warnings = selectors.estates_short_of_surveys(estates, timezone.localdate().year)
    companies = []
    resident_paths = access.paths_with(user, "resident")
    if resident_paths and "/" not in resident_paths:
        from gongzhi.orgs.models import ServiceContract

        today = timezone.localdate()
        companies = list(
            Organization.objects.filter(
                pk__in=ServiceContract.objects.filter(estate__path__in=resident_paths, starts_on__lte=today)
                .exclude(ends_on__lt=today)
                .values("company_id")
            )
        )
    return render(
        request,
        "oversight/surveys.html",
        {
            "companies": companies,
            "managed": managed,
            "mine": mine,
            "warnings": warnings,
            "year": timezone.localdate().year,
            "can_create": access.can(user, "survey_manage"),
        },
    )


@login_required
def survey_new(request):
    if not access.can(request.user, "survey_manage"):
        raise PermissionDenied
    places = Place.objects.filter(
        access.scope_q(request.user, "survey_manage", "path"),
        kind__in=[PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.ESTATE],
        is_active=True,
    )
    error = None
    if request.method == "POST":
        try:
            place = places.filter(pk=_int(request.POST.get("place"))).first()
            if place is None:
                raise DomainError(_("请选择测评范围"))
            survey = services.survey_create(
                place=place,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                opens_at=_parse_local(request.POST.get("opens_at", "")),
                closes_at=_parse_local(request.POST.get("closes_at", "")),
                low_score_threshold=request.POST.get("low_score_threshold") or "3",
                min_answers_for_finding=int(request.POST.get("min_answers_for_finding") or 3),
                acting_user=request.user,
            )
        except (DomainError, ValueError) as e:
            error = getattr(e, "message", _("请检查输入"))
        else:
            messages.success(request, _("测评已创建，请添加题目"))
            return redirect("oversight:survey", survey.id)
    return render(
        request,
        "oversight/survey_new.html",
        {"places": places.order_by("path"), "error": error, "data": request.POST},
        status=400 if error else 200,
    )


@login_required
def survey_detail(request, survey_id: int):
    survey = _survey(request, survey_id)
    user = request.user
    return render(
        request,
        "oversight/survey_detail.html",
        {
            "survey": survey,
            "phase": survey.phase(),
            "questions": survey.questions.prefetch_related("options"),
            "can_manage": user.has_perm("oversight.manage_survey", survey),
            "can_answer": user.has_perm("oversight.answer_survey", survey),
            "can_paper": user.has_perm("oversight.enter_paper_answers", survey),
            "can_results": user.has_perm("oversight.view_survey_results", survey),
            "kinds": QuestionKind.choices,
            "targets": QuestionTarget.choices,
            "responses": survey.responses.count(),
        },
    )


@login_required
@require_POST
def survey_question_add(request, survey_id: int):
    survey = _survey(request, survey_id, "oversight.manage_survey")
    options = []
    for line in request.POST.get("options", "").splitlines():
        label, sep, score = line.strip().rpartition("=")
        if not sep:
            label, score = score, ""
        options.append((label.strip(), int(score) if score.strip().isdecimal() else None))
    return _done(
        request,
        lambda: services.survey_question_add(
            survey=survey,
            text=request.POST.get("text", ""),
            kind=request.POST.get("kind", ""),
            target=request.POST.get("target", ""),
            required=request.POST.get("required") == "on",
            options=options,
            acting_user=request.user,
        ),
        _("题目已添加"),
        reverse("oversight:survey", args=[survey.id]),
    )


@login_required
@require_POST
def survey_question_remove(request, survey_id: int, question_id: int):
    survey = _survey(request, survey_id, "oversight.manage_survey")
    question = get_object_or_404(SurveyQuestion, pk=question_id, survey=survey)
    return _done(
        request,
        lambda: services.survey_question_remove(question=question, acting_user=request.user),
        _("题目已删除"),
        reverse("oversight:survey", args=[survey.id]),
    )


@login_required
@require_POST
def survey_publish(request, survey_id: int):
    survey = _survey(request, survey_id, "oversight.manage_survey")
    return _done(
        request,
        lambda: services.survey_publish(survey=survey, acting_user=request.user),
        _("测评已发布"),
        reverse("oversight:survey", args=[survey.id]),
    )


@login_required
@require_POST
def survey_close(request, survey_id: int):
    survey = _survey(request, survey_id, "oversight.manage_survey")
    return _done(
        request,
        lambda: services.survey_close(survey=survey, acting_user=request.user),
        _("测评已结束"),
        reverse("oversight:survey", args=[survey.id]),
    )


def _answers_from_post(post, survey) -> dict:
    answers = {}
    for question in survey.questions.all():
        key = f"q{question.id}"
        if question.kind == QuestionKind.MULTIPLE:
            answers[question.id] = post.getlist(key)
        else:
            answers[question.id] = post.get(key, "")
    return answers


def _answer_page(request, survey, *, flats, channel, template, prefill=None, error=None, status=200, flat=None):
    questions = list(survey.questions.prefetch_related("options"))
    prefill = prefill or {}
    for question in questions:
        question.chosen = [str(v) for v in prefill.get(question.id, [])]
    return render(
        request,
        template,
        {
            "survey": survey,
            "questions": questions,
            "flats": flats,
            "flat": flat,
            "channel": channel,
            "error": error,
            "scale": ["1", "2", "3", "4", "5"],
        },
        status=status,
    )


@login_required
def survey_answer(request, survey_id: int):
    survey = _survey(request, survey_id)
    if not request.user.has_perm("oversight.answer_survey", survey):
        if survey.phase() == SurveyPhase.CLOSED and lives_in_survey_area(request.user, survey):
            messages.error(request, _("测评已截止，不能再提交或修改答卷"))
            return redirect("oversight:survey", survey.id)
        raise PermissionDenied
    flats = services.flats_for_answering(request.user, survey)
    if not flats:
        raise PermissionDenied
    flat = next((f for f in flats if str(f.id) == (request.POST.get("flat") or request.GET.get("flat"))), flats[0])
    if request.method == "POST":
        try:
            services.survey_answer_submit(
                survey=survey,
                flat=flat,
                answers=_answers_from_post(request.POST, survey),
                acting_user=request.user,
            )
        except DomainError as error:
            posted = {q.id: request.POST.getlist(f"q{q.id}") for q in survey.questions.all()}
            return _answer_page(
                request,
                survey,
                flats=flats,
                flat=flat,
                channel="online",
                template="oversight/survey_answer.html",
                prefill=posted,
                error=error.message,
                status=400,
            )
        messages.success(request, _("答卷已提交，测评截止前您可以修改。谢谢您的参与！"))
        return redirect("oversight:survey", survey.id)
    return _answer_page(
        request,
        survey,
        flats=flats,
        flat=flat,
        channel="online",
        template="oversight/survey_answer.html",
        prefill=services.my_current_answers(survey, flat, request.user),
    )


@login_required
def survey_paper(request, survey_id: int):
    survey = _survey(request, survey_id, "oversight.enter_paper_answers")
    estates = services.survey_estates(survey).filter(access.scope_q(request.user, "survey_manage", "path"))
    if request.method == "POST":
        flat = Flat.objects.filter(pk=_int(request.POST.get("flat")), estate__in=estates).first()
        try:
            if flat is None:
                raise DomainError(_("请选择房屋"))
            services.survey_answer_submit(
                survey=survey,
                flat=flat,
                answers=_answers_from_post(request.POST, survey),
                acting_user=request.user,
                channel=AnswerChannel.PAPER,
            )
        except DomainError as error:
            posted = {q.id: request.POST.getlist(f"q{q.id}") for q in survey.questions.all()}
            return _paper_page(request, survey, estates, error.message, posted)
        messages.success(request, _("纸质答卷已录入：%(flat)s") % {"flat": f"{flat.estate.name} {flat}"})
        return redirect("oversight:survey-paper", survey.id)
    return _paper_page(request, survey, estates)


def _paper_page(request, survey, estates, error=None, prefill=None):
    answered = set(survey.responses.values_list("flat_id", flat=True))
    flats = [
        f
        for f in Flat.objects.filter(estate__in=estates, is_active=True).select_related("building", "estate")[:5000]
        if f.id not in answered
    ]
    questions = list(survey.questions.prefetch_related("options"))
    for question in questions:
        question.chosen = [str(v) for v in (prefill or {}).get(question.id, [])]
    return render(
        request,
        "oversight/survey_paper.html",
        {
            "survey": survey,
            "questions": questions,
            "flats": flats,
            "error": error,
            "scale": ["1", "2", "3", "4", "5"],
            "selected_flat": request.POST.get("flat", ""),
        },
        status=400 if error else 200,
    )


def _results_for(request, survey):
    user = request.user
    estate = None
    staff = user.has_perm("oversight.manage_survey", survey) or access.can(user, "view_internal")
    if request.GET.get("estate"):
        estate = get_object_or_404(services.survey_estates(survey), pk=_int(request.GET["estate"]))
    if not staff:
        # A resident sees the results of their own estate once the survey has closed.
        estate = services.survey_estates(survey).filter(path__in=access.paths_with(user, "resident")).first()
    elif estate is not None and not access.can(user, "view_internal", estate):
        raise Http404
    visible = None
    if staff and not access.can(user, "survey_manage", survey.place):
        visible = access.scope_q(user, "view_internal", "path")
    return selectors.survey_results(survey, estate=estate, visible=visible), estate, staff


@login_required
def survey_results_export(request, survey_id: int):
    """The results page as an Excel workbook, for the staff who see the results page."""
    survey = _survey(request, survey_id, "oversight.view_survey_results")
    results, estate, staff = _results_for(request, survey)
    if not staff:
        raise PermissionDenied
    from gongzhi.core.services import audit_record

    audit_record(acting_user=request.user, action="oversight.survey_export", target=f"survey:{survey.id}")
    return exports.xlsx_response(exports.survey_results_workbook(results), f"{survey.title}-测评结果.xlsx")


@login_required
def survey_results(request, survey_id: int):
    survey = _survey(request, survey_id, "oversight.view_survey_results")
    user = request.user
    results, estate, staff = _results_for(request, survey)
    return render(
        request,
        "oversight/survey_results.html",
        {
            "survey": survey,
            "results": results,
            "estate": estate,
            "staff": staff,
            "can_findings": user.has_perm("oversight.manage_survey", survey) and survey.phase() == SurveyPhase.CLOSED,
        },
    )


@login_required
@require_POST
def survey_findings(request, survey_id: int):
    survey = _survey(request, survey_id, "oversight.manage_survey")
    created = []

    def run():
        created.extend(services.survey_findings_create(survey=survey, acting_user=request.user))

    response = _done(request, run, _("已生成整改事项"), reverse("oversight:survey-results", args=[survey.id]))
    if created:
        messages.info(request, _("新增%(n)d项整改事项") % {"n": len(created)})
    return response


# --------------------------------------------------------------------------------------------
# Inspections
# --------------------------------------------------------------------------------------------


def _inspection(request, inspection_id: int) -> Inspection:
    inspection = get_object_or_404(Inspection.objects.select_related("estate", "inspector"), pk=inspection_id)
    return _object_for(request.user, inspection, "oversight.view_inspection")


@login_required
def inspections(request):
    user = request.user
    if not access.can(user, "view_internal"):
        raise PermissionDenied
    items = selectors.inspections_visible(user)
    estate = inspector = None
    if request.GET.get("estate"):
        estate = get_object_or_404(_estates_with(user, "view_internal"), pk=_int(request.GET["estate"]))
        items = items.filter(estate=estate)
    if request.GET.get("inspector"):
        items = items.filter(inspector_id=_int(request.GET["inspector"]))
        inspector = items.first().inspector if items.exists() else None
    if request.GET.get("mine"):
        items = items.filter(inspector__user=user)
    by_inspector = {}
    for row in selectors.inspections_visible(user).values("inspector_id", "inspector__name"):
        entry = by_inspector.setdefault(row["inspector_id"], {"name": row["inspector__name"], "count": 0})
        entry["count"] += 1
    return render(
        request,
        "oversight/inspections.html",
        {
            "inspections": items[:300],
            "estate": estate,
            "inspector": inspector,
            "estates": _estates_with(user, "view_internal"),
            "by_inspector": sorted(by_inspector.items(), key=lambda kv: kv[1]["name"]),
            "can_inspect": access.can(user, "case_inspect"),
        },
    )


@login_required
def inspection_new(request):
    estates = _estates_with(request.user, "case_inspect")
    if not estates.exists():
        raise PermissionDenied
    if request.method == "POST":
        estate = estates.filter(pk=_int(request.POST.get("estate"))).first()
        try:
            if estate is None:
                raise DomainError(_("请选择小区"))
            inspection = services.inspection_start(
                estate=estate, note=request.POST.get("note", ""), acting_user=request.user
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return redirect("oversight:inspection", inspection.id)
    return render(request, "oversight/inspection_new.html", {"estates": estates})


@login_required
def inspection_detail(request, inspection_id: int):
    inspection = _inspection(request, inspection_id)
    mine = getattr(request.user, "person", None) == inspection.inspector and not inspection.submitted_at
    resolution_cases = []
    if mine:
        from gongzhi.cases.models import Case

        resolution_cases = list(
            Case.objects.filter(estate=inspection.estate, channel="meeting")
            .exclude(state__in=["closed", "rejected", "merged"])
            .order_by("deadline")[:50]
        )
    from gongzhi.oversight.defaults import COMMITTEE_DUTIES, COMPANY_DUTIES

    return render(
        request,
        "oversight/inspection_detail.html",
        {
            "inspection": inspection,
            "findings": inspection.findings.select_related("responsible", "case").prefetch_related("evidence"),
            "checks": inspection.checks.select_related("case"),
            "mine": mine,
            "resolution_cases": resolution_cases,
            "committee_duties": COMMITTEE_DUTIES,
            "company_duties": COMPANY_DUTIES,
            "subjects": CheckSubject.choices,
            "results": CheckResult.choices,
            "parties": [("company", _("物业服务企业")), ("committee", _("业主委员会")), ("branch", _("小区党支部"))],
        },
    )


@login_required
@require_POST
def inspection_finding(request, inspection_id: int):
    inspection = _inspection(request, inspection_id)
    return _done(
        request,
        lambda: services.inspection_add_finding(
            inspection=inspection,
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            location=request.POST.get("location", ""),
            party=request.POST.get("party", ""),
            photos=request.FILES.getlist("photos"),
            acting_user=request.user,
        ),
        _("问题已记录，并已转为诉求事项"),
        reverse("oversight:inspection", args=[inspection.id]),
    )


@login_required
@require_POST
def inspection_check(request, inspection_id: int):
    inspection = _inspection(request, inspection_id)
    case_id = _int(request.POST.get("case")) or None
    if case_id:
        from gongzhi.cases.models import Case

        case = Case.objects.filter(pk=case_id, estate=inspection.estate).first()
        case_id = case.id if case else None
    return _done(
        request,
        lambda: services.inspection_add_check(
            inspection=inspection,
            subject=request.POST.get("subject", ""),
            item=request.POST.get("item", ""),
            result=request.POST.get("result", ""),
            note=request.POST.get("note", ""),
            case_id=case_id,
            acting_user=request.user,
        ),
        _("检查结果已记录"),
        reverse("oversight:inspection", args=[inspection.id]),
    )


@login_required
@require_POST
def inspection_submit(request, inspection_id: int):
    inspection = _inspection(request, inspection_id)
    return _done(
        request,
        lambda: services.inspection_submit(inspection=inspection, acting_user=request.user),
        _("巡查已提交"),
        reverse("oversight:inspection", args=[inspection.id]),
    )


# --------------------------------------------------------------------------------------------
# Rectification ledger
# --------------------------------------------------------------------------------------------


def _estate(request, estate_id: int, perm: str = "oversight.view_ledger") -> Place:
    estate = get_object_or_404(Place, pk=estate_id, kind=PlaceKind.ESTATE)
    return _object_for(request.user, estate, "oversight.view_ledger", perm)


@login_required
def ledger_index(request):
    estates = list(_estates_with(request.user, "view_internal").order_by("name"))
    if not estates:
        raise PermissionDenied
    if len(estates) == 1:
        return redirect("oversight:ledger", estates[0].id)
    counts = selectors.ledger_counts(estates, timezone.localdate())
    rows = [(e, counts.get(e.id, {})) for e in estates]
    return render(request, "oversight/ledger_index.html", {"rows": rows})


@login_required
def ledger(request, estate_id: int):
    estate = _estate(request, estate_id)
    state = request.GET.get("state", "")
    items = selectors.ledger_for_estate(estate, state=state)
    return render(
        request,
        "oversight/ledger.html",
        {
            "estate": estate,
            "items": items,
            "state": state,
            "states": LedgerState.choices,
            "today": timezone.localdate(),
            "counts": selectors.ledger_counts([estate], timezone.localdate()).get(estate.id, {}),
            "can_export": request.user.has_perm("oversight.export_ledger", estate),
        },
    )


@login_required
def ledger_export(request, estate_id: int):
    estate = _estate(request, estate_id, "oversight.export_ledger")
    from gongzhi.core.services import audit_record

    audit_record(acting_user=request.user, action="oversight.ledger_export", target=estate.name)
    content = exports.ledger_workbook(estate, selectors.ledger_for_estate(estate))
    return exports.xlsx_response(content, f"{estate.name}-整改台账-{timezone.localdate():%Y%m%d}.xlsx")


def _item(request, item_id: int, act_perm: str | None = None) -> LedgerItem:
    item = get_object_or_404(LedgerItem.objects.select_related("estate", "responsible", "case"), pk=item_id)
    return _object_for(request.user, item, "oversight.view_ledger", act_perm)


@login_required
def ledger_item(request, item_id: int):
    item = _item(request, item_id)
    return render(
        request,
        "oversight/ledger_item.html",
        {
            "item": item,
            "evidence": item.evidence.all(),
            "verifications": item.verifications.all(),
            "can_verify": request.user.has_perm("oversight.verify_ledgeritem", item)
            and item.state != LedgerState.SIGNED_OFF,
            "can_rectify": request.user.has_perm("oversight.rectify_ledgeritem", item)
            and item.state == LedgerState.OPEN,
            "overdue": item.is_overdue(),
        },
    )


@login_required
@require_POST
def ledger_item_rectify(request, item_id: int):
    item = _item(request, item_id, "oversight.rectify_ledgeritem")
    return _done(
        request,
        lambda: services.ledger_item_report_rectified(
            item=item,
            note=request.POST.get("note", ""),
            photos=request.FILES.getlist("photos"),
            acting_user=request.user,
        ),
        _("整改情况已提交，等待现场核验"),
        reverse("oversight:ledger-item", args=[item.id]),
    )


@login_required
@require_POST
def ledger_item_verify(request, item_id: int):
    item = _item(request, item_id, "oversight.verify_ledgeritem")
    passed = request.POST.get("passed") == "yes"
    return _done(
        request,
        lambda: services.ledger_item_verify(
            item=item,
            passed=passed,
            note=request.POST.get("note", ""),
            photos=request.FILES.getlist("photos"),
            acting_user=request.user,
        ),
        _("核验通过，已销号") if passed else _("核验未通过，已退回整改"),
        reverse("oversight:ledger-item", args=[item.id]),
    )


# --------------------------------------------------------------------------------------------
# Scorecards
# --------------------------------------------------------------------------------------------


def _scorecard(request, scorecard_id: int, manage: bool = False) -> Scorecard:
    scorecard = get_object_or_404(Scorecard, pk=scorecard_id)
    if not (access.can(request.user, "view_internal") or access.can(request.user, "scorecard_manage")):
        raise Http404
    if manage and not request.user.has_perm("oversight.manage_scorecard", scorecard):
        raise PermissionDenied
    return scorecard


@login_required
def scorecards(request):
    if not access.can(request.user, "view_internal"):
        raise PermissionDenied
    return render(
        request,
        "oversight/scorecards.html",
        {
            "scorecards": Scorecard.objects.all(),
            "can_manage": access.can(request.user, "scorecard_manage"),
            "subject_kinds": SubjectKind.choices,
            "modes": ScoringMode.choices,
        },
    )


@login_required
@require_POST
def scorecard_new(request):
    if not access.can(request.user, "scorecard_manage"):
        raise PermissionDenied
    created = []

    def run():
        created.append(
            services.scorecard_create(
                family=request.POST.get("family", ""),
                name=request.POST.get("name", ""),
                subject_kind=request.POST.get("subject_kind", ""),
                scoring=request.POST.get("scoring", ""),
                pass_mark=request.POST.get("pass_mark") or "60",
                acting_user=request.user,
            )
        )

    response = _done(request, run, _("评分表已创建"), reverse("oversight:scorecards"))
    return redirect("oversight:scorecard", created[0].id) if created else response


@login_required
def scorecard_detail(request, scorecard_id: int):
    scorecard = _scorecard(request, scorecard_id)
    groups = list(scorecard.groups.prefetch_related("criteria"))
    return render(
        request,
        "oversight/scorecard_detail.html",
        {
            "scorecard": scorecard,
            "groups": groups,
            "count": scorecard.criteria.count(),
            "total": sum((c.max_points for g in groups for c in g.criteria.all()), 0),
            "can_manage": access.can(request.user, "scorecard_manage"),
            "editable": scorecard.status == ScorecardStatus.DRAFT and access.can(request.user, "scorecard_manage"),
            "methods": CriterionMethod.choices,
            "problems": services.scorecard_problems(scorecard) if scorecard.status == ScorecardStatus.DRAFT else [],
            "grade_text": ", ".join(f"{label}:{bound}" for label, bound in scorecard.grade_bands),
            "star_text": ", ".join(f"{label}:{bound}" for label, bound in scorecard.star_bands),
            "versions": Scorecard.objects.filter(family=scorecard.family),
        },
    )


@login_required
@require_POST
def scorecard_settings(request, scorecard_id: int):
    scorecard = _scorecard(request, scorecard_id, manage=True)
    return _done(
        request,
        lambda: services.scorecard_update(
            scorecard=scorecard,
            name=request.POST.get("name"),
            pass_mark=request.POST.get("pass_mark"),
            grade_bands=services.parse_bands(request.POST.get("grade_bands", ""), kind="grades"),
            star_bands=services.parse_bands(request.POST.get("star_bands", ""), kind="stars"),
            acting_user=request.user,
        ),
        _("已保存"),
        reverse("oversight:scorecard", args=[scorecard.id]),
    )


@login_required
@require_POST
def scorecard_group_add(request, scorecard_id: int):
    scorecard = _scorecard(request, scorecard_id, manage=True)
    return _done(
        request,
        lambda: services.scorecard_group_add(
            scorecard=scorecard,
            name=request.POST.get("name", ""),
            weight=request.POST.get("weight") or None,
            acting_user=request.user,
        ),
        _("已添加方面"),
        reverse("oversight:scorecard", args=[scorecard.id]),
    )


@login_required
@require_POST
def scorecard_criterion_add(request, scorecard_id: int):
    scorecard = _scorecard(request, scorecard_id, manage=True)
    group = scorecard.groups.filter(pk=_int(request.POST.get("group"))).first()

    def run():
        if group is None:
            raise DomainError(_("请选择方面"))
        services.scorecard_criterion_add(
            scorecard=scorecard,
            group=group,
            text=request.POST.get("text", ""),
            max_points=request.POST.get("max_points", ""),
            pass_points=request.POST.get("pass_points") or None,
            method=request.POST.get("method") or CriterionMethod.ASSESSOR,
            acting_user=request.user,
        )

    return _done(request, run, _("已添加评分细则"), reverse("oversight:scorecard", args=[scorecard.id]))


@login_required
@require_POST
def scorecard_criterion_remove(request, scorecard_id: int, criterion_id: int):
    scorecard = _scorecard(request, scorecard_id, manage=True)
    criterion = get_object_or_404(Criterion, pk=criterion_id, scorecard=scorecard)
    return _done(
        request,
        lambda: services.scorecard_criterion_remove(criterion=criterion, acting_user=request.user),
        _("已删除评分细则"),
        reverse("oversight:scorecard", args=[scorecard.id]),
    )


@login_required
@require_POST
def scorecard_publish(request, scorecard_id: int):
    scorecard = _scorecard(request, scorecard_id, manage=True)
    return _done(
        request,
        lambda: services.scorecard_publish(scorecard=scorecard, acting_user=request.user),
        _("评分表已发布，旧版本已停用（已有考评仍按旧版本保存）"),
        reverse("oversight:scorecard", args=[scorecard.id]),
    )


@login_required
@require_POST
def scorecard_revise(request, scorecard_id: int):
    scorecard = _scorecard(request, scorecard_id, manage=True)
    try:
        copy = services.scorecard_revise(scorecard=scorecard, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("oversight:scorecard", scorecard.id)
    messages.success(request, _("已另存为新版本 v%(v)d，修改后发布") % {"v": copy.version})
    return redirect("oversight:scorecard", copy.id)


# --------------------------------------------------------------------------------------------
# Assessments
# --------------------------------------------------------------------------------------------


def _assessment(request, assessment_id: int, act_perm: str | None = None) -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.select_related("scorecard", "estate", "subject_organization"), pk=assessment_id
    )
    return _object_for(request.user, assessment, "oversight.view_assessment", act_perm)


@login_required
def assessments(request):
    user = request.user
    if not access.can(user, "view_internal"):
        raise PermissionDenied
    items = Assessment.objects.filter(access.scope_q(user, "view_internal", "estate__path")).select_related(
        "scorecard", "estate"
    )
    return render(
        request,
        "oversight/assessments.html",
        {"assessments": items[:300], "can_assess": access.can(user, "assess")},
    )


@login_required
def assessment_new(request):
    estates = _estates_with(request.user, "assess").order_by("name")
    if not estates.exists():
        raise PermissionDenied
    cards = Scorecard.objects.filter(status=ScorecardStatus.PUBLISHED)
    today = timezone.localdate()
    error = None
    if request.method == "POST":
        try:
            estate = estates.filter(pk=_int(request.POST.get("estate"))).first()
            scorecard = cards.filter(pk=_int(request.POST.get("scorecard"))).first()
            if estate is None or scorecard is None:
                raise DomainError(_("请选择小区和评分表"))
            assessment = services.assessment_start(
                scorecard=scorecard,
                estate=estate,
                period_start=_parse_date(request.POST.get("period_start", "")),
                period_end=_parse_date(request.POST.get("period_end", "")),
                acting_user=request.user,
            )
        except DomainError as e:
            error = e.message
        else:
            return redirect("oversight:assessment", assessment.id)
    return render(
        request,
        "oversight/assessment_new.html",
        {
            "estates": estates,
            "scorecards": cards,
            "error": error,
            "data": request.POST,
            "default_start": datetime.date(today.year, 1, 1),
            "default_end": today,
            "selected_estate": request.GET.get("estate", ""),
        },
        status=400 if error else 200,
    )


@login_required
def assessment_detail(request, assessment_id: int):
    assessment = _assessment(request, assessment_id)
    can_score = assessment.status == AssessmentStatus.DRAFT and request.user.has_perm(
        "oversight.assess_estate", assessment
    )
    error = None
    if request.method == "POST":
        if not can_score:
            raise PermissionDenied
        scores = {k[1:]: v for k, v in request.POST.items() if k.startswith("c") and k[1:].isdecimal()}
        notes = {k[4:]: v for k, v in request.POST.items() if k.startswith("note") and k[4:].isdecimal()}
        try:
            services.assessment_score(assessment=assessment, scores=scores, notes=notes, acting_user=request.user)
        except DomainError as e:
            error = e.message
        else:
            if request.POST.get("submit") == "1":
                try:
                    services.assessment_submit(
                        assessment=assessment, note=request.POST.get("note", ""), acting_user=request.user
                    )
                except DomainError as e:
                    error = e.message
                else:
                    messages.success(request, _("考评已提交"))
                    return redirect("oversight:assessment", assessment.id)
            else:
                messages.success(request, _("评分已保存"))
                return redirect("oversight:assessment", assessment.id)
    scores = {s.criterion_id: s for s in assessment.scores.all()}
    groups = list(assessment.scorecard.groups.prefetch_related("criteria"))
    number = 0
    for group in groups:
        group.rows = []
        for criterion in group.criteria.all():
            number += 1
            score = scores.get(criterion.id)
            posted = request.POST.get(f"c{criterion.id}") if error else None
            group.rows.append(
                {
                    "n": number,
                    "criterion": criterion,
                    "score": score,
                    "value": posted if posted is not None else (score.points if score else ""),
                    "failed": score is not None and score.points < criterion.effective_pass_points,
                }
            )
    result = services.assessment_result(assessment)
    return render(
        request,
        "oversight/assessment_detail.html",
        {
            "assessment": assessment,
            "groups": groups,
            "can_score": can_score,
            "result": result,
            "error": error,
            "findings": assessment.findings.select_related("criterion") if assessment.submitted_at else [],
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def assessment_submit(request, assessment_id: int):
    assessment = _assessment(request, assessment_id, "oversight.assess_estate")
    return _done(
        request,
        lambda: services.assessment_submit(
            assessment=assessment, note=request.POST.get("note", ""), acting_user=request.user
        ),
        _("考评已提交"),
        reverse("oversight:assessment", args=[assessment.id]),
    )


# --------------------------------------------------------------------------------------------
# A company's rating history
# --------------------------------------------------------------------------------------------


def _company(request, company_id: int, act_perm: str | None = None) -> Organization:
    company = get_object_or_404(Organization, pk=company_id, kind=OrgKind.PROPERTY_COMPANY)
    return _object_for(request.user, company, "oversight.view_company_rating", act_perm)


@login_required
def company_ratings(request, company_id: int):
    company = _company(request, company_id)
    history = selectors.company_history(company)
    return render(
        request,
        "oversight/company.html",
        {
            "company": company,
            "history": history,
            "can_export": request.user.has_perm("oversight.export_company_rating", company),
        },
    )


@login_required
def company_ratings_export(request, company_id: int):
    company = _company(request, company_id, "oversight.export_company_rating")
    from gongzhi.core.services import audit_record

    audit_record(acting_user=request.user, action="oversight.company_rating_export", target=company.name)
    content = exports.company_rating_workbook(company, selectors.company_history(company))
    return exports.xlsx_response(content, f"{company.name}-星级评定及信用评价记录-{timezone.localdate():%Y%m%d}.xlsx")
