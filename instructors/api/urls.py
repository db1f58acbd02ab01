from rest_framework.routers import DefaultRouter

from .views import (
    AssignmentViewSet,
    DemonstrationSiteReviewViewSet,
    DemonstrationSiteViewSet,
    InstructorViewSet,
    MeetingViewSet,
    ResponsibilityTargetViewSet,
    TemporaryPostViewSet,
    VisitViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("instructors", InstructorViewSet, basename="instructor")
router.register("instructor-assignments", AssignmentViewSet, basename="instructor-assignment")
router.register("instructor-visits", VisitViewSet, basename="instructor-visit")
router.register("demonstration-sites", DemonstrationSiteViewSet, basename="demonstration-site")
router.register("demonstration-site-reviews", DemonstrationSiteReviewViewSet, basename="demonstration-site-review")
router.register("instructor-targets", ResponsibilityTargetViewSet, basename="instructor-target")
router.register("instructor-meetings", MeetingViewSet, basename="instructor-meeting")
router.register("instructor-temporary-posts", TemporaryPostViewSet, basename="instructor-temporary-post")

urlpatterns = router.urls
