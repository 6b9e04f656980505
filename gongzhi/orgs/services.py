import datetime
import re

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
from gongzhi.orgs.models import (
    ONE_PER_PLACE,
    ORG_PLACE_KIND,
    BranchType,
    CompanyOwnership,
    DepartmentKind,
    Organization,
    OrgKind,
    ServiceContract,
)
from gongzhi.places.models import Place, PlaceKind

CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
# Fields that only make sense for some kinds of organization.
KIND_FIELDS = {
    "branch_type": {OrgKind.PARTY_BRANCH},
    "has_party_org": {OrgKind.PROPERTY_COMPANY, OrgKind.PARTNER_UNIT},
    "ownership": {OrgKind.PROPERTY_COMPANY},
    "credit_code": {OrgKind.PROPERTY_COMPANY, OrgKind.PARTNER_UNIT},
    "department_kind": {OrgKind.DEPARTMENT},
}
COMMON_FIELDS = {"contact_phone", "founded_on"}


def _clean_fields(kind: str, fields: dict) -> dict:
    cleaned = {}
    for key, value in fields.items():
        if key in COMMON_FIELDS:
            cleaned[key] = value
            continue
        kinds = KIND_FIELDS.get(key)
        if kinds is None:
            raise DomainError(_("不能设置该项：%(field)s") % {"field": key})
        if kind not in kinds:
            if value in (None, "", False):
                continue
            raise DomainError(
                _("%(kind)s不适用“%(field)s”")
                % {"kind": OrgKind(kind).label, "field": Organization._meta.get_field(key).verbose_name}
            )
        cleaned[key] = value
    if "branch_type" in cleaned and cleaned["branch_type"] not in BranchType.values:
        raise DomainError(_("未知的支部类型"))
    if cleaned.get("ownership") and cleaned["ownership"] not in CompanyOwnership.values:
        raise DomainError(_("未知的企业性质"))
    if cleaned.get("department_kind") and cleaned["department_kind"] not in DepartmentKind.values:
        raise DomainError(_("未知的部门类别"))
    if cleaned.get("credit_code"):
        cleaned["credit_code"] = cleaned["credit_code"].strip().upper()
        if not CREDIT_CODE_RE.match(cleaned["credit_code"]):
            raise DomainError(_("统一社会信用代码格式不正确：应为18位数字或大写字母"))
    if cleaned.get("contact_phone"):
        cleaned["contact_phone"] = cleaned["contact_phone"].strip()
        if not re.fullmatch(r"[0-9+\- ]{5,20}", cleaned["contact_phone"]):
            raise DomainError(_("联系电话格式不正确"))
    return cleaned


def _check_covered(kind: str, place: Place, covered_places) -> list[Place]:
    covered = list(covered_places or [])
    if not covered:
        return [place] if kind == OrgKind.PARTY_BRANCH else []
    if kind != OrgKind.PARTY_BRANCH:
        raise DomainError(_("只有小区党支部可以覆盖多个小区"))
    for covered_place in covered:
        if covered_place.kind != PlaceKind.ESTATE:
            raise DomainError(_("党支部只能覆盖小区"))
    if place not in covered:
        covered.insert(0, place)
    return covered


@transaction.atomic
def organization_create(
    *, kind: str, name: str, place: Place, acting_user=None, covered_places: list[Place] | None = None, **fields
) -> Organization:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("组织名称不能为空"))
    if len(name) > 120:
        raise DomainError(_("组织名称不能超过120个字"))
    if kind not in OrgKind.values:
        raise DomainError(_("未知的组织类型"))
    expected = ORG_PLACE_KIND.get(OrgKind(kind))
    if expected and place.kind != expected:
        raise DomainError(
            _("%(kind)s必须设在%(place)s") % {"kind": OrgKind(kind).label, "place": PlaceKind(expected).label}
        )
    if place.kind == PlaceKind.BUILDING and kind != OrgKind.PARTY_GROUP:
        raise DomainError(_("只有楼栋党小组设在楼栋"))
    if kind in ONE_PER_PLACE and Organization.objects.current().filter(kind=kind, place=place).exists():
        raise DomainError(_("%(place)s已有%(kind)s") % {"place": place.name, "kind": OrgKind(kind).label})
    fields = _clean_fields(kind, fields)
    if kind == OrgKind.PARTY_BRANCH and not fields.get("branch_type"):
        fields["branch_type"] = BranchType.REGULAR
    covered = _check_covered(kind, place, covered_places)
    org = Organization.objects.create(kind=kind, name=name, place=place, **fields)
    if covered:
        org.covered_places.set(covered)
    if acting_user is not None:
        audit_record(
            acting_user=acting_user,
            action="organization.create",
            target=name,
            detail={"kind": kind, "place": place.path, "covered": [p.pk for p in covered]},
        )
    return org


