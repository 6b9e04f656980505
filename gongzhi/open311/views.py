"""Open311 GeoReport v2 endpoints, and the pages where staff issue partner API keys and users
issue app tokens for their phones."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability
from gongzhi.core.errors import DomainError
from gongzhi.core.ratelimit import RateLimited, check_rate
from gongzhi.open311 import georeport, services
from gongzhi.open311.models import ApiKey, AppToken
from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.places.models import Place, PlaceKind

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def _respond(fmt: str, root: str, value, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = georeport.to_xml(root, value)
    else:
        body = json.dumps(value, ensure_ascii=False).encode()
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    # Reads are public; let other sites' pages call them from the browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    return _respond(fmt, "errors", [{"code": code, "description": description}], status=code)


def _endpoint(view):
    """Turn ``Open311Error`` into the spec's error list, in the requested format."""

    def wrapped(request, *args, fmt: str, **kwargs):
        if request.method not in ("GET", "POST", "HEAD"):
            return _error(fmt, 405, _("不支持的请求方法"))
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except georeport.Open311Error as error:
            return _error(fmt, error.code, error.description)
        except RateLimited as error:
            response = _error(fmt, 429, error.message)
            response["Retry-After"] = str(error.retry_after)
            return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return csrf_exempt(wrapped)


def _api_key(request, *, required: bool):
    secret = (request.POST.get("api_key") if request.method == "POST" else None) or request.GET.get("api_key", "")
    key = services.api_key_for_secret(secret.strip()) if secret else None
    if required and key is None:
        raise georeport.Open311Error(403, _("API 密钥无效或已吊销"))
    return key


@_endpoint
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0] + "/"
    return _respond(fmt, "discovery", georeport.discovery(base))


@_endpoint
def service_list(request, fmt):
    return _respond(fmt, "services", georeport.service_list())


@_endpoint
def service_definition(request, code, fmt):
    return _respond(fmt, "service_definition", georeport.service_definition(code))


@_endpoint
def requests(request, fmt):
    if request.method == "POST":
        key = _api_key(request, required=True)
        check_rate(request, "open311_post", key=lambda r: f"key:{key.pk}")
        return _respond(fmt, "service_requests", georeport.request_create(request.POST, key), status=201)
    return _respond(fmt, "service_requests", georeport.request_list(request.GET, _api_key(request, required=False)))


@_endpoint
def request_detail(request, request_id, fmt):
    return _respond(fmt, "service_requests", georeport.request_detail(request_id, _api_key(request, required=False)))


@_endpoint
def token(request, token_id, fmt):
    return _respond(fmt, "service_requests", georeport.token_lookup(token_id))


# --- pages: partner API keys (staff) ---------------------------------------------------------------


def _manageable_places(user):
    return Place.objects.filter(
        access.scope_q(user, Capability.MANAGE_ORGS, "path"),
        kind__in=(PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.ESTATE),
    ).order_by("path")


@login_required
def keys(request):
    if not access.can(request.user, Capability.MANAGE_ORGS):
        raise PermissionDenied
    places = list(_manageable_places(request.user))
    issued_secret = None
    form = {"name": "", "place": "", "organization": ""}
    if request.method == "POST":
        form = {key: request.POST.get(key, "").strip() for key in form}
        place = next((p for p in places if str(p.pk) == form["place"]), None)
        organization = None
        if form["organization"].isdigit():
            # Only a partner unit or department the user manages may hold the key.
            organization = Organization.objects.filter(
                access.scope_q(request.user, Capability.MANAGE_ORGS, "place__path"),
                kind__in=(OrgKind.PARTNER_UNIT, OrgKind.DEPARTMENT),
                pk=int(form["organization"]),
            ).first()
        try:
            if form["organization"] and organization is None:
                raise DomainError(_("合作单位无效"))
            key, issued_secret = services.api_key_issue(
                acting_user=request.user, name=form["name"], place=place, organization=organization
            )
            messages.success(
                request, _("已签发密钥“%(name)s”，请立即复制，离开本页后无法再次查看。") % {"name": key.name}
            )
            form = {"name": "", "place": "", "organization": ""}
        except DomainError as error:
            messages.error(request, error.message)
    scope = access.scope_q(request.user, Capability.MANAGE_ORGS, "place__path")
    estates = Place.objects.filter(
        access.scope_q(request.user, Capability.MANAGE_ORGS, "path"), kind=PlaceKind.ESTATE
    ).order_by("path")
    return render(
        request,
        "open311/keys.html",
        {
            "keys": ApiKey.objects.filter(scope).select_related("place", "organization", "created_by__person"),
            "places": places,
            "organizations": Organization.objects.filter(
                scope, kind__in=(OrgKind.PARTNER_UNIT, OrgKind.DEPARTMENT)
            ).order_by("name"),
            "issued_secret": issued_secret,
            "form": form,
            "estates": estates[:500],
            "endpoint": request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "json"})).rsplit("/", 1)[
                0
            ]
            + "/",
        },
        status=400 if request.method == "POST" and issued_secret is None else 200,
    )


@login_required
@require_POST
def key_revoke(request, key_id: int):
    key = get_object_or_404(
        ApiKey.objects.filter(access.scope_q(request.user, Capability.MANAGE_ORGS, "place__path")), pk=key_id
    )
    try:
        services.api_key_revoke(acting_user=request.user, key=key)
        messages.success(request, _("已吊销密钥“%(name)s”") % {"name": key.name})
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("open311:keys")


# --- pages: app tokens (everyone signed in) -----------------------------------------------------


@login_required
def app_tokens(request):
    issued_secret = None
    status = 200
    if request.method == "POST":
        try:
            _token, issued_secret = services.app_token_issue(
                acting_user=request.user, name=request.POST.get("name", "")
            )
            messages.success(request, _("已创建令牌，请立即复制到手机应用中，离开本页后无法再次查看。"))
        except DomainError as error:
            messages.error(request, error.message)
            status = 400
    return render(
        request,
        "open311/app_tokens.html",
        {"tokens": AppToken.objects.filter(user=request.user), "issued_secret": issued_secret},
        status=status,
    )


@login_required
@require_POST
def app_token_revoke(request, token_id: int):
    try:
        services.app_token_revoke(acting_user=request.user, token_id=token_id)
        messages.success(request, _("令牌已吊销"))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("open311:app-tokens")
