from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import access, selectors, services
from gongzhi.accounts.forms import AppointmentForm, CheckInForm, EndForm, OwnershipForm, PersonForm
from gongzhi.accounts.models import Appointment, Ownership, PartyCheckIn, Person
from gongzhi.core.errors import DomainError
from gongzhi.orgs.selectors import organizations_visible
from gongzhi.places.models import Flat, Grid, PlaceKind
from gongzhi.places.selectors import places_for_staff


def get_person_for_user(user, person_id: int) -> Person:
    """404 unless the person is linked to a place where the user manages people."""
    person = get_object_or_404(Person, pk=person_id)
    if not selectors.persons_visible(user).filter(pk=person.pk).exists():
        raise Http404
    return person


def _require(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _run(form, action):
    try:
        return action()
    except DomainError as error:
        form.add_error(None, error.message)
        return None


def _registration_places(user):
    return (
        places_for_staff(user, "manage_people")
        .filter(kind__in=[PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.ESTATE], is_active=True)
        .order_by("path")
    )


@login_required
def people(request):
    if not access.can(request.user, "manage_people"):
        raise PermissionDenied
    search = request.GET.get("q", "")
    page = Paginator(selectors.people_list(request.user, search=search), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/people.html",
        {
            "page": page,
            "persons": page.object_list,
            "q": search,
            "may_reveal": access.can(request.user, "reveal_personal_data"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    if not access.can(request.user, "manage_people"):
        raise PermissionDenied
    places = _registration_places(request.user)
    form = PersonForm(request.POST or None, places=places, initial={"registered_at": places.first()})
    if request.method == "POST" and form.is_valid():
        place = form.cleaned_data["registered_at"]
        if place is None:
            form.add_error("registered_at", _("请选择登记地点"))
        else:
            _require(request.user, "accounts.manage_person", place)
            person = _run(form, lambda: services.person_create(acting_user=request.user, **form.cleaned_data))
            if person is not None:
                messages.success(request, _("已登记“%(name)s”") % {"name": person.name})
                return redirect("accounts:person", person.id)
    return render(request, "accounts/form.html", {"form": form, "title": _("登记人员")})


@login_required
def person_detail(request, person_id: int):
    person = get_person_for_user(request.user, person_id)
    return render(request, "accounts/person.html", _detail_context(request, person))


def _detail_context(request, person, **extra):
    user = request.user
    today = timezone.localdate()
    records = selectors.person_detail(person)
    for appointment in records["appointments"]:
        appointment.current = appointment.is_current(today)
        appointment.may_end = appointment.ends_on is None or appointment.ends_on > today
        appointment.may_end = appointment.may_end and user.has_perm(
            "accounts.manage_person", selectors.appointment_place(appointment)
        )
    home = selectors.home_estates(person).filter(access.scope_q(user, "manage_people"))
    context = {
        "person": person,
        **records,
        "today": today,
        "may_reveal": access.can(user, "reveal_personal_data"),
        "check_in_estates": home,
        "check_in_form": CheckInForm(estates=home, initial={"checked_in_on": today, "estate": home.first()}),
        "ownership_form": OwnershipForm(buildings=_buildings(user)),
        "revealed": {},
    }
    context.update(extra)
    return context


def _buildings(user):
    return places_for_staff(user, "manage_people", kind=PlaceKind.BUILDING).select_related("parent").order_by("path")


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, person_id: int):
    person = get_person_for_user(request.user, person_id)
    places = _registration_places(request.user)
    initial = {
        "name": person.name,
        "phone": person.phone,
        "id_number": person.id_number,
        "is_party_member": person.is_party_member,
        "registered_at": person.registered_at_id,
        "note": person.note,
    }
    form = PersonForm(request.POST or None, places=places, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if fields["registered_at"] is None:
            fields.pop("registered_at")
        updated = _run(form, lambda: services.person_update(person=person, acting_user=request.user, **fields))
        if updated is not None:
            messages.success(request, _("已保存"))
            return redirect("accounts:person", person.id)
        person.refresh_from_db()
    return render(
        request,
        "accounts/form.html",
        {"form": form, "title": _("编辑“%(name)s”") % {"name": person.name}, "person": person},
    )


@login_required
@require_POST
def person_reveal(request, person_id: int):
    """Show one full personal value to a post allowed to see it; every reveal is logged."""
    person = get_object_or_404(Person, pk=person_id)
    field = request.POST.get("field", "phone")
    try:
        value = services.personal_data_reveal(
            person=person, field=field, acting_user=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        if (
            error.status == 403
            and not selectors.persons_visible(request.user, "view_internal").filter(pk=person.pk).exists()
        ):
            raise Http404 from None
        if request.headers.get("HX-Request"):
            return HttpResponse(
                format_html('<span class="text-danger small">{}</span>', error.message), status=error.status
            )
        raise PermissionDenied(error.message) from None
    if request.headers.get("HX-Request"):
        return HttpResponse(format_html('<span class="revealed" data-field="{}">{}</span>', field, value or "—"))
    if not selectors.persons_visible(request.user).filter(pk=person.pk).exists():
        return HttpResponse(value or "—", content_type="text/plain; charset=utf-8")
    return render(request, "accounts/person.html", _detail_context(request, person, revealed={field: value or "—"}))


@login_required
@require_http_methods(["GET", "POST"])
def appointment_create(request, person_id: int):
    person = get_person_for_user(request.user, person_id)
    user = request.user
    organizations = organizations_visible(user, "manage_people").current().order_by("kind", "name")
    places = (
        places_for_staff(user, "manage_people").filter(is_active=True).exclude(kind=PlaceKind.DISTRICT).order_by("path")
    )
    grids = Grid.objects.filter(community__in=places_for_staff(user, "manage_people", kind=PlaceKind.COMMUNITY))
    initial = {"starts_on": timezone.localdate()}
    if request.GET.get("organization"):
        initial["organization"] = request.GET["organization"]
    form = AppointmentForm(
        request.POST or None,
        organizations=organizations,
        places=places,
        grids=grids.select_related("community"),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["organization"] is not None:
            target = data["organization"].place
        elif data["grid"] is not None:
            target = data["grid"].community
        else:
            target = data["place"]
        if target is not None:
            _require(user, "accounts.manage_person", target)
        appointment = _run(
            form,
            lambda: services.appointment_create(
                person=person,
                post=data["post"],
                organization=data["organization"],
                place=data["place"],
                grid=data["grid"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
                acting_user=user,
            ),
        )
        if appointment is not None:
            messages.success(request, _("已任命：%(post)s") % {"post": appointment.get_post_display()})
            return redirect("accounts:person", person.id)
    return render(
        request,
        "accounts/form.html",
        {"form": form, "title": _("任命“%(name)s”") % {"name": person.name}, "person": person},
    )


@login_required
@require_POST
def appointment_end(request, appointment_id: int):
    appointment = get_object_or_404(
        Appointment.objects.select_related("organization__place", "place", "grid__community", "person"),
        pk=appointment_id,
    )
    get_person_for_user(request.user, appointment.person_id)
    _require(request.user, "accounts.manage_person", selectors.appointment_place(appointment))
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写结束日期"))
    else:
        try:
            services.appointment_end(appointment=appointment, ends_on=form.cleaned_data["on"], acting_user=request.user)
            messages.success(request, _("已设定卸任日期：%(date)s") % {"date": form.cleaned_data["on"]})
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("accounts:person", appointment.person_id)


@login_required
@require_POST
def ownership_add(request, person_id: int):
    person = get_person_for_user(request.user, person_id)
    form = OwnershipForm(request.POST, buildings=_buildings(request.user))
    if not form.is_valid():
        messages.error(request, _("请选择楼栋并填写房号"))
        return redirect("accounts:person", person.id)
    building = form.cleaned_data["building"]
    flat = Flat.objects.filter(building=building, number=form.cleaned_data["number"].strip()).first()
    if flat is None:
        messages.error(
            request,
            _("%(building)s没有房号%(number)s") % {"building": building.name, "number": form.cleaned_data["number"]},
        )
        return redirect("accounts:person", person.id)
    _require(request.user, "accounts.manage_person", flat)
    try:
        services.ownership_add(
            person=person, flat=flat, starts_on=form.cleaned_data["starts_on"], acting_user=request.user
        )
        messages.success(request, _("已登记为%(flat)s的业主") % {"flat": f"{flat.estate.name}{flat}"})
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("accounts:person", person.id)


@login_required
@require_POST
def ownership_end(request, ownership_id: int):
    ownership = get_object_or_404(Ownership.objects.select_related("flat__building", "person"), pk=ownership_id)
    get_person_for_user(request.user, ownership.person_id)
    _require(request.user, "accounts.manage_person", ownership.flat)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.ownership_end(ownership=ownership, ends_on=form.cleaned_data["on"], acting_user=request.user)
            messages.success(request, _("已结束产权登记"))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("请填写结束日期"))
    return redirect("accounts:person", ownership.person_id)


@login_required
@require_POST
def check_in_create(request, person_id: int):
    person = get_person_for_user(request.user, person_id)
    # Any estate in scope is accepted here; the service refuses one the person does not live in.
    estates = places_for_staff(request.user, "manage_people", kind=PlaceKind.ESTATE)
    form = CheckInForm(request.POST, estates=estates)
    if not form.is_valid():
        messages.error(request, _("请选择报到小区并填写报到日期"))
        return redirect("accounts:person", person.id)
    estate = form.cleaned_data["estate"]
    _require(request.user, "accounts.manage_person", estate)
    try:
        services.party_check_in(
            person=person,
            estate=estate,
            checked_in_on=form.cleaned_data["checked_in_on"],
            workplace=form.cleaned_data["workplace"],
            acting_user=request.user,
        )
        messages.success(request, _("已登记到%(estate)s报到") % {"estate": estate.name})
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("accounts:person", person.id)


@login_required
@require_POST
def check_in_end(request, check_in_id: int):
    check_in = get_object_or_404(PartyCheckIn.objects.select_related("estate"), pk=check_in_id)
    get_person_for_user(request.user, check_in.person_id)
    _require(request.user, "accounts.manage_person", check_in.estate)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.party_check_in_end(check_in=check_in, ended_on=form.cleaned_data["on"], acting_user=request.user)
            messages.success(request, _("已结束报到"))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("请填写结束日期"))
    return redirect("accounts:person", check_in.person_id)
