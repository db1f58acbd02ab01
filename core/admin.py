from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import ExportRecord, Job, User


class NoDeleteMixin:
    """Nothing in the register is hard-deleted, not even from the admin."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(User)
class PortalUserAdmin(NoDeleteMixin, SimpleHistoryAdmin, UserAdmin):
    list_display = ["username", "role", "scope_region", "scope_organization", "scope_instructor", "is_active",
                    "can_view_sensitive", "last_login"]
    list_filter = ["role", "is_active", "can_view_sensitive"]
    raw_id_fields = ["scope_region", "scope_organization", "scope_instructor"]
    fieldsets = UserAdmin.fieldsets + (
        (_("Role and scope"), {"fields": ["role", "scope_region", "scope_organization", "scope_instructor",
                                          "can_view_sensitive"]}),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (
        (_("Role and scope"), {"fields": ["role", "scope_region", "scope_organization", "scope_instructor"]}),
    )


@admin.register(Job)
class JobAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["id", "kind", "status", "region_code", "created_by", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]


@admin.register(ExportRecord)
class ExportRecordAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["created_at", "user", "what", "format", "rows"]
    readonly_fields = [f.name for f in ExportRecord._meta.fields]

    def has_add_permission(self, request):
        return False


def forbid_delete_in_admin(*models):
    """Re-register another app's admin for `models` without delete (its own ModelAdmin kept otherwise)."""
    for model in models:
        current = admin.site._registry.get(model)
        if current is None or isinstance(current, NoDeleteMixin):
            continue
        admin.site.unregister(model)
        base = type(current)
        admin.site.register(model, type(f"NoDelete{base.__name__}", (NoDeleteMixin, base), {}))


def _protect_third_party_admins():
    """The login audit trail (django-axes) and the beat schedules (django-celery-beat) are never deleted
    from the admin: a lockout is lifted with `manage.py axes_reset_username <name>`, a schedule is switched
    off with its "enabled" box (docs/operations.md)."""
    import axes.admin  # noqa: F401, PLC0415 - make sure they are registered before replacing them
    import django_celery_beat.admin  # noqa: F401, PLC0415
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # noqa: PLC0415
    from django_celery_beat import models as beat  # noqa: PLC0415

    forbid_delete_in_admin(AccessAttempt, AccessLog, AccessFailureLog, beat.PeriodicTask, beat.IntervalSchedule,
                           beat.CrontabSchedule, beat.SolarSchedule, beat.ClockedSchedule)


_protect_third_party_admins()
