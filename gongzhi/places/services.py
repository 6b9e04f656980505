from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
from gongzhi.places.models import PARENT_KIND, AreaSource, DeliveryStatus, Flat, Grid, Place, PlaceKind


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("名称不能为空"))
    if len(name) > 100:
        raise DomainError(_("名称不能超过100个字"))
    return name


@transaction.atomic
def place_create(*, kind: str, name: str, parent: Place | None, acting_user=None, **fields) -> Place:
    name = _check_name(name)
    if kind not in PlaceKind.values:
        raise DomainError(_("未知的地点类型：%(kind)s") % {"kind": kind})
    expected = PARENT_KIND.get(PlaceKind(kind))
    if (
        expected
        and (parent is None or parent.kind != expected)
        and not (kind == PlaceKind.SUBDISTRICT and parent is None)
    ):
        raise DomainError(
            _("“%(kind)s”必须建在“%(parent)s”之下")
            % {"kind": PlaceKind(kind).label, "parent": PlaceKind(expected).label}
        )
    if kind == PlaceKind.DISTRICT and parent is not None:
        raise DomainError(_("区（县级市）没有上级地点"))
    if Place.objects.filter(parent=parent, name=name).exists():
        raise DomainError(_("同一上级下已有名为“%(name)s”的地点") % {"name": name})
    place = Place(kind=kind, name=name, parent=parent, **fields)
    place.save()
    place.path = f"{parent.path if parent else '/'}{place.id}/"
    place.depth = (parent.depth + 1) if parent else 0
    place.save(update_fields=["path", "depth"])
    if acting_user is not None:
        audit_record(acting_user=acting_user, action="place.create", target=place.path, detail={"name": name})
    return place


@transaction.atomic
def place_update(*, place: Place, acting_user=None, **fields) -> Place:
    if "name" in fields:
        fields["name"] = _check_name(fields["name"])
        if Place.objects.filter(parent=place.parent, name=fields["name"]).exclude(pk=place.pk).exists():
            raise DomainError(_("同一上级下已有名为“%(name)s”的地点") % {"name": fields["name"]})
    for key, value in fields.items():
        if key in {"kind", "parent", "path", "depth"}:
            raise DomainError(_("不能修改地点的类型或上级"))
        if key not in PLACE_EDITABLE_FIELDS:
            raise DomainError(_("不能修改该项：%(field)s") % {"field": key})
        setattr(place, key, value)
    try:
        place.full_clean(exclude=["parent"])
    except ValidationError as error:
        raise DomainError("；".join(error.messages)) from None
    place.save()
    if acting_user is not None:
        audit_record(
            acting_user=acting_user, action="place.update", target=place.path, detail={"fields": sorted(fields)}
        )
    return place


PLACE_EDITABLE_FIELDS = {"name", "code", "subdistrict_kind", "estate_kind", "address", "theme", "is_active"}


def parse_area(value) -> Decimal:
    try:
        area = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("专有部分面积必须是正数")) from None
    if not area.is_finite() or area <= 0:
        raise DomainError(_("专有部分面积必须是正数"))
    if area.as_tuple().exponent < -2:
        area = area.quantize(Decimal("0.01"))
    if area >= Decimal("100000000"):
        raise DomainError(_("专有部分面积过大"))
    return area


@transaction.atomic
def flat_create(*, building: Place, number: str, area_m2, acting_user=None, **fields) -> Flat:
    if building.kind != PlaceKind.BUILDING:
        raise DomainError(_("房屋必须属于一个楼栋"))
    number = (number or "").strip()
    if not number:
        raise DomainError(_("房号不能为空"))
    area = parse_area(area_m2)
    if Flat.objects.filter(building=building, number=number).exists():
        raise DomainError(_("%(building)s已有房号%(number)s") % {"building": building.name, "number": number})
    flat = Flat(building=building, estate_id=building.parent_id, number=number, area_m2=area, **fields)
    try:
        flat.full_clean()
    except ValidationError as error:
        raise DomainError("；".join(error.messages)) from None
    flat.save()
    if acting_user is not None:
        audit_record(
            acting_user=acting_user,
            action="flat.create",
            target=building.path,
            detail={"number": number, "area_m2": str(area)},
        )
    return flat


