"""Roll-ups behind the case figures: the dashboards read these small tables instead of the case
ledger, so their cost follows the number of places and days shown, not the number of cases.

``CaseDay`` holds, for each estate and each day cases were taken in on, the counts every case
indicator is made of (see ``gongzhi.indicators.rollups`` for how each count is derived from the
case events, exactly as ``gongzhi.cases.indicators`` defines the figures). ``CaseMonthBreakdown``
holds the same counts per estate, month and category or responsible party, for the breakdowns.
Both are rebuilt bucket by bucket by the periodic job ``indicators.refresh_rollups`` from the
cases and events changed since the watermark kept in ``RollupState``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseCounts(models.Model):
    received = models.PositiveIntegerField(_("受理件数"), default=0)
    dispatched = models.PositiveIntegerField(_("已派单件数"), default=0)
    responded = models.PositiveIntegerField(_("按时响应件数"), default=0)
    reviewed = models.PositiveIntegerField(_("回访件数"), default=0)
    solved = models.PositiveIntegerField(_("已解决件数"), default=0)
    satisfied = models.PositiveIntegerField(_("满意件数"), default=0)
    basically_satisfied = models.PositiveIntegerField(_("基本满意件数"), default=0)
    dissatisfied = models.PositiveIntegerField(_("不满意件数"), default=0)
    resolved = models.PositiveIntegerField(_("有时限的办结件数"), default=0)
    on_time = models.PositiveIntegerField(_("按时办结件数"), default=0)

    COUNTS = (
        "received",
        "dispatched",
        "responded",
        "reviewed",
        "solved",
        "satisfied",
        "basically_satisfied",
        "dissatisfied",
        "resolved",
        "on_time",
    )

    class Meta:
        abstract = True


class CaseDay(CaseCounts):
    estate = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区"))
    day = models.DateField(_("受理日期"))

    class Meta:
        verbose_name = _("诉求日汇总")
        verbose_name_plural = _("诉求日汇总")
        constraints = [models.UniqueConstraint(fields=["estate", "day"], name="caseday_estate_day")]
        indexes = [models.Index(fields=["day", "estate"], name="caseday_day_estate")]


class Dimension(models.TextChoices):
    TOTAL = "total", _("合计")  # key 0: the estate's whole month
    CATEGORY = "category", _("类别")
    RESPONSIBLE = "responsible", _("责任方")


class CaseMonthBreakdown(CaseCounts):
    estate = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区"))
    month = models.DateField(_("月份"))  # the first day of the month
    dimension = models.CharField(_("维度"), max_length=16, choices=Dimension.choices)
    key = models.PositiveBigIntegerField(_("类别或责任方编号"), default=0)  # 0: none

    class Meta:
        verbose_name = _("诉求月度分项汇总")
        verbose_name_plural = _("诉求月度分项汇总")
        constraints = [
            models.UniqueConstraint(fields=["estate", "month", "dimension", "key"], name="casemonth_bucket"),
        ]
        indexes = [models.Index(fields=["month", "dimension"], name="casemonth_month_dim")]


class RollupState(models.Model):
    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    last_case_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("汇总水位")
        verbose_name_plural = _("汇总水位")


class SourceVersion(models.Model):
    """A counter per database table an indicator reads: raised in the same transaction as every
    write to that table (``gongzhi.indicators.store``), so a stored figure knows whether the
    records behind it changed since it was computed."""

    source = models.CharField(_("数据表"), max_length=100, unique=True)
    version = models.BigIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("数据来源版本")
        verbose_name_plural = _("数据来源版本")


class StoredFigure(models.Model):
    """One indicator's figure for one place and period, as computed from the records when the
    sources had ``version`` (the sum of the counters of the tables the indicator reads)."""

    key = models.CharField(_("指标"), max_length=80)
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("地点"))
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期（不含）"))
    # [value, numerator, denominator] as JSON text: integers as numbers, decimals as {"d": "12.3"}
    # (exact). Text, not a JSON column: many figures repeat ("[0, null, null]") and are decoded once.
    figure = models.TextField(_("数值"))
    version = models.BigIntegerField(_("来源版本"))
    definition = models.CharField(_("定义指纹"), max_length=16)  # the code and settings it was computed by
    computed_on = models.DateField(_("计算日期"))
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("指标存值")
        verbose_name_plural = _("指标存值")
        constraints = [
            models.UniqueConstraint(fields=["start", "end", "key", "place"], name="storedfigure_period_key_place")
        ]
        indexes = [models.Index(fields=["place", "start"], name="storedfigure_place_start")]
