"""Deliberation (议事): fixed meeting days as rules, the meetings they produce, ad hoc meetings, and
the loop 点题—议题—答题—阅题 (a topic is proposed, put on a meeting's agenda, answered with a
responsible party and a deadline, and reviewed by the residents who raised it).

Seeds: the 7th of every month as the fixed deliberation day (东园镇"逢七联议"), weekly three-party
and monthly four-party meetings (青阳街道), the 15th as the open deliberation day and open-door
days (龙港), neighbourhood deliberation rooms and days (鲤城).
"""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Person
from gongzhi.meetings import schedule
from gongzhi.orgs.models import Organization
from gongzhi.places.models import Place


class MeetingKind(models.TextChoices):
    THREE_PARTY = "three_party", _("三方联动议事会")
    FOUR_PARTY = "four_party", _("四方联席会议")
    JOINT_DAY = "joint_day", _("逢七联议（固定议事日）")
    OPEN_DAY = "open_day", _("公开议事日")
    NEIGHBOURHOOD = "neighbourhood", _("睦邻议事日")
    AD_HOC = "ad_hoc", _("临时议事")


class Party(models.TextChoices):
    """Who sits at the table. The first three are an estate's three parties (三方); with the
    community party organization they are the four parties (四方)."""

    BRANCH = "branch", _("小区党支部")
    COMMITTEE = "committee", _("业委会")
    COMPANY = "company", _("物业服务企业")
    COMMUNITY = "community", _("社区")
    BUILDING_HEAD = "building_head", _("楼栋长")
    GRID_WORKER = "grid_worker", _("网格员")
    RESIDENT_REPRESENTATIVE = "resident_representative", _("居民代表")
    PARTNER_UNIT = "partner_unit", _("共建单位")
    DEPARTMENT = "department", _("职能部门")
    SUPERVISOR = "supervisor", _("义务监督员")
    OTHER = "other", _("其他")


THREE_PARTIES = [Party.BRANCH, Party.COMMITTEE, Party.COMPANY]
FOUR_PARTIES = THREE_PARTIES + [Party.COMMUNITY]
DEFAULT_PARTIES = {
    MeetingKind.THREE_PARTY: THREE_PARTIES,
    MeetingKind.FOUR_PARTY: FOUR_PARTIES,
    MeetingKind.JOINT_DAY: FOUR_PARTIES,
    MeetingKind.OPEN_DAY: FOUR_PARTIES,
    MeetingKind.NEIGHBOURHOOD: THREE_PARTIES,
    MeetingKind.AD_HOC: THREE_PARTIES,
}


class Frequency(models.TextChoices):
    WEEKLY = schedule.Frequency.WEEKLY, _("每周")
    MONTHLY = schedule.Frequency.MONTHLY, _("每月固定日")
    MONTHLY_LAST_DAY = schedule.Frequency.MONTHLY_LAST_DAY, _("每月最后一天")


