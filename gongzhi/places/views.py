from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from gongzhi.accounts import access
from gongzhi.places import selectors
from gongzhi.places.models import Place, PlaceKind


def get_place_for_user(user, place_id: int, *, perm: str = "places.view_place") -> Place:
    """404 for places the user may not see at all, 403 for those seen but not allowed ``perm``."""
    place = get_object_or_404(Place, pk=place_id)
    if not user.has_perm("places.view_place", place):
        from django.http import Http404

        raise Http404
    if not user.has_perm(perm, place):
        raise PermissionDenied
    return place


@login_required
def tree(request):
    if not access.can(request.user, "view_internal"):
        raise PermissionDenied
    places = selectors.places_visible(request.user).exclude(kind=PlaceKind.BUILDING)
    return render(request, "places/tree.html", {"places": places})


@login_required
def estate(request, place_id: int):
    place = get_place_for_user(request.user, place_id)
    return render(request, "places/estate.html", {"estate": place})
