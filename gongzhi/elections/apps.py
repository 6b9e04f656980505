from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "gongzhi.elections"
    label = "elections"
    verbose_name = _("选举与表决")

    def ready(self):
        from gongzhi.core import navigation

        navigation.register(navigation.NavEntry("elections:index", _("表决与选举"), None, 60))
