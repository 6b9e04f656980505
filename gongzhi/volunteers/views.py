"""Pages of 志愿与共建. Views parse, ask permission, call one service or selector and render; a
refusal comes back as a message and changes nothing."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts import access
from gongzhi.accounts.models import Person
from gongzhi.core.errors import DomainError
from gongzhi.core.masking import normalize_phone
from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.places.models import Place, PlaceKind
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.models import Booking, Need, ProblemOutcome, Room, ServiceOrder, Venue, VolunteerTeam


def _run(request, action, success: str, url: str):
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(url)


def _estate_for(request, estate_id, view_perm: str, act_perm: str | None = None) -> Place:
    estate = get_object_or_404(Place, pk=estate_id, kind=PlaceKind.ESTATE)
    if not request.user.has_perm(view_perm, estate):
        raise Http404
    if act_perm and not request.user.has_perm(act_perm, estate):
        raise PermissionDenied
    return estate


def _posted_estate(request, view_perm: str, act_perm: str) -> Place:
    value = request.POST.get("estate", "")
    if not value.isdecimal():
        raise Http404
    return _estate_for(request, value, view_perm, act_perm)


def _date(value) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        raise DomainError(_("日期格式不正确")) from None


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


@login_required
def home(request):
    user = request.user
    person = getattr(user, "person", None)
    teams = selectors.teams_for(user)
    for team in teams:
        team.can_edit = user.has_perm("volunteers.manage_volunteers", team.place)
    # Residents see the teams at work; staff also see those stood down, marked as such.
    teams = [t for t in teams if t.is_active or user.has_perm("volunteers.view_internal", t.place)]
    return render(
        request,
        "volunteers/home.html",
        {
            "teams": teams,
            "mine": selectors.my_service(user),
            "events": selectors.events_for(user),
            "estates": selectors.estates_for(user),
            "manage_estates": selectors.estates_for(user, "works_manage"),
            "check_in": selectors.check_in_of(user),
            "logs": selectors.check_in_of(user).service_logs.all()[:20] if selectors.check_in_of(user) else [],
            "home_estates": selectors.estates_for(user, "resident"),
            "is_party_member": bool(person and person.is_party_member),
            "can_patrol": access.can(user, "case_intake"),
            "is_staff": access.can(user, "view_internal"),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def team_create(request):
    place_id = request.POST.get("place", "")
    place = get_object_or_404(Place, pk=place_id) if place_id.isdecimal() else None
    if place is None or not request.user.has_perm("volunteers.view_internal", place):
        raise Http404
    p = request.POST
    return _run(
        request,
        lambda: services.team_create(
            place=place,
            name=p.get("name", ""),
            colour=p.get("colour", ""),
            theme=p.get("theme", ""),
            acting_user=request.user,
        ),
        _("队伍已组建"),
        "/volunteers/",
    )


def _team(request, team_id, act: bool = False) -> VolunteerTeam:
    """404 for those who may not see the team's place as staff, 403 for staff who may not manage it."""
    team = get_object_or_404(VolunteerTeam.objects.select_related("place"), pk=team_id)
    if not request.user.has_perm("volunteers.view_internal", team.place):
        raise Http404
    if act and not request.user.has_perm("volunteers.manage_volunteers", team.place):
        raise PermissionDenied
    return team


def _checkbox(request, name: str) -> bool:
    return request.POST.get(name) in ("1", "on", "true")


@login_required
def team_edit(request, team_id):
    team = _team(request, team_id, act=True)
    if request.method == "POST":
        p = request.POST
        return _run(
            request,
            lambda: services.team_update(
                team=team,
                name=p.get("name", ""),
                colour=p.get("colour", ""),
                theme=p.get("theme", ""),
                is_active=_checkbox(request, "is_active"),
                acting_user=request.user,
            ),
            _("队伍已保存"),
            f"/volunteers/teams/{team.id}/edit/",
        )
    return render(request, "volunteers/team_edit.html", {"team": team})


def _people_by_phone(text: str) -> list[Person]:
    phones = [normalize_phone(x) for x in _lines(text.replace(",", "\n").replace("，", "\n"))]
    found = {p.phone: p for p in Person.objects.filter(phone__in=phones)}
    missing = [x for x in phones if x not in found]
    if missing:
        raise DomainError(_("找不到这些手机号对应的人员：%(phones)s") % {"phones": "、".join(missing[:5])})
    return list(found.values())


