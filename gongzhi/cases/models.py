"""The case ledger: every problem that must be answered is one ``Case``, whatever door it came
through, and every step of it is an immutable ``CaseEvent``. The timeline a resident sees, the audit
trail, the deadlines and the three rates all read those events.

The states and the moves between them live in ``gongzhi.cases.states``; only the services in
``gongzhi.cases.services`` change a case.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.places.models import Place


class Channel(models.TextChoices):
    APP = "app", _("手机上报")
    HOTLINE = "hotline", _("热线")
    SNAPSHOT = "snapshot", _("随手拍")
    RECEPTION_VISIT = "reception_visit", _("面对面接访")
    OPEN_DOOR_DAY = "open_door_day", _("开门纳谏日")
    CHAT_GROUP = "chat_group", _("微信群")
    BUILDING_LIAISON = "building_liaison", _("楼栋联络人")
    WEB = "web", _("网页")
    API = "api", _("接口")
    INSPECTION = "inspection", _("巡查")
    SURVEY = "survey", _("满意度测评")
    ASSESSMENT = "assessment", _("考评")
    MEETING = "meeting", _("议事决议")
    ENFORCEMENT = "enforcement", _("联合执法")


# Channels through which staff enter a case for someone else (hotline and front desk).
INTAKE_CHANNELS = (
    Channel.HOTLINE,
    Channel.RECEPTION_VISIT,
    Channel.OPEN_DOOR_DAY,
    Channel.CHAT_GROUP,
    Channel.BUILDING_LIAISON,
    Channel.SNAPSHOT,
)


class CaseState(models.TextChoices):
    RECEIVED = "received", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    SIGNED = "signed", _("已签收")
    RESOLVED = "resolved", _("已办结待评价")
    REVIEWED = "reviewed", _("已评价")
    CLOSED = "closed", _("已关闭")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    EMERGENCY = "emergency", _("特急")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class EventKind(models.TextChoices):
    CREATED = "created", _("受理")
    DISPATCHED = "dispatched", _("派单")
    SIGNED = "signed", _("签收")
    REPLIED = "replied", _("答复")
    RESOLVED = "resolved", _("办结")
    REVIEW_REQUESTED = "review_requested", _("邀请评价")
    REVIEWED = "reviewed", _("评价")
    REOPENED = "reopened", _("重新办理")
    RETURNED = "returned", _("退单")
    TRANSFERRED = "transferred", _("转办")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_APPROVED = "extension_approved", _("同意延期")
    EXTENSION_REFUSED = "extension_refused", _("不同意延期")
    MERGED = "merged", _("合并")
    REJECTED = "rejected", _("不予受理")
    AGENDA_FLAGGED = "agenda_flagged", _("列入议事")
    AGENDA_UNFLAGGED = "agenda_unflagged", _("移出议事")
    OVERDUE = "overdue", _("超期")
    ESCALATED = "escalated", _("督办升级")
    CLOSED = "closed", _("关闭")
    CLOSED_NO_REVIEW = "closed_no_review", _("逾期未评价关闭")


class Category(models.Model):
    """A kind of problem, with the party it usually goes to and its deadline policy.

    The deadline policy is category × urgency: an emergency is answered in hours, the rest in
    working days on the official calendar (see ``gongzhi.cases.deadlines``)."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    default_org_kind = models.CharField(
        _("默认责任方"), max_length=32, choices=OrgKind.choices, blank=True, help_text=_("派单时建议的责任方类型")
    )
    working_days = models.PositiveSmallIntegerField(_("一般时限（工作日）"), default=5)
    urgent_working_days = models.PositiveSmallIntegerField(_("紧急时限（工作日）"), default=2)
    emergency_hours = models.PositiveSmallIntegerField(_("特急时限（小时）"), default=4)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class CaseQuerySet(models.QuerySet):
    def open(self) -> "CaseQuerySet":
        return self.filter(state__in=OPEN_STATES)

    def within(self, place: Place) -> "CaseQuerySet":
        return self.filter(estate__path__startswith=place.path)


OPEN_STATES = (CaseState.RECEIVED, CaseState.DISPATCHED, CaseState.SIGNED)
WORKING_STATES = (CaseState.DISPATCHED, CaseState.SIGNED)
FINAL_STATES = (CaseState.CLOSED, CaseState.REJECTED, CaseState.MERGED)


# The references every report writes to rows that every other report also names — the estate, the
# category, the reporting person, the account that entered it (and on the event, the account that
# acted) — carry no foreign-key constraint in the database. Such a constraint makes each report
# check and lock the row it names (``FOR KEY SHARE``: a write to the estate's or the account's row,
# shared by all the reports of that estate or account at once), a fifth of the database's work for
# a report (docs/case-intake.md). What the constraint guards is kept otherwise: the services take
# the estate, category and accounts from rows they have just read, and deleting a place, category,
# person or account that cases name is refused by Django (``on_delete=PROTECT``); nothing of the
# kind is ever deleted (places and accounts are retired, people anonymized).
HOT_REFERENCES = ("estate", "category", "reporter", "created_by")


