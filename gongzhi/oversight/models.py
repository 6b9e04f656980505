"""效度联评: volunteer supervisors' inspections, each estate's rectification ledger (整改台账),
residents' satisfaction surveys (满意度测评) and scorecard assessments (星级评定、精细化考评).

Surveys, inspections and assessments all produce *findings*; every finding is one ``LedgerItem``
of its estate, tracked as a case of the case ledger and closed out (销号) only after someone
verifies the fix on the spot."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Person
from gongzhi.orgs.models import Organization
from gongzhi.places.models import Flat, Place

# --------------------------------------------------------------------------------------------
# Satisfaction surveys
# --------------------------------------------------------------------------------------------


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class SurveyPhase(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SCHEDULED = "scheduled", _("未开始")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Survey(models.Model):
    """A questionnaire opened for every flat of an estate (or of all estates of a community or a
    subdistrict) from ``opens_at`` to ``closes_at``."""

    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("范围"))
    status = models.CharField(_("状态"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    # A question whose average score in an estate is below this becomes a finding of the estate.
    low_score_threshold = models.DecimalField(
        _("低分线（平均分）"), max_digits=3, decimal_places=2, default=Decimal("3.00")
    )
    min_answers_for_finding = models.PositiveIntegerField(_("生成整改项的最少答卷数"), default=3)
    findings_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("满意度测评")
        verbose_name_plural = _("满意度测评")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="survey_closes_after_open"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def permission_place(self) -> Place:
        return self.place

    def phase(self, now=None) -> str:
        now = now or timezone.now()
        if self.status == SurveyStatus.DRAFT:
            return SurveyPhase.DRAFT
        if now < self.opens_at:
            return SurveyPhase.SCHEDULED
        if now >= self.closes_at:
            return SurveyPhase.CLOSED
        return SurveyPhase.OPEN

    def get_phase_display(self) -> str:
        return SurveyPhase(self.phase()).label


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    SCALE = "scale", _("评分（1–5分）")
    MULTIPLE = "multiple", _("多选")
    TEXT = "text", _("填空（意见建议）")


class QuestionTarget(models.TextChoices):
    COMPANY = "company", _("物业服务企业")
    COMMITTEE = "committee", _("业主委员会")
    BRANCH = "branch", _("小区党支部")
    GENERAL = "general", _("综合")


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="questions")
    position = models.PositiveIntegerField(_("序号"), default=0)
    text = models.CharField(_("题目"), max_length=300)
    kind = models.CharField(_("题型"), max_length=16, choices=QuestionKind.choices)
    target = models.CharField(_("评价对象"), max_length=16, choices=QuestionTarget.choices)
    required = models.BooleanField(_("必答"), default=True)

    class Meta:
        verbose_name = _("测评题目")
        verbose_name_plural = _("测评题目")
        ordering = ["survey_id", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_scored(self) -> bool:
        return self.kind == QuestionKind.SCALE or (
            self.kind == QuestionKind.SINGLE and any(o.score is not None for o in self.options.all())
        )


class SurveyOption(models.Model):
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="options")
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(_("选项"), max_length=120)
    # A single-choice option may carry a score 1–5 (满意 5, 基本满意 3, 不满意 1) so that it counts
    # in the satisfaction figures like a scale question.
    score = models.PositiveSmallIntegerField(_("分值"), null=True, blank=True)

    class Meta:
        ordering = ["question_id", "position", "id"]

    def __str__(self) -> str:
        return self.label


class AnswerChannel(models.TextChoices):
    ONLINE = "online", _("线上")
    PAPER = "paper", _("纸质问卷录入")


class SurveyResponse(models.Model):
    """One flat's answer sheet. The flat is kept so the system can enforce one answer per flat and
    let the household change it until the survey closes; the person is kept only as a keyed hash,
    and no page, export or API shows which flat or person answered what."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    flat = models.ForeignKey(Flat, on_delete=models.PROTECT, related_name="+")
    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, choices=AnswerChannel.choices, default=AnswerChannel.ONLINE)
    respondent_key = models.CharField(max_length=64, editable=False)
    revision = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "flat"], name="survey_one_response_per_flat")]
        indexes = [models.Index(fields=["survey", "estate"], name="survey_response_estate")]


