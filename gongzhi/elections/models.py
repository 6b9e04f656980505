"""Owners' votes, committee elections, the estate's rule documents and the committee's major
decisions.

A ``Vote`` freezes its ``RollEntry`` rows (the owners as the law counts them, with their areas) when
it opens. ``Ballot`` rows are append-only: a changed vote is a new row that ``supersedes`` the
previous one; the database allows at most one first ballot per roll entry and at most one successor
per ballot, so two simultaneous casts cannot both count. Every ballot carries the hash of the one
before it in the vote, so changing a stored ballot breaks the chain.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.orgs.models import Organization
from gongzhi.places.models import Flat, Place


class Matter(models.TextChoices):
    # Civil Code art. 278, items 1–9.
    RULES_OF_PROCEDURE = "rules_of_procedure", _("制定和修改业主大会议事规则")
    MANAGEMENT_STATUTE = "management_statute", _("制定和修改管理规约")
    COMMITTEE_ELECTION = "committee_election", _("选举业主委员会或者更换业主委员会成员")
    PROPERTY_MANAGER = "property_manager", _("选聘和解聘物业服务企业或者其他管理人")
    FUND_USE = "fund_use", _("使用建筑物及其附属设施的维修资金")
    FUND_RAISE = "fund_raise", _("筹集建筑物及其附属设施的维修资金")
    REBUILD = "rebuild", _("改建、重建建筑物及其附属设施")
    COMMON_PARTS = "common_parts", _("改变共有部分的用途或者利用共有部分从事经营活动")
    OTHER = "other", _("有关共有和共同管理权利的其他重大事项")


# Items 6–8 of art. 278 need three quarters of the participating area and owners.
SPECIAL_MATTERS = frozenset({Matter.FUND_RAISE, Matter.REBUILD, Matter.COMMON_PARTS})


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("表决中")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已撤销")


class Organizer(models.TextChoices):
    COMMITTEE = "committee", _("业主委员会")
    COMMUNITY = "community", _("社区（首次业主大会）")


class Channel(models.TextChoices):
    ONLINE = "online", _("线上")
    PAPER = "paper", _("纸质票（计票人录入）")
    PROXY = "proxy", _("委托代理（书面授权）")


class Vote(models.Model):
    estate = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="votes",
        limit_choices_to={"kind": "estate"},
        verbose_name=_("小区"),
    )
    title = models.CharField(_("表决事项"), max_length=200)
    matter = models.CharField(_("法定事项类别"), max_length=32, choices=Matter.choices)
    text = models.TextField(_("表决内容"), blank=True)
    organizer = models.CharField(_("组织方"), max_length=16, choices=Organizer.choices, default=Organizer.COMMITTEE)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="votes", verbose_name=_("组织单位")
    )
    opens_at = models.DateTimeField(_("投票开始"))
    closes_at = models.DateTimeField(_("投票截止"))
    allow_online = models.BooleanField(_("线上投票"), default=True)
    allow_paper = models.BooleanField(_("纸质票"), default=True)
    allow_proxy = models.BooleanField(_("委托投票"), default=True)
    status = models.CharField(_("状态"), max_length=16, choices=VoteStatus.choices, default=VoteStatus.DRAFT)
    # The frozen roll: its denominators and its fingerprint (sha256 of the canonical roll).
    roll_frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    roll_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    total_area = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    total_owners = models.PositiveIntegerField(null=True, blank=True, editable=False)
    total_flats = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Election votes only: how many seats, and which election.
    seats = models.PositiveSmallIntegerField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True, editable=False)
    # Running totals of the counted ballots, kept by the ballot services under the vote's row lock
    # so that live progress is one row read: {"yes"|"no"|"abstain"|"all": [area in hundredths of
    # m², owners], "candidates": {id: [hundredths, owners]}}. Derived data: the final result is
    # recounted from the ballots at closing, and verification compares the two.
    live = models.JSONField(default=dict, blank=True, editable=False)
    passed = models.BooleanField(null=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the owners on the roll were told that voting opened / of the result: set in the same
    # transaction as their notifications, so each owner is told once.
    opening_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    result_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    close_note = models.CharField(_("截止说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("业主表决")
        verbose_name_plural = _("业主表决")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="vote_window_order")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def special(self) -> bool:
        return self.matter in SPECIAL_MATTERS

    @property
    def is_election(self) -> bool:
        return self.matter == Matter.COMMITTEE_ELECTION and self.seats is not None

    def in_window(self, now) -> bool:
        return self.opens_at <= now < self.closes_at

    def window_phase(self, now) -> str:
        if now < self.opens_at:
            return "before"
        if now < self.closes_at:
            return "during"
        return "after"


class VoteAttachment(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField(_("名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="elections/attachments/%Y/%m/")
    sha256 = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("表决附件")
        verbose_name_plural = _("表决附件")


class VoterKind(models.TextChoices):
    OWNER = "owner", _("业主")
    DEVELOPER = "developer", _("建设单位（未售、已售未交付部分合计一人）")
    UNRECORDED = "unrecorded", _("未登记业主的专有部分")


class RollEntry(models.Model):
    """One owner on the frozen roll, as SPC interpretation art. 9 counts owners."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="roll")
    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=VoterKind.choices)
    area = models.DecimalField(max_digits=14, decimal_places=2)
    flat_count = models.PositiveIntegerField(default=1)
    label = models.CharField(max_length=200, blank=True)  # flat numbers, for tellers
    flats = models.ManyToManyField(Flat, related_name="+", through="RollFlat")
    members = models.ManyToManyField("accounts.Person", related_name="+", through="RollMember")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "key"], name="roll_entry_unique_key")]

    def __str__(self) -> str:
        return self.label or self.key


