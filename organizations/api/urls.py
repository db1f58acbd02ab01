from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("regions", views.RegionViewSet, basename="region")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("organizations", views.PartyOrganizationViewSet, basename="organization")
router.register("region-changes", views.RegionChangeViewSet, basename="region-change")
router.register("coverage-links", views.CoverageLinkViewSet, basename="coverage-link")
router.register("channel-reaches", views.ChannelReachViewSet, basename="channel-reach")

router.register("secretaries", views.SecretaryViewSet, basename="secretary")
router.register("secretary-appointments", views.SecretaryAppointmentViewSet, basename="secretary-appointment")
router.register("secretary-trainings", views.SecretaryTrainingViewSet, basename="secretary-training")
router.register("selection-batches", views.SelectionBatchViewSet, basename="selection-batch")
router.register("leadership-bodies", views.LeadershipBodyViewSet, basename="leadership-body")
router.register("leadership-body-units", views.LeadershipBodyUnitViewSet, basename="leadership-body-unit")
router.register("enterprise-posts", views.EnterprisePostViewSet, basename="enterprise-post")
router.register("dual-trainings", views.DualTrainingViewSet, basename="dual-training")

urlpatterns = router.urls + [
    path("work-channels/", views.WorkChannelList.as_view(), name="work-channel-list"),
    path("statistics/secretaries/", views.SecretaryFiguresAPIView.as_view(), name="statistics-secretaries"),
    path("statistics/two-way-entry/", views.TwoWayFiguresAPIView.as_view(), name="statistics-two-way-entry"),
]
