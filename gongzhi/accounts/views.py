from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render

from gongzhi.accounts import access
from gongzhi.accounts.models import Person


@login_required
def people(request):
    if not access.can(request.user, "manage_people"):
        raise PermissionDenied
    scope = access.scope_q(request.user, "manage_people", "ownerships__flat__building__path") | access.scope_q(
        request.user, "manage_people", "appointments__organization__place__path"
    )
    persons = Person.objects.filter(Q(scope)).distinct().order_by("name")[:200]
    return render(request, "accounts/people.html", {"persons": persons})
