"""志愿与共建 over JSON (``/api/v1/volunteers/``): volunteer teams, service events with who took part
and their hours, one's own service, an estate's venues and rooms, and bookings — the same services,
selectors and permissions as the pages. A refused action answers ``{"detail": "…"}`` with 400, 403,
404 or 409 and changes nothing. Sign in with the browser session (with the CSRF token) or
``Authorization: Bearer <app token>``.

Personal data: participants' and bookers' names only to staff of the place (and one's own), phones
always masked; nothing here is ever deleted — teams, venues and rooms are stood down, bookings are
cancelled and stay listed as cancelled."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from gongzhi.accounts import access
from gongzhi.accounts.models import Person
from gongzhi.core.errors import DomainError
from gongzhi.core.masking import mask_phone, normalize_phone
from gongzhi.open311.auth import API_AUTH
from gongzhi.places.models import Place, PlaceKind
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.models import Booking, Participation, Room, ServiceEvent, Venue, VolunteerTeam

router = Router(auth=API_AUTH, tags=["volunteers"])

# The largest id the database stores (a signed 64-bit integer); anything else names nothing.
MAX_ID = 2**63 - 1


# --- schemas -------------------------------------------------------------------------------------


class Error(Schema):
    detail: str
    errors: list[str] = []


ERRORS = {400: Error, 403: Error, 404: Error, 409: Error}


class TeamOut(Schema):
    id: int
    place_id: int
    place: str
    name: str
    colour: str
    theme: str
    is_active: bool
    event_count: int
    can_edit: bool


class TeamIn(Schema):
    place_id: int = Field(description="小区（或社区）编号")
    name: str
    colour: str = "#d0021b"
    theme: str = ""


class TeamPatch(Schema):
    name: str | None = None
    colour: str | None = None
    theme: str | None = None
    is_active: bool | None = Field(None, description="false 为停用（不删除）")


class ParticipantOut(Schema):
    name: str
    phone: str = Field(description="脱敏手机号")
    hours: str


class ServiceEventOut(Schema):
    id: int
    team_id: int
    team: str
    colour: str
    estate_id: int
    estate: str
    title: str
    on_date: datetime.date
    hours: str
    people: int
    total_hours: str


class EventDetail(ServiceEventOut):
    i_took_part: bool
    participants: list[ParticipantOut] = Field(description="仅对该小区工作人员列出")


class EventIn(Schema):
    team_id: int
    estate_id: int
    title: str
    on_date: datetime.date
    hours: str | float = Field(description="每位参与者的服务时长（小时，最多一位小数）")
    participant_phones: list[str] = Field(description="参与者手机号")


class MyEventOut(Schema):
    event_id: int
    title: str
    on_date: datetime.date
    estate: str
    hours: str


class MyService(Schema):
    events: int
    hours: str
    party_hours: str
    recent: list[MyEventOut]


class RoomOut(Schema):
    id: int
    name: str
    is_bookable: bool
    capacity: int
    is_active: bool


class VenueOut(Schema):
    id: int
    estate_id: int
    name: str
    opening_hours: str
    is_active: bool
    rooms: list[RoomOut]


class RoomIn(Schema):
    name: str
    is_bookable: bool = False
    capacity: int | str = 0


class VenueIn(Schema):
    name: str
    opening_hours: str
    rooms: list[RoomIn] = []


class VenuePatch(Schema):
    name: str | None = None
    opening_hours: str | None = None
    is_active: bool | None = Field(None, description="false 为停用（不删除）")


class RoomPatch(Schema):
    name: str | None = None
    is_bookable: bool | None = None
    capacity: int | str | None = None
    is_active: bool | None = None


class BookingOut(Schema):
    id: int
    room_id: int
    room: str
    venue: str
    estate_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    cancelled: bool
    cancelled_at: datetime.datetime | None
    mine: bool
    booker: str | None = Field(description="仅对工作人员和预约人本人显示")
    purpose: str | None = Field(description="仅对工作人员和预约人本人显示")
    can_cancel: bool


class BookingIn(Schema):
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    purpose: str


# --- lookups: 404 for what does not exist or may not be seen -------------------------------------


def _not_found(message):
    return DomainError(message, status=404)


def _by_id(queryset, pk: int | None, message):
    if pk is None or not 0 < pk <= MAX_ID:
        raise _not_found(message)
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise _not_found(message)
    return found


def _estate(request, estate_id: int | None, perm: str = "volunteers.view_volunteers") -> Place:
    estate = _by_id(Place.objects.filter(kind=PlaceKind.ESTATE), estate_id, _("小区不存在"))
    if not request.user.has_perm(perm, estate):
        raise _not_found(_("小区不存在"))
    return estate


def _sees_place(user, place: Place) -> bool:
    """A team's place is seen by staff and residents anywhere in it or above it (as on the page)."""
    paths = access.paths_with(user, "view_internal") + access.paths_with(user, "resident")
    return any(p.startswith(place.path) or place.path.startswith(p) for p in paths)


