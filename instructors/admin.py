"""Configurable lists (instructor types, assessment schemes) and the work-log records, for administrators."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import NoDeleteMixin

from .models import (
    Assessment,
    AssessmentScheme,
    Batch,
    DemonstrationSiteReview,
    InstructorType,
    Meeting,
    ResponsibilityTarget,
    Training,
)


@admin.register(InstructorType)
class InstructorTypeAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["code", "name", "counts_for_work_coverage"]


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["name", "points_per_target_met", "points_per_visit", "points_per_meeting", "excellent_from",
                    "good_from", "pass_from"]


@admin.register(Batch)
class BatchAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["name", "region", "dispatched_on"]
    raw_id_fields = ["region"]


@admin.register(Training)
class TrainingAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["title", "region", "held_on", "hours"]
    raw_id_fields = ["region", "attendees"]


@admin.register(Meeting)
class MeetingAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["topic", "region", "held_on"]
    raw_id_fields = ["region", "attendees"]


@admin.register(ResponsibilityTarget)
class ResponsibilityTargetAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["description", "assignment", "due_on", "outcome"]
    raw_id_fields = ["assignment"]


@admin.register(Assessment)
class AssessmentAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["instructor", "year", "score", "grade", "targets_met", "visits", "meetings"]
    raw_id_fields = ["instructor"]


@admin.register(DemonstrationSiteReview)
class DemonstrationSiteReviewAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["site", "year", "passed"]
    raw_id_fields = ["site"]
