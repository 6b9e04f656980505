"""The JSON API under /api/v1/. Each app contributes a router from its ``api.py``; every endpoint
calls the same services and selectors as the pages, under the same permissions."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import django_auth

from gongzhi.core.errors import DomainError

api = NinjaAPI(
    title="Gongzhi 共治 API",
    version="1",
    urls_namespace="api",
    auth=[django_auth],
    description="小区治理：地区与房屋、组织与职务、诉求台账、议事、测评、表决与资金。",
)


@api.exception_handler(DomainError)
def domain_error(request, error: DomainError):
    return api.create_response(request, {"detail": error.message, "errors": error.errors}, status=error.status)


@api.exception_handler(OverflowError)
def number_out_of_range(request, error):
    # A number beyond what the database stores (e.g. ?estate=-2104750527380668809216) matches
    # nothing that exists; say so instead of failing.
    return api.create_response(request, {"detail": _("参数中的数字超出范围"), "errors": []}, status=400)


@api.exception_handler(AuthenticationError)
def not_signed_in(request, error):
    return api.create_response(request, {"detail": _("请先登录")}, status=401)


# Each app's router is mounted at /api/v1/<app>/ (e.g. /api/v1/cases/).
APPS_WITH_API = (
    "places",
    "orgs",
    "accounts",
    "indicators",
    "cases",
    "notifications",
    "meetings",
    "oversight",
    "elections",
    "funds",
    "volunteers",
)


def _add_routers() -> None:
    from importlib import import_module

    for app in APPS_WITH_API:
        try:
            module = import_module(f"gongzhi.{app}.api")
        except ModuleNotFoundError as error:
            if error.name != f"gongzhi.{app}.api":
                raise
            continue
        api.add_router(f"/{app}/", module.router)


_add_routers()
