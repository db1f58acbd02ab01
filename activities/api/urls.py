from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import (
    ActivityRecordViewSet,
    AssessmentResultViewSet,
    ChecklistResultViewSet,
    ComplianceView,
    SuggestionViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("activities", ActivityRecordViewSet, basename="activity")
router.register("suggestions", SuggestionViewSet, basename="suggestion")
router.register("checklist-results", ChecklistResultViewSet, basename="checklist-result")
router.register("assessment-results", AssessmentResultViewSet, basename="assessment-result")

urlpatterns = [
    path("statistics/activities/compliance/", ComplianceView.as_view(), name="activity-compliance"),
    *router.urls,
]
