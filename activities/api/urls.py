from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import ActivityRecordViewSet, ComplianceView, SuggestionViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("activities", ActivityRecordViewSet, basename="activity")
router.register("suggestions", SuggestionViewSet, basename="suggestion")

urlpatterns = [
    path("statistics/activities/compliance/", ComplianceView.as_view(), name="activity-compliance"),
    *router.urls,
]
