from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gongzhi.cases"
    label = "cases"
    verbose_name = _("诉求台账")

    def ready(self) -> None:
        from gongzhi.core import navigation
        from gongzhi.core.navigation import NavEntry
        from gongzhi.open311.auth import connect_grant_invalidation

        connect_grant_invalidation()

        navigation.register(NavEntry("cases:mine", _("我的诉求"), "resident", 10))
        navigation.register(NavEntry("cases:queue", _("诉求工作台"), "view_internal", 15))
        navigation.register(NavEntry("cases:boards", _("诉求公示"), None, 85))
