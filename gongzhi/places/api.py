"""The place tree over JSON (``/api/v1/places/``): the same selectors, permissions and import
service as the pages."""

from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from gongzhi.accounts import access
from gongzhi.core.errors import DomainError
from gongzhi.places import selectors, services
from gongzhi.places.models import Place

router = Router(tags=["places"])


class PlaceOut(Schema):
    id: int
    kind: str
    name: str
    parent_id: int | None
    path: str
    is_active: bool


class FlatOut(Schema):
    id: int
    number: str
    area_m2: Decimal
    area_source: str
    delivery_status: str
    owners: int


class ImportOut(Schema):
    ok: bool
    applied: bool
    rows: int
    estates_created: int
    buildings_created: int
    flats_created: int
    flats_unchanged: int
    persons_created: int
    persons_updated: int = 0
    ownerships_created: int
    ownerships_unchanged: int
    errors: list[str]


@router.get("/", response=list[PlaceOut], summary="Places the user sees as staff")
def place_list(request, kind: str | None = None):
    return selectors.places_for_staff(request.user, kind=kind).order_by("path")


@router.get("/{place_id}/flats", response=list[FlatOut], summary="Flats of a building")
def building_flats(request, place_id: int):
    building = Place.objects.filter(pk=place_id, kind="building").first()
    if building is None or not request.user.has_perm("places.view_internal", building):
        raise Http404
    return [
        FlatOut(
            id=f.id,
            number=f.number,
            area_m2=f.area_m2,
            area_source=f.area_source,
            delivery_status=f.delivery_status,
            owners=len(f.current_ownerships),
        )
        for f in selectors.flats_of_building(building)
    ]


@router.post("/import", response={200: ImportOut, 400: ImportOut}, summary="Import flats and owners from Excel")
def flats_import(request, workbook: File[UploadedFile], apply: Form[bool] = False):
    """Check every row; with ``apply`` and no bad row, write all of it. Bad rows answer 400
    with one "第N行：原因" per row and nothing written."""
    if not access.can(request.user, "manage_places"):
        raise DomainError(_("您无权导入房屋数据"), status=403)
    try:
        report = services.flats_import(workbook=workbook, acting_user=request.user, apply=apply)
    except DomainError as error:
        if error.status != 400:
            raise
        # A file that is not a workbook at all: the same 400 shape as bad rows, nothing written.
        counts = {name: 0 for name in ImportOut.model_fields if name not in {"ok", "applied", "errors"}}
        return Status(400, ImportOut(ok=False, applied=False, errors=[error.message, *error.errors], **counts))
    body = ImportOut(ok=report.ok, applied=report.applied, errors=report.errors, **report.counts())
    return Status(200 if report.ok else 400, body)
