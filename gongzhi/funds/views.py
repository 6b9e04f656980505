"""Pages of 资金与实事: the fund's public ledger, each estate's public revenue, micro-works month by
month, micro-wishes (phone-first for residents), renovation projects. Views parse, ask permission,
call one service or selector and render; a refusal comes back as a message and changes nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts import access
from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
from gongzhi.funds import exports, selectors, services
from gongzhi.funds.models import (
    ApplicationStatus,
    ContributionSource,
    DonorKind,
    Fund,
    FundEntry,
    FundingApplication,
    MicroProject,
    MicroWish,
    RenovationKind,
    RenovationProject,
    RevenueCategory,
    RevenueEntry,
    WishStatus,
    WorkSource,
)
from gongzhi.places.models import Place, PlaceKind


def _visible(user, obj, view_perm: str, act_perm: str | None = None):
    """404 for those who may not see the object, 403 for those who see it but may not act."""
    if not user.has_perm(view_perm, obj):
        raise Http404
    if act_perm and not user.has_perm(act_perm, obj):
        raise PermissionDenied
    return obj


def _run(request, action, success: str, url: str):
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(url)


def _estate(estate_id) -> Place:
    return get_object_or_404(Place, pk=estate_id, kind=PlaceKind.ESTATE)


@login_required
def home(request):
    user = request.user
    return render(
        request,
        "funds/home.html",
        {
            "funds": selectors.funds_for(user),
            "revenue_estates": selectors.estates_for(user, "funds.view_published_revenue"),
            "works_estates": selectors.estates_for(user, "funds.view_works"),
            "can_renovation": access.can(user, "works_manage") or access.can(user, "view_internal"),
        },
    )


# --- the fund ------------------------------------------------------------------------------------


@login_required
def fund_detail(request, fund_id):
    fund = _visible(
        request.user, get_object_or_404(Fund.objects.select_related("place"), pk=fund_id), "funds.view_fund"
    )
    entries = selectors.fund_entries(fund)
    shows = selectors.shows_contributors(request.user, fund)
    for entry in entries:
        entry.shown_counterparty = exports.shown_counterparty(entry, shows)
    return render(
        request,
        "funds/fund.html",
        {
            "fund": fund,
            "summary": selectors.fund_summary(fund),
            "entries": entries,
            "can_manage": request.user.has_perm("funds.manage_fund", fund),
            "sources": ContributionSource.choices,
            "estates": Place.objects.filter(kind=PlaceKind.ESTATE, path__startswith=fund.place.path).order_by("name"),
            "today": timezone.localdate(),
        },
    )


def fund_export_response(user, fund):
    """The fund ledger as .xlsx (page and API): what the fund page shows this user, all entries."""
    content = exports.fund_workbook(
        fund,
        selectors.fund_summary(fund),
        selectors.fund_ledger(fund),
        shows_contributors=selectors.shows_contributors(user, fund),
    )
    audit_record(acting_user=user, action="fund.export", target=fund.place.path, detail={"fund": fund.id})
    return exports.xlsx_response(content, f"{fund.name}-收支明细-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def fund_export(request, fund_id):
    fund = _visible(
        request.user, get_object_or_404(Fund.objects.select_related("place"), pk=fund_id), "funds.view_fund"
    )
    return fund_export_response(request.user, fund)


@login_required
@require_POST
def fund_contribute(request, fund_id):
    fund = _visible(request.user, get_object_or_404(Fund, pk=fund_id), "funds.view_fund", "funds.manage_fund")
    p = request.POST
    return _run(
        request,
        lambda: services.fund_contribute(
            fund=fund,
            source=p.get("source", ""),
            amount=p.get("amount", ""),
            counterparty=p.get("counterparty", ""),
            on_date=p.get("on_date") or timezone.localdate(),
            evidence=p.get("evidence", ""),
            acting_user=request.user,
        ),
        _("捐资已入账"),
        f"/funds/{fund.id}/",
    )


@login_required
@require_POST
def fund_grant(request, fund_id):
    fund = _visible(request.user, get_object_or_404(Fund, pk=fund_id), "funds.view_fund", "funds.manage_fund")
    p = request.POST
    estate = (
        Place.objects.filter(pk=p.get("estate") or 0, kind=PlaceKind.ESTATE).first()
        if p.get("estate", "").isdecimal()
        else None
    )
    return _run(
        request,
        lambda: services.fund_grant(
            fund=fund,
            amount=p.get("amount", ""),
            purpose=p.get("purpose", ""),
            estate=estate,
            counterparty=p.get("counterparty", ""),
            co_funding=p.get("co_funding") or "0",
            on_date=p.get("on_date") or timezone.localdate(),
            evidence=p.get("evidence", ""),
            acting_user=request.user,
        ),
        _("资助已入账"),
        f"/funds/{fund.id}/",
    )


@login_required
@require_POST
def fund_entry_reverse(request, entry_id):
    entry = get_object_or_404(FundEntry.objects.select_related("fund__place"), pk=entry_id)
    _visible(request.user, entry.fund, "funds.view_fund", "funds.manage_fund")
    return _run(
        request,
        lambda: services.fund_entry_reverse(
            entry=entry,
            reason=request.POST.get("reason", ""),
            evidence=request.POST.get("evidence", ""),
            acting_user=request.user,
        ),
        _("已冲正"),
        f"/funds/{entry.fund_id}/",
    )


# --- public revenue -----------------------------------------------------------------------------


@login_required
def revenue(request, estate_id):
    estate = _visible(request.user, _estate(estate_id), "funds.view_published_revenue")
    is_staff = request.user.has_perm("funds.view_revenue", estate)
    return render(
        request,
        "funds/revenue.html",
        {
            "estate": estate,
            "is_staff": is_staff,
            "entries": selectors.revenue_entries(estate) if is_staff else [],
            "quarters": selectors.revenue_quarters(estate, published_only=not is_staff),
            "open_quarters": selectors.quarters_to_review(estate) if is_staff else [],
            "can_manage": request.user.has_perm("funds.manage_revenue", estate),
            "can_review": request.user.has_perm("funds.review_revenue", estate),
            "categories": RevenueCategory.choices,
            "today": timezone.localdate(),
        },
    )


def revenue_export_response(user, estate):
    """Published quarters to everyone who may see them; every entry only to the estate's staff."""
    is_staff = user.has_perm("funds.view_revenue", estate)
    content = exports.revenue_workbook(
        estate,
        selectors.revenue_quarters(estate, published_only=True),
        selectors.revenue_ledger(estate) if is_staff else None,
    )
    audit_record(acting_user=user, action="revenue.export", target=estate.path, detail={"entries": is_staff})
    return exports.xlsx_response(content, f"{estate.name}-公共收益-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def revenue_export(request, estate_id):
    estate = _visible(request.user, _estate(estate_id), "funds.view_published_revenue")
    return revenue_export_response(request.user, estate)


@login_required
@require_POST
def revenue_record(request, estate_id):
    estate = _visible(request.user, _estate(estate_id), "funds.view_revenue", "funds.manage_revenue")
    p = request.POST
    return _run(
        request,
        lambda: services.revenue_record(
            estate=estate,
            category=p.get("category", ""),
            amount=p.get("amount", ""),
            is_cost=p.get("is_cost") == "1",
            on_date=p.get("on_date") or timezone.localdate(),
            note=p.get("note", ""),
            evidence=p.get("evidence", ""),
            acting_user=request.user,
        ),
        _("已记账"),
        f"/funds/revenue/{estate.id}/",
    )


@login_required
@require_POST
def revenue_reverse(request, entry_id):
    entry = get_object_or_404(RevenueEntry.objects.select_related("estate"), pk=entry_id)
    _visible(request.user, entry.estate, "funds.view_revenue", "funds.manage_revenue")
    return _run(
        request,
        lambda: services.revenue_entry_reverse(
            entry=entry, reason=request.POST.get("reason", ""), acting_user=request.user
        ),
        _("已冲正"),
        f"/funds/revenue/{entry.estate_id}/",
    )


def _year_quarter(request) -> tuple[int, int]:
    try:
        return int(request.POST.get("year", "")), int(request.POST.get("quarter", ""))
    except ValueError:
        return 0, 0


@login_required
@require_POST
def revenue_review(request, estate_id):
    estate = _visible(request.user, _estate(estate_id), "funds.view_revenue", "funds.review_revenue")
    year, quarter = _year_quarter(request)
    return _run(
        request,
        lambda: services.revenue_quarter_review(
            estate=estate, year=year, quarter=quarter, note=request.POST.get("note", ""), acting_user=request.user
        ),
        _("已记录社区审核"),
        f"/funds/revenue/{estate.id}/",
    )


@login_required
@require_POST
def revenue_publish(request, estate_id):
    estate = _visible(request.user, _estate(estate_id), "funds.view_revenue", "funds.manage_revenue")
    year, quarter = _year_quarter(request)
    return _run(
        request,
        lambda: services.revenue_quarter_publish(estate=estate, year=year, quarter=quarter, acting_user=request.user),
        _("已向业主公示"),
        f"/funds/revenue/{estate.id}/",
    )


# --- micro-works ---------------------------------------------------------------------------------


@login_required
def works(request, estate_id):
    estate = _visible(request.user, _estate(estate_id), "funds.view_works")
    today = timezone.localdate()
    try:
        month = services.first_of_month(request.GET.get("month") or today)
    except DomainError:
        month = today.replace(day=1)
    can_manage = request.user.has_perm("funds.manage_works", estate)
    return render(
        request,
        "funds/works.html",
        {
            "estate": estate,
            "month": month,
            "projects": selectors.works_of_month(estate, month),
            "backlog": selectors.works_backlog(estate, month),
            "months": selectors.works_by_month(estate, today),
            "can_manage": can_manage,
            "sources": WorkSource.choices,
            "open_cases": selectors.open_cases(estate) if can_manage else [],
        },
    )


@login_required
@require_POST
def works_plan(request, estate_id):
    estate = _visible(request.user, _estate(estate_id), "funds.view_works", "funds.manage_works")
    p = request.POST
    source_case = None
    if p.get("case", "").isdecimal():
        from gongzhi.cases.models import Case

        source_case = Case.objects.filter(pk=p["case"], estate=estate).first()
    return _run(
        request,
        lambda: services.micro_project_plan(
            estate=estate,
            month=p.get("month", ""),
            title=p.get("title", ""),
            source=p.get("source", WorkSource.OTHER),
            source_case=source_case,
            acting_user=request.user,
        ),
        _("已列入计划"),
        f"/funds/works/{estate.id}/?month={p.get('month', '')[:7]}",
    )


@login_required
@require_POST
def works_complete(request, project_id):
    project = get_object_or_404(MicroProject.objects.select_related("estate"), pk=project_id)
    _visible(request.user, project.estate, "funds.view_works", "funds.manage_works")
    return _run(
        request,
        lambda: services.micro_project_complete(
            project=project,
            evidence=request.POST.get("evidence", ""),
            photo=request.FILES.get("photo"),
            acting_user=request.user,
        ),
        _("已办结"),
        f"/funds/works/{project.estate_id}/?month={project.month:%Y-%m}",
    )


def _file(field):
    if not field:
        raise Http404
    return FileResponse(field.open("rb"))


@login_required
def works_photo(request, project_id):
    project = get_object_or_404(MicroProject.objects.select_related("estate"), pk=project_id)
    _visible(request.user, project.estate, "funds.view_works")
    return _file(project.photo)


# --- micro-wishes --------------------------------------------------------------------------------


@login_required
def wishes(request):
    user = request.user
    home_estates = selectors.estates_for(user, "funds.post_wish")
    return render(
        request,
        "funds/wishes.html",
        {
            "open_wishes": selectors.wishes_open(user),
            "my_wishes": selectors.wishes_mine(user),
            "my_claims": selectors.wishes_claimed_by(user),
            "to_review": selectors.wishes_to_review(user),
            "home_estates": home_estates,
        },
    )


@login_required
@require_POST
def wish_post(request):
    p = request.POST
    estate = Place.objects.filter(
        pk=p.get("estate") if p.get("estate", "").isdecimal() else 0, kind=PlaceKind.ESTATE
    ).first()
    if estate is None:
        messages.error(request, _("请选择小区"))
        return redirect("funds:wishes")
    return _run(
        request,
        lambda: services.micro_wish_post(
            estate=estate, title=p.get("title", ""), description=p.get("description", ""), acting_user=request.user
        ),
        _("心愿已提交，审核通过后会公开"),
        "/funds/wishes/",
    )


def _wish(request, wish_id) -> MicroWish:
    wish = get_object_or_404(MicroWish.objects.select_related("estate", "poster", "donor", "donor_unit"), pk=wish_id)
    return _visible(request.user, wish, "funds.view_wish")


@login_required
def wish_detail(request, wish_id):
    wish = _wish(request, wish_id)
    from gongzhi.volunteers.services import partner_units_of

    person = getattr(request.user, "person", None)
    return render(
        request,
        "funds/wish.html",
        {
            "wish": wish,
            "can_review": wish.status == WishStatus.PENDING and request.user.has_perm("funds.review_wish", wish),
            "can_claim": wish.status == WishStatus.APPROVED
            and request.user.has_perm("funds.claim_wish", wish)
            and wish.poster_id != getattr(person, "id", None),
            "can_fulfil": wish.status == WishStatus.CLAIMED
            and (wish.donor_id == getattr(person, "id", None) or request.user.has_perm("funds.review_wish", wish)),
            "is_party_member": bool(person and person.is_party_member),
            "units": partner_units_of(request.user),
            "donor_kinds": DonorKind.choices,
        },
    )


@login_required
@require_POST
def wish_review(request, wish_id):
    wish = _wish(request, wish_id)
    _visible(request.user, wish, "funds.view_wish", "funds.review_wish")
    approve = request.POST.get("decision") == "approve"
    return _run(
        request,
        lambda: services.micro_wish_review(
            wish=wish, approve=approve, reason=request.POST.get("reason", ""), acting_user=request.user
        ),
        _("心愿已通过审核，等待认领") if approve else _("心愿未通过审核"),
        f"/funds/wishes/{wish.id}/",
    )


@login_required
@require_POST
def wish_claim(request, wish_id):
    wish = _wish(request, wish_id)
    _visible(request.user, wish, "funds.view_wish", "funds.claim_wish")
    from gongzhi.orgs.models import Organization

    unit_id = request.POST.get("unit", "")
    unit = Organization.objects.filter(pk=unit_id).first() if unit_id.isdecimal() else None
    return _run(
        request,
        lambda: services.micro_wish_claim(
            wish=wish, donor_kind=request.POST.get("donor_kind", ""), donor_unit=unit, acting_user=request.user
        ),
        _("认领成功，感谢您的爱心"),
        f"/funds/wishes/{wish.id}/",
    )


@login_required
@require_POST
def wish_fulfil(request, wish_id):
    wish = _wish(request, wish_id)
    return _run(
        request,
        lambda: services.micro_wish_fulfil(wish=wish, photo=request.FILES.get("photo"), acting_user=request.user),
        _("心愿已实现"),
        f"/funds/wishes/{wish.id}/",
    )


@login_required
def wish_photo(request, wish_id):
    return _file(_wish(request, wish_id).photo)


# --- renovation ----------------------------------------------------------------------------------


@login_required
def renovation(request):
    user = request.user
    if not access.can(user, "view_internal"):
        raise Http404
    return render(
        request,
        "funds/renovation.html",
        {
            "projects": selectors.renovation_projects(user),
            "applications": selectors.funding_applications(user),
            "estates": selectors.estates_for(user, "funds.manage_renovation"),
            "places": Place.objects.filter(
                access.scope_q(user, "works_manage", "path"), kind__in=("subdistrict", "community")
            ),
            "kinds": RenovationKind.choices,
            "statuses": ApplicationStatus,
        },
    )


@login_required
@require_POST
def renovation_create(request):
    p = request.POST
    estate = Place.objects.filter(
        pk=p.get("estate") if p.get("estate", "").isdecimal() else 0, kind=PlaceKind.ESTATE
    ).first()
    if estate is None or not request.user.has_perm("funds.view_renovation", estate):
        raise Http404
    return _run(
        request,
        lambda: services.renovation_project_create(
            estate=estate,
            kind=p.get("kind", ""),
            title=p.get("title", ""),
            amount=p.get("amount", ""),
            acting_user=request.user,
        ),
        _("改造项目已登记"),
        "/funds/renovation/",
    )


@login_required
@require_POST
def application_create(request):
    p = request.POST
    place = Place.objects.filter(pk=p.get("place") if p.get("place", "").isdecimal() else 0).first()
    if place is None or not request.user.has_perm("funds.view_renovation", place):
        raise Http404
    ids = [i for i in p.getlist("projects") if i.isdecimal()]
    projects = RenovationProject.objects.filter(pk__in=ids).select_related("estate")
    return _run(
        request,
        lambda: services.funding_application_create(
            place=place,
            title=p.get("title", ""),
            funder=p.get("funder", ""),
            projects=projects,
            acting_user=request.user,
        ),
        _("项目包已创建"),
        "/funds/renovation/",
    )


@login_required
@require_POST
def application_advance(request, application_id):
    application = get_object_or_404(FundingApplication.objects.select_related("place"), pk=application_id)
    _visible(request.user, application.place, "funds.view_renovation", "funds.manage_renovation")
    return _run(
        request,
        lambda: services.funding_application_advance(
            application=application,
            status=request.POST.get("status", ""),
            amount_approved=request.POST.get("amount_approved"),
            acting_user=request.user,
        ),
        _("项目包状态已更新"),
        "/funds/renovation/",
    )
