from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "gongzhi.indicators"
    label = "indicators"
    verbose_name = _("指标")

    def ready(self) -> None:
        # Each app declares its indicators in <app>/indicators.py; importing them registers them.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("indicators")

        from gongzhi.indicators import store

        store.connect_signals()
