from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "gongzhi.privacy"
    label = "privacy"
    verbose_name = _("个人信息")

    def ready(self):
        from gongzhi.core import navigation

        navigation.register(navigation.NavEntry("privacy:mine", _("我的信息"), None, 95))
