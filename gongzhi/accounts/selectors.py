from django.db.models import Prefetch, Q

from gongzhi.accounts import access
from gongzhi.accounts.models import Appointment, Ownership, PartyCheckIn, Person, Residence


def persons_visible(user, capability: str = "manage_people"):
    """People linked to a place in the user's scope: registered there, owning or living in a
    flat there, holding a post there, or checked in there as a working party member."""
    if not access.paths_with(user, capability):
        return Person.objects.none()

    def scoped(path_field: str) -> Q:
        return access.scope_q(user, capability, path_field)

    linked = (
        Q(registered_at__in=_places(scoped("path")))
        | Q(id__in=Ownership.objects.filter(scoped("flat__estate__path")).values("person_id"))
        | Q(id__in=Residence.objects.filter(scoped("flat__estate__path")).values("person_id"))
        | Q(id__in=Appointment.objects.filter(scoped("organization__place__path")).values("person_id"))
        | Q(id__in=Appointment.objects.filter(scoped("place__path")).values("person_id"))
        | Q(id__in=Appointment.objects.filter(scoped("grid__community__path")).values("person_id"))
        | Q(id__in=PartyCheckIn.objects.filter(scoped("estate__path")).values("person_id"))
    )
    return Person.objects.filter(linked).filter(anonymized_at__isnull=True)


def _places(q: Q):
    from gongzhi.places.models import Place

    return Place.objects.filter(q)


def people_list(user, *, search: str = ""):
    persons = persons_visible(user).order_by("name", "id")
    search = (search or "").strip()
    if search:
        persons = persons.filter(
            Q(name__contains=search) | Q(phone__endswith=search) if search.isdigit() else Q(name__contains=search)
        )
    return persons.prefetch_related(
        Prefetch(
            "ownerships",
            queryset=Ownership.objects.filter(ends_on__isnull=True).select_related("flat__building", "flat__estate"),
            to_attr="current_ownerships",
        )
    )


def person_detail(person: Person):
    appointments = person.appointments.select_related("organization__place", "place", "grid").order_by(
        "ends_on", "-starts_on"
    )
    ownerships = person.ownerships.select_related("flat__building", "flat__estate").order_by("ends_on", "id")
    check_ins = person.party_check_ins.select_related("estate").order_by("-checked_in_on")
    residences = person.residences.select_related("flat__building", "flat__estate")
    return {
        "appointments": list(appointments),
        "ownerships": list(ownerships),
        "check_ins": list(check_ins),
        "residences": list(residences),
    }


def home_estates(person: Person):
    """The estates where the person owns or lives in a flat now (where they may check in)."""
    from gongzhi.places.models import Place

    current = Q(ends_on__isnull=True)
    flat_estates = Ownership.objects.filter(current, person=person).values("flat__estate_id")
    lived = Residence.objects.filter(current, person=person).values("flat__estate_id")
    return Place.objects.filter(Q(id__in=flat_estates) | Q(id__in=lived)).order_by("path")


def appointment_place(appointment: Appointment):
    """The place whose staff may change this appointment."""
    if appointment.organization_id:
        return appointment.organization.place
    if appointment.grid_id:
        return appointment.grid.community
    return appointment.place
