from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import access
from gongzhi.core.errors import DomainError
from gongzhi.orgs import selectors, services
from gongzhi.orgs.forms import ContractForm, DateForm, OrganizationForm
from gongzhi.orgs.models import ORG_PLACE_KIND, Organization, OrgKind, ServiceContract
from gongzhi.places.models import PlaceKind
from gongzhi.places.selectors import places_for_staff

# What each kind is, in the words staff use (shown when choosing what to register).
KIND_HINTS = {
    OrgKind.PARTY_WORKING_COMMITTEE: gettext_lazy("大工委"),
    OrgKind.PARTY_COMMITTEE: gettext_lazy("大党委"),
    OrgKind.PARTY_BRANCH: gettext_lazy("建制式或功能型；一个支部可覆盖多个小区"),
    OrgKind.PARTY_GROUP: gettext_lazy("建在楼栋上"),
    OrgKind.RESIDENTS_COMMITTEE: "",
    OrgKind.OWNERS_ASSEMBLY: gettext_lazy("全体业主"),
    OrgKind.OWNERS_COMMITTEE: gettext_lazy("由业主大会选举产生"),
    OrgKind.SUPERVISORY_BOARD: "",
    OrgKind.PROPERTY_COMPANY: gettext_lazy("是否建有党组织、企业性质；服务合同另行登记"),
    OrgKind.PARTNER_UNIT: gettext_lazy("机关、国企、供电、海关等共建单位"),
    OrgKind.DEPARTMENT: gettext_lazy("住建、综治、城管、派出所、消防等"),
}


def get_organization_for_user(user, organization_id: int, *, manage: bool = False) -> Organization:
    organization = get_object_or_404(Organization.objects.select_related("place"), pk=organization_id)
    if not selectors.organizations_visible(user).filter(pk=organization.pk).exists():
        raise Http404
    if manage and not user.has_perm("orgs.manage_organization", organization):
        raise PermissionDenied
    return organization


def _run(form, action):
    try:
        return action()
    except DomainError as error:
        form.add_error(None, error.message)
        return None


@login_required
def organization_list(request):
    if not access.can(request.user, "view_internal"):
        raise PermissionDenied
    organizations = selectors.organizations_visible(request.user).order_by("kind", "place__path", "name")
    kind = request.GET.get("kind", "")
    if kind in OrgKind.values:
        organizations = organizations.filter(kind=kind)
    else:
        kind = ""
    return render(
        request,
        "orgs/list.html",
        {
            "organizations": organizations,
            "kinds": OrgKind.choices,
            "kind": kind,
            "may_register": access.can(request.user, "manage_orgs"),
            "today": timezone.localdate(),
        },
    )


@login_required
def organization_kinds(request):
    if not access.can(request.user, "manage_orgs"):
        raise PermissionDenied
    kinds = [(value, label, KIND_HINTS.get(value, "")) for value, label in OrgKind.choices]
    return render(request, "orgs/kinds.html", {"kinds": kinds})


def _places_for(user, kind: str):
    place_kind = ORG_PLACE_KIND.get(OrgKind(kind))
    places = places_for_staff(user, "manage_orgs").filter(is_active=True).order_by("path")
    if place_kind:
        return places.filter(kind=place_kind)
    return places.filter(kind__in=[PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.ESTATE])


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request, kind: str):
    if kind not in OrgKind.values:
        raise Http404
    if not access.can(request.user, "manage_orgs"):
        raise PermissionDenied
    estates = places_for_staff(request.user, "manage_orgs", kind=PlaceKind.ESTATE).order_by("path")
    initial = {}
    if request.GET.get("place"):
        initial["place"] = request.GET["place"]
    form = OrganizationForm(
        request.POST or None, kind=kind, places=_places_for(request.user, kind), estates=estates, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        place = form.cleaned_data["place"]
        if not request.user.has_perm("orgs.manage_organization", place):
            raise PermissionDenied
        organization = _run(
            form,
            lambda: services.organization_create(
                kind=kind,
                name=form.cleaned_data["name"],
                place=place,
                covered_places=list(form.cleaned_data.get("covered_places") or []),
                acting_user=request.user,
                **form.service_fields(),
            ),
        )
        if organization is not None:
            messages.success(request, _("已登记“%(name)s”") % {"name": organization.name})
            return redirect("orgs:detail", organization.id)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "title": _("登记%(kind)s") % {"kind": OrgKind(kind).label}, "kind": kind},
    )


