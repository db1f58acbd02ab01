from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from .dates import install as bound_dates
        from .navigation import MenuItem, register
        from .roles import Role

        bound_dates()  # every DateField (forms, models, DRF) takes 1900…2100 only — core/dates.py
        register(MenuItem(_("Import data"), "imports:upload", frozenset({Role.REGION_EDITOR}), _("Register"), 90))
