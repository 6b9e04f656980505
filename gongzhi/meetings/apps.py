from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "gongzhi.meetings"
    label = "meetings"
    verbose_name = _("议事")

    def ready(self) -> None:
        from gongzhi.core import navigation
        from gongzhi.meetings import receivers

        navigation.register(navigation.NavEntry("meetings:index", _("议事"), None, 50))
        receivers.connect()
