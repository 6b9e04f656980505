from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from gongzhi.accounts import access
from gongzhi.places.models import Place, PlaceKind


def home(request):
    estates = []
    if request.user.is_authenticated:
        resident_paths = access.paths_with(request.user, "resident")
        if resident_paths and "/" not in resident_paths:
            estates = list(Place.objects.filter(kind=PlaceKind.ESTATE, path__in=resident_paths))
    return render(
        request,
        "core/home.html",
        {"my_estates": estates, "is_staff_user": access.can(request.user, "view_internal")},
    )


@never_cache
def health(request):
    """For load balancers and monitoring: answers 200 only if the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": str(error.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
