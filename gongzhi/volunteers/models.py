"""The community's own work: volunteer teams and service events (seed 003: 375 teams, 459
colour-coded events), working party members' service (2,600 checked in), joint enforcement patrols
and reception visits (seed 002: 48 operations, 112 problems, 58 penalties; 14 visits, 40 solved on
the spot), needs matched to partner units (居民点单、小区下单、共建单位接单), venues and bookings,
duty rotas."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.places.models import Place

HOURS = {"max_digits": 6, "decimal_places": 1}


class VolunteerTeam(models.Model):
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="volunteer_teams", verbose_name=_("地点"))
    name = models.CharField(_("队伍名称"), max_length=60)
    colour = models.CharField(_("颜色"), max_length=7, default="#d0021b", help_text=_("如 #d0021b"))
    theme = models.CharField(_("服务主题"), max_length=60, blank=True)
    leader = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("队长")
    )
    # A team is never deleted (its events keep pointing at it): it is stood down instead.
    is_active = models.BooleanField(_("在册"), default=True)
    # When it was stood down, so a period's figures count the teams that existed then.
    stood_down_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="volunteer_team_unique_name")]

    def __str__(self) -> str:
        return self.name


class ServiceEvent(models.Model):
    team = models.ForeignKey(VolunteerTeam, on_delete=models.PROTECT, related_name="events", verbose_name=_("队伍"))
    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="service_events", verbose_name=_("小区"))
    title = models.CharField(_("活动"), max_length=100)
    on_date = models.DateField(_("日期"))
    hours = models.DecimalField(_("时长（小时）"), **HOURS)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        ordering = ["-on_date", "-id"]


class Participation(models.Model):
    event = models.ForeignKey(ServiceEvent, on_delete=models.PROTECT, related_name="participations")
    person = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("人员"))
    hours = models.DecimalField(_("服务时长"), **HOURS)

    class Meta:
        verbose_name = _("参与记录")
        verbose_name_plural = _("参与记录")
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="participation_unique")]


class PartyServiceLog(models.Model):
    """What a checked-in working party member did in their home estate."""

    check_in = models.ForeignKey(
        "accounts.PartyCheckIn", on_delete=models.PROTECT, related_name="service_logs", verbose_name=_("报到")
    )
    on_date = models.DateField(_("日期"))
    hours = models.DecimalField(_("时长（小时）"), **HOURS)
    description = models.CharField(_("服务内容"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党员服务记录")
        verbose_name_plural = _("党员服务记录")
        ordering = ["-on_date", "-id"]


class EnforcementPatrol(models.Model):
    """联合执法: enforcement officers, patrol members and the steward walk an estate together."""

    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("小区"))
    on_date = models.DateField(_("日期"))
    members = models.CharField(_("参与力量"), max_length=200, help_text=_("如 执法队、派出所、物业"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("联合执法")
        verbose_name_plural = _("联合执法")
        ordering = ["-on_date", "-id"]


class ProblemOutcome(models.TextChoices):
    FIXED_ON_SPOT = "fixed_on_spot", _("现场整改")
    PENALIZED = "penalized", _("查处")
    UNRESOLVED = "unresolved", _("未解决，转诉求")


class PatrolProblem(models.Model):
    patrol = models.ForeignKey(EnforcementPatrol, on_delete=models.PROTECT, related_name="problems")
    description = models.CharField(_("问题"), max_length=200)
    outcome = models.CharField(_("处置"), max_length=16, choices=ProblemOutcome.choices)
    penalty = models.CharField(_("处罚情况"), max_length=200, blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("执法发现问题")
        verbose_name_plural = _("执法发现问题")
        ordering = ["id"]


class ReceptionVisit(models.Model):
    """面对面大接访: a leader meets residents in an estate."""

    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="reception_visits", verbose_name=_("小区"))
    leader = models.CharField(_("接访领导"), max_length=50)
    on_date = models.DateField(_("日期"))
    attendance = models.PositiveIntegerField(_("来访人数"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("面对面接访")
        verbose_name_plural = _("面对面接访")
        ordering = ["-on_date", "-id"]


class VisitProblem(models.Model):
    visit = models.ForeignKey(ReceptionVisit, on_delete=models.PROTECT, related_name="problems")
    description = models.CharField(_("问题"), max_length=200)
    solved_on_spot = models.BooleanField(_("现场解决"), default=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("接访问题")
        verbose_name_plural = _("接访问题")
        ordering = ["id"]


class Need(models.Model):
    """居民点单: a resident's need, collected into the estate's list."""

    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="needs", verbose_name=_("小区"))
    person = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("居民"))
    description = models.CharField(_("需求"), max_length=200)
    order = models.ForeignKey(
        "ServiceOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="needs", verbose_name=_("订单")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("居民需求")
        verbose_name_plural = _("居民需求")
        ordering = ["-id"]


class OrderStatus(models.TextChoices):
    PUBLISHED = "published", _("待接单")
    TAKEN = "taken", _("已接单")
    DONE = "done", _("已完成")


class ServiceOrder(models.Model):
    """小区下单 → 共建单位接单."""

    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="service_orders", verbose_name=_("小区"))
    title = models.CharField(_("订单"), max_length=100)
    status = models.CharField(_("状态"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PUBLISHED)
    partner = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接单单位"),
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    report = models.CharField(_("完成情况"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("服务订单")
        verbose_name_plural = _("服务订单")
        ordering = ["-id"]


class PartnershipAgreement(models.Model):
    """共建协议 between a community and a partner unit, with what each promised."""

    community = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("社区"))
    partner = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="agreements", verbose_name=_("共建单位")
    )
    signed_on = models.DateField(_("签订日期"))
    partner_promises = models.TextField(_("共建单位承诺"))
    community_promises = models.TextField(_("社区承诺"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("共建协议")
        verbose_name_plural = _("共建协议")
        ordering = ["-signed_on"]

    @property
    def place(self):
        return self.community


class Venue(models.Model):
    """邻里中心 / 党群服务阵地 and what it contains (seed 000: elderly canteen, health room…)."""

    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="venues", verbose_name=_("小区"))
    name = models.CharField(_("名称"), max_length=60)
    opening_hours = models.CharField(_("开放时间"), max_length=100)
    # Closed venues stay on record with their bookings; they take no new bookings.
    is_active = models.BooleanField(_("开放中"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("服务阵地")
        verbose_name_plural = _("服务阵地")
        ordering = ["id"]


class Room(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("阵地"))
    name = models.CharField(_("功能室"), max_length=60)
    is_bookable = models.BooleanField(_("可预约"), default=False)
    capacity = models.PositiveIntegerField(_("容纳人数"), default=0)
    is_active = models.BooleanField(_("开放中"), default=True)

    class Meta:
        verbose_name = _("功能室")
        verbose_name_plural = _("功能室")
        ordering = ["id"]

    @property
    def estate(self):
        return self.venue.estate


class Booking(models.Model):
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("功能室"))
    person = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("预约人"))
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    purpose = models.CharField(_("用途"), max_length=100)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"
            )
        ]


class DutyShift(models.Model):
    """值班轮值: who is on duty in an estate on a day (seed 003: shops take turns)."""

    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="duty_shifts", verbose_name=_("小区"))
    rota = models.CharField(_("轮值表"), max_length=60)
    on_date = models.DateField(_("日期"))
    on_duty = models.CharField(_("值班方"), max_length=100)
    task = models.CharField(_("任务"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("值班轮值")
        verbose_name_plural = _("值班轮值")
        ordering = ["on_date", "id"]


ZERO_HOURS = Decimal("0.0")
