from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "gongzhi.volunteers"
    label = "volunteers"
    verbose_name = _("志愿与共建")

    def ready(self) -> None:
        from gongzhi.core import navigation

        navigation.register(navigation.NavEntry("volunteers:home", _("志愿服务"), None, 74))
        navigation.register(navigation.NavEntry("volunteers:orders", _("点单接单"), None, 76))
        navigation.register(navigation.NavEntry("volunteers:patrols", _("联合执法"), "case_intake", 78))
        navigation.register(navigation.NavEntry("volunteers:visits", _("面对面接访"), "case_intake", 79))
