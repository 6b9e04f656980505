"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) on top of the case ledger.

Mapping:
- a *service* is a case ``Category`` (``service_code`` = its code);
- a *service request* is a ``Case``; ``service_request_id`` is the case number (GZyyyymmdd-nnnn);
- ``address_id`` is the id of the estate (or of a building in it) the problem is in: the estates a
  key may file for, with their ids, are listed on the key page;
- ``status`` is ``open`` while the case is received, dispatched or signed, ``closed`` after.

Reads are public, as the spec intends, and carry no personal data (no description, contact or
position) unless the request shows the API key that filed the case. Filing needs an API key
issued by staff; the case enters the ledger through the same ``case_create`` service as a
resident's report, on the channel ``api``."""

import datetime
import xml.etree.ElementTree as ET

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gongzhi.cases import services as case_services
from gongzhi.cases.models import OPEN_STATES, Case, CaseState, Category, Channel
from gongzhi.core.errors import DomainError
from gongzhi.open311.models import PartnerRequest
from gongzhi.places.models import Place, PlaceKind

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The spec's defaults for GET requests without dates: the last 90 days, at most 1000 requests.
DEFAULT_WINDOW = datetime.timedelta(days=90)
MAX_RESULTS = 1000
CHANGESET = "2026-11-22T00:00:00+08:00"


class Open311Error(Exception):
    """An error in the spec's format: a list of ``{code, description}``."""

    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


