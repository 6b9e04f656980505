"""The JSON API under /api/v1/. Each app contributes a router from its ``api.py``; every endpoint
calls the same services and selectors as the pages, under the same permissions."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
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


SCHEMA_MESSAGES = {
    "missing": _lazy("必填"),
    "int_parsing": _lazy("应为整数"),
    "int_type": _lazy("应为整数"),
    "int_from_float": _lazy("应为整数"),
    "float_parsing": _lazy("应为数字"),
    "float_type": _lazy("应为数字"),
    "bool_parsing": _lazy("应为 true 或 false"),
    "bool_type": _lazy("应为 true 或 false"),
    "string_type": _lazy("应为文字"),
    "date_parsing": _lazy("日期格式应为 YYYY-MM-DD"),
    "date_from_datetime_parsing": _lazy("日期格式应为 YYYY-MM-DD"),
    "datetime_parsing": _lazy("时间格式应为 ISO 8601（如 2026-11-22T09:30:00+08:00）"),
    "datetime_from_date_parsing": _lazy("时间格式应为 ISO 8601（如 2026-11-22T09:30:00+08:00）"),
    "json_invalid": _lazy("不是有效的 JSON"),
    "list_type": _lazy("应为列表"),
    "dict_type": _lazy("应为对象"),
    "model_attributes_type": _lazy("应为对象"),
}


@api.exception_handler(SchemaError)
def request_not_understood(request, error: SchemaError):
    """A body or query the operation's schema refuses: 422, with a message in the user's language
    and one line per field (``errors``), in the shape of every other refusal."""
    lines = []
    for problem in error.errors:
        location = [str(part) for part in problem.get("loc", ())]
        # ("body", "payload", "estate") → "estate"; a whole body that is not JSON has no field.
        field = ".".join(location[2:] or location[1:])
        message = str(SCHEMA_MESSAGES.get(problem.get("type", ""), _("格式不正确")))
        lines.append(f"{field}：{message}" if field else message)
    detail = _("请求内容不正确：%(problems)s") % {"problems": "；".join(lines)}
    return api.create_response(request, {"detail": detail, "errors": lines}, status=422)


@api.exception_handler(HttpError)
def request_refused(request, error: HttpError):
    """The framework's own refusals (a body that cannot be parsed, too many requests) in the user's
    language and the usual shape."""
    messages = {400: _("请求内容无法解析：请发送有效的 JSON 或表单"), 429: _("请求太频繁，请稍后再试")}
    detail = messages.get(error.status_code, str(error))
    return api.create_response(request, {"detail": detail, "errors": []}, status=error.status_code)


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