class RollFlat(models.Model):
    entry = models.ForeignKey(RollEntry, on_delete=models.CASCADE)
    flat = models.ForeignKey(Flat, on_delete=models.PROTECT)
    area_source = models.CharField(max_length=16)


class RollMember(models.Model):
    entry = models.ForeignKey(RollEntry, on_delete=models.CASCADE)
    person = models.ForeignKey("accounts.Person", on_delete=models.PROTECT)
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["vote", "person"], name="roll_member_vote_person")]


class BallotChoice(models.TextChoices):
    YES = "yes", _("同意")
    NO = "no", _("反对")
    ABSTAIN = "abstain", _("弃权")


class BallotKind(models.TextChoices):
    CAST = "cast", _("投票")
    VOID = "void", _("作废")


class Ballot(models.Model):
    """A ballot. Never updated: a change is a new row superseding this one."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="ballots")
    sequence = models.PositiveIntegerField()  # position in the vote's hash chain, from 1
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    kind = models.CharField(max_length=8, choices=BallotKind.choices, default=BallotKind.CAST)
    choice = models.CharField(_("意见"), max_length=8, choices=BallotChoice.choices, blank=True)
    selections = models.JSONField(default=list, blank=True)  # candidate ids, election votes only
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    person = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("投票业主")
    )
    proxy_name = models.CharField(_("受托人"), max_length=50, blank=True)
    authorization = models.FileField(_("书面授权书"), upload_to="elections/proxies/%Y/%m/", blank=True)
    authorization_sha256 = models.CharField(max_length=64, blank=True)
    paper_serial = models.CharField(_("纸质票编号"), max_length=40, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    cast_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["vote_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "sequence"], name="ballot_unique_sequence"),
            # One first ballot per owner; later ones must supersede (OneToOne: one successor each).
            models.UniqueConstraint(
                fields=["vote", "entry"], condition=models.Q(supersedes__isnull=True), name="ballot_one_first_per_owner"
            ),
        ]
        indexes = [models.Index(fields=["vote", "entry"], name="ballot_vote_entry")]

    @property
    def receipt(self) -> str:
        return self.hash[:16]


# --- Elections ------------------------------------------------------------------------------


class ElectionStatus(models.TextChoices):
    NOMINATING = "nominating", _("提名中")
    REVIEWING = "reviewing", _("资格审查")
    NOTICE = "notice", _("候选人公示")
    VOTING = "voting", _("选举投票")
    ELECTED = "elected", _("已选出")
    FORMED = "formed", _("已推选主任")
    FILED = "filed", _("已备案")
    CANCELLED = "cancelled", _("已撤销")


class Election(models.Model):
    estate = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="elections",
        limit_choices_to={"kind": "estate"},
        verbose_name=_("小区"),
    )
    title = models.CharField(_("名称"), max_length=200)
    rule_set = models.CharField(_("规则"), max_length=32, default="national")
    seats = models.PositiveSmallIntegerField(_("委员名额"))
    first_assembly = models.BooleanField(_("首次业主大会"), default=False)
    opened_on = models.DateField(_("启动日期"))
    nominations_close_on = models.DateField(_("提名截止"))
    notice_starts_on = models.DateField(_("公示开始"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示结束"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ElectionStatus.choices, default=ElectionStatus.NOMINATING
    )
    vote = models.OneToOneField(Vote, on_delete=models.PROTECT, null=True, blank=True, related_name="election")
    committee = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="elections",
        verbose_name=_("业委会"),
    )
    elected_on = models.DateField(_("选举日期"), null=True, blank=True)
    term_starts_on = models.DateField(_("任期开始"), null=True, blank=True)
    term_ends_on = models.DateField(_("任期结束"), null=True, blank=True)
    first_meeting_on = models.DateField(_("首次会议"), null=True, blank=True)
    filing_due_on = models.DateField(_("备案期限"), null=True, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filing_reference = models.CharField(_("备案文号"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("业委会选举")
        verbose_name_plural = _("业委会选举")
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return self.title


class NominationSource(models.TextChoices):
    SELF = "self", _("业主自荐")
    PARTY = "party", _("党组织推荐")
    OWNERS_REPRESENTATIVES = "owners_representatives", _("业主代表联荐")


class CandidateStatus(models.TextChoices):
    NOMINATED = "nominated", _("已提名")
    UNDER_REVIEW = "under_review", _("审查中")
    QUALIFIED = "qualified", _("审查通过")
    DISQUALIFIED = "disqualified", _("审查未通过")
    WITHDRAWN = "withdrawn", _("已退出")


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="candidates")
    person = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("人选"))
    source = models.CharField(_("提名方式"), max_length=32, choices=NominationSource.choices)
    nominated_by = models.CharField(_("推荐人/推荐组织"), max_length=200, blank=True)
    statement = models.TextField(_("个人简介"), blank=True)
    interviewed_on = models.DateField(_("见面访谈日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=CandidateStatus.choices, default=CandidateStatus.NOMINATED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("候选人")
        verbose_name_plural = _("候选人")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["election", "person"], name="candidate_unique_person")]

    def __str__(self) -> str:
        return self.person.name


class NegativeListItem(models.Model):
    """负面清单: a condition that bars a nominee (configurable per deployment)."""

    code = models.CharField(_("编号"), max_length=20, unique=True)
    text = models.CharField(_("内容"), max_length=200)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("负面清单条目")
        verbose_name_plural = _("负面清单")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class ReviewFinding(models.TextChoices):
    PENDING = "pending", _("待审查")
    PASSED = "passed", _("通过")
    FAILED = "failed", _("不通过")


class ReviewTask(models.Model):
    """One department's part of the joint qualification review of one candidate (seed 004: the
    organization department with discipline inspection and the police)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="reviews")
    department = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="election_reviews", verbose_name=_("审查部门")
    )
    due_on = models.DateField(_("审查期限"))
    finding = models.CharField(_("结论"), max_length=8, choices=ReviewFinding.choices, default=ReviewFinding.PENDING)
    hits = models.ManyToManyField(NegativeListItem, blank=True, related_name="+", verbose_name=_("触及负面清单"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reviewed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["candidate", "department"], name="review_one_per_department")]


