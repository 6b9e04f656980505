from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportSchedule(models.Model):
    """A subdistrict's monthly report: generated after each month ends, stored, and announced."""

    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("地点"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("设置人")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("月度报告计划")
        verbose_name_plural = _("月度报告计划")
        constraints = [
            models.UniqueConstraint(fields=["place"], condition=models.Q(is_active=True), name="one_active_schedule")
        ]


class StoredReport(models.Model):
    """A report as generated: its figures kept as they were on the day (JSON), never changed."""

    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("地点"))
    schedule = models.ForeignKey(
        ReportSchedule, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("截止日期"))  # inclusive, as shown
    content = models.JSONField(_("内容"))
    generated_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("已生成报告")
        verbose_name_plural = _("已生成报告")
        ordering = ["-end", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "start", "end"], name="one_report_per_schedule_period")
        ]