@login_required
@require_POST
def event_record(request):
    estate = _posted_estate(request, "volunteers.view_internal", "volunteers.manage_volunteers")
    p = request.POST
    team = VolunteerTeam.objects.filter(pk=p.get("team") if p.get("team", "").isdecimal() else 0).first()

    def action():
        if team is None:
            raise DomainError(_("请选择队伍"))
        return services.event_record(
            team=team,
            estate=estate,
            title=p.get("title", ""),
            on_date=_date(p.get("on_date")),
            hours=p.get("hours", ""),
            participants=_people_by_phone(p.get("phones", "")),
            acting_user=request.user,
        )

    return _run(request, action, _("活动已登记"), "/volunteers/")


@login_required
@require_POST
def check_in(request):
    estate = _posted_estate(request, "volunteers.view_volunteers", "volunteers.view_volunteers")
    return _run(
        request,
        lambda: services.party_check_in(
            estate=estate, workplace=request.POST.get("workplace", ""), acting_user=request.user
        ),
        _("报到成功"),
        "/volunteers/",
    )


@login_required
@require_POST
def service_log(request):
    p = request.POST
    return _run(
        request,
        lambda: services.party_service_log(
            description=p.get("description", ""),
            hours=p.get("hours", ""),
            on_date=_date(p.get("on_date")),
            acting_user=request.user,
        ),
        _("服务已记录"),
        "/volunteers/",
    )


# --- an estate: theme, buildings, venues, rota ---------------------------------------------------


@login_required
def estate(request, estate_id):
    estate = _estate_for(request, estate_id, "volunteers.view_volunteers")
    user = request.user
    is_staff = user.has_perm("volunteers.view_internal", estate)
    today = timezone.localdate()
    return render(
        request,
        "volunteers/estate.html",
        {
            "estate": estate,
            "is_staff": is_staff,
            "buildings": selectors.building_people(estate, today) if is_staff else [],
            "venues": selectors.venues_of(estate, include_closed=user.has_perm("volunteers.manage_volunteers", estate)),
            "bookings": selectors.upcoming_bookings(estate, timezone.now()),
            "shifts": selectors.shifts_of(estate, today),
            "can_manage": user.has_perm("volunteers.manage_volunteers", estate),
            "can_book": user.has_perm("volunteers.book_room", estate),
            "can_theme": user.has_perm("volunteers.set_theme", estate),
            "me": getattr(user, "person", None),
            "today": today,
        },
    )


@login_required
@require_POST
def theme_set(request, estate_id):
    estate = _estate_for(request, estate_id, "volunteers.view_volunteers", "volunteers.set_theme")
    return _run(
        request,
        lambda: services.estate_theme_set(estate=estate, theme=request.POST.get("theme", ""), acting_user=request.user),
        _("主题已更新"),
        f"/volunteers/estates/{estate.id}/",
    )


@login_required
@require_POST
def venue_create(request, estate_id):
    estate = _estate_for(request, estate_id, "volunteers.view_volunteers", "volunteers.manage_volunteers")
    p = request.POST
    rooms = [(name, name in _lines(p.get("bookable", "")), 0) for name in _lines(p.get("rooms", ""))]
    return _run(
        request,
        lambda: services.venue_create(
            estate=estate,
            name=p.get("name", ""),
            opening_hours=p.get("opening_hours", ""),
            rooms=rooms,
            acting_user=request.user,
        ),
        _("阵地已登记"),
        f"/volunteers/estates/{estate.id}/",
    )


def _venue(request, venue_id) -> Venue:
    venue = get_object_or_404(Venue.objects.select_related("estate"), pk=venue_id)
    _estate_for(request, venue.estate_id, "volunteers.view_internal", "volunteers.manage_volunteers")
    return venue


@login_required
def venue_edit(request, venue_id):
    venue = _venue(request, venue_id)
    if request.method == "POST":
        p = request.POST
        return _run(
            request,
            lambda: services.venue_update(
                venue=venue,
                name=p.get("name", ""),
                opening_hours=p.get("opening_hours", ""),
                is_active=_checkbox(request, "is_active"),
                acting_user=request.user,
            ),
            _("阵地已保存"),
            f"/volunteers/venues/{venue.id}/edit/",
        )
    return render(request, "volunteers/venue_edit.html", {"venue": venue, "rooms": venue.rooms.order_by("id")})


