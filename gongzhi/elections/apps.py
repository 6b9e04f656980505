from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "gongzhi.elections"
    label = "elections"
    verbose_name = _("选举与表决")
