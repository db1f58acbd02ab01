from django.contrib import admin

from core.admin import NoDeleteMixin

from .models import ReportDefinition, ReportRun


@admin.register(ReportDefinition)
class ReportDefinitionAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Operators may retitle a report or stop offering it; its columns are code (reports.definitions)."""

    list_display = ["code", "title", "period_type", "schema_version", "active"]
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
    exclude = ["xlsx_file", "csv_file", "preview"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