def _check_choice(value: str, choices, message: str) -> str:
    if value not in choices.values:
        raise DomainError(message)
    return value


@transaction.atomic
def flat_update(
    *,
    flat: Flat,
    acting_user=None,
    number: str | None = None,
    area_m2=None,
    area_source: str | None = None,
    delivery_status: str | None = None,
    is_active: bool | None = None,
) -> Flat:
    changed: dict[str, str] = {}
    if number is not None:
        number = number.strip()
        if not number:
            raise DomainError(_("房号不能为空"))
        if Flat.objects.filter(building_id=flat.building_id, number=number).exclude(pk=flat.pk).exists():
            raise DomainError(_("%(building)s已有房号%(number)s") % {"building": flat.building.name, "number": number})
        flat.number = number
        changed["number"] = number
    if area_m2 is not None:
        flat.area_m2 = parse_area(area_m2)
        changed["area_m2"] = str(flat.area_m2)
    if area_source is not None:
        flat.area_source = _check_choice(area_source, AreaSource, _("未知的面积来源"))
        changed["area_source"] = area_source
    if delivery_status is not None:
        flat.delivery_status = _check_choice(delivery_status, DeliveryStatus, _("未知的交付状态"))
        changed["delivery_status"] = delivery_status
    if is_active is not None:
        flat.is_active = is_active
        changed["is_active"] = str(is_active)
    flat.save()
    if acting_user is not None:
        audit_record(acting_user=acting_user, action="flat.update", target=f"flat:{flat.pk}", detail=changed)
    return flat


@transaction.atomic
def grid_create(*, community: Place, name: str, buildings: list[Place], acting_user=None) -> Grid:
    name = _check_name(name)
    if community.kind != PlaceKind.COMMUNITY:
        raise DomainError(_("网格必须属于一个社区"))
    if Grid.objects.filter(community=community, name=name).exists():
        raise DomainError(_("该社区已有名为“%(name)s”的网格") % {"name": name})
    for building in buildings:
        if building.kind != PlaceKind.BUILDING or not building.is_within(community):
            raise DomainError(_("楼栋“%(name)s”不在该社区内") % {"name": building.name})
    grid = Grid.objects.create(community=community, name=name)
    grid.buildings.set(buildings)
    if acting_user is not None:
        audit_record(
            acting_user=acting_user,
            action="grid.create",
            target=community.path,
            detail={"name": name, "buildings": [b.pk for b in buildings]},
        )
    return grid


@transaction.atomic
def grid_update(*, grid: Grid, name: str, buildings: list[Place], acting_user=None) -> Grid:
    name = _check_name(name)
    if Grid.objects.filter(community_id=grid.community_id, name=name).exclude(pk=grid.pk).exists():
        raise DomainError(_("该社区已有名为“%(name)s”的网格") % {"name": name})
    community = grid.community
    for building in buildings:
        if building.kind != PlaceKind.BUILDING or not building.is_within(community):
            raise DomainError(_("楼栋“%(name)s”不在该社区内") % {"name": building.name})
    grid.name = name
    grid.save(update_fields=["name"])
    grid.buildings.set(buildings)
    if acting_user is not None:
        audit_record(
            acting_user=acting_user,
            action="grid.update",
            target=community.path,
            detail={"name": name, "buildings": [b.pk for b in buildings]},
        )
    return grid


def flats_import(*, workbook, acting_user, apply: bool):
    """Check every row of an uploaded workbook and, if ``apply`` and no row is bad, write all of
    it in one transaction. See ``gongzhi.places.excel`` for the rules."""
    from gongzhi.places import excel

    return excel.import_workbook(workbook=workbook, acting_user=acting_user, apply=apply)
