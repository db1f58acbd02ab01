from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import NoDeleteMixin

from . import region_changes
from .models import (ChannelReach, WorkChannel)
from .models import (CoverageLink, DualTraining, Election, Enterprise, EnterprisePost, LeadershipBody, LeadershipBodyUnit,
                     PartyOrganization, Region, RegionChange, ScaleBand, Secretary, SecretaryAppointment,
                     SecretaryTraining, SelectionBatch)
from .services import save_appointment


@admin.register(Region)
class RegionAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "zone_type", "depth"]
    list_filter = ["kind", "zone_type"]
    search_fields = ["code", "name"]
    readonly_fields = ["path", "depth", "numchild"]

    def get_readonly_fields(self, request, obj=None):
        # On an existing region, name, code, kind and closing are region changes: record them through
        # “Region changes → Add” (the same service as the page and the API), not by editing the row.
        if obj is not None:
            return [*self.readonly_fields, "name", "code", "kind", "valid_to"]
        return self.readonly_fields


class RegionChangeAdminForm(forms.ModelForm):
    """The admin's way to make a region change: the form's values go to `region_changes.apply_change`."""

    class Meta:
        model = RegionChange
        fields = ["region", "kind", "effective_on", "new_parent", "new_name", "new_code", "new_kind", "merged_into",
                  "note"]

    def clean(self):
        data = super().clean()
        self.change = None
        region = data.get("region")
        if region is None or not data.get("kind") or not data.get("effective_on"):
            return data
        try:
            self.change = region_changes.apply_change(
                region, data["kind"], user=self.current_user, effective_on=data["effective_on"],
                note=data.get("note", ""), parent=data.get("new_parent"), into=data.get("merged_into"),
                name=data.get("new_name", ""), code=data.get("new_code", ""), new_kind=data.get("new_kind", ""))
        except (ValidationError, PermissionDenied) as error:
            raise ValidationError(getattr(error, "messages", None) or [str(error)]) from error
        return data


@admin.register(RegionChange)
class RegionChangeAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    form = RegionChangeAdminForm
    list_display = ["effective_on", "kind", "region", "old_parent", "new_parent", "old_name", "new_name", "merged_into",
                    "recorded_by", "recorded_at"]
    list_filter = ["kind"]
    search_fields = ["region__code", "region__name", "old_name", "new_name"]
    raw_id_fields = ["region", "new_parent", "merged_into"]
    list_select_related = ["region", "old_parent", "new_parent", "merged_into", "recorded_by"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)  # recorded changes are not edited

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.current_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        # The service already applied and recorded the change inside this request's transaction.
        obj.pk = form.change.pk
        messages.success(request, _("Recorded: %(change)s.") % {"change": form.change.get_kind_display()})

    def save_related(self, request, form, formsets, change):
        pass


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
class ScaleBandAdmin(NoDeleteMixin, admin.ModelAdmin):
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

class SecretaryAppointmentInline(admin.TabularInline):
    model = SecretaryAppointment
    extra = 0
    raw_id_fields = ["organization"]
    can_delete = False


class SecretaryTrainingInline(admin.TabularInline):
    model = SecretaryTraining
    extra = 0
    can_delete = False


@admin.register(Secretary)
class SecretaryAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["name", "source", "region", "unit", "batch"]
    list_filter = ["source"]
    search_fields = ["name", "unit"]
    raw_id_fields = ["region", "member", "batch"]
    inlines = [SecretaryTrainingInline]


@admin.register(SecretaryAppointment)
class SecretaryAppointmentAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["secretary", "organization", "role", "appointed_on", "ended_on"]
    list_filter = ["role"]
    raw_id_fields = ["secretary", "organization"]

    def save_model(self, request, obj, form, change):
        save_appointment(obj)  # the same rules and secretary_name sync as the pages and the API


@admin.register(SecretaryTraining)
class SecretaryTrainingAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["secretary", "course", "provider", "held_on", "hours"]
    list_filter = ["provider"]
    raw_id_fields = ["secretary"]


@admin.register(SelectionBatch)
class SelectionBatchAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["name", "region", "selected_on"]
    raw_id_fields = ["region"]


class LeadershipBodyUnitInline(admin.TabularInline):
    model = LeadershipBodyUnit
    extra = 0
    can_delete = False


@admin.register(LeadershipBody)
class LeadershipBodyAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "region", "established_on", "dissolved_on"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["region"]
    inlines = [LeadershipBodyUnitInline]


@admin.register(EnterprisePost)
class EnterprisePostAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["enterprise", "person_name", "post", "level", "is_member", "on_party_committee", "ended_on"]
    list_filter = ["level", "is_member", "on_party_committee"]
    raw_id_fields = ["enterprise", "member"]


@admin.register(DualTraining)
class DualTrainingAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["enterprise", "person_name", "track", "started_on", "outcome"]
    list_filter = ["track", "outcome"]
    raw_id_fields = ["enterprise", "applicant", "member", "post"]
