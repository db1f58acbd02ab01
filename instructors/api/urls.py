from rest_framework.routers import DefaultRouter

from .views import (
    AssignmentViewSet,
    DemonstrationSiteViewSet,
    InstructorViewSet,
    VisitViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("instructors", InstructorViewSet, basename="instructor")
router.register("instructor-assignments", AssignmentViewSet, basename="instructor-assignment")
router.register("instructor-visits", VisitViewSet, basename="instructor-visit")
router.register("demonstration-sites", DemonstrationSiteViewSet, basename="demonstration-site")

urlpatterns = router.urls
