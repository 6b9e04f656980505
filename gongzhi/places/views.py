from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.accounts import access
from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
from gongzhi.places import excel, selectors, services
from gongzhi.places.forms import FlatForm, GridForm, ImportForm, PlaceForm
from gongzhi.places.models import CHILD_KIND, Flat, Grid, Place, PlaceKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get_place_for_user(user, place_id: int, *, perm: str = "places.view_place") -> Place:
    """404 for places the user may not see at all, 403 for those seen but not allowed ``perm``."""
    place = get_object_or_404(Place, pk=place_id)
    if not user.has_perm("places.view_place", place):
        raise Http404
    if not user.has_perm(perm, place):
        raise PermissionDenied
    return place


def _run(form, action):
    """Call a service; a refusal becomes a form error (nothing was saved)."""
    try:
        return action()
    except DomainError as error:
        form.add_error(None, error.message)
        return None


@login_required
def tree(request):
    if not access.can(request.user, "view_internal"):
        raise PermissionDenied
    return render(
        request,
        "places/tree.html",
        {
            "places": selectors.tree_for(request.user),
            "may_import": access.can(request.user, "manage_places"),
            "may_export": access.can(request.user, "export_data"),
        },
    )


def _ancestors(user, place: Place) -> list[Place]:
    """The places above ``place``; those the user may open as staff are marked as links."""
    ancestors = list(Place.objects.filter(id__in=place.ancestor_ids()).exclude(pk=place.pk).order_by("depth"))
    for ancestor in ancestors:
        ancestor.linkable = access.can(user, "view_internal", ancestor)
    return ancestors


def _facts(place: Place) -> list[str]:
    facts = []
    if place.code:
        facts.append(_("编码 %(code)s") % {"code": place.code})
    if place.subdistrict_kind:
        facts.append(place.get_subdistrict_kind_display())
    if place.estate_kind:
        facts.append(place.get_estate_kind_display())
    if place.address:
        facts.append(place.address)
    if place.theme:
        facts.append(_("治理主题：%(theme)s") % {"theme": place.theme})
    return facts


