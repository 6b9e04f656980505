"""The one place that decides what a user may see and do.

A user's *grants* are computed from their current appointments (post → capabilities, at a scope of
places) and from the flats they own or live in (resident and owner capabilities at their estate).
``can`` answers "may this user do X at this place?"; ``scope_q`` turns the same grants into a
queryset filter so that lists show exactly what the user may see. Grants are cached on the user
object for the request.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from gongzhi.accounts.posts import ALL_CAPABILITIES, POSTS, Capability


@dataclass(frozen=True)
class Grant:
    capabilities: frozenset[str]
    paths: tuple[str, ...]  # materialized paths of the places the grant covers (with all below)
    post: str = ""
    organization_id: int | None = None
    appointment_id: int | None = None


def today():
    return timezone.localdate()


def _appointment_paths(appointment, on) -> tuple[str, ...]:
    from gongzhi.orgs.models import OrgKind, ServiceContract

    org = appointment.organization
    if appointment.grid_id:
        return tuple(appointment.grid.buildings.values_list("path", flat=True))
    if org is None:
        return (appointment.place.path,) if appointment.place_id else ()
    if org.kind == OrgKind.PROPERTY_COMPANY:
        contracts = ServiceContract.objects.filter(company=org, starts_on__lte=on).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        )
        return tuple(contracts.values_list("estate__path", flat=True))
    if org.kind == OrgKind.PARTY_BRANCH:
        covered = tuple(org.covered_places.values_list("path", flat=True))
        if covered:
            return covered
    if org.kind == OrgKind.DEPARTMENT or org.kind == OrgKind.PARTNER_UNIT:
        # A department or partner unit registered at a subdistrict works cases across it.
        return (org.place.path,)
    if appointment.place_id:
        return (appointment.place.path,)
    return (org.place.path,)


def compute_grants(user, on=None) -> list[Grant]:
    from gongzhi.accounts.models import Appointment, Ownership, Residence

    if not getattr(user, "is_authenticated", False):
        return []
    on = on or today()
    if user.is_superuser:
        return [Grant(capabilities=ALL_CAPABILITIES | {Capability.RESIDENT}, paths=("/",), post="superuser")]
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    if person is None:
        return []
    grants: list[Grant] = []
    appointments = (
        Appointment.objects.current(on).filter(person=person).select_related("organization__place", "place", "grid")
    )
    for appointment in appointments:
        rule = POSTS.get(appointment.post)
        if rule is None:
            continue
        if appointment.organization and not appointment.organization.is_current(on):
            continue
        paths = _appointment_paths(appointment, on)
        if paths:
            grants.append(
                Grant(
                    capabilities=rule.capabilities,
                    paths=paths,
                    post=appointment.post,
                    organization_id=appointment.organization_id,
                    appointment_id=appointment.id,
                )
            )
    current = Q(ends_on__isnull=True) | Q(ends_on__gt=on)
    owned = set(Ownership.objects.filter(current, person=person).values_list("flat__estate__path", flat=True))
    lived = set(Residence.objects.filter(current, person=person).values_list("flat__estate__path", flat=True))
    if owned:
        grants.append(
            Grant(capabilities=frozenset({Capability.RESIDENT, Capability.OWNER}), paths=tuple(sorted(owned)))
        )
    if lived - owned:
        grants.append(Grant(capabilities=frozenset({Capability.RESIDENT}), paths=tuple(sorted(lived - owned))))
    return grants


def grants(user) -> list[Grant]:
    cached = getattr(user, "_gongzhi_grants", None)
    if cached is None:
        cached = compute_grants(user)
        if getattr(user, "is_authenticated", False):
            user._gongzhi_grants = cached
    return cached


def forget_grants(user) -> None:
    if hasattr(user, "_gongzhi_grants"):
        del user._gongzhi_grants


def place_path_of(obj) -> str | None:
    """The materialized path of the place an object hangs on."""
    from gongzhi.places.models import Flat, Place

    if obj is None:
        return None
    if isinstance(obj, Place):
        return obj.path
    if isinstance(obj, Flat):
        return obj.building.path
    if isinstance(obj, str):
        return obj
    place = getattr(obj, "permission_place", None) or getattr(obj, "place", None)
    if place is not None:
        return place.path
    estate = getattr(obj, "estate", None)
    if estate is not None:
        return estate.path
    return None


def can(user, capability: str, obj=None) -> bool:
    """May ``user`` use ``capability`` at the place of ``obj`` (or anywhere, if ``obj`` is None)?"""
    path = place_path_of(obj) if obj is not None else None
    for grant in grants(user):
        if capability not in grant.capabilities:
            continue
        if path is None and obj is None:
            return True
        if path is not None and any(path.startswith(p) for p in grant.paths):
            return True
    return False


def paths_with(user, capability: str) -> list[str]:
    paths: set[str] = set()
    for grant in grants(user):
        if capability in grant.capabilities:
            paths.update(grant.paths)
    # Drop paths already covered by a shorter one.
    ordered = sorted(paths, key=len)
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def scope_q(user, capability: str, path_field: str = "path") -> Q:
    """A filter for records whose place (reached through ``path_field``) the user may reach with
    ``capability``. Matches nothing when the user has no such grant."""
    paths = paths_with(user, capability)
    if not paths:
        return Q(pk__in=[])
    if "/" in paths:
        return Q()
    query = Q()
    for path in paths:
        query |= Q(**{f"{path_field}__startswith": path})
    return query


def organization_ids(user, capability: str | None = None) -> set[int]:
    """Organizations the user acts for through a current post (with ``capability``, if given)."""
    return {
        g.organization_id
        for g in grants(user)
        if g.organization_id and (capability is None or capability in g.capabilities)
    }


def posts_of(user) -> set[str]:
    return {g.post for g in grants(user) if g.post}