class Case(models.Model):
    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    # Indexed by case_estate_state and case_estate_created (estate first), not on its own: every
    # index is written on each report.
    estate = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("小区"),
        limit_choices_to={"kind": "estate"},
        db_index=False,
        db_constraint=False,  # see HOT_REFERENCES
    )
    building = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="building_cases",
        verbose_name=_("楼栋"),
        limit_choices_to={"kind": "building"},
        db_index=False,  # case_building: only the cases that name a building
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("位置说明"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("类别"),
        db_constraint=False,  # see HOT_REFERENCES
    )
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("问题描述"))
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices, default=Channel.APP)
    state = models.CharField(_("状态"), max_length=16, choices=CaseState.choices, default=CaseState.RECEIVED)
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    responsible = models.ForeignKey(  # indexed by case_responsible_queue (responsible first)
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("责任方"),
        db_index=False,
    )
    deadline = models.DateTimeField(_("办理时限"), null=True, blank=True)
    # A deadline extension asked for by the responsible party and not yet decided.
    extension_requested_until = models.DateTimeField(_("申请延期至"), null=True, blank=True)
    reporter = models.ForeignKey(
        "accounts.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_cases",
        verbose_name=_("反映人"),
        db_constraint=False,  # see HOT_REFERENCES
    )
    is_anonymous = models.BooleanField(_("匿名"), default=False)
    # For callers and visitors who have no account (hotline, front desk).
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    on_agenda = models.BooleanField(_("列入议事"), default=False)
    source_kind = models.CharField(_("来源类型"), max_length=40, blank=True)
    source_id = models.PositiveBigIntegerField(_("来源编号"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("合并至"),
        db_index=False,  # case_merged_into: only the merged cases
    )
    # Read with the case, never searched by (accounts are deactivated, not deleted): not indexed.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
        db_index=False,
        db_constraint=False,  # see HOT_REFERENCES
    )
    created_at = models.DateTimeField(_("受理时间"), db_index=True)
    # Denormalized from the events so that queues and boards need no scan of the timeline.
    dispatched_at = models.DateTimeField(null=True, blank=True, editable=False)
    responded_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_overdue = models.BooleanField(_("超期"), default=False)
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    rating = models.CharField(_("评价"), max_length=24, choices=Rating.choices, blank=True)
    solved = models.BooleanField(_("已解决"), null=True, blank=True)
    closed_without_review = models.BooleanField(_("未评价关闭"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["estate", "state"], name="case_estate_state"),
            models.Index(fields=["estate", "created_at"], name="case_estate_created"),
            # The working queues and the periodic jobs read dispatched cases (with a responsible
            # party and a deadline) and resolved ones; a new report is neither, so it writes no
            # entry in these. Every query they serve names the responsible party, compares the
            # deadline or asks for the resolved state, which is what lets the planner use them.
            models.Index(
                fields=["responsible", "state", "deadline"],
                name="case_responsible_queue",
                condition=Q(responsible__isnull=False),
            ),
            models.Index(fields=["state", "deadline"], name="case_state_deadline", condition=Q(deadline__isnull=False)),
            models.Index(fields=["state", "resolved_at"], name="case_state_resolved", condition=Q(state="resolved")),
            # Partial: most cases name no building and are merged into nothing, and a report with
            # an empty column then writes no entry (see docs/case-intake.md).
            models.Index(fields=["building"], name="case_building", condition=Q(building__isnull=False)),
            models.Index(fields=["merged_into"], name="case_merged_into", condition=Q(merged_into__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def permission_place(self) -> Place:
        return self.estate

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES


class CaseNumberCounter(models.Model):
    """One row per day: the last case number handed out that day (GZ20261122-0001)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)


class CaseEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # pragma: no cover - guarded on purpose
        raise TypeError("case events are immutable")

    def delete(self):  # pragma: no cover
        raise TypeError("case events are immutable")


class CaseEvent(models.Model):
    """One step of a case. Written once, never changed or deleted."""

    case = models.ForeignKey(  # indexed by caseevent_case_kind (case first)
        Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("诉求"), db_index=False
    )
    kind = models.CharField(_("事件"), max_length=24, choices=EventKind.choices)
    # Events are read by their case (case, kind), in time order within it; nothing searches the
    # ledger's events by time alone, so ``at`` is not indexed on its own.
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
        db_constraint=False,  # see HOT_REFERENCES
    )
    # The organization the actor acted for, when it matters (the responsible party's reply).
    actor_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作单位"),
        db_index=False,  # caseevent_actor_organization: only the events that name one
    )
    from_state = models.CharField(_("原状态"), max_length=16, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=CaseState.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    responsible = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任方"),
        db_index=False,  # caseevent_responsible: only dispatches and transfers name one
    )
    deadline = models.DateTimeField(_("时限"), null=True, blank=True)
    rating = models.CharField(_("评价"), max_length=24, choices=Rating.choices, blank=True)
    solved = models.BooleanField(_("已解决"), null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求事件")
        verbose_name_plural = _("诉求事件")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "kind"], name="caseevent_case_kind"),
            models.Index(
                fields=["actor_organization"],
                name="caseevent_actor_organization",
                condition=Q(actor_organization__isnull=False),
            ),
            models.Index(fields=["responsible"], name="caseevent_responsible", condition=Q(responsible__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("case events are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("case events are immutable")

    @property
    def attachments(self):
        return self.photos.all()


def _photo_path(instance, filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class CasePhoto(models.Model):
    """A photo of the problem or of the fix. Stored only after it has been decoded as a real image
    and re-encoded without its metadata (no EXIF, no GPS); served only to those who may see the
    case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="photos", verbose_name=_("诉求"))
    event = models.ForeignKey(
        CaseEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="photos", verbose_name=_("事件")
    )
    image = models.FileField(_("图片"), upload_to=_photo_path, max_length=200)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("诉求照片")
        verbose_name_plural = _("诉求照片")
        ordering = ["id"]