def _team(request, team_id: int) -> VolunteerTeam:
    team = _by_id(VolunteerTeam.objects.select_related("place"), team_id, _("队伍不存在"))
    staff = request.user.has_perm("volunteers.view_internal", team.place)
    if not staff and not (team.is_active and _sees_place(request.user, team.place)):
        raise _not_found(_("队伍不存在"))
    return team


def _event(request, event_id: int) -> ServiceEvent:
    event = _by_id(ServiceEvent.objects.select_related("team", "estate"), event_id, _("活动不存在"))
    if not request.user.has_perm("volunteers.view_volunteers", event.estate):
        raise _not_found(_("活动不存在"))
    return event


def _venue(request, venue_id: int) -> Venue:
    venue = _by_id(Venue.objects.select_related("estate"), venue_id, _("阵地不存在"))
    _estate(request, venue.estate_id)
    if not venue.is_active and not request.user.has_perm("volunteers.manage_volunteers", venue.estate):
        raise _not_found(_("阵地不存在"))
    return venue


def _room(request, room_id: int) -> Room:
    room = _by_id(Room.objects.select_related("venue__estate"), room_id, _("功能室不存在"))
    _venue(request, room.venue_id)
    if not room.is_active and not request.user.has_perm("volunteers.manage_volunteers", room.venue.estate):
        raise _not_found(_("功能室不存在"))
    return room


def _tenths(value) -> str:
    from decimal import Decimal

    return str(Decimal(str(value or 0)).quantize(Decimal("0.1")))


# --- output --------------------------------------------------------------------------------------


def _team_out(user, team: VolunteerTeam) -> dict:
    count = getattr(team, "event_count", None)
    return {
        "id": team.id,
        "place_id": team.place_id,
        "place": team.place.name,
        "name": team.name,
        "colour": team.colour,
        "theme": team.theme,
        "is_active": team.is_active,
        "event_count": count if count is not None else team.events.count(),
        "can_edit": user.has_perm("volunteers.manage_volunteers", team.place),
    }


def _event_out(event: ServiceEvent) -> dict:
    people = getattr(event, "people", None)
    total = getattr(event, "total_hours", None)
    if people is None:
        rows = list(event.participations.all())
        people, total = len(rows), sum((p.hours for p in rows), 0)
    return {
        "id": event.id,
        "team_id": event.team_id,
        "team": event.team.name,
        "colour": event.team.colour,
        "estate_id": event.estate_id,
        "estate": event.estate.name,
        "title": event.title,
        "on_date": event.on_date,
        "hours": _tenths(event.hours),
        "people": people,
        "total_hours": _tenths(total),
    }


def _room_out(room: Room) -> dict:
    return {
        "id": room.id,
        "name": room.name,
        "is_bookable": room.is_bookable,
        "capacity": room.capacity,
        "is_active": room.is_active,
    }


def _venue_out(venue: Venue, rooms=None) -> dict:
    return {
        "id": venue.id,
        "estate_id": venue.estate_id,
        "name": venue.name,
        "opening_hours": venue.opening_hours,
        "is_active": venue.is_active,
        "rooms": [_room_out(r) for r in (rooms if rooms is not None else venue.rooms.order_by("id"))],
    }


def _booking_out(user, booking: Booking) -> dict:
    person = services.person_for(user)
    estate = booking.room.venue.estate
    mine = person is not None and booking.person_id == person.id
    shown = mine or user.has_perm("volunteers.view_internal", estate)
    return {
        "id": booking.id,
        "room_id": booking.room_id,
        "room": booking.room.name,
        "venue": booking.room.venue.name,
        "estate_id": estate.id,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "cancelled": booking.cancelled_at is not None,
        "cancelled_at": booking.cancelled_at,
        "mine": mine,
        "booker": booking.person.name if shown else None,
        "purpose": booking.purpose if shown else None,
        "can_cancel": booking.cancelled_at is None
        and booking.ends_at > timezone.now()
        and services.may_cancel_booking(user, booking),
    }


