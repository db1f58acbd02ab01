from django.contrib import admin

from core.admin import NoDeleteMixin

from simple_history.admin import SimpleHistoryAdmin

from .models import ApprovalStep, ReportDefinition, ReportingUnit, ReportRun


@admin.register(ReportDefinition)
class ReportDefinitionAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Operators may retitle a report or stop offering it, and set who hands it in (reporting levels) and by
    when (due days after the period); its columns are code (reports.definitions)."""

    list_display = ["code", "title", "period_type", "schema_version", "active", "reporting_levels", "due_days"]
    list_filter = ["period_type", "active"]
    readonly_fields = ["code", "period_type", "schema_version"]

    def has_add_permission(self, request):
        return False  # rows come from the code registry (post_migrate)


@admin.register(ReportRun)
class ReportRunAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Runs are records of what was produced: read-only here (files are downloaded from the portal pages)."""

    list_display = ["definition", "region", "period", "version", "status", "requested_by", "requested_at"]
    list_filter = ["status", "definition"]
    search_fields = ["region__code", "region__name", "period"]
    # Private files have no URL (reports.storage); the portal's run page links the scoped downloads.
    exclude = ["xlsx_file", "csv_file", "table_file", "preview", "figures"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportingUnit)
class ReportingUnitAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """The cover block's unit settings (单位负责人, 联系电话) per region."""

    list_display = ["region", "head", "phone"]
    search_fields = ["region__code", "region__name", "head"]
    autocomplete_fields = ["region"]


@admin.register(ApprovalStep)
class ApprovalStepAdmin(NoDeleteMixin, admin.ModelAdmin):
    """The approval chain (read-only: transitions go through reports.approval)."""

    list_display = ["run", "action", "from_state", "to_state", "user", "at"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
