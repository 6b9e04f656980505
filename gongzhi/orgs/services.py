import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
from gongzhi.orgs.models import ONE_PER_PLACE, ORG_PLACE_KIND, Organization, OrgKind, ServiceContract
from gongzhi.places.models import Place, PlaceKind


@transaction.atomic
def organization_create(
    *, kind: str, name: str, place: Place, acting_user=None, covered_places: list[Place] | None = None, **fields
) -> Organization:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("组织名称不能为空"))
    if kind not in OrgKind.values:
        raise DomainError(_("未知的组织类型"))
    expected = ORG_PLACE_KIND.get(OrgKind(kind))
    if expected and place.kind != expected:
        raise DomainError(
            _("%(kind)s必须设在%(place)s") % {"kind": OrgKind(kind).label, "place": PlaceKind(expected).label}
        )
    if kind in ONE_PER_PLACE and Organization.objects.current().filter(kind=kind, place=place).exists():
        raise DomainError(_("%(place)s已有%(kind)s") % {"place": place.name, "kind": OrgKind(kind).label})
    if kind == OrgKind.PARTY_BRANCH and not fields.get("branch_type"):
        fields["branch_type"] = "regular"
    org = Organization.objects.create(kind=kind, name=name, place=place, **fields)
    if covered_places:
        for covered in covered_places:
            if covered.kind != PlaceKind.ESTATE:
                raise DomainError(_("党支部只能覆盖小区"))
        org.covered_places.set(covered_places)
    elif kind == OrgKind.PARTY_BRANCH:
        org.covered_places.set([place])
    if acting_user is not None:
        audit_record(acting_user=acting_user, action="organization.create", target=name, detail={"kind": kind})
    return org


@transaction.atomic
def organization_dissolve(*, organization: Organization, on: datetime.date, acting_user=None) -> Organization:
    if organization.dissolved_on:
        raise DomainError(_("该组织已撤销"))
    organization.dissolved_on = on
    organization.save(update_fields=["dissolved_on"])
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
        audit_record(acting_user=acting_user, action="contract.create", target=str(contract))
    return contract


def current_company(estate: Place, on: datetime.date) -> Organization | None:
    contract = (
        ServiceContract.objects.filter(estate=estate, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("company")
        .first()
    )
    return contract.company if contract else None
