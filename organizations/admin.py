from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import NoDeleteMixin

from .models import ChannelReach, CoverageLink, Election, Enterprise, PartyOrganization, Region, ScaleBand, WorkChannel


@admin.register(Region)
class RegionAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "zone_type", "depth"]
    list_filter = ["kind", "zone_type"]
    search_fields = ["code", "name"]
    readonly_fields = ["path", "depth", "numchild"]


@admin.register(Enterprise)
class EnterpriseAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["uscc", "name", "region", "ownership", "industry", "employees", "scale", "status"]
    list_filter = ["status", "ownership", "industry", "scale"]
    search_fields = ["uscc", "name"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "formation_mode", "region", "established_on", "dissolved_on"]
    list_filter = ["kind", "formation_mode"]
    search_fields = ["code", "name", "secretary_name"]
    raw_id_fields = ["region"]
    readonly_fields = ["path", "depth", "numchild"]
    list_select_related = ["region"]


@admin.register(CoverageLink)
class CoverageLinkAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["organization", "enterprise", "valid_from", "valid_to"]
    raw_id_fields = ["organization", "enterprise"]
    list_select_related = ["organization", "enterprise"]


@admin.register(Election)
class ElectionAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["organization", "held_on", "term_years", "secretary_name"]
    raw_id_fields = ["organization"]


@admin.register(ScaleBand)
class ScaleBandAdmin(admin.ModelAdmin):
    list_display = ["scale", "min_employees"]


@admin.register(WorkChannel)
class WorkChannelAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Switch a channel on to count it towards work coverage (DESIGN.md: configurable, off by default)."""

    list_display = ["code", "name", "enabled", "position"]
    list_editable = ["enabled"]


@admin.register(ChannelReach)
class ChannelReachAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["channel", "enterprise", "valid_from", "valid_to"]
    list_filter = ["channel"]
    raw_id_fields = ["enterprise"]
    list_select_related = ["channel", "enterprise"]
