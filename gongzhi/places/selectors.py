from django.db.models import Count, Prefetch, Sum

from gongzhi.accounts import access
from gongzhi.places.models import Flat, Grid, Place, PlaceKind


def places_visible(user, *, kind: str | None = None):
    """Places the user may see as staff, or as a resident (their own estate)."""
    q = access.scope_q(user, "view_internal") | access.scope_q(user, "resident")
    qs = Place.objects.filter(q).filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def estates_visible(user):
    return places_visible(user, kind=PlaceKind.ESTATE)


def places_for_staff(user, capability: str = "view_internal", *, kind: str | None = None):
    """Places in the user's staff scope for ``capability`` (with everything under them)."""
    qs = Place.objects.filter(access.scope_q(user, capability))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def tree_for(user):
    """Every place above the buildings that the user sees as staff, in tree order, with the
    number of buildings and flats of each estate. The depth is relative to the user's top."""
    places = list(
        places_for_staff(user).exclude(kind=PlaceKind.BUILDING).annotate(child_count=Count("children")).order_by("path")
    )
    flat_counts = dict(
        Flat.objects.filter(estate__in=[p for p in places if p.kind == PlaceKind.ESTATE], is_active=True)
        .values_list("estate_id")
        .annotate(n=Count("id"))
    )
    top = min((p.depth for p in places), default=0)
    for place in places:
        place.relative_depth = min(place.depth - top, 5)
        place.flat_count = flat_counts.get(place.id, 0)
    return places


def children_of(place: Place):
    qs = Place.objects.filter(parent=place).order_by("name")
    if place.kind == PlaceKind.ESTATE:
        qs = qs.annotate(flat_count=Count("flats"), area_total=Sum("flats__area_m2"))
    elif place.kind == PlaceKind.COMMUNITY:
        qs = qs.annotate(flat_count=Count("estate_flats"))
    return qs


def flats_of_building(building: Place):
    from gongzhi.accounts.models import Ownership

    current = Ownership.objects.filter(ends_on__isnull=True).select_related("person").order_by("id")
    return (
        Flat.objects.filter(building=building)
        .prefetch_related(Prefetch("ownerships", queryset=current, to_attr="current_ownerships"))
        .order_by("number")
    )


def grids_of_community(community: Place):
    return (
        Grid.objects.filter(community=community)
        .prefetch_related(Prefetch("buildings", queryset=Place.objects.select_related("parent").order_by("path")))
        .order_by("name")
    )


def buildings_in(place: Place):
    return Place.objects.filter(kind=PlaceKind.BUILDING, path__startswith=place.path).select_related("parent")


def estate_facts(estate: Place) -> dict:
    totals = Flat.objects.filter(estate=estate, is_active=True).aggregate(flats=Count("id"), area=Sum("area_m2"))
    return {
        "buildings": Place.objects.filter(parent=estate, kind=PlaceKind.BUILDING).count(),
        "flats": totals["flats"] or 0,
        "area": totals["area"] or 0,
        "community": estate.parent,
    }


def flats_for_export(user, *, within: Place | None = None):
    """Flats the user may export, with community, estate, building and current owners loaded
    in a fixed number of queries."""
    from gongzhi.accounts.models import Ownership

    current = Ownership.objects.filter(ends_on__isnull=True).select_related("person").order_by("id")
    qs = Flat.objects.filter(access.scope_q(user, "export_data", "estate__path"))
    if within is not None:
        qs = (
            qs.filter(estate__path__startswith=within.path)
            if within.kind != PlaceKind.BUILDING
            else qs.filter(building=within)
        )
    return (
        qs.select_related("building", "estate__parent")
        .prefetch_related(Prefetch("ownerships", queryset=current, to_attr="current_ownerships"))
        .order_by("estate__path", "building__name", "number")
    )
