from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from gongzhi.accounts import access
from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
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
    """For load balancers and monitoring: answers 200 only if the database answers. One trivial
    query, no session, no template, so it stays cheap when polled every few seconds."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": str(error.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# --- Audit log (core.read_audit) ----------------------------------------------------------------

AUDIT_PAGE_SIZE = 50


def _audit_filtered(request):
    from gongzhi.core.selectors import audit_entries

    filters = {key: request.GET.get(key, "").strip() for key in ("action", "actor", "target", "since", "until")}
    return audit_entries(**filters), filters


def audit_log(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("core.read_audit"):
        raise PermissionDenied
    try:
        entries, filters = _audit_filtered(request)
        page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
        error = ""
    except DomainError as failure:
        entries, filters, page, error = None, {}, None, failure.message
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "filters": filters, "error": error, "query": query.urlencode()},
    )


def audit_export(request):
    from gongzhi.core.selectors import audit_workbook

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.has_perm("core.read_audit") and request.user.has_perm("core.export_data")):
        raise PermissionDenied
    try:
        entries, filters = _audit_filtered(request)
    except DomainError as failure:
        return HttpResponseBadRequest(failure.message)
    content = audit_workbook(entries)
    audit_record(
        acting_user=request.user,
        action="audit.export",
        target=_("审计记录"),
        detail={"filters": {k: v for k, v in filters.items() if v}},
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


def admin_login(request):
    from django.shortcuts import redirect
    from django.urls import reverse
    from django.utils.http import urlencode

    return redirect(f"{reverse('login')}?{urlencode({'next': request.GET.get('next', '/admin/')})}")
