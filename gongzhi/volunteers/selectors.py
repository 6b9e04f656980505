"""Reads of 志愿与共建, scoped to what the user may see."""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from gongzhi.accounts import access
from gongzhi.accounts.models import Appointment, PartyCheckIn
from gongzhi.places.models import Place, PlaceKind
from gongzhi.volunteers.models import (
    Booking,
    DutyShift,
    EnforcementPatrol,
    Need,
    PartnershipAgreement,
    ReceptionVisit,
    ServiceEvent,
    ServiceOrder,
    Venue,
    VolunteerTeam,
)


def estates_for(user, capability: str = "view_internal"):
    q = access.scope_q(user, capability, "path")
    if capability == "view_internal":
        q |= access.scope_q(user, "resident", "path")
    return list(Place.objects.filter(q, kind=PlaceKind.ESTATE, is_active=True).order_by("path")[:300])


def teams_for(user):
    paths = access.paths_with(user, "view_internal") + access.paths_with(user, "resident")
    teams = VolunteerTeam.objects.select_related("place").annotate(event_count=Count("events"))
    return [t for t in teams if any(p.startswith(t.place.path) or t.place.path.startswith(p) for p in paths)]


def events_for(user, limit: int = 50):
    q = access.scope_q(user, "view_internal", "estate__path") | access.scope_q(user, "resident", "estate__path")
    return list(
        ServiceEvent.objects.filter(q)
        .select_related("team", "estate")
        .annotate(people=Count("participations"), total_hours=Sum("participations__hours"))
        .order_by("-on_date", "-id")[:limit]
    )


def events_of_estate(estate, limit: int = 50):
    return list(
        ServiceEvent.objects.filter(estate=estate)
        .select_related("team", "estate")
        .annotate(people=Count("participations"), total_hours=Sum("participations__hours"))
        .order_by("-on_date", "-id")[:limit]
    )


def check_in_of(user):
    person = getattr(user, "person", None)
    if person is None:
        return None
    return PartyCheckIn.objects.filter(person=person, ended_on__isnull=True).select_related("estate").first()


def building_people(estate: Place, on) -> list[dict]:
    """Building heads and grid workers of each building of the estate."""
    buildings = list(Place.objects.filter(parent=estate, kind=PlaceKind.BUILDING).order_by("name"))
    appointments = (
        Appointment.objects.current(on)
        .filter(Q(place__in=buildings, post="building_head") | Q(grid__buildings__in=buildings, post="grid_worker"))
        .select_related("person", "place", "grid")
        .prefetch_related("grid__buildings")
        .distinct()
    )
    heads: dict[int, list] = {b.id: [] for b in buildings}
    grid_workers: dict[int, list] = {b.id: [] for b in buildings}
    for a in appointments:
        if a.post == "building_head" and a.place_id in heads:
            heads[a.place_id].append(a.person)
        elif a.grid_id:
            for b in a.grid.buildings.all():
                if b.id in grid_workers:
                    grid_workers[b.id].append(a.person)
    return [{"building": b, "heads": heads[b.id], "grid_workers": grid_workers[b.id]} for b in buildings]


def venues_of(estate, *, include_closed: bool = False):
    """An estate's venues with their rooms; closed venues and rooms only for those who manage them."""
    from django.db.models import Prefetch

    from gongzhi.volunteers.models import Room

    venues = Venue.objects.filter(estate=estate)
    rooms = Room.objects.order_by("id")
    if not include_closed:
        venues = venues.filter(is_active=True)
        rooms = rooms.filter(is_active=True)
    return list(venues.prefetch_related(Prefetch("rooms", queryset=rooms)))


def upcoming_bookings(estate, now):
    """Bookings not yet over, cancelled ones included (shown as cancelled: nothing is deleted)."""
    return list(
        Booking.objects.filter(room__venue__estate=estate, ends_at__gte=now)
        .select_related("room__venue", "person")
        .order_by("starts_at", "id")[:100]
    )


def my_bookings(user, limit: int = 50):
    person = getattr(user, "person", None)
    if person is None:
        return []
    return list(
        Booking.objects.filter(person=person)
        .select_related("room__venue__estate")
        .order_by("-starts_at", "-id")[:limit]
    )


def shifts_of(estate, start):
    return list(DutyShift.objects.filter(estate=estate, on_date__gte=start).order_by("on_date", "id")[:60])


def patrols_for(user):
    q = access.scope_q(user, "view_internal", "estate__path")
    return list(EnforcementPatrol.objects.filter(q).select_related("estate").prefetch_related("problems__case")[:100])


def visits_for(user):
    q = access.scope_q(user, "view_internal", "estate__path")
    return list(ReceptionVisit.objects.filter(q).select_related("estate").prefetch_related("problems__case")[:100])


def needs_for(user):
    q = access.scope_q(user, "works_manage", "estate__path")
    return list(Need.objects.filter(q, order__isnull=True).select_related("estate", "person")[:200])


def my_needs(user):
    person = getattr(user, "person", None)
    if person is None:
        return []
    return list(Need.objects.filter(person=person).select_related("order", "order__partner")[:50])


def orders_for(user):
    q = access.scope_q(user, "view_internal", "estate__path")
    return list(
        ServiceOrder.objects.filter(q).select_related("estate", "partner").annotate(need_count=Count("needs"))[:200]
    )


def agreements_for(user):
    q = access.scope_q(user, "view_internal", "community__path")
    return list(PartnershipAgreement.objects.filter(q).select_related("community", "partner")[:200])


def my_service(user) -> dict:
    """A person's own volunteering: events taken part in and hours, party service logged."""
    from gongzhi.volunteers.models import Participation, PartyServiceLog

    person = getattr(user, "person", None)
    if person is None:
        return {"events": 0, "hours": 0, "party_hours": 0}
    events = Participation.objects.filter(person=person).aggregate(n=Count("id"), h=Sum("hours"))
    party = PartyServiceLog.objects.filter(check_in__person=person).aggregate(h=Sum("hours"))

    def tenths(value):
        # SQLite sums decimals as floats: back to one decimal place.
        return Decimal(str(value or 0)).quantize(Decimal("0.1"))

    return {"events": events["n"], "hours": tenths(events["h"]), "party_hours": tenths(party["h"])}