class SurveyAnswer(models.Model):
    """One answer to one question (a multiple-choice answer is one row per chosen option).
    Changing an answer sheet marks its rows as superseded and writes new ones; nothing is deleted."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.PROTECT, related_name="answers")
    # Denormalized so results are one indexed scan of this table.
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="+")
    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(SurveyOption, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(fields=["survey", "is_current", "question"], name="survey_answer_question"),
            models.Index(fields=["estate", "is_current"], name="survey_answer_estate"),
            models.Index(fields=["question", "is_current", "text"], name="survey_answer_comments"),
        ]


# --------------------------------------------------------------------------------------------
# Scorecards and assessments
# --------------------------------------------------------------------------------------------


class SubjectKind(models.TextChoices):
    COMPANY = "company", _("物业服务企业")
    BRANCH = "branch", _("小区党支部")
    INSTRUCTOR = "instructor", _("党建指导员")


class ScoringMode(models.TextChoices):
    POINTS = "points", _("累计得分（各项分值相加）")
    WEIGHTED = "weighted", _("分组加权（各组权重合计100%）")


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("使用中")
    RETIRED = "retired", _("已停用")


def default_grade_bands() -> list:
    # Credit grades AAA/AA/A/B/C by percentage of the maximum (lower bound included).
    return [["AAA", 90], ["AA", 80], ["A", 70], ["B", 60], ["C", 0]]


def default_star_bands() -> list:
    return [[5, 90], [4, 80], [3, 70], [2, 60], [1, 0]]


class Scorecard(models.Model):
    """评分表. ``family`` ties the versions of one scorecard together; a published version is
    never edited: changes are made in a new version (``scorecard_revise``)."""

    family = models.CharField(_("评分表编码"), max_length=64)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=120)
    subject_kind = models.CharField(_("评价对象"), max_length=16, choices=SubjectKind.choices)
    scoring = models.CharField(_("计分方式"), max_length=16, choices=ScoringMode.choices, default=ScoringMode.POINTS)
    pass_mark = models.DecimalField(_("达标线（得分率%）"), max_digits=5, decimal_places=2, default=Decimal("60"))
    grade_bands = models.JSONField(_("信用等级分档"), default=default_grade_bands)
    star_bands = models.JSONField(_("星级分档"), default=default_star_bands)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT)
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        ordering = ["family", "-version"]
        constraints = [models.UniqueConstraint(fields=["family", "version"], name="scorecard_unique_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ScorecardGroup(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="groups")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("方面"), max_length=120)
    # Weighted scorecards only: the group's share of 100.
    weight = models.DecimalField(_("权重（%）"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["scorecard_id", "position", "id"]

    def __str__(self) -> str:
        return self.name


class CriterionMethod(models.TextChoices):
    ASSESSOR = "assessor", _("评估人打分")
    CASE_ON_TIME_RATE = "case_on_time_rate", _("按记录计算：诉求按时办结率")
    CASE_SATISFACTION = "case_satisfaction", _("按记录计算：诉求回访满意率")
    SURVEY_SATISFACTION = "survey_satisfaction", _("按记录计算：满意度测评满意率")
    LEDGER_CLOSED_RATE = "ledger_closed_rate", _("按记录计算：整改按期销号率")


class Criterion(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="criteria")
    group = models.ForeignKey(ScorecardGroup, on_delete=models.PROTECT, related_name="criteria")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(_("评分细则"), max_length=300)
    max_points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    # An item scored below this fails and becomes a finding; empty: 60% of the maximum.
    pass_points = models.DecimalField(_("合格分"), max_digits=6, decimal_places=2, null=True, blank=True)
    method = models.CharField(
        _("评分方式"), max_length=32, choices=CriterionMethod.choices, default=CriterionMethod.ASSESSOR
    )

    class Meta:
        ordering = ["scorecard_id", "group__position", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def effective_pass_points(self) -> Decimal:
        if self.pass_points is not None:
            return self.pass_points
        return (self.max_points * Decimal("0.6")).quantize(Decimal("0.01"))


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("评分中")
    SUBMITTED = "submitted", _("已提交")


class Assessment(models.Model):
    """考评: one estate's company, branch or instructor scored on one scorecard version for a
    period. Once submitted it is final."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="assessments")
    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="assessments")
    subject_kind = models.CharField(max_length=16, choices=SubjectKind.choices)
    subject_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    subject_person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    subject_name = models.CharField(_("评价对象"), max_length=120)
    period_start = models.DateField(_("考评期开始"))
    period_end = models.DateField(_("考评期结束"))  # inclusive: the last day assessed
    status = models.CharField(max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    percent = models.DecimalField(_("得分率"), max_digits=5, decimal_places=2, null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True)
    credit_grade = models.CharField(_("信用等级"), max_length=4, blank=True)
    passed = models.BooleanField(_("达标"), null=True)
    note = models.TextField(_("评语"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("考评")
        verbose_name_plural = _("考评")
        ordering = ["-period_end", "-id"]
        indexes = [
            models.Index(fields=["subject_kind", "status", "estate"], name="assessment_kind_estate"),
            models.Index(fields=["subject_organization", "status"], name="assessment_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} · {self.scorecard.name}"


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    computed = models.BooleanField(default=False)
    basis = models.CharField(_("计算依据"), max_length=200, blank=True)
    note = models.CharField(_("扣分说明"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="assessment_one_score")]


# --------------------------------------------------------------------------------------------
# Inspections and the rectification ledger
# --------------------------------------------------------------------------------------------


class Inspection(models.Model):
    """A supervisor's walk through an estate (随手拍、随时记、及时提)."""

    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("小区"))
    inspector = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("监督员")
    )
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    note = models.TextField(_("巡查记录"), blank=True)

    class Meta:
        verbose_name = _("监督巡查")
        verbose_name_plural = _("监督巡查")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.estate} · {self.started_at:%Y-%m-%d}"


class CheckSubject(models.TextChoices):
    RESOLUTION = "resolution", _("议定事项落实")
    COMMITTEE_DUTY = "committee_duty", _("业委会履职")
    COMPANY_DUTY = "company_duty", _("物业服务质量")


class CheckResult(models.TextChoices):
    DONE = "done", _("已落实")
    IN_PROGRESS = "in_progress", _("推进中")
    NOT_DONE = "not_done", _("未落实")


class InspectionCheck(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="checks")
    subject = models.CharField(_("监督内容"), max_length=32, choices=CheckSubject.choices)
    item = models.CharField(_("检查事项"), max_length=300)
    result = models.CharField(_("结果"), max_length=16, choices=CheckResult.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    # The tracked case checked (e.g. a meeting resolution's case), if any.
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspection_id", "id"]


class LedgerSource(models.TextChoices):
    INSPECTION = "inspection", _("监督巡查")
    SURVEY = "survey", _("满意度测评")
    ASSESSMENT = "assessment", _("考评")


class LedgerState(models.TextChoices):
    OPEN = "open", _("整改中")
    RECTIFIED = "rectified", _("已整改待核验")
    SIGNED_OFF = "signed_off", _("已销号")


class LedgerItemQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(state=LedgerState.SIGNED_OFF)

    def overdue(self, on):
        return self.open().filter(deadline__lt=on)


class LedgerItem(models.Model):
    """整改台账 row: one finding of an estate with its responsible party, deadline, evidence and
    state. Tracked as a case; closed out (销号) only by an on-the-spot verification."""

    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="ledger_items", verbose_name=_("小区"))
    number = models.PositiveIntegerField(_("编号"))  # running number within the estate
    source = models.CharField(_("问题来源"), max_length=16, choices=LedgerSource.choices)
    title = models.CharField(_("问题"), max_length=200)
    description = models.TextField(_("问题描述"), blank=True)
    location = models.CharField(_("位置"), max_length=120, blank=True)
    responsible = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("责任单位")
    )
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=LedgerState.choices, default=LedgerState.OPEN)
    found_by = models.CharField(_("发现人"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    signed_off_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Where it came from (exactly one of these is set).
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="findings")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, null=True, blank=True, related_name="findings")
    survey_question = models.ForeignKey(
        SurveyQuestion, on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="findings")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The case that tracks it in the case ledger (gongzhi.cases), once created.
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("诉求")
    )

    objects = LedgerItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改台账")
        verbose_name_plural = _("整改台账")
        ordering = ["estate_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "number"], name="ledger_unique_number"),
            models.UniqueConstraint(
                fields=["survey_question", "estate"],
                condition=models.Q(survey_question__isnull=False),
                name="ledger_one_finding_per_survey_question",
            ),
            models.UniqueConstraint(
                fields=["assessment", "criterion"],
                condition=models.Q(assessment__isnull=False),
                name="ledger_one_finding_per_failed_item",
            ),
        ]
        indexes = [models.Index(fields=["estate", "state", "deadline"], name="ledger_estate_state")]

    def __str__(self) -> str:
        return f"{self.estate} #{self.number} {self.title}"

    def is_overdue(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.state != LedgerState.SIGNED_OFF and self.deadline is not None and self.deadline < on


class EvidenceKind(models.TextChoices):
    FINDING = "finding", _("问题照片")
    RECTIFICATION = "rectification", _("整改材料")
    VERIFICATION = "verification", _("现场核验")


class LedgerEvidence(models.Model):
    item = models.ForeignKey(LedgerItem, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    photo = models.ImageField(upload_to="oversight/%Y/%m/", blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item_id", "at", "id"]


class Verification(models.Model):
    """An on-the-spot check of a rectification. Passed: the item is closed out (销号); failed: it
    goes back to the responsible party. Append-only."""

    item = models.ForeignKey(LedgerItem, on_delete=models.PROTECT, related_name="verifications")
    passed = models.BooleanField(_("核验通过"))
    note = models.TextField(_("核验意见"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_name = models.CharField(max_length=60)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item_id", "at", "id"]


class SurveyTally(models.Model):
    """Running counts of a survey's current answers per estate and question, kept in step by the
    answering service (and rebuilt from the answers by ``survey_tally_rebuild``), so that results
    of a survey of ten thousand flats read a few hundred rows instead of every answer.

    ``key``: "answered" (answer sheets that answered the question), "o<option id>" (an option
    chosen), "s<1–5>" (a score given), "t" (a comment written)."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="tallies")
    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=24)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "estate", "question", "key"], name="survey_tally_unique")
        ]
