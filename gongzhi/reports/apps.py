from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "gongzhi.reports"
    label = "reports"
    verbose_name = _("报告")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gongzhi.accounts.posts import Capability
        from gongzhi.core import navigation

        navigation.register(navigation.NavEntry("reports:report", _("工作报告"), Capability.VIEW_DASHBOARD, 91))
