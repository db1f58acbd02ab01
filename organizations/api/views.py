from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedModelViewSet

from .. import region_changes

from ..filtersets import (CoverageLinkFilterSet, EnterpriseFilterSet, PartyOrganizationFilterSet, RegionChangeFilterSet,
                          RegionFilterSet)
from ..models import CoverageLink, Enterprise, PartyOrganization, Region, RegionChange
from ..terms import annotate_terms
from .serializers import (CoverageLinkSerializer, EnterpriseSerializer, PartyOrganizationSerializer,
                          RegionChangeInputSerializer, RegionChangeSerializer, RegionSerializer)


class RegionViewSet(ScopedModelViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    ordering_fields = ["code", "name", "path"]
    ordering = ["path"]

    def get_base_queryset(self):
        return Region.objects.with_parent_code()

    def _change(self, request, kind):
        region = self.get_object()
        data = RegionChangeInputSerializer(data=request.data, context={"request": request, "kind": kind})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        with transaction.atomic():
            change = region_changes.apply_change(region, kind, user=request.user,
                                                 effective_on=values["effective_on"], note=values.get("note", ""),
                                                 parent=values.get("parent"), into=values.get("into"),
                                                 name=values.get("name", ""), code=values.get("code", ""),
                                                 new_kind=values.get("new_kind", ""))
        return Response(RegionChangeSerializer(change).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RegionChangeInputSerializer, responses={201: RegionChangeSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the region (and its subtree) under `parent` (code), dated `effective_on`."""
        return self._change(request, "move")

    @extend_schema(request=RegionChangeInputSerializer, responses={201: RegionChangeSerializer})
    @action(detail=True, methods=["post"])
    def rename(self, request, pk=None):
        """A new `name` (and optionally `code`, `new_kind`), dated `effective_on`."""
        return self._change(request, "rename")

    @extend_schema(request=RegionChangeInputSerializer, responses={201: RegionChangeSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge the region `into` another (code): sub-regions, enterprises and organizations move there."""
        return self._change(request, "merge")

    @extend_schema(request=RegionChangeInputSerializer, responses={201: RegionChangeSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the region and its sub-regions on `effective_on` (refused while anything operates there)."""
        return self._change(request, "close")


class RegionChangeViewSet(ScopedModelViewSet):
    """The recorded region changes (区划调整), read only."""

    http_method_names = ["get", "head", "options"]
    queryset = RegionChange.objects.select_related("region", "old_parent", "new_parent", "merged_into", "recorded_by")
    serializer_class = RegionChangeSerializer
    filterset_class = RegionChangeFilterSet
    ordering = ["-effective_on", "-id"]


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
