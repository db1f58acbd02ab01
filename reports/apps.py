from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Statistics and reports")

    def ready(self):
        from core.navigation import MenuItem, register  # noqa: PLC0415
        from core.roles import Role  # noqa: PLC0415

        from . import tasks  # noqa: F401  (registers the job handlers)

        register(MenuItem(_("Coverage"), "reports:dashboard", roles=frozenset({
            Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER, Role.BRANCH_SECRETARY}), order=10))
