"""Configurable lists (frequency rules, checklists, assessment schemes with their rating rules, fund allocation
rules), for administrators. Activity records
are filed and reviewed through the portal's pages and API only (their workflow lives in services.py)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import NoDeleteMixin

from .models import (
    AssessmentAspect,
    AssessmentRatingRule,
    AssessmentScheme,
    Checklist,
    ChecklistItem,
    FrequencyRule,
    FundAllocationRule,
)


@admin.register(FrequencyRule)
class FrequencyRuleAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["kind", "period", "min_count"]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    can_delete = False


@admin.register(Checklist)
class ChecklistAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["code", "name"]
    inlines = [ChecklistItemInline]


class AssessmentAspectInline(admin.TabularInline):
    model = AssessmentAspect
    extra = 0
    can_delete = False


class AssessmentRatingRuleInline(admin.TabularInline):
    """A scheme's rating as rows: from N aspects met, this rating at this level."""

    model = AssessmentRatingRule
    extra = 0
    can_delete = False


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["code", "name"]
    inlines = [AssessmentAspectInline, AssessmentRatingRuleInline]


@admin.register(FundAllocationRule)
class FundAllocationRuleAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["basis", "scale", "amount_yuan", "from_year"]
    list_filter = ["basis", "from_year"]