class HolidayRule(models.TextChoices):
    KEEP = schedule.HolidayRule.KEEP, _("照常举行")
    NEXT_WORKING_DAY = schedule.HolidayRule.NEXT_WORKING_DAY, _("顺延至下一个工作日")
    PREVIOUS_WORKING_DAY = schedule.HolidayRule.PREVIOUS_WORKING_DAY, _("提前至上一个工作日")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class MeetingSeries(models.Model):
    """固定议事日: a rule, not a pile of rows. Meetings are materialized ahead by the periodic job;
    changing the rule re-plans only future meetings nobody has touched yet."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="meeting_series", verbose_name=_("地点"))
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    frequency = models.CharField(_("周期"), max_length=20, choices=Frequency.choices)
    month_day = models.PositiveSmallIntegerField(_("每月几日"), null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices, null=True, blank=True)
    holiday_rule = models.CharField(
        _("遇节假日"), max_length=24, choices=HolidayRule.choices, default=HolidayRule.NEXT_WORKING_DAY
    )
    time_of_day = models.TimeField(_("开始时间"), default=datetime.time(19, 30))
    duration_minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), default=90)
    location = models.CharField(_("会议地点"), max_length=120)
    expected_parties = models.JSONField(_("应到各方"), default=list)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("固定议事日")
        verbose_name_plural = _("固定议事日")
        ordering = ["place_id", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def rule_display(self) -> str:
        if self.frequency == Frequency.WEEKLY:
            text = _("每%(weekday)s") % {"weekday": Weekday(self.weekday).label}
        elif self.frequency == Frequency.MONTHLY_LAST_DAY:
            text = _("每月最后一天")
        else:
            text = _("每月%(day)s日") % {"day": self.month_day}
        return f"{text} {self.time_of_day:%H:%M} · {self.get_holiday_rule_display()}"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("已排期")
    AGENDA_PUBLISHED = "agenda_published", _("议题已公布")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.filter(
            starts_at__gte=now - datetime.timedelta(hours=12),
            status__in=[MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED],
        ).order_by("starts_at", "id")

    def held(self):
        return self.filter(status=MeetingStatus.CLOSED)


class Meeting(models.Model):
    series = models.ForeignKey(
        MeetingSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name=_("系列")
    )
    # The date the rule names, before a holiday shift; with ``series`` it keeps materializing idempotent.
    nominal_date = models.DateField(null=True, blank=True)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("地点"))
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=120)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), default=90)
    location = models.CharField(_("会议地点"), max_length=120)
    expected_parties = models.JSONField(_("应到各方"), default=list)
    is_ad_hoc = models.BooleanField(_("临时议事"), default=False)
    reason = models.TextField(_("召集事由"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    # Set once someone changes the meeting by hand (time, place, agenda, invitations): a rule change
    # then leaves it alone.
    touched = models.BooleanField(default=False)
    chair = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("主持人")
    )
    agenda_published_at = models.DateTimeField(_("议题公布时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    summary = models.TextField(_("会议纪要"), blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("议事会议")
        verbose_name_plural = _("议事会议")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "nominal_date"],
                condition=models.Q(series__isnull=False),
                name="meeting_one_per_series_date",
            )
        ]
        indexes = [
            models.Index(fields=["place", "starts_at"], name="meeting_place_start"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_start"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {timezone.localtime(self.starts_at):%Y-%m-%d}"

    @property
    def local_start(self) -> datetime.datetime:
        return timezone.localtime(self.starts_at)

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_closed(self) -> bool:
        return self.status == MeetingStatus.CLOSED

    @property
    def is_open(self) -> bool:
        return self.status in (MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED)

    def expected_party_labels(self) -> list[str]:
        return [str(Party(p).label) for p in self.expected_parties if p in Party.values]


class TopicSource(models.TextChoices):
    RESIDENT = "resident", _("居民点题")
    CASE = "case", _("诉求事项")
    SUPERVISOR = "supervisor", _("监督员发现")
    OPEN_DOOR_DAY = "open_door_day", _("开门纳谏日")
    STAFF = "staff", _("工作人员提出")


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("待议")
    ON_AGENDA = "on_agenda", _("已列入议题")
    ADOPTED = "adopted", _("已形成决议")
    NOT_ADOPTED = "not_adopted", _("未采纳")
    DEFERRED = "deferred", _("延至下次会议")
    DONE = "done", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_TOPIC_STATUSES = [TopicStatus.PROPOSED, TopicStatus.DEFERRED]


class Topic(models.Model):
    """点题: a matter someone wants deliberated, on an estate."""

    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="topics", verbose_name=_("小区"))
    title = models.CharField(_("题目"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=TopicSource.choices)
    status = models.CharField(_("状态"), max_length=20, choices=TopicStatus.choices, default=TopicStatus.PROPOSED)
    proposer = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposed_topics",
        verbose_name=_("提出人"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # Where a staff topic came from: a case of the ledger (``case_id``) or a named finding/visit.
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    source_note = models.CharField(_("来源说明"), max_length=200, blank=True)
    backer_count = models.PositiveIntegerField(_("附议人数"), default=0)
    review_requested_at = models.DateTimeField(_("邀请阅题时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("议题征集")
        verbose_name_plural = _("议题征集")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["estate", "status"], name="topic_estate_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["case_id"], condition=models.Q(case_id__isnull=False), name="topic_one_per_case"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TOPIC_STATUSES


class TopicBacking(models.Model):
    """附议: another resident backs a proposal."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="backings")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="topic_backings")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附议")
        verbose_name_plural = _("附议")
        constraints = [models.UniqueConstraint(fields=["topic", "person"], name="topic_backing_once")]


class AgendaItem(models.Model):
    """议题: a topic on one meeting's agenda, with its minutes and its answer (答题)."""

    class Answer(models.TextChoices):
        RESOLUTION = "resolution", _("形成决议")
        NOT_ADOPTED = "not_adopted", _("不予采纳")
        DEFERRED = "deferred", _("延至下次会议")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=1)
    minutes = models.TextField(_("讨论记录"), blank=True)
    answer = models.CharField(_("答题"), max_length=20, choices=Answer.choices, blank=True)
    answer_reason = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["meeting_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "topic"], name="agenda_item_topic_once")]

    def __str__(self) -> str:
        return self.topic.title


class Resolution(models.Model):
    """决议: who does what by when. Becomes a tracked case when the meeting is closed."""

    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="resolution")
    responsible = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任方"))
    action = models.TextField(_("落实事项"))
    deadline = models.DateField(_("完成时限"))
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("决议")
        verbose_name_plural = _("决议")

    def __str__(self) -> str:
        return self.action[:40]


class Invitation(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("待确认")
        CONFIRMED = "confirmed", _("确认参加")
        DECLINED = "declined", _("不能参加")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="invitations")
    role = models.CharField(_("身份"), max_length=32, choices=Party.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("回复"), max_length=16, choices=Status.choices, default=Status.INVITED)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("邀请")
        verbose_name_plural = _("邀请")
        ordering = ["meeting_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], condition=models.Q(person__isnull=False), name="invitation_person_once"
            ),
            models.UniqueConstraint(
                fields=["meeting", "organization"],
                condition=models.Q(person__isnull=True, organization__isnull=False),
                name="invitation_org_once",
            ),
        ]

    @property
    def invitee_name(self) -> str:
        if self.person_id:
            return self.person.name
        return self.organization.name if self.organization_id else ""


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendances")
    party = models.CharField(_("代表"), max_length=32, choices=Party.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("出席")
        verbose_name_plural = _("出席")
        ordering = ["meeting_id", "party", "id"]


class Correction(models.Model):
    """A closed meeting's record is never edited; corrections are appended and shown with it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="corrections")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="corrections")
    text = models.TextField(_("更正内容"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("更正")
        verbose_name_plural = _("更正")
        ordering = ["created_at", "id"]


class TopicReview(models.Model):
    """阅题: a proposer or backer says whether the outcome solved the matter."""

    class Verdict(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        PARTLY = "partly", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="reviews")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(_("评价"), max_length=16, choices=Verdict.choices)
    comment = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("阅题")
        verbose_name_plural = _("阅题")
        constraints = [models.UniqueConstraint(fields=["topic", "person"], name="topic_review_once")]


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """The secret in a person's iCal feed URL (calendar apps cannot sign in)."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="meeting_calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(auto_now_add=True)
