from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from gongzhi.accounts import access
from gongzhi.indicators.registry import indicators


@login_required
def dashboard(request):
    if not access.can(request.user, "view_dashboard"):
        raise PermissionDenied
    return render(request, "indicators/dashboard.html", {"indicators": indicators()})
