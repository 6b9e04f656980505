from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "gongzhi.oversight"
    label = "oversight"
    verbose_name = _("效度联评")

    def ready(self) -> None:
        from gongzhi.cases.signals import case_changed
        from gongzhi.core import navigation

        case_changed.connect(_case_changed, dispatch_uid="oversight.ledger_sync")
        navigation.register(navigation.NavEntry("oversight:surveys", _("满意度测评"), None, 60))
        navigation.register(navigation.NavEntry("oversight:home", _("效度联评"), "view_internal", 65))


def _case_changed(sender, case, event, **kwargs) -> None:
    from gongzhi.oversight.services import ledger_sync_from_case

    if event is not None and event.kind == "created":
        # A case just taken in has no ledger item yet (an inspection opens the item after the
        # case); a case created already dispatched also records a "dispatched" event, synced below.
        return
    ledger_sync_from_case(case)
