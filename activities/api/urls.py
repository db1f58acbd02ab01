from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import (
    ActivityRecordViewSet,
    AssessmentResultViewSet,
    ChecklistResultViewSet,
    ComplianceView,
    FundIncomeViewSet,
    FundSpendingViewSet,
    PairingResultViewSet,
    PairingViewSet,
    SuggestionViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("activities", ActivityRecordViewSet, basename="activity")
router.register("suggestions", SuggestionViewSet, basename="suggestion")
router.register("checklist-results", ChecklistResultViewSet, basename="checklist-result")
router.register("assessment-results", AssessmentResultViewSet, basename="assessment-result")
router.register("fund-incomes", FundIncomeViewSet, basename="fund-income")
router.register("fund-spendings", FundSpendingViewSet, basename="fund-spending")
router.register("pairings", PairingViewSet, basename="pairing")
router.register("pairing-results", PairingResultViewSet, basename="pairing-result")

urlpatterns = [
    path("statistics/activities/compliance/", ComplianceView.as_view(), name="activity-compliance"),
    *router.urls,
]
