from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from .navigation import MenuItem, register
        from .roles import Role

        register(MenuItem(_("Import data"), "imports:upload", frozenset({Role.REGION_EDITOR}), _("Register"), 90))