class ChecklistStep(models.Model):
    """One dated step of the formation timetable ("31-day formation")."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(max_length=32)
    planned_on = models.DateField(_("计划日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["election", "key"], name="checklist_step_unique")]


class TermWarning(models.Model):
    """A warning that a committee's term ends soon; written by the periodic job, once per threshold."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="term_warnings")
    months_ahead = models.PositiveSmallIntegerField()
    term_ends_on = models.DateField()
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "months_ahead", "term_ends_on"], name="term_warning_once")
        ]


# --- Estate rules as versioned documents ---------------------------------------------------


class DocumentKind(models.TextChoices):
    RULES_OF_PROCEDURE = "rules_of_procedure", _("业主大会议事规则")
    MANAGEMENT_STATUTE = "management_statute", _("管理规约")
    RESIDENTS_CONVENTION = "residents_convention", _("居民公约")


# Which vote adopts which document (Civil Code art. 278 items 1 and 2; a convention binding owners
# on common matters is adopted as another major matter, item 9).
DOCUMENT_MATTER = {
    DocumentKind.RULES_OF_PROCEDURE: Matter.RULES_OF_PROCEDURE,
    DocumentKind.MANAGEMENT_STATUTE: Matter.MANAGEMENT_STATUTE,
    DocumentKind.RESIDENTS_CONVENTION: Matter.OTHER,
}


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草案")
    IN_VOTE = "in_vote", _("表决中")
    IN_FORCE = "in_force", _("现行有效")
    SUPERSEDED = "superseded", _("已被替代")
    REJECTED = "rejected", _("未获通过")