@transaction.atomic
def organization_update(
    *, organization: Organization, acting_user=None, name: str | None = None, covered_places=None, **fields
) -> Organization:
    if name is not None:
        name = name.strip()
        if not name:
            raise DomainError(_("组织名称不能为空"))
        organization.name = name[:120]
    fields = _clean_fields(organization.kind, fields)
    for key, value in fields.items():
        setattr(organization, key, value)
    organization.save()
    if covered_places is not None and organization.kind == OrgKind.PARTY_BRANCH:
        organization.covered_places.set(_check_covered(organization.kind, organization.place, covered_places))
    if acting_user is not None:
        audit_record(
            acting_user=acting_user,
            action="organization.update",
            target=organization.name,
            detail={"fields": sorted(fields) + (["name"] if name is not None else [])},
        )
    return organization


@transaction.atomic
def organization_dissolve(*, organization: Organization, on: datetime.date, acting_user=None) -> Organization:
    if organization.dissolved_on:
        raise DomainError(_("该组织已撤销"))
    if organization.founded_on and on <= organization.founded_on:
        raise DomainError(_("撤销日期必须晚于成立日期"))
    organization.dissolved_on = on
    organization.save(update_fields=["dissolved_on"])
    if acting_user is not None:
        audit_record(
            acting_user=acting_user, action="organization.dissolve", target=organization.name, detail={"on": str(on)}
        )
    return organization


@transaction.atomic
def contract_create(
    *,
    company: Organization,
    estate: Place,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    note: str = "",
    acting_user=None,
) -> ServiceContract:
    if company.kind != OrgKind.PROPERTY_COMPANY:
        raise DomainError(_("服务合同的一方必须是物业服务企业"))
    if company.dissolved_on and company.dissolved_on <= starts_on:
        raise DomainError(_("该物业服务企业已撤销"))
    if estate.kind != PlaceKind.ESTATE:
        raise DomainError(_("服务合同必须对应一个小区"))
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("合同结束日期不能早于开始日期"))
    overlapping = ServiceContract.objects.filter(estate=estate).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    if overlapping.exists():
        raise DomainError(_("%(estate)s在该期间已有物业服务合同") % {"estate": estate.name})
    contract = ServiceContract.objects.create(
        company=company, estate=estate, starts_on=starts_on, ends_on=ends_on, note=note
    )
    if acting_user is not None:
        audit_record(
            acting_user=acting_user,
            action="contract.create",
            target=str(contract),
            detail={"starts_on": str(starts_on), "ends_on": str(ends_on) if ends_on else ""},
        )
    return contract


@transaction.atomic
def contract_end(*, contract: ServiceContract, ends_on: datetime.date, acting_user=None) -> ServiceContract:
    """Set the last day a company serves the estate (shortening a contract cannot overlap)."""
    if ends_on < contract.starts_on:
        raise DomainError(_("合同结束日期不能早于开始日期"))
    if contract.ends_on is not None and contract.ends_on < ends_on:
        raise DomainError(_("合同已于%(date)s结束，不能延后") % {"date": contract.ends_on})
    contract.ends_on = ends_on
    contract.save(update_fields=["ends_on"])
    if acting_user is not None:
        audit_record(
            acting_user=acting_user, action="contract.end", target=str(contract), detail={"ends_on": str(ends_on)}
        )
    return contract


def current_company(estate: Place, on: datetime.date) -> Organization | None:
    contract = (
        ServiceContract.objects.filter(estate=estate, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("company")
        .first()
    )
    return contract.company if contract else None