@login_required
def organization_detail(request, organization_id: int):
    organization = get_organization_for_user(request.user, organization_id)
    today = timezone.localdate()
    appointments = list(selectors.appointments_of(organization, today))
    contracts = None
    if organization.kind == OrgKind.PROPERTY_COMPANY:
        contracts = list(selectors.contracts_of(organization))
        for contract in contracts:
            contract.current = contract.is_current(today)
            contract.may_end = contract.ends_on is None and request.user.has_perm(
                "orgs.manage_organization", contract.estate
            )
    return render(
        request,
        "orgs/detail.html",
        {
            "organization": organization,
            "covered": organization.covered_places.order_by("path"),
            "current_appointments": [a for a in appointments if a.is_current(today)],
            "past_appointments": [a for a in appointments if not a.is_current(today)],
            "contracts": contracts,
            "may_manage": request.user.has_perm("orgs.manage_organization", organization),
            "may_appoint": request.user.has_perm("accounts.manage_person", organization),
            "may_register_contracts": access.can(request.user, "manage_orgs"),
            "today": today,
            "dissolve_form": DateForm(initial={"on": today}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request, organization_id: int):
    organization = get_organization_for_user(request.user, organization_id, manage=True)
    estates = places_for_staff(request.user, "manage_orgs", kind=PlaceKind.ESTATE).order_by("path")
    initial = {
        name: getattr(organization, name)
        for name in ("name", "branch_type", "has_party_org", "ownership", "credit_code", "department_kind")
    }
    initial.update(
        contact_phone=organization.contact_phone,
        founded_on=organization.founded_on,
        covered_places=list(organization.covered_places.all()),
    )
    form = OrganizationForm(
        request.POST or None,
        kind=organization.kind,
        places=_places_for(request.user, organization.kind),
        estates=estates,
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        covered = form.cleaned_data.get("covered_places")
        updated = _run(
            form,
            lambda: services.organization_update(
                organization=organization,
                name=form.cleaned_data["name"],
                covered_places=list(covered) if covered is not None else None,
                acting_user=request.user,
                **form.service_fields(),
            ),
        )
        if updated is not None:
            messages.success(request, _("已保存"))
            return redirect("orgs:detail", organization.id)
        organization.refresh_from_db()
    return render(
        request,
        "orgs/form.html",
        {"form": form, "title": _("编辑“%(name)s”") % {"name": organization.name}, "organization": organization},
    )


@login_required
@require_POST
def organization_dissolve(request, organization_id: int):
    organization = get_organization_for_user(request.user, organization_id, manage=True)
    form = DateForm(request.POST)
    if form.is_valid():
        try:
            services.organization_dissolve(
                organization=organization, on=form.cleaned_data["on"], acting_user=request.user
            )
            messages.success(request, _("已撤销“%(name)s”") % {"name": organization.name})
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("请填写撤销日期"))
    return redirect("orgs:detail", organization.id)


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request):
    if not access.can(request.user, "manage_orgs"):
        raise PermissionDenied
    estates = places_for_staff(request.user, "manage_orgs", kind=PlaceKind.ESTATE).filter(is_active=True)
    initial = {k: request.GET[k] for k in ("company", "estate") if request.GET.get(k)}
    form = ContractForm(
        request.POST or None,
        companies=selectors.companies_for_contracts(request.user).order_by("name"),
        estates=estates.order_by("path"),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        estate = form.cleaned_data["estate"]
        if not request.user.has_perm("orgs.manage_organization", estate):
            raise PermissionDenied
        contract = _run(
            form,
            lambda: services.contract_create(
                company=form.cleaned_data["company"],
                estate=estate,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            ),
        )
        if contract is not None:
            messages.success(request, _("已登记物业服务合同"))
            return redirect("orgs:detail", contract.company_id)
    return render(request, "orgs/form.html", {"form": form, "title": _("登记物业服务合同")})


@login_required
@require_POST
def contract_end(request, contract_id: int):
    contract = get_object_or_404(ServiceContract.objects.select_related("estate", "company"), pk=contract_id)
    if not request.user.has_perm("places.view_internal", contract.estate):
        raise Http404
    if not request.user.has_perm("orgs.manage_organization", contract.estate):
        raise PermissionDenied
    form = DateForm(request.POST)
    if form.is_valid():
        try:
            services.contract_end(contract=contract, ends_on=form.cleaned_data["on"], acting_user=request.user)
            messages.success(request, _("已设定合同结束日期"))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("请填写结束日期"))
    return redirect("orgs:detail", contract.company_id)