@login_required
@require_POST
def room_add(request, venue_id):
    venue = _venue(request, venue_id)
    p = request.POST
    return _run(
        request,
        lambda: services.room_add(
            venue=venue,
            name=p.get("name", ""),
            is_bookable=_checkbox(request, "is_bookable"),
            capacity=p.get("capacity", "0"),
            acting_user=request.user,
        ),
        _("功能室已添加"),
        f"/volunteers/venues/{venue.id}/edit/",
    )


@login_required
@require_POST
def room_edit(request, room_id):
    room = get_object_or_404(Room.objects.select_related("venue__estate"), pk=room_id)
    _estate_for(request, room.venue.estate_id, "volunteers.view_internal", "volunteers.manage_volunteers")
    p = request.POST
    return _run(
        request,
        lambda: services.room_update(
            room=room,
            name=p.get("name", ""),
            is_bookable=_checkbox(request, "is_bookable"),
            capacity=p.get("capacity", "0"),
            is_active=_checkbox(request, "is_active"),
            acting_user=request.user,
        ),
        _("功能室已保存"),
        f"/volunteers/venues/{room.venue_id}/edit/",
    )


@login_required
def booking_cancel(request, booking_id):
    """The booker or the venue's manager cancels a booking; it stays listed, marked cancelled."""
    booking = get_object_or_404(Booking.objects.select_related("room__venue__estate", "person"), pk=booking_id)
    estate = _estate_for(request, booking.room.venue.estate_id, "volunteers.view_volunteers")
    if not services.may_cancel_booking(request.user, booking):
        raise PermissionDenied
    if request.method == "POST":
        return _run(
            request,
            lambda: services.booking_cancel(booking=booking, acting_user=request.user),
            _("预约已取消"),
            f"/volunteers/estates/{estate.id}/",
        )
    return render(request, "volunteers/booking_cancel.html", {"booking": booking, "estate": estate})


def _local(value: str) -> datetime.datetime:
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise DomainError(_("时间格式不正确")) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@login_required
@require_POST
def booking_create(request, room_id):
    room = get_object_or_404(Room.objects.select_related("venue__estate"), pk=room_id)
    estate = _estate_for(request, room.venue.estate_id, "volunteers.view_volunteers", "volunteers.book_room")
    p = request.POST

    def action():
        day = p.get("day", "")
        return services.booking_create(
            room=room,
            starts_at=_local(f"{day}T{p.get('start', '')}"),
            ends_at=_local(f"{day}T{p.get('end', '')}"),
            purpose=p.get("purpose", ""),
            acting_user=request.user,
        )

    return _run(request, action, _("预约成功"), f"/volunteers/estates/{estate.id}/")


@login_required
@require_POST
def rota_create(request, estate_id):
    estate = _estate_for(request, estate_id, "volunteers.view_volunteers", "volunteers.manage_volunteers")
    p = request.POST
    return _run(
        request,
        lambda: services.duty_rota_create(
            estate=estate,
            rota=p.get("rota", ""),
            start=_date(p.get("start")),
            on_duty=_lines(p.get("on_duty", "")),
            task=p.get("task", ""),
            acting_user=request.user,
        ),
        _("轮值表已排好"),
        f"/volunteers/estates/{estate.id}/",
    )


# --- joint enforcement and reception visits ------------------------------------------------------


