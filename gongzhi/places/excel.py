"""Flats and their owners in and out of Excel.

Staff keep the housing register in spreadsheets, so the place tree below a community can be built
from one workbook: one row per flat and owner (a flat with joint owners has one row per owner; a
flat without a registered owner has one row with the owner columns empty).

Import rules (checked for every row before anything is written; one bad row refuses the whole file):
- 社区 must name an existing community the user may manage; 小区 and 楼栋 are created under it
  when missing.
- 社区+小区+楼栋+房号 identify a flat. A flat already in the database must carry the same area,
  area source and delivery status; a flat repeated in the file must repeat the same data.
- 专有部分面积 is a positive number of square metres (two decimals kept).
- 面积来源 and 交付状态 take the labels of the template's drop-down lists (blank: 登记面积, 已交付).
- An owner is recognised by 身份证号, else by 姓名+手机号, else as the owner of that flat with the
  same name (and no other ID number); anyone not recognised is registered as a new person.
- A recognised person is updated from the file where it brings a real new value: the name (when
  recognised by ID number), the phone number, an ID number not registered yet. Each update is
  audited (which fields, not their values).
- A masked phone or ID number (138****1234, as in an export without full personal data) means
  "unchanged": it must be the masked form of what is registered for the person the row names,
  otherwise the row is refused. So a masked export can be imported back as it is.

So importing the same file twice changes nothing the second time. Every query is set-based: the
number of queries does not grow with the number of rows.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.accounts import access
from gongzhi.core.errors import DomainError
from gongzhi.core.masking import (
    ID_NUMBER_RE,
    MOBILE_RE,
    id_number_checksum_ok,
    mask_id_number,
    mask_phone,
    normalize_phone,
)
from gongzhi.core.services import audit_record
from gongzhi.places.models import AreaSource, DeliveryStatus, Flat, Place, PlaceKind

# The column headers are part of the file format (staff fill them in Chinese); they are not
# translated. Required columns first.
COMMUNITY = "社区"
ESTATE = "小区"
BUILDING = "楼栋"
NUMBER = "房号"
AREA = "专有部分面积"
AREA_SOURCE = "面积来源"
DELIVERY = "交付状态"
OWNER_NAME = "业主姓名"
PHONE = "手机号"
ID_NUMBER = "身份证号"
HEADERS = [COMMUNITY, ESTATE, BUILDING, NUMBER, AREA, AREA_SOURCE, DELIVERY, OWNER_NAME, PHONE, ID_NUMBER]
REQUIRED = [COMMUNITY, ESTATE, BUILDING, NUMBER, AREA]
SHEET_TITLE = "房屋"

# Chinese labels as they appear in the cells (fixed, like the headers), and the stored values.
AREA_SOURCE_LABELS = {
    "登记面积": AreaSource.REGISTERED,
    "测绘面积": AreaSource.SURVEYED,
    "合同面积": AreaSource.CONTRACT,
}
DELIVERY_LABELS = {
    "已交付": DeliveryStatus.DELIVERED,
    "已售未交付": DeliveryStatus.SOLD_UNDELIVERED,
    "未售": DeliveryStatus.UNSOLD,
}
AREA_SOURCE_OF = {v: k for k, v in AREA_SOURCE_LABELS.items()}
DELIVERY_OF = {v: k for k, v in DELIVERY_LABELS.items()}

MAX_ERRORS_SHOWN = 200

# The masked forms written by exports without full personal data (gongzhi.core.masking).
MASKED_PHONE_RE = re.compile(r"^1[3-9]\d\*{4}\d{4}$")
MASKED_ID_NUMBER_RE = re.compile(r"^\d{4}\*{10}[\dX]{4}$")


@dataclass
class ImportReport:
    rows: int = 0
    applied: bool = False
    errors: list[str] = field(default_factory=list)
    estates_created: int = 0
    buildings_created: int = 0
    flats_created: int = 0
    flats_unchanged: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    ownerships_created: int = 0
    ownerships_unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> int:
        return (
            self.estates_created
            + self.buildings_created
            + self.flats_created
            + self.persons_created
            + self.persons_updated
            + self.ownerships_created
        )

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "estates_created": self.estates_created,
            "buildings_created": self.buildings_created,
            "flats_created": self.flats_created,
            "flats_unchanged": self.flats_unchanged,
            "persons_created": self.persons_created,
            "persons_updated": self.persons_updated,
            "ownerships_created": self.ownerships_created,
            "ownerships_unchanged": self.ownerships_unchanged,
        }


@dataclass
class _Row:
    line: int
    community: str
    estate: str
    building: str
    number: str
    area: Decimal | None
    area_source: str
    delivery_status: str
    owner_name: str
    phone: str
    id_number: str
    # Masked values from an export ("unchanged"), kept apart from the real ones.
    phone_masked: str = ""
    id_number_masked: str = ""

    @property
    def flat_key(self) -> tuple[str, str, str, str]:
        return (self.community, self.estate, self.building, self.number)

    @property
    def flat_data(self) -> tuple:
        return (self.area, self.area_source, self.delivery_status)


# ---------------------------------------------------------------------------------------------
# Writing workbooks


def _header_row(sheet) -> None:
    sheet.append(HEADERS)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FDE2E1")
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = fill
    widths = [12, 14, 10, 10, 14, 12, 12, 12, 14, 22]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"


def _add_choice_lists(sheet, rows: int) -> None:
    for column, labels in (("F", AREA_SOURCE_LABELS), ("G", DELIVERY_LABELS)):
        validation = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True)
        validation.error = _("请从下拉列表中选择")
        sheet.add_data_validation(validation)
        validation.add(f"{column}2:{column}{rows + 1}")


def template_workbook() -> bytes:
    """The blank template: headers, drop-down lists, one example row and a sheet of rules."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    _header_row(sheet)
    # Text cells for numbers that are not numbers (房号 0101, phones) so Excel keeps them as typed.
    for column in ("D", "I", "J"):
        for row in range(2, 2001):
            sheet[f"{column}{row}"].number_format = "@"
    sheet.append(["阳光社区", "檀悦小区", "1号楼", "101", 88.5, "登记面积", "已交付", "王小明", "13800001111", ""])
    _add_choice_lists(sheet, 2000)
    rules = book.create_sheet(_("填写说明"))
    for line in (
        _("每行一户一名业主；共有房屋每位共有人各占一行，未登记业主的房屋业主列留空。"),
        _("必填：社区、小区、楼栋、房号、专有部分面积。社区须已在系统中登记；小区、楼栋不存在时自动创建。"),
        _("专有部分面积：正数，单位平方米，保留两位小数。"),
        _("面积来源：登记面积、测绘面积、合同面积（留空为登记面积）。"),
        _("交付状态：已交付、已售未交付、未售（留空为已交付）。"),
        _("手机号：11位中国大陆手机号；身份证号：18位。同一人有多套房时请填写手机号或身份证号。"),
        _("导入前会检查每一行；有任何一行出错则全部不导入。重复导入同一文件不会产生重复数据。"),
    ):
        rules.append([line])
    rules.column_dimensions["A"].width = 100
    return _save(book)


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_workbook(*, flats, reveal) -> tuple[bytes, int]:
    """The same columns as the template, one row per flat and current owner. ``reveal(flat)``
    says whether the user may see full phone and ID numbers of that flat's owners."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.append(HEADERS)
    count = 0
    for flat in flats:
        community = flat.estate.parent.name if flat.estate.parent_id else ""
        base = [
            community,
            flat.estate.name,
            flat.building.name,
            flat.number,
            float(flat.area_m2),
            AREA_SOURCE_OF.get(flat.area_source, ""),
            DELIVERY_OF.get(flat.delivery_status, ""),
        ]
        owners = list(flat.current_ownerships)
        full = reveal(flat)
        if not owners:
            sheet.append([*base, "", "", ""])
        for ownership in owners:
            person = ownership.person
            phone = person.phone if full else mask_phone(person.phone)
            id_number = person.id_number if full else mask_id_number(person.id_number)
            sheet.append([*base, person.name, phone, id_number])
        count += 1
    return _save(book), count


# ---------------------------------------------------------------------------------------------
# Reading workbooks


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_rows(workbook) -> list[list]:
    from gongzhi.places import xlsx_fast

    try:
        rows = xlsx_fast.read_rows(workbook)
    except xlsx_fast.UnsupportedWorkbook:
        pass
    else:
        while rows and all(v is None for v in rows[-1]):
            rows.pop()
        return rows
    if hasattr(workbook, "seek"):
        workbook.seek(0)
    return _read_rows_openpyxl(workbook)


def _read_rows_openpyxl(workbook) -> list[list]:
    try:
        book = load_workbook(workbook, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise DomainError(_("无法读取文件：请上传 .xlsx 格式的 Excel 工作簿")) from None
    try:
        sheet = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _parse(raw_rows: list[list], errors: list[str]) -> list[_Row]:
    if not raw_rows:
        raise DomainError(_("工作簿是空的"))
    header = [_text(cell) for cell in raw_rows[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise DomainError(_("第1行：缺少列：%(columns)s") % {"columns": "、".join(missing)})
    position = {name: header.index(name) for name in HEADERS if name in header}
    limit = settings.GONGZHI["IMPORT_MAX_ROWS"]
    if len(raw_rows) - 1 > limit:
        raise DomainError(_("一次最多导入%(limit)d行") % {"limit": limit})

    def cell(values, name):
        index = position.get(name)
        return values[index] if index is not None and index < len(values) else None

    rows: list[_Row] = []
    for line, values in enumerate(raw_rows[1:], start=2):
        if all(v is None or _text(v) == "" for v in values):
            continue
        problems: list[str] = []
        texts = {name: _text(cell(values, name)) for name in HEADERS}
        for name in (COMMUNITY, ESTATE, BUILDING, NUMBER):
            if not texts[name]:
                problems.append(_("%(column)s不能为空") % {"column": name})
            elif len(texts[name]) > (32 if name == NUMBER else 100):
                problems.append(_("%(column)s太长") % {"column": name})
        area = _parse_area(cell(values, AREA), problems)
        area_source = AREA_SOURCE_LABELS.get(texts[AREA_SOURCE] or "登记面积")
        if area_source is None:
            problems.append(
                _("未知的面积来源“%(value)s”（可选：%(choices)s）")
                % {"value": texts[AREA_SOURCE], "choices": "、".join(AREA_SOURCE_LABELS)}
            )
        delivery = DELIVERY_LABELS.get(texts[DELIVERY] or "已交付")
        if delivery is None:
            problems.append(
                _("未知的交付状态“%(value)s”（可选：%(choices)s）")
                % {"value": texts[DELIVERY], "choices": "、".join(DELIVERY_LABELS)}
            )
        phone = normalize_phone(texts[PHONE])
        phone_masked = ""
        if MASKED_PHONE_RE.match(phone):
            phone, phone_masked = "", phone
        elif phone and not MOBILE_RE.match(phone):
            problems.append(_("手机号“%(value)s”格式不正确：应为11位中国大陆手机号") % {"value": texts[PHONE]})
        id_number = texts[ID_NUMBER].upper()
        id_number_masked = ""
        if MASKED_ID_NUMBER_RE.match(id_number):
            id_number, id_number_masked = "", id_number
        elif id_number and (not ID_NUMBER_RE.match(id_number) or not id_number_checksum_ok(id_number)):
            problems.append(_("身份证号“%(value)s”格式不正确") % {"value": texts[ID_NUMBER]})
        if (phone or id_number or phone_masked or id_number_masked) and not texts[OWNER_NAME]:
            problems.append(_("填写了手机号或身份证号，但缺少业主姓名"))
        if len(texts[OWNER_NAME]) > 50:
            problems.append(_("业主姓名太长"))
        if problems:
            errors.append(_row_error(line, "；".join(problems)))
            continue
        rows.append(
            _Row(
                line=line,
                community=texts[COMMUNITY],
                estate=texts[ESTATE],
                building=texts[BUILDING],
                number=texts[NUMBER],
                area=area,
                area_source=area_source,
                delivery_status=delivery,
                owner_name=texts[OWNER_NAME],
                phone=phone,
                id_number=id_number,
                phone_masked=phone_masked,
                id_number_masked=id_number_masked,
            )
        )
    if not rows and not errors:
        raise DomainError(_("工作簿中没有数据行"))
    return rows


def _parse_area(value, problems: list[str]) -> Decimal | None:
    from gongzhi.places.services import parse_area

    if value is None or _text(value) == "":
        problems.append(_("专有部分面积不能为空"))
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        return parse_area(value)
    except DomainError as error:
        problems.append(_("%(message)s（“%(value)s”）") % {"message": error.message, "value": _text(value)})
        return None


def _row_error(line: int, reason: str) -> str:
    return _("第%(line)d行：%(reason)s") % {"line": line, "reason": reason}


# ---------------------------------------------------------------------------------------------
# Checking against the database and writing


def import_workbook(*, workbook, acting_user, apply: bool) -> ImportReport:
    raw_rows = _read_rows(workbook)
    errors: list[str] = []
    rows = _parse(raw_rows, errors)
    if apply:
        with transaction.atomic():
            report = _check_and_write(rows, errors, acting_user=acting_user, apply=True)
    else:
        report = _check_and_write(rows, errors, acting_user=acting_user, apply=False)
    return report


class _Refused(Exception):
    pass


def _check_and_write(rows: list[_Row], errors: list[str], *, acting_user, apply: bool) -> ImportReport:
    report = ImportReport(rows=len(rows) + len(errors), errors=errors)

    # Communities: by name, among those the user may manage.
    names = {row.community for row in rows}
    all_named = defaultdict(list)
    for place in Place.objects.filter(kind=PlaceKind.COMMUNITY, name__in=names, is_active=True):
        all_named[place.name].append(place)
    managed = {
        place.id
        for place in Place.objects.filter(kind=PlaceKind.COMMUNITY, name__in=names).filter(
            access.scope_q(acting_user, "manage_places")
        )
    }
    community_of: dict[str, Place] = {}
    community_problem: dict[str, str] = {}
    for name in names:
        candidates = all_named.get(name, [])
        allowed = [c for c in candidates if c.id in managed]
        if not candidates:
            community_problem[name] = _("未知的社区“%(name)s”，请先在系统中登记该社区") % {"name": name}
        elif not allowed:
            community_problem[name] = _("您无权向社区“%(name)s”导入") % {"name": name}
        elif len(allowed) > 1:
            community_problem[name] = _("有多个名为“%(name)s”的社区，无法确定") % {"name": name}
        else:
            community_of[name] = allowed[0]

    # Estates and buildings already registered under those communities.
    communities = list(community_of.values())
    estate_of: dict[tuple[int, str], Place] = {}
    building_of: dict[tuple[int, str], Place] = {}
    if communities:
        under = Q()
        for community in communities:
            under |= Q(path__startswith=community.path)
        for place in Place.objects.filter(under, kind__in=[PlaceKind.ESTATE, PlaceKind.BUILDING]).only(
            "id", "kind", "name", "parent_id", "path", "depth"
        ):
            if place.kind == PlaceKind.ESTATE:
                estate_of[(place.parent_id, place.name)] = place
            else:
                building_of[(place.parent_id, place.name)] = place

    # Flats already registered in those buildings, with their current owners.
    building_ids = [b.id for b in building_of.values()]
    flat_of: dict[tuple[int, str], Flat] = {}
    if building_ids:
        for flat in Flat.objects.filter(building_id__in=building_ids).only(
            "id", "building_id", "number", "area_m2", "area_source", "delivery_status"
        ):
            flat_of[(flat.building_id, flat.number)] = flat
    from gongzhi.accounts.models import Ownership, Person

    owners_of_flat: dict[int, list[Person]] = defaultdict(list)
    if flat_of:
        for ownership in Ownership.objects.filter(
            flat_id__in=[f.id for f in flat_of.values()], ends_on__isnull=True
        ).select_related("person"):
            owners_of_flat[ownership.flat_id].append(ownership.person)

    ids = {row.id_number for row in rows if row.id_number}
    phones = {row.phone for row in rows if row.phone}
    person_by_id = {p.id_number: p for p in Person.objects.filter(id_number__in=ids)} if ids else {}
    person_by_phone_name: dict[tuple[str, str], Person] = {}
    if phones:
        for person in Person.objects.filter(phone__in=phones).order_by("id"):
            person_by_phone_name.setdefault((person.phone, person.name), person)

    def registered_person(row: _Row, flat: Flat | None) -> Person | None:
        """The registered person a row names, if any: by ID number, by name and phone, else as
        the owner of that flat with the same name (preferring one whose registered values have
        the row's masked forms)."""
        if row.id_number and row.id_number in person_by_id:
            return person_by_id[row.id_number]
        if row.phone:
            person = person_by_phone_name.get((row.phone, row.owner_name))
            if person is not None and not (row.id_number and person.id_number and person.id_number != row.id_number):
                return person
        if flat is None or not flat.pk:
            return None
        same_name = [
            p
            for p in owners_of_flat.get(flat.pk, [])
            if p.name == row.owner_name and not (row.id_number and p.id_number and p.id_number != row.id_number)
        ]
        for person in same_name:
            if _masks_match(row, person):
                return person
        return same_name[0] if same_name else None

    # Whom this import may update: owners of the flats it names and persons registered in its
    # communities and estates.
    owner_ids = {person.pk for owners in owners_of_flat.values() for person in owners}
    scope_place_ids = {c.id for c in communities} | {e.id for e in estate_of.values()}

    def may_update(person: Person) -> bool:
        return person.pk in owner_ids or person.registered_at_id in scope_place_ids

    # Row by row, against the database and the earlier rows of the file.
    first_line_of_flat: dict[tuple, _Row] = {}
    owner_lines: dict[tuple, int] = {}
    file_person_by_id: dict[str, _Row] = {}
    registered_by_line: dict[int, Person] = {}
    updates: dict[int, dict[str, tuple[str, int]]] = defaultdict(dict)  # person id → field → (value, line)
    for row in rows:
        problems: list[str] = []
        if row.community in community_problem:
            problems.append(community_problem[row.community])
        earlier = first_line_of_flat.get(row.flat_key)
        owner_key = (row.flat_key, (row.owner_name, row.phone, row.id_number))
        if earlier is not None and earlier.flat_data != row.flat_data:
            problems.append(_("与第%(line)d行是同一房屋，但面积、面积来源或交付状态不一致") % {"line": earlier.line})
        elif owner_key in owner_lines:
            problems.append(_("与第%(line)d行重复") % {"line": owner_lines[owner_key]})
        community = community_of.get(row.community)
        flat = None
        if community is not None:
            estate = estate_of.get((community.id, row.estate))
            building = building_of.get((estate.id, row.building)) if estate else None
            flat = flat_of.get((building.id, row.number)) if building else None
            if flat is not None and (flat.area_m2, flat.area_source, flat.delivery_status) != row.flat_data:
                problems.append(
                    _(
                        "系统中已有该房屋，数据不同（面积%(area)s㎡、%(source)s、%(delivery)s），"
                        "如需修改请在房屋页面编辑"
                    )
                    % {
                        "area": flat.area_m2,
                        "source": AREA_SOURCE_OF.get(flat.area_source, flat.area_source),
                        "delivery": DELIVERY_OF.get(flat.delivery_status, flat.delivery_status),
                    }
                )
        person = registered_person(row, flat) if row.owner_name else None
        if row.phone_masked or row.id_number_masked:
            problems.extend(_mask_problems(row, person))
        if person is not None:
            registered_by_line[row.line] = person
            if may_update(person):
                problems.extend(_person_updates(row, person, updates[person.pk]))
            elif person.name != row.owner_name:
                # Someone registered elsewhere (not an owner here, not registered in these
                # communities) is recognised but not changed by this import.
                problems.append(
                    _("身份证号已登记为“%(name)s”，与业主姓名“%(owner)s”不一致")
                    % {"name": person.name, "owner": row.owner_name}
                )
        if row.id_number:
            in_file = file_person_by_id.get(row.id_number)
            if in_file is not None and in_file.owner_name != row.owner_name:
                problems.append(_("身份证号与第%(line)d行相同，但业主姓名不同") % {"line": in_file.line})
        if problems:
            errors.append(_row_error(row.line, "；".join(problems)))
        first_line_of_flat.setdefault(row.flat_key, row)
        owner_lines.setdefault(owner_key, row.line)
        if row.id_number:
            file_person_by_id.setdefault(row.id_number, row)

    if errors:
        errors.sort(key=_line_of)
        report.errors = errors
        return report

    # Nothing is wrong: count (and, if asked, write) what is new.
    today = timezone.localdate()
    new_estates: dict[tuple[int, str], Place] = {}
    new_buildings: dict[tuple, Place] = {}
    for row in rows:
        community = community_of[row.community]
        estate_key = (community.id, row.estate)
        if estate_key not in estate_of and estate_key not in new_estates:
            new_estates[estate_key] = Place(kind=PlaceKind.ESTATE, name=row.estate, parent=community)
    if apply and new_estates:
        _insert_places(list(new_estates.values()))
    estate_of.update(new_estates)
    for row in rows:
        estate = estate_of[(community_of[row.community].id, row.estate)]
        key = (estate.id, row.building) if estate.id else (id(estate), row.building)
        if key not in building_of and key not in new_buildings:
            new_buildings[key] = Place(kind=PlaceKind.BUILDING, name=row.building, parent=estate)
    if apply and new_buildings:
        _insert_places(list(new_buildings.values()))
    building_of.update(new_buildings)
    report.estates_created = len(new_estates)
    report.buildings_created = len(new_buildings)

    def building_for(row: _Row) -> Place:
        estate = estate_of[(community_of[row.community].id, row.estate)]
        return building_of[(estate.id, row.building) if estate.id else (id(estate), row.building)]

    new_flats: dict[tuple, Flat] = {}
    flat_for_row: dict[int, Flat] = {}
    unchanged_flats: set[int] = set()
    for row in rows:
        building = building_for(row)
        key = (building.id or id(building), row.number)
        flat = flat_of.get(key) or new_flats.get(key)
        if flat is None:
            flat = Flat(
                building=building,
                estate=building.parent,
                number=row.number,
                area_m2=row.area,
                area_source=row.area_source,
                delivery_status=row.delivery_status,
            )
            new_flats[key] = flat
        elif flat.pk:
            unchanged_flats.add(flat.pk)
        flat_for_row[row.line] = flat
    if apply and new_flats:
        Flat.objects.bulk_create(list(new_flats.values()), batch_size=2000)
    report.flats_created = len(new_flats)
    report.flats_unchanged = len(unchanged_flats)

    # Owners: recognise, or register as new persons.
    new_persons: list[Person] = []
    person_by_row: dict[int, Person] = {}
    new_by_id: dict[str, Person] = {}
    new_by_phone_name: dict[tuple[str, str], Person] = {}
    new_by_flat_name: dict[tuple[int, str], Person] = {}
    for row in rows:
        if not row.owner_name:
            continue
        flat = flat_for_row[row.line]
        person = registered_by_line.get(row.line)
        if person is None and row.id_number:
            person = new_by_id.get(row.id_number)
        if person is None and row.phone:
            person = new_by_phone_name.get((row.phone, row.owner_name))
        if person is None and not row.phone and not row.id_number:
            person = new_by_flat_name.get((id(flat), row.owner_name))
        if person is None:
            person = Person(
                name=row.owner_name,
                phone=row.phone,
                id_number=row.id_number,
                registered_at=community_of[row.community],
            )
            new_persons.append(person)
            if row.id_number:
                new_by_id[row.id_number] = person
            if row.phone:
                new_by_phone_name[(row.phone, row.owner_name)] = person
            if not row.phone and not row.id_number:
                new_by_flat_name[(id(flat), row.owner_name)] = person
        person_by_row[row.line] = person
    if apply and new_persons:
        Person.objects.bulk_create(new_persons, batch_size=2000)
    report.persons_created = len(new_persons)
    changes = {pk: {name: value for name, (value, _line) in fields.items()} for pk, fields in updates.items() if fields}
    if apply and changes:
        from gongzhi.accounts.services import persons_update_from_import

        persons_update_from_import(changes=changes, acting_user=acting_user)
    report.persons_updated = len(changes)

    new_ownerships: list[Ownership] = []
    seen_pairs: set[tuple[int, int]] = set()
    for row in rows:
        person = person_by_row.get(row.line)
        if person is None:
            continue
        flat = flat_for_row[row.line]
        pair = (id(person), id(flat))
        if pair in seen_pairs:
            continue
        seen_pairs.add(pair)
        if flat.pk and person.pk and any(p.pk == person.pk for p in owners_of_flat.get(flat.pk, [])):
            report.ownerships_unchanged += 1
            continue
        new_ownerships.append(Ownership(person=person, flat=flat, starts_on=today))
    if apply and new_ownerships:
        Ownership.objects.bulk_create(new_ownerships, batch_size=2000)
    report.ownerships_created = len(new_ownerships)

    if apply:
        report.applied = True
        audit_record(
            acting_user=acting_user,
            action="places.import",
            target=",".join(sorted(c.path for c in communities))[:200],
            detail=report.counts(),
        )
    return report


def _masks_match(row: _Row, person) -> bool:
    return (not row.phone_masked or mask_phone(person.phone) == row.phone_masked) and (
        not row.id_number_masked or mask_id_number(person.id_number) == row.id_number_masked
    )


def _mask_problems(row: _Row, person) -> list[str]:
    """A masked value stands for the value registered for the person the row names; anything
    else cannot be told apart from a wrong number and is refused."""
    problems = []
    if person is None:
        problems.append(
            _("手机号或身份证号是打码的（如“%(value)s”），系统中没有与之对应的业主“%(name)s”，请填写完整号码")
            % {"value": row.phone_masked or row.id_number_masked, "name": row.owner_name}
        )
        return problems
    if row.phone_masked and mask_phone(person.phone) != row.phone_masked:
        problems.append(
            _("手机号“%(value)s”是打码的，与系统中该业主登记的手机号不符，请填写完整手机号")
            % {"value": row.phone_masked}
        )
    if row.id_number_masked and mask_id_number(person.id_number) != row.id_number_masked:
        problems.append(
            _("身份证号“%(value)s”是打码的，与系统中该业主登记的身份证号不符，请填写完整身份证号")
            % {"value": row.id_number_masked}
        )
    return problems


FIELD_LABELS = {"name": OWNER_NAME, "phone": PHONE, "id_number": ID_NUMBER}


def _person_updates(row: _Row, person, pending: dict[str, tuple[str, int]]) -> list[str]:
    """Record what the row changes of a registered person (a real value that differs); two rows
    naming the same person with different new values are refused."""
    wanted = {}
    if row.owner_name and row.owner_name != person.name:
        wanted["name"] = row.owner_name
    if row.phone and row.phone != person.phone:
        wanted["phone"] = row.phone
    if row.id_number and not person.id_number:
        wanted["id_number"] = row.id_number
    problems = []
    for name, value in wanted.items():
        earlier = pending.get(name)
        if earlier is not None and earlier[0] != value:
            problems.append(
                _("与第%(line)d行是同一人，但%(column)s不同") % {"line": earlier[1], "column": FIELD_LABELS[name]}
            )
        else:
            pending.setdefault(name, (value, row.line))
    return problems


def _line_of(message: str) -> int:
    digits = "".join(ch for ch in message.split("行", 1)[0] if ch.isdigit())
    return int(digits) if digits else 0


def _insert_places(places: list[Place]) -> None:
    """Insert places in bulk, then give each its materialized path (which needs its id)."""
    for place in places:
        place.parent_id = place.parent.id
    Place.objects.bulk_create(places, batch_size=1000)
    for place in places:
        place.path = f"{place.parent.path}{place.id}/"
        place.depth = place.parent.depth + 1
    Place.objects.bulk_update(places, ["path", "depth"], batch_size=1000)
