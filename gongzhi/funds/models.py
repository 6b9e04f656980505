"""Money in the open and small works (seed 002: 美好家园基金, 公共收益, 微实事月定月办; seed 004: 微心愿).

Ledgers (``FundEntry``, ``RevenueEntry``) are append-only: a row is never changed or deleted; a
mistake is corrected by a reversing entry that points at the entry it reverses. A balance is always
the sum of the entries' signed amounts."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.places.models import Place

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("ledger entries are append-only")


class Fund(models.Model):
    """美好家园基金: a fund held at a subdistrict (or community)."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="funds", verbose_name=_("所属地区"))
    name = models.CharField(_("基金名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("基金")
        verbose_name_plural = _("基金")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class FundEntryKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("捐资")
    GRANT = "grant", _("资助")
    REVERSAL = "reversal", _("冲正")


class ContributionSource(models.TextChoices):
    GOVERNMENT = "government", _("政府")
    COMPANY = "company", _("企业")
    RESIDENT = "resident", _("居民")
    SHOP = "shop", _("商铺")
    OTHER = "other", _("其他")


class FundEntry(AppendOnly):
    """One line of a fund's ledger. ``amount`` is signed: a contribution adds, a grant subtracts, a
    reversal is the negative of the entry it reverses."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries", verbose_name=_("基金"))
    kind = models.CharField(_("类型"), max_length=16, choices=FundEntryKind.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    on_date = models.DateField(_("日期"))
    source = models.CharField(_("来源"), max_length=16, choices=ContributionSource.choices, blank=True)
    counterparty = models.CharField(_("出资方/受助方"), max_length=100, blank=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    estate = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="fund_grants", verbose_name=_("小区")
    )
    co_funding = models.DecimalField(_("带动配套资金（元）"), default=ZERO, **MONEY)
    evidence = models.CharField(_("凭证"), max_length=200)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name=_("冲正对象")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("基金收支")
        verbose_name_plural = _("基金收支")
        ordering = ["on_date", "id"]

    @property
    def permission_place(self):
        return self.fund.place


class RevenueCategory(models.TextChoices):
    PARKING = "parking", _("停车")
    CHARGING = "charging", _("充电")
    ADVERTISING = "advertising", _("广告")
    LEASE = "lease", _("场地租赁")
    OTHER = "other", _("其他")


class RevenueEntry(AppendOnly):
    """One line of an estate's public revenue ledger (公共收益). Income is positive, a cost is
    negative; the owners' net is the sum."""

    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="revenue_entries", verbose_name=_("小区"))
    is_cost = models.BooleanField(_("支出"), default=False)
    category = models.CharField(_("类别"), max_length=16, choices=RevenueCategory.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    on_date = models.DateField(_("日期"))
    note = models.CharField(_("摘要"), max_length=200)
    evidence = models.CharField(_("凭证"), max_length=200)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name=_("冲正对象")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("公共收益")
        verbose_name_plural = _("公共收益")
        ordering = ["on_date", "id"]


class RevenueQuarter(models.Model):
    """A quarter's statement: reviewed by the community (业财社管) before it is published to owners.
    Figures are frozen at publication."""

    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="revenue_quarters", verbose_name=_("小区"))
    year = models.PositiveSmallIntegerField(_("年"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    income = models.DecimalField(_("收入"), default=ZERO, **MONEY)
    costs = models.DecimalField(_("支出"), default=ZERO, **MONEY)
    net = models.DecimalField(_("业主净收益"), default=ZERO, **MONEY)

    class Meta:
        verbose_name = _("公共收益季度公示")
        verbose_name_plural = _("公共收益季度公示")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "year", "quarter"], name="revenue_quarter_unique"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="revenue_quarter_1_4"),
        ]


class WorkSource(models.TextChoices):
    CASE = "case", _("诉求")
    MEETING = "meeting", _("议事")
    SURVEY = "survey", _("测评")
    OTHER = "other", _("其他")


class MicroProjectStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    DONE = "done", _("已办结")
    CANCELLED = "cancelled", _("已取消")


class MicroProject(models.Model):
    """微实事: a small practical work planned for a month and done with evidence (月定月办)."""

    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="micro_projects", verbose_name=_("小区"))
    month = models.DateField(_("计划月份"), help_text=_("该月1日"))
    title = models.CharField(_("实事"), max_length=100)
    source = models.CharField(_("来源"), max_length=16, choices=WorkSource.choices, default=WorkSource.OTHER)
    source_case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("来源诉求")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=MicroProjectStatus.choices, default=MicroProjectStatus.PLANNED
    )
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    evidence = models.CharField(_("办结凭证"), max_length=200, blank=True)
    photo = models.FileField(_("办结照片"), upload_to="funds/works/", blank=True, max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("微实事")
        verbose_name_plural = _("微实事")
        ordering = ["-month", "id"]


class WishStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("待认领")
    REJECTED = "rejected", _("未通过")
    CLAIMED = "claimed", _("已认领")
    FULFILLED = "fulfilled", _("已实现")


class DonorKind(models.TextChoices):
    RESIDENT = "resident", _("居民")
    PARTY_MEMBER = "party_member", _("党员")
    PARTNER_UNIT = "partner_unit", _("共建单位")


class MicroWish(models.Model):
    """微心愿: a resident's small wish, approved by staff, claimed by a donor and fulfilled."""

    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="micro_wishes", verbose_name=_("小区"))
    poster = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, related_name="micro_wishes", verbose_name=_("心愿人")
    )
    title = models.CharField(_("心愿"), max_length=60)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=WishStatus.choices, default=WishStatus.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    donor_kind = models.CharField(_("认领方类型"), max_length=16, choices=DonorKind.choices, blank=True)
    donor = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("认领人")
    )
    donor_unit = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("认领单位"),
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("实现时间"), null=True, blank=True)
    photo = models.FileField(_("实现照片"), upload_to="funds/wishes/", blank=True, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-created_at", "-id"]

    @property
    def donor_name(self) -> str:
        if self.donor_unit_id:
            return self.donor_unit.name
        return self.donor.name if self.donor_id else ""


class RenovationKind(models.TextChoices):
    LIFT = "lift", _("加装电梯")
    PIPES = "pipes", _("管网改造")
    FIRE_MAIN = "fire_main", _("消防管网")
    PARKING = "parking", _("停车及充电设施")
    OTHER = "other", _("其他")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    SUBMITTED = "submitted", _("已申报")
    APPROVED = "approved", _("已批复")
    REJECTED = "rejected", _("未获批")


class FundingApplication(models.Model):
    """老旧小区改造项目包: several estates' renovation projects packaged into one application
    for higher-level funds (seed 002: 6 estates, 27.8 million yuan applied for)."""

    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="funding_applications", verbose_name=_("申报地区")
    )
    title = models.CharField(_("项目包名称"), max_length=100)
    funder = models.CharField(_("申报渠道"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ApplicationStatus.choices, default="draft")
    amount_approved = models.DecimalField(_("批复金额（元）"), null=True, blank=True, **MONEY)
    submitted_on = models.DateField(_("申报日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("改造项目包")
        verbose_name_plural = _("改造项目包")
        ordering = ["-id"]


class RenovationProject(models.Model):
    estate = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="renovation_projects", verbose_name=_("小区")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=RenovationKind.choices)
    title = models.CharField(_("项目"), max_length=100)
    amount = models.DecimalField(_("预算（元）"), **MONEY)
    application = models.ForeignKey(
        FundingApplication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("所属项目包"),
    )
    is_done = models.BooleanField(_("已完工"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("改造项目")
        verbose_name_plural = _("改造项目")
        ordering = ["-id"]
