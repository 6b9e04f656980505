from gongzhi.accounts import access
from gongzhi.places.models import Place, PlaceKind


def places_visible(user, *, kind: str | None = None):
    """Places the user may see as staff, or as a resident (their own estate)."""
    q = access.scope_q(user, "view_internal") | access.scope_q(user, "resident")
    qs = Place.objects.filter(q).filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def estates_visible(user):
    return places_visible(user, kind=PlaceKind.ESTATE)