class RuleVersion(models.Model):
    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="rule_versions", verbose_name=_("小区"))
    kind = models.CharField(_("文件"), max_length=32, choices=DocumentKind.choices)
    number = models.PositiveIntegerField(_("版本号"))
    text = models.TextField(_("正文"))
    summary = models.CharField(_("修订说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    vote = models.OneToOneField(Vote, on_delete=models.PROTECT, null=True, blank=True, related_name="rule_version")
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("规约版本")
        verbose_name_plural = _("规约版本")
        ordering = ["estate_id", "kind", "-number"]
        constraints = [models.UniqueConstraint(fields=["estate", "kind", "number"], name="rule_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.number}"


# --- 三审两公开一备案 ------------------------------------------------------------------------


class DecisionStepKind(models.TextChoices):
    # Seed 004: three reviews, two disclosures, one filing — in this order.
    COMMITTEE_REVIEW = "committee_review", _("业委会初审")
    BRANCH_REVIEW = "branch_review", _("小区党支部审核")
    COMMUNITY_REVIEW = "community_review", _("社区审查")
    NOTICE_BEFORE = "notice_before", _("事前公示")
    NOTICE_AFTER = "notice_after", _("结果公开")
    FILING = "filing", _("备案")


DECISION_STEP_ORDER = [
    DecisionStepKind.COMMITTEE_REVIEW,
    DecisionStepKind.BRANCH_REVIEW,
    DecisionStepKind.COMMUNITY_REVIEW,
    DecisionStepKind.NOTICE_BEFORE,
    DecisionStepKind.NOTICE_AFTER,
    DecisionStepKind.FILING,
]


class Decision(models.Model):
    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="committee_decisions")
    title = models.CharField(_("重大事项"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("重大事项")
        verbose_name_plural = _("重大事项")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class DecisionStep(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=20, choices=DecisionStepKind.choices)
    done_on = models.DateField(_("日期"))
    note = models.CharField(_("意见/说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_on", "id"]
        constraints = [models.UniqueConstraint(fields=["decision", "kind"], name="decision_step_once")]