@login_required
def place_detail(request, place_id: int):
    place = get_place_for_user(request.user, place_id, perm="places.view_internal")
    may_manage = request.user.has_perm("places.manage_place", place)
    context = {
        "place": place,
        "ancestors": _ancestors(request.user, place),
        "facts": _facts(place),
        "may_manage": may_manage,
        "may_export": access.can(request.user, "export_data", place),
        "may_see_people": access.can(request.user, "manage_people", place),
        "child_kind": CHILD_KIND.get(PlaceKind(place.kind)),
    }
    if place.kind == PlaceKind.BUILDING:
        context["flats"] = selectors.flats_of_building(place)
    else:
        context["children"] = selectors.children_of(place)
    if place.kind == PlaceKind.COMMUNITY:
        context["grids"] = selectors.grids_of_community(place)
    return render(request, "places/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def place_create(request, parent_id: int):
    parent = get_place_for_user(request.user, parent_id, perm="places.manage_place")
    kind = CHILD_KIND.get(PlaceKind(parent.kind))
    if kind is None:
        raise Http404
    form = PlaceForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "name" and v not in (None, "")}
        place = _run(
            form,
            lambda: services.place_create(
                kind=kind, name=form.cleaned_data["name"], parent=parent, acting_user=request.user, **fields
            ),
        )
        if place is not None:
            messages.success(request, _("已添加%(kind)s“%(name)s”") % {"kind": place.get_kind_display(), "name": place})
            return redirect("places:detail", place.id)
    return render(
        request,
        "places/form.html",
        {"form": form, "parent": parent, "title": _("添加%(kind)s") % {"kind": PlaceKind(kind).label}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def place_edit(request, place_id: int):
    place = get_place_for_user(request.user, place_id, perm="places.manage_place")
    initial = {
        name: getattr(place, name) for name in ("name", "code", "address", "theme", "estate_kind", "subdistrict_kind")
    }
    form = PlaceForm(request.POST or None, kind=place.kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        updated = _run(form, lambda: services.place_update(place=place, acting_user=request.user, **form.cleaned_data))
        if updated is not None:
            messages.success(request, _("已保存"))
            return redirect("places:detail", place.id)
        place.refresh_from_db()
    return render(
        request,
        "places/form.html",
        {"form": form, "place": place, "title": _("编辑%(kind)s") % {"kind": place.get_kind_display()}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def flat_create(request, place_id: int):
    building = get_place_for_user(request.user, place_id, perm="places.manage_place")
    if building.kind != PlaceKind.BUILDING:
        raise Http404
    form = FlatForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        flat = _run(
            form, lambda: services.flat_create(building=building, acting_user=request.user, **form.cleaned_data)
        )
        if flat is not None:
            messages.success(request, _("已添加房屋%(number)s") % {"number": flat.number})
            if "again" in request.POST:
                return redirect("places:flat-create", building.id)
            return redirect("places:detail", building.id)
    return render(
        request, "places/form.html", {"form": form, "parent": building, "title": _("添加房屋"), "again": True}
    )


@login_required
@require_http_methods(["GET", "POST"])
def flat_edit(request, flat_id: int):
    flat = get_object_or_404(Flat.objects.select_related("building"), pk=flat_id)
    get_place_for_user(request.user, flat.building_id, perm="places.manage_place")
    initial = {
        "number": flat.number,
        "area_m2": flat.area_m2,
        "area_source": flat.area_source,
        "delivery_status": flat.delivery_status,
    }
    form = FlatForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        updated = _run(form, lambda: services.flat_update(flat=flat, acting_user=request.user, **form.cleaned_data))
        if updated is not None:
            messages.success(request, _("已保存"))
            return redirect("places:detail", flat.building_id)
    return render(
        request,
        "places/form.html",
        {"form": form, "parent": flat.building, "title": _("编辑房屋%(number)s") % {"number": flat.number}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def grid_create(request, place_id: int):
    community = get_place_for_user(request.user, place_id, perm="places.manage_place")
    if community.kind != PlaceKind.COMMUNITY:
        raise Http404
    form = GridForm(request.POST or None, buildings=selectors.buildings_in(community))
    if request.method == "POST" and form.is_valid():
        grid = _run(
            form,
            lambda: services.grid_create(
                community=community,
                name=form.cleaned_data["name"],
                buildings=list(form.cleaned_data["buildings"]),
                acting_user=request.user,
            ),
        )
        if grid is not None:
            messages.success(request, _("已添加网格“%(name)s”") % {"name": grid.name})
            return redirect("places:detail", community.id)
    return render(request, "places/form.html", {"form": form, "parent": community, "title": _("添加网格")})


@login_required
@require_http_methods(["GET", "POST"])
def grid_edit(request, grid_id: int):
    grid = get_object_or_404(Grid.objects.select_related("community"), pk=grid_id)
    community = get_place_for_user(request.user, grid.community_id, perm="places.manage_place")
    form = GridForm(
        request.POST or None,
        buildings=selectors.buildings_in(community),
        initial={"name": grid.name, "buildings": list(grid.buildings.all())},
    )
    if request.method == "POST" and form.is_valid():
        updated = _run(
            form,
            lambda: services.grid_update(
                grid=grid,
                name=form.cleaned_data["name"],
                buildings=list(form.cleaned_data["buildings"]),
                acting_user=request.user,
            ),
        )
        if updated is not None:
            messages.success(request, _("已保存"))
            return redirect("places:detail", community.id)
    return render(
        request,
        "places/form.html",
        {"form": form, "parent": community, "title": _("编辑网格“%(name)s”") % {"name": grid.name}},
    )


@login_required
def estate(request, place_id: int):
    from gongzhi.core.navigation import estate_links_for
    from gongzhi.orgs.selectors import estate_parties

    place = get_place_for_user(request.user, place_id)
    if place.kind != PlaceKind.ESTATE:
        raise Http404
    return render(
        request,
        "places/estate.html",
        {
            "estate": place,
            "facts": selectors.estate_facts(place),
            "parties": estate_parties(place, timezone.localdate()),
            "is_staff_here": request.user.has_perm("places.view_internal", place),
            "estate_links": estate_links_for(request.user, place),
        },
    )


# --- Excel ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def flats_import(request):
    if not access.can(request.user, "manage_places"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        apply = request.POST.get("action") == "apply"
        try:
            report = services.flats_import(
                workbook=form.cleaned_data["workbook"], acting_user=request.user, apply=apply
            )
        except DomainError as error:
            form.add_error("workbook", error.message)
        else:
            if report.applied:
                messages.success(request, _("导入完成"))
    communities = selectors.places_for_staff(request.user, "manage_places", kind=PlaceKind.COMMUNITY).order_by("path")
    return render(
        request,
        "places/import.html",
        {"form": form, "report": report, "communities": communities},
        status=400 if report is not None and not report.ok else 200,
    )


@login_required
def flats_import_template(request):
    if not access.can(request.user, "manage_places"):
        raise PermissionDenied
    response = HttpResponse(excel.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="flats-template.xlsx"'
    return response


@login_required
def flats_export(request):
    if not access.can(request.user, "export_data"):
        raise PermissionDenied
    within = None
    if request.GET.get("place"):
        try:
            within = get_place_for_user(request.user, int(request.GET["place"]), perm="core.export_data")
        except ValueError:
            raise Http404 from None
    flats = selectors.flats_for_export(request.user, within=within)
    user = request.user
    data, count = excel.export_workbook(
        flats=flats.iterator(chunk_size=2000),
        reveal=lambda flat: access.can(user, "reveal_personal_data", flat.estate),
    )
    audit_record(
        acting_user=user,
        action="places.export",
        target=within.path if within else "",
        detail={"flats": count, "personal_data": "full" if access.can(user, "reveal_personal_data") else "masked"},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="flats-{stamp}.xlsx"'
    return response
