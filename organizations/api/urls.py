from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("regions", views.RegionViewSet, basename="region")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("organizations", views.PartyOrganizationViewSet, basename="organization")
router.register("coverage-links", views.CoverageLinkViewSet, basename="coverage-link")
router.register("channel-reaches", views.ChannelReachViewSet, basename="channel-reach")

urlpatterns = [
    path("work-channels/", views.WorkChannelList.as_view(), name="work-channel-list"),
    *router.urls,
]
