from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("regions", views.RegionViewSet, basename="region")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("organizations", views.PartyOrganizationViewSet, basename="organization")
router.register("region-changes", views.RegionChangeViewSet, basename="region-change")
router.register("coverage-links", views.CoverageLinkViewSet, basename="coverage-link")

urlpatterns = router.urls
