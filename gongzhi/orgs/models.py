"""Organizations of each place: the party organizations at every level, the residents' committee,
the owners' assembly and committee, the supervisory board, property companies with their service
contracts, partner units and government departments."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.places.models import Place


class OrgKind(models.TextChoices):
    PARTY_WORKING_COMMITTEE = "party_working_committee", _("街道党工委")
    PARTY_COMMITTEE = "party_committee", _("社区党委")
    PARTY_BRANCH = "party_branch", _("小区党支部")
    PARTY_GROUP = "party_group", _("楼栋党小组")
    RESIDENTS_COMMITTEE = "residents_committee", _("居委会")
    OWNERS_ASSEMBLY = "owners_assembly", _("业主大会")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    SUPERVISORY_BOARD = "supervisory_board", _("监事会")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    PARTNER_UNIT = "partner_unit", _("共建单位")
    DEPARTMENT = "department", _("职能部门")


# The level of place each kind of organization sits at (None: anywhere, e.g. a company or unit
# registered at the subdistrict that serves several estates).
ORG_PLACE_KIND = {
    OrgKind.PARTY_WORKING_COMMITTEE: "subdistrict",
    OrgKind.PARTY_COMMITTEE: "community",
    OrgKind.PARTY_BRANCH: "estate",
    OrgKind.PARTY_GROUP: "building",
    OrgKind.RESIDENTS_COMMITTEE: "community",
    OrgKind.OWNERS_ASSEMBLY: "estate",
    OrgKind.OWNERS_COMMITTEE: "estate",
    OrgKind.SUPERVISORY_BOARD: "estate",
}
# Kinds of which an estate has at most one current organization.
ONE_PER_PLACE = {
    OrgKind.PARTY_WORKING_COMMITTEE,
    OrgKind.PARTY_COMMITTEE,
    OrgKind.RESIDENTS_COMMITTEE,
    OrgKind.OWNERS_ASSEMBLY,
    OrgKind.OWNERS_COMMITTEE,
    OrgKind.SUPERVISORY_BOARD,
}
PARTY_KINDS = {
    OrgKind.PARTY_WORKING_COMMITTEE,
    OrgKind.PARTY_COMMITTEE,
    OrgKind.PARTY_BRANCH,
    OrgKind.PARTY_GROUP,
}


class BranchType(models.TextChoices):
    REGULAR = "regular", _("建制式")
    FUNCTIONAL = "functional", _("功能型")


class CompanyOwnership(models.TextChoices):
    PRIVATE = "private", _("民营")
    STATE_OWNED = "state_owned", _("国有")
    COMMUNITY_RUN = "community_run", _("社区自办")


class DepartmentKind(models.TextChoices):
    HOUSING = "housing", _("住建")
    GOVERNANCE = "governance", _("综治")
    URBAN_MANAGEMENT = "urban_management", _("城管")
    POLICE = "police", _("派出所")
    FIRE = "fire", _("消防")
    MARKET = "market", _("市场监管")
    ORGANIZATION = "organization", _("组织部")
    DISCIPLINE = "discipline", _("纪检监察")
    OTHER = "other", _("其他")


class OrganizationQuerySet(models.QuerySet):
    def current(self) -> "OrganizationQuerySet":
        return self.filter(dissolved_on__isnull=True)

    def of_kind(self, kind: str) -> "OrganizationQuerySet":
        return self.filter(kind=kind)


class Organization(models.Model):
    kind = models.CharField(_("组织类型"), max_length=32, choices=OrgKind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=120)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("所在地点"))
    # A party branch may cover several estates (联合党支部); its own place is the first of them.
    covered_places = models.ManyToManyField(
        Place, related_name="covering_organizations", blank=True, verbose_name=_("覆盖小区")
    )
    branch_type = models.CharField(_("支部类型"), max_length=16, choices=BranchType.choices, blank=True)
    # Property company only.
    has_party_org = models.BooleanField(_("建有党组织"), default=False)
    ownership = models.CharField(_("企业性质"), max_length=16, choices=CompanyOwnership.choices, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    # Department only.
    department_kind = models.CharField(_("部门类别"), max_length=32, choices=DepartmentKind.choices, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["kind", "place"], name="org_kind_place")]

    def __str__(self) -> str:
        return self.name

    def is_current(self, on) -> bool:
        return (self.founded_on is None or self.founded_on <= on) and (
            self.dissolved_on is None or self.dissolved_on > on
        )


class ServiceContract(models.Model):
    """物业服务合同: which company serves which estate, from when to when (end exclusive of
    nothing: ``ends_on`` is the last day served; empty while open-ended)."""

    company = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="contracts",
        limit_choices_to={"kind": OrgKind.PROPERTY_COMPANY},
        verbose_name=_("物业服务企业"),
    )
    estate = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="service_contracts",
        limit_choices_to={"kind": "estate"},
        verbose_name=_("小区"),
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("物业服务合同")
        verbose_name_plural = _("物业服务合同")
        ordering = ["estate_id", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="contract_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} — {self.estate}"

    def is_current(self, on) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)
