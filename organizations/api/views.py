from core.api import ScopedModelViewSet

from ..filtersets import CoverageLinkFilterSet, EnterpriseFilterSet, PartyOrganizationFilterSet, RegionFilterSet
from ..models import CoverageLink, Enterprise, PartyOrganization, Region
from ..terms import annotate_terms
from .serializers import (CoverageLinkSerializer, EnterpriseSerializer, PartyOrganizationSerializer,
                          RegionSerializer)


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
