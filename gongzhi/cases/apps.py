from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gongzhi.cases"
    label = "cases"
    verbose_name = _("诉求台账")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from gongzhi.cases.models import Category
        from gongzhi.core import navigation
        from gongzhi.core.navigation import NavEntry
        from gongzhi.open311.auth import connect_grant_invalidation, forget_all_grants

        connect_grant_invalidation()
        # The API keeps categories a minute in the cache under the same generation number.
        post_save.connect(forget_all_grants, sender=Category, dispatch_uid="cases.category_saved")
        post_delete.connect(forget_all_grants, sender=Category, dispatch_uid="cases.category_deleted")

        navigation.register(NavEntry("cases:mine", _("我的诉求"), "resident", 10))
        navigation.register(NavEntry("cases:queue", _("诉求工作台"), "view_internal", 15))
        navigation.register(NavEntry("cases:boards", _("诉求公示"), None, 85))