# --- teams ---------------------------------------------------------------------------------------


@router.get("/teams", response=list[TeamOut], summary="Volunteer teams the user may see")
def team_list(request):
    user = request.user
    return [
        _team_out(user, t)
        for t in selectors.teams_for(user)
        if t.is_active or user.has_perm("volunteers.view_internal", t.place)
    ]


@router.post("/teams", response={201: TeamOut, **ERRORS}, summary="Form a volunteer team")
def team_create(request, payload: TeamIn):
    place = _by_id(Place.objects.all(), payload.place_id, _("地点不存在"))
    if not request.user.has_perm("volunteers.view_internal", place):
        raise _not_found(_("地点不存在"))
    team = services.team_create(
        place=place, name=payload.name, colour=payload.colour, theme=payload.theme, acting_user=request.user
    )
    return Status(201, _team_out(request.user, team))


@router.get("/teams/{int:team_id}", response={200: TeamOut, 404: Error}, summary="One volunteer team")
def team_detail(request, team_id: int):
    return _team_out(request.user, _team(request, team_id))


@router.patch(
    "/teams/{int:team_id}",
    response={200: TeamOut, **ERRORS},
    summary="Edit a team, or stand it down (is_active false) — teams are never deleted",
)
def team_update(request, team_id: int, payload: TeamPatch):
    team = _team(request, team_id)
    if not request.user.has_perm("volunteers.view_internal", team.place):
        raise _not_found(_("队伍不存在"))
    team = services.team_update(team=team, acting_user=request.user, **payload.dict(exclude_unset=True))
    return _team_out(request.user, team)


# --- events, participants and hours ---------------------------------------------------------------


@router.get(
    "/events", response={200: list[ServiceEventOut], **ERRORS}, summary="Recent service events the user may see"
)
def event_list(request, estate_id: int | None = None, limit: int = 50):
    if not 1 <= limit <= 200:
        raise DomainError(_("每页条数须在1到200之间"))
    if estate_id is None:
        return [_event_out(e) for e in selectors.events_for(request.user, limit=limit)]
    estate = _estate(request, estate_id)
    return [_event_out(e) for e in selectors.events_of_estate(estate, limit=limit)]


@router.post("/events", response={201: EventDetail, **ERRORS}, summary="Record a service event with who took part")
def event_record(request, payload: EventIn):
    estate = _estate(request, payload.estate_id, "volunteers.view_internal")
    team = _team(request, payload.team_id)
    phones = [normalize_phone(p) for p in payload.participant_phones if p and p.strip()]
    if len(phones) > 500:
        raise DomainError(_("一次最多登记500名参与者"))
    found = {p.phone: p for p in Person.objects.filter(phone__in=phones)} if phones else {}
    missing = [mask_phone(p) for p in phones if p not in found]
    if missing:
        raise DomainError(_("找不到这些手机号对应的人员：%(phones)s") % {"phones": "、".join(missing[:5])})
    event = services.event_record(
        team=team,
        estate=estate,
        title=payload.title,
        on_date=payload.on_date,
        hours=payload.hours,
        participants=list(found.values()),
        acting_user=request.user,
    )
    return Status(201, _event_detail(request, event))


def _event_detail(request, event: ServiceEvent) -> dict:
    person = services.person_for(request.user)
    rows = list(event.participations.select_related("person").order_by("id"))
    staff = request.user.has_perm("volunteers.view_internal", event.estate)
    return {
        **_event_out(event),
        "i_took_part": person is not None and any(r.person_id == person.id for r in rows),
        "participants": [
            {"name": r.person.name, "phone": mask_phone(r.person.phone), "hours": _tenths(r.hours)} for r in rows
        ]
        if staff
        else [],
    }


@router.get("/events/{int:event_id}", response={200: EventDetail, 404: Error}, summary="One service event")
def event_detail(request, event_id: int):
    return _event_detail(request, _event(request, event_id))


@router.get("/me/service", response=MyService, summary="The user's own volunteering: events, hours, party service")
def my_service(request):
    totals = selectors.my_service(request.user)
    person = services.person_for(request.user)
    recent = (
        Participation.objects.filter(person=person)
        .select_related("event__estate")
        .order_by("-event__on_date", "-id")[:50]
        if person
        else []
    )
    return {
        "events": totals["events"],
        "hours": _tenths(totals["hours"]),
        "party_hours": _tenths(totals["party_hours"]),
        "recent": [
            {
                "event_id": p.event_id,
                "title": p.event.title,
                "on_date": p.event.on_date,
                "estate": p.event.estate.name,
                "hours": _tenths(p.hours),
            }
            for p in recent
        ],
    }