@login_required
def patrols(request):
    if not access.can(request.user, "view_internal"):
        raise Http404
    return render(
        request,
        "volunteers/patrols.html",
        {
            "patrols": selectors.patrols_for(request.user),
            "estates": selectors.estates_for(request.user, "case_intake"),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def patrol_record(request):
    estate = _posted_estate(request, "volunteers.view_internal", "volunteers.record_patrol")
    p = request.POST
    problems = [{"description": d, "outcome": ProblemOutcome.FIXED_ON_SPOT} for d in _lines(p.get("fixed", ""))]
    for line in _lines(p.get("penalized", "")):
        description, _sep, penalty = line.partition("|")
        problems.append(
            {"description": description.strip(), "outcome": ProblemOutcome.PENALIZED, "penalty": penalty.strip()}
        )
    problems += [{"description": d, "outcome": ProblemOutcome.UNRESOLVED} for d in _lines(p.get("unresolved", ""))]
    return _run(
        request,
        lambda: services.patrol_record(
            estate=estate,
            on_date=_date(p.get("on_date")),
            members=p.get("members", ""),
            problems=problems,
            acting_user=request.user,
        ),
        _("联合执法已登记"),
        "/volunteers/patrols/",
    )


@login_required
def visits(request):
    if not access.can(request.user, "view_internal"):
        raise Http404
    return render(
        request,
        "volunteers/visits.html",
        {
            "visits": selectors.visits_for(request.user),
            "estates": selectors.estates_for(request.user, "case_intake"),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def visit_record(request):
    estate = _posted_estate(request, "volunteers.view_internal", "volunteers.record_visit")
    p = request.POST
    problems = [{"description": d, "solved_on_spot": True} for d in _lines(p.get("solved", ""))]
    problems += [{"description": d, "solved_on_spot": False} for d in _lines(p.get("open", ""))]
    return _run(
        request,
        lambda: services.reception_visit_record(
            estate=estate,
            leader=p.get("leader", ""),
            on_date=_date(p.get("on_date")),
            attendance=p.get("attendance", ""),
            problems=problems,
            acting_user=request.user,
        ),
        _("接访已登记，问题已转为诉求"),
        "/volunteers/visits/",
    )


# --- needs, orders, agreements -------------------------------------------------------------------


@login_required
def orders(request):
    user = request.user
    return render(
        request,
        "volunteers/orders.html",
        {
            "home_estates": selectors.estates_for(user, "resident"),
            "my_needs": selectors.my_needs(user),
            "needs": selectors.needs_for(user),
            "orders": selectors.orders_for(user),
            "units": services.partner_units_of(user),
            "manage_estates": selectors.estates_for(user, "works_manage"),
        },
    )


@login_required
@require_POST
def need_post(request):
    estate = _posted_estate(request, "volunteers.view_volunteers", "volunteers.post_need")
    return _run(
        request,
        lambda: services.need_post(
            estate=estate, description=request.POST.get("description", ""), acting_user=request.user
        ),
        _("需求已提交"),
        "/volunteers/orders/",
    )


@login_required
@require_POST
def order_publish(request):
    estate = _posted_estate(request, "volunteers.view_internal", "volunteers.manage_volunteers")
    ids = [i for i in request.POST.getlist("needs") if i.isdecimal()]
    needs = Need.objects.filter(pk__in=ids)
    return _run(
        request,
        lambda: services.order_publish(
            estate=estate, title=request.POST.get("title", ""), needs=needs, acting_user=request.user
        ),
        _("订单已发布"),
        "/volunteers/orders/",
    )


def _order(request, order_id) -> ServiceOrder:
    order = get_object_or_404(ServiceOrder.objects.select_related("estate"), pk=order_id)
    if not request.user.has_perm("volunteers.view_internal", order.estate):
        raise Http404
    return order


@login_required
@require_POST
def order_take(request, order_id):
    order = _order(request, order_id)
    unit_id = request.POST.get("unit", "")
    unit = Organization.objects.filter(pk=unit_id, kind=OrgKind.PARTNER_UNIT).first() if unit_id.isdecimal() else None
    if unit is None:
        raise PermissionDenied
    return _run(
        request,
        lambda: services.order_take(order=order, partner=unit, acting_user=request.user),
        _("已接单"),
        "/volunteers/orders/",
    )


@login_required
@require_POST
def order_complete(request, order_id):
    order = _order(request, order_id)
    return _run(
        request,
        lambda: services.order_complete(order=order, report=request.POST.get("report", ""), acting_user=request.user),
        _("已报告完成"),
        "/volunteers/orders/",
    )


@login_required
def agreements(request):
    user = request.user
    if not access.can(user, "view_internal"):
        raise Http404
    return render(
        request,
        "volunteers/agreements.html",
        {
            "agreements": selectors.agreements_for(user),
            "communities": Place.objects.filter(access.scope_q(user, "manage_orgs", "path"), kind=PlaceKind.COMMUNITY),
            "partners": Organization.objects.filter(kind=OrgKind.PARTNER_UNIT).order_by("name")[:300],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def agreement_sign(request):
    p = request.POST
    community = Place.objects.filter(
        pk=p.get("community") if p.get("community", "").isdecimal() else 0, kind=PlaceKind.COMMUNITY
    ).first()
    partner = Organization.objects.filter(pk=p.get("partner") if p.get("partner", "").isdecimal() else 0).first()
    if community is None or not request.user.has_perm("volunteers.view_internal", community):
        raise Http404

    def action():
        if partner is None:
            raise DomainError(_("请选择共建单位"))
        return services.agreement_sign(
            community=community,
            partner=partner,
            signed_on=_date(p.get("signed_on")),
            partner_promises=p.get("partner_promises", ""),
            community_promises=p.get("community_promises", ""),
            acting_user=request.user,
        )

    return _run(request, action, _("共建协议已登记"), "/volunteers/agreements/")
