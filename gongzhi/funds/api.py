"""Money and micro-wishes over JSON (``/api/v1/funds/``): a fund's public balance and flows, the
wishes waiting for a donor, posting and claiming a wish — the same services and permissions as the
pages. Amounts are strings of yuan with two decimal places, never floats. The fund ledger and an
estate's public revenue also come as spreadsheets (``…/export.xlsx``), scoped like the pages. Sign in
with the browser session (with the CSRF token) or ``Authorization: Bearer <app token>``."""

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from gongzhi.core.errors import DomainError
from gongzhi.funds import exports, selectors, services
from gongzhi.funds.models import ContributionSource, Fund, MicroWish
from gongzhi.open311.auth import API_AUTH
from gongzhi.orgs.models import Organization
from gongzhi.places.models import Place, PlaceKind

router = Router(auth=API_AUTH, tags=["funds"])

XLSX_RESPONSE = {
    200: {
        "description": "Excel 工作簿（.xlsx）",
        "content": {exports.XLSX: {"schema": {"type": "string", "format": "binary"}}},
    }
}


class Error(Schema):
    detail: str
    errors: list[str] = []


ERRORS = {400: Error, 403: Error, 404: Error, 409: Error}


class FundOut(Schema):
    id: int
    name: str
    place: str
    balance: str


class SourceOut(Schema):
    source: str
    amount: str


class EntryOut(Schema):
    id: int
    kind: str
    on_date: datetime.date
    amount: str
    source: str
    counterparty: str
    purpose: str
    estate_id: int | None
    co_funding: str
    evidence: str
    reverses_id: int | None


class FundDetail(Schema):
    id: int
    name: str
    place: str
    balance: str
    raised: str
    granted: str
    co_funding: str
    leverage: str | None
    by_source: list[SourceOut]
    entries: list[EntryOut]


class WishOut(Schema):
    id: int
    estate_id: int
    estate: str
    title: str
    description: str
    status: str
    donor: str


class WishIn(Schema):
    estate_id: int
    title: str
    description: str = ""


class ClaimIn(Schema):
    donor_kind: str = "resident"
    unit_id: int | None = None


def _wish_out(w: MicroWish) -> WishOut:
    return WishOut(
        id=w.id,
        estate_id=w.estate_id,
        estate=w.estate.name,
        title=w.title,
        description=w.description,
        status=w.status,
        donor=w.donor_name,
    )


@router.get("/wishes", response=list[WishOut], summary="Micro-wishes waiting for a donor that the user may claim")
def wishes(request):
    return [_wish_out(w) for w in selectors.wishes_open(request.user)]


@router.post("/wishes", response={201: WishOut, **ERRORS}, summary="A resident posts a micro-wish")
def wish_post(request, payload: WishIn):
    estate = Place.objects.filter(pk=payload.estate_id, kind=PlaceKind.ESTATE).first()
    if estate is None:
        raise Http404
    wish = services.micro_wish_post(
        estate=estate, title=payload.title, description=payload.description, acting_user=request.user
    )
    return Status(201, _wish_out(wish))


@router.post(
    "/wishes/{wish_id}/claim", response={200: WishOut, **ERRORS}, summary="A donor claims an approved micro-wish"
)
def wish_claim(request, wish_id: int, payload: ClaimIn):
    wish = get_object_or_404(MicroWish.objects.select_related("estate"), pk=wish_id)
    if not request.user.has_perm("funds.view_wish", wish):
        raise Http404
    unit = Organization.objects.filter(pk=payload.unit_id).first() if payload.unit_id else None
    wish = services.micro_wish_claim(
        wish=wish, donor_kind=payload.donor_kind, donor_unit=unit, acting_user=request.user
    )
    return _wish_out(wish)


@router.get("/", response=list[FundOut], summary="Funds of the user's subdistrict, with balances")
def funds(request):
    return [
        FundOut(id=f.id, name=f.name, place=f.place.name, balance=str(f.balance))
        for f in selectors.funds_for(request.user)
    ]


def _fund(request, fund_id: int) -> Fund:
    found = get_object_or_404(Fund.objects.select_related("place"), pk=fund_id)
    if not request.user.has_perm("funds.view_fund", found):
        raise Http404
    return found


@router.get(
    "/revenue/{int:estate_id}/export.xlsx",
    response={404: Error},
    openapi_extra={"responses": XLSX_RESPONSE},
    summary="An estate's public revenue as .xlsx: published quarters; every entry for the estate's staff",
)
def revenue_export(request, estate_id: int):
    from gongzhi.funds.views import revenue_export_response

    estate = Place.objects.filter(pk=estate_id, kind=PlaceKind.ESTATE).first() if estate_id < 2**63 else None
    if estate is None or not request.user.has_perm("funds.view_published_revenue", estate):
        raise DomainError(_("小区不存在"), status=404)
    return revenue_export_response(request.user, estate)


@router.get(
    "/{int:fund_id}/export.xlsx",
    response={404: Error},
    openapi_extra={"responses": XLSX_RESPONSE},
    summary="The fund ledger as .xlsx: every entry with the running balance, grants, totals",
)
def fund_export(request, fund_id: int):
    from gongzhi.funds.views import fund_export_response

    found = Fund.objects.select_related("place").filter(pk=fund_id).first() if fund_id < 2**63 else None
    if found is None or not request.user.has_perm("funds.view_fund", found):
        raise DomainError(_("基金不存在"), status=404)
    return fund_export_response(request.user, found)


@router.get("/{fund_id}", response={200: FundDetail, 404: Error}, summary="A fund's balance, flows and latest entries")
def fund(request, fund_id: int):
    found = _fund(request, fund_id)
    shows = selectors.shows_contributors(request.user, found)
    summary = selectors.fund_summary(found)
    sources = dict(zip(ContributionSource.values, (amount for _label, amount in summary["by_source"]), strict=True))
    return FundDetail(
        id=found.id,
        name=found.name,
        place=found.place.name,
        balance=str(summary["balance"]),
        raised=str(summary["raised"]),
        granted=str(summary["granted"]),
        co_funding=str(summary["co_funding"]),
        leverage=str(summary["leverage"]) if summary["leverage"] is not None else None,
        by_source=[SourceOut(source=s, amount=str(a)) for s, a in sources.items()],
        entries=[
            EntryOut(
                id=e.id,
                kind=e.kind,
                on_date=e.on_date,
                amount=str(e.amount),
                source=e.source,
                counterparty=exports.shown_counterparty(e, shows),
                purpose=e.purpose,
                estate_id=e.estate_id,
                co_funding=str(e.co_funding),
                evidence=e.evidence,
                reverses_id=e.reverses_id,
            )
            for e in selectors.fund_entries(found)[:100]
        ],
    )
