from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from gongzhi.accounts import access
from gongzhi.orgs.models import Organization


@login_required
def organization_list(request):
    if not access.can(request.user, "view_internal"):
        raise PermissionDenied
    organizations = Organization.objects.filter(access.scope_q(request.user, "view_internal", "place__path"))
    return render(request, "orgs/list.html", {"organizations": organizations.select_related("place")})