# --- venues and rooms ----------------------------------------------------------------------------


@router.get("/estates/{int:estate_id}/venues", response={200: list[VenueOut], 404: Error}, summary="An estate's venues")
def venue_list(request, estate_id: int):
    estate = _estate(request, estate_id)
    manager = request.user.has_perm("volunteers.manage_volunteers", estate)
    return [_venue_out(v, v.rooms.all()) for v in selectors.venues_of(estate, include_closed=manager)]


@router.post("/estates/{int:estate_id}/venues", response={201: VenueOut, **ERRORS}, summary="Register a venue")
def venue_create(request, estate_id: int, payload: VenueIn):
    estate = _estate(request, estate_id)
    venue = services.venue_create(
        estate=estate,
        name=payload.name,
        opening_hours=payload.opening_hours,
        rooms=[(r.name, r.is_bookable, r.capacity) for r in payload.rooms],
        acting_user=request.user,
    )
    return Status(201, _venue_out(venue))


@router.patch(
    "/venues/{int:venue_id}",
    response={200: VenueOut, **ERRORS},
    summary="Edit a venue, or close it (is_active false) — venues are never deleted",
)
def venue_update(request, venue_id: int, payload: VenuePatch):
    venue = services.venue_update(
        venue=_venue(request, venue_id), acting_user=request.user, **payload.dict(exclude_unset=True)
    )
    return _venue_out(venue)


@router.post("/venues/{int:venue_id}/rooms", response={201: RoomOut, **ERRORS}, summary="Add a room to a venue")
def room_add(request, venue_id: int, payload: RoomIn):
    room = services.room_add(
        venue=_venue(request, venue_id),
        name=payload.name,
        is_bookable=payload.is_bookable,
        capacity=payload.capacity,
        acting_user=request.user,
    )
    return Status(201, _room_out(room))


@router.patch("/rooms/{int:room_id}", response={200: RoomOut, **ERRORS}, summary="Edit or close a room")
def room_update(request, room_id: int, payload: RoomPatch):
    room = services.room_update(
        room=_room(request, room_id), acting_user=request.user, **payload.dict(exclude_unset=True)
    )
    return _room_out(room)


# --- bookings ------------------------------------------------------------------------------------


@router.get(
    "/estates/{int:estate_id}/bookings",
    response={200: list[BookingOut], 404: Error},
    summary="Bookings of an estate's rooms not yet over, cancelled ones included",
)
def booking_list(request, estate_id: int):
    estate = _estate(request, estate_id)
    return [_booking_out(request.user, b) for b in selectors.upcoming_bookings(estate, timezone.now())]


@router.get("/bookings/mine", response=list[BookingOut], summary="The user's own bookings, newest first")
def my_bookings(request):
    return [_booking_out(request.user, b) for b in selectors.my_bookings(request.user)]


def _aware(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@router.post("/rooms/{int:room_id}/bookings", response={201: BookingOut, **ERRORS}, summary="Book a room")
def booking_create(request, room_id: int, payload: BookingIn):
    room = _room(request, room_id)
    if not request.user.has_perm("volunteers.book_room", room.venue.estate):
        raise DomainError(_("只有本小区居民可以预约"), status=403)
    try:
        starts_at, ends_at = _aware(payload.starts_at), _aware(payload.ends_at)
    except (OverflowError, ValueError):
        raise DomainError(_("时间格式不正确")) from None
    booking = services.booking_create(
        room=room, starts_at=starts_at, ends_at=ends_at, purpose=payload.purpose, acting_user=request.user
    )
    return Status(201, _booking_out(request.user, booking))


@router.post(
    "/bookings/{int:booking_id}/cancel",
    response={200: BookingOut, **ERRORS},
    summary="Cancel a booking (the booker or the venue's manager); it stays listed as cancelled",
)
def booking_cancel(request, booking_id: int):
    booking = _by_id(Booking.objects.select_related("room__venue__estate", "person"), booking_id, _("预约不存在"))
    _estate(request, booking.room.venue.estate_id)
    booking = services.booking_cancel(booking=booking, acting_user=request.user)
    booking = Booking.objects.select_related("room__venue__estate", "person").get(pk=booking.pk)
    return _booking_out(request.user, booking)