def iso(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


# --- services ------------------------------------------------------------------------------------


def service_list() -> list[dict]:
    return [
        {
            "service_code": category.code,
            "service_name": category.name,
            "description": category.description or category.name,
            "metadata": False,
            "type": "realtime",
            "keywords": category.code.replace("_", ","),
            "group": category.get_default_org_kind_display() if category.default_org_kind else "",
        }
        for category in Category.objects.filter(is_active=True).order_by("order", "name")
    ]


def service_definition(code: str) -> dict:
    if not Category.objects.filter(code=code, is_active=True).exists():
        raise Open311Error(404, _("服务类别不存在：%(code)s") % {"code": code})
    # Every category takes the spec's core fields only; no extra attributes.
    return {"service_code": code, "attributes": []}


# --- requests ------------------------------------------------------------------------------------


def _status(case: Case) -> str:
    return "open" if case.state in OPEN_STATES else "closed"


def request_dict(case: Case, *, full: bool) -> dict:
    place = case.estate.name + (f" {case.building.name}" if case.building_id else "")
    data = {
        "service_request_id": case.number,
        "status": _status(case),
        "status_notes": str(CaseState(case.state).label),
        "service_name": case.category.name if case.category_id else "",
        "service_code": case.category.code if case.category_id else "",
        "description": "",
        "agency_responsible": case.responsible.name if case.responsible_id else "",
        "service_notice": "",
        "requested_datetime": iso(case.created_at),
        "updated_datetime": iso(case.updated_at),
        "expected_datetime": iso(case.deadline),
        "address": place,
        "address_id": str(case.estate_id),
        "zipcode": "",
        "media_url": "",
    }
    if full:
        data["description"] = case.description
        if case.address:
            data["address"] = f"{place} {case.address}"
        if case.latitude is not None:
            data["lat"] = float(case.latitude)
            data["long"] = float(case.longitude)
    return data


def _cases():
    return Case.objects.select_related("estate", "building", "category", "responsible")


def _own_case_ids(api_key, cases: list[Case]) -> set[int]:
    if api_key is None or not cases:
        return set()
    return set(
        PartnerRequest.objects.filter(api_key=api_key, case_id__in=[c.pk for c in cases]).values_list(
            "case_id", flat=True
        )
    )


def _parse_date(value: str, name: str) -> datetime.datetime:
    parsed = parse_datetime(value.strip().replace(" ", "+")) if value else None
    if parsed is None:
        raise Open311Error(400, _("%(name)s 不是有效的 ISO 8601 时间") % {"name": name})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def request_list(params, api_key=None) -> list[dict]:
    """GET requests with the spec's filters. ``service_request_id`` (comma-separated) overrides
    all others; otherwise ``service_code`` (comma-separated), ``start_date``, ``end_date``,
    ``status`` (open/closed); without dates, the last 90 days; at most 1000, newest first."""
    ids = [v.strip() for v in params.get("service_request_id", "").split(",") if v.strip()]
    cases = _cases()
    if ids:
        cases = cases.filter(number__in=ids[:MAX_RESULTS])
    else:
        codes = [v.strip() for v in params.get("service_code", "").split(",") if v.strip()]
        if codes:
            cases = cases.filter(category__code__in=codes)
        start = _parse_date(params["start_date"], "start_date") if params.get("start_date") else None
        end = _parse_date(params["end_date"], "end_date") if params.get("end_date") else None
        if start and end and start > end:
            raise Open311Error(400, _("start_date 不能晚于 end_date"))
        if start is None and end is None:
            start = timezone.now() - DEFAULT_WINDOW
        if start:
            cases = cases.filter(created_at__gte=start)
        if end:
            cases = cases.filter(created_at__lte=end)
        statuses = {v.strip() for v in params.get("status", "").split(",") if v.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status 只能是 open 或 closed"))
        if statuses == {"open"}:
            cases = cases.filter(state__in=OPEN_STATES)
        elif statuses == {"closed"}:
            cases = cases.exclude(state__in=OPEN_STATES)
    window = list(cases.order_by("-created_at", "-id")[:MAX_RESULTS])
    own = _own_case_ids(api_key, window)
    return [request_dict(case, full=case.pk in own) for case in window]


def request_detail(number: str, api_key=None) -> list[dict]:
    case = _cases().filter(number=number).first()
    if case is None:
        raise Open311Error(404, _("服务请求不存在：%(id)s") % {"id": number})
    return [request_dict(case, full=bool(_own_case_ids(api_key, [case])))]


def token_lookup(token: str) -> list[dict]:
    import uuid

    try:
        value = uuid.UUID(token)
    except ValueError:
        raise Open311Error(404, _("令牌不存在：%(token)s") % {"token": token}) from None
    row = PartnerRequest.objects.select_related("case").filter(token=value).first()
    if row is None:
        raise Open311Error(404, _("令牌不存在：%(token)s") % {"token": token})
    return [{"service_request_id": row.case.number, "token": str(row.token)}]


def _place_for(address_id: str, api_key) -> tuple[Place, Place | None]:
    if not address_id or not address_id.strip().isdigit():
        raise Open311Error(400, _("请提供 address_id（小区或楼栋编号）"))
    place = Place.objects.filter(pk=int(address_id), kind__in=(PlaceKind.ESTATE, PlaceKind.BUILDING)).first()
    if place is None or not place.path.startswith(api_key.place.path):
        raise Open311Error(400, _("address_id 不是本密钥可以提交的小区或楼栋：%(id)s") % {"id": address_id})
    if place.kind == PlaceKind.BUILDING:
        return Place.objects.get(pk=place.parent_id), place
    return place, None


def request_create(params, api_key) -> list[dict]:
    """POST requests: file one case for a partner. Runs in one transaction with the case."""
    from django.db import transaction

    code = params.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("请提供 service_code"))
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(404, _("服务类别不存在：%(code)s") % {"code": code})
    estate, building = _place_for(params.get("address_id", ""), api_key)
    latitude, longitude = params.get("lat", "").strip(), params.get("long", "").strip()
    try:
        latitude = round(float(latitude), 6) if latitude else None
        longitude = round(float(longitude), 6) if longitude else None
    except ValueError:
        raise Open311Error(400, _("lat/long 必须是数字")) from None
    name = " ".join(v.strip() for v in (params.get("last_name", ""), params.get("first_name", "")) if v.strip())
    try:
        with transaction.atomic():
            case = case_services.case_create(
                estate=estate,
                building=building,
                category=category,
                description=params.get("description", ""),
                channel=Channel.API,
                acting_user=None,
                latitude=latitude,
                longitude=longitude,
                address=params.get("address_string", ""),
                contact_name=name,
                contact_phone=params.get("phone", ""),
                source_kind="open311",
                source_id=api_key.pk,
            )
            row = PartnerRequest.objects.create(
                case=case,
                api_key=api_key,
                account_id=params.get("account_id", "")[:100],
                email=params.get("email", "")[:254] if "@" in params.get("email", "") else "",
                device_id=params.get("device_id", "")[:100],
            )
    except DomainError as error:
        raise Open311Error(error.status if error.status in (400, 403, 404, 409) else 400, error.message) from None
    return [
        {
            "service_request_id": case.number,
            "token": str(row.token),
            "service_notice": _("已受理，编号 %(number)s") % {"number": case.number},
            "account_id": row.account_id,
        }
    ]


def discovery(base_url: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": _("请联系街道诉求办理中心"),
        "key_service": _("向街道工作人员申请接口密钥"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


# --- XML -----------------------------------------------------------------------------------------

# The element name of each item of a list, by the name of the list.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        child = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, child), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def to_xml(root: str, value) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")
