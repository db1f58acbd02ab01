from rest_framework import generics

from core.api import ScopedModelViewSet
from core.roles import STAFF_VIEW_ROLES, Role

from ..channels import ChannelReach, WorkChannel
from ..filtersets import (ChannelReachFilterSet, CoverageLinkFilterSet, EnterpriseFilterSet, PartyOrganizationFilterSet,
                          RegionFilterSet)
from ..models import CoverageLink, Enterprise, PartyOrganization, Region
from ..terms import annotate_terms
from .serializers import (ChannelReachSerializer, CoverageLinkSerializer, EnterpriseSerializer,
                          PartyOrganizationSerializer, RegionSerializer, WorkChannelSerializer)


class RegionViewSet(ScopedModelViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    ordering_fields = ["code", "name", "path"]
    ordering = ["path"]

    def get_base_queryset(self):
        return Region.objects.with_parent_code()


class EnterpriseViewSet(ScopedModelViewSet):
    queryset = Enterprise.objects.select_related("region")
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    ordering_fields = ["name", "uscc", "employees", "founded_on"]
    ordering = ["name", "id"]

    def get_base_queryset(self):
        from django.utils import timezone  # noqa: PLC0415

        from reports.enterprise_coverage import annotate_coverage_category  # noqa: PLC0415

        return annotate_coverage_category(self.queryset.all(), timezone.localdate())


class PartyOrganizationViewSet(ScopedModelViewSet):
    queryset = PartyOrganization.objects.select_related("region")
    serializer_class = PartyOrganizationSerializer
    filterset_class = PartyOrganizationFilterSet
    ordering_fields = ["code", "name", "established_on", "path"]
    ordering = ["path"]

    def get_base_queryset(self):
        return annotate_terms(self.queryset.with_parent_code())


class CoverageLinkViewSet(ScopedModelViewSet):
    queryset = CoverageLink.objects.select_related("organization", "enterprise")
    serializer_class = CoverageLinkSerializer
    filterset_class = CoverageLinkFilterSet
    ordering_fields = ["valid_from", "valid_to"]
    ordering = ["-valid_from", "id"]


class WorkChannelList(generics.ListAPIView):
    """The work coverage channels and whether each counts (switched in the admin): configuration, the same for
    every scope."""

    queryset = WorkChannel.objects.all()
    serializer_class = WorkChannelSerializer
    view_roles = STAFF_VIEW_ROLES | {Role.STATS_CLIENT}


class ChannelReachViewSet(ScopedModelViewSet):
    queryset = ChannelReach.objects.select_related("channel", "enterprise")
    serializer_class = ChannelReachSerializer
    filterset_class = ChannelReachFilterSet
    ordering = ["enterprise", "channel", "-valid_from"]
