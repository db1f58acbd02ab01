from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def sync_report_definitions(sender, **kwargs):
    """Give every report definition in code (reports.definitions) its ReportDefinition row."""
    from .services import sync_definitions  # noqa: PLC0415

    sync_definitions()


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Statistics and reports")

    def ready(self):
        from core.navigation import MenuItem, register  # noqa: PLC0415
        from core.roles import Role  # noqa: PLC0415

        from . import incremental, tasks  # noqa: F401  (tasks registers the job handlers)

        incremental.connect()  # writes that change coverage mark the snapshots stale (reports.incremental)

        register(MenuItem(_("Coverage"), "reports:dashboard", roles=frozenset({
            Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER, Role.BRANCH_SECRETARY}), order=10))
        register(MenuItem(_("Reports"), "reports:run_list", roles=frozenset({
            Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER, Role.STATS_CLIENT}), order=11))
        register(MenuItem(_("Statistics"), "reports:stats_home", roles=frozenset({Role.STATS_CLIENT}), order=9))
        post_migrate.connect(sync_report_definitions, sender=self, dispatch_uid="reports.sync_report_definitions")
