from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "gongzhi.funds"
    label = "funds"
    verbose_name = _("资金与实事")

    def ready(self) -> None:
        from gongzhi.core import navigation

        navigation.register(navigation.NavEntry("funds:wishes", _("微心愿"), None, 70))
        navigation.register(navigation.NavEntry("funds:home", _("资金与实事"), "view_internal", 72))
