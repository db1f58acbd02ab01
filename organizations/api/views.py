from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedModelViewSet
from core.roles import STAFF_VIEW_ROLES, Role

from .. import region_changes
from ..channels import ChannelReach, WorkChannel
from ..filtersets import (ChannelReachFilterSet, CoverageLinkFilterSet, EnterpriseFilterSet, PartyOrganizationFilterSet,
                          RegionChangeFilterSet, RegionFilterSet)
from ..models import CoverageLink, Enterprise, PartyOrganization, Region, RegionChange
from ..terms import annotate_terms
from .serializers import ChannelReachSerializer, WorkChannelSerializer
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


# --- secretaries, leadership bodies, two-way entry (additions) ----------------------------------

from django.utils import timezone  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from core.permissions import RolePermission  # noqa: E402
from core.roles import STATISTICS_ROLES  # noqa: E402

from ..filtersets import (DualTrainingFilterSet, EnterprisePostFilterSet, LeadershipBodyFilterSet,  # noqa: E402
                          LeadershipBodyUnitFilterSet, SecretaryAppointmentFilterSet, SecretaryFilterSet,
                          SecretaryTrainingFilterSet, SelectionBatchFilterSet)
from ..models import (DualTraining, EnterprisePost, LeadershipBody, LeadershipBodyUnit, Secretary,  # noqa: E402
                      SecretaryAppointment, SecretaryTraining, SelectionBatch)
from .serializers import (DualTrainingSerializer, EnterprisePostSerializer, LeadershipBodySerializer,  # noqa: E402
                          LeadershipBodyUnitSerializer, SecretaryAppointmentSerializer, SecretarySerializer,
                          SecretaryTrainingSerializer, SelectionBatchSerializer)


class SelectionBatchViewSet(ScopedModelViewSet):
    queryset = SelectionBatch.objects.select_related("region")
    serializer_class = SelectionBatchSerializer
    filterset_class = SelectionBatchFilterSet
    ordering = ["-selected_on", "-id"]


class SecretaryViewSet(ScopedModelViewSet):
    queryset = Secretary.objects.select_related("region")
    serializer_class = SecretarySerializer
    filterset_class = SecretaryFilterSet
    ordering = ["name", "id"]


class SecretaryAppointmentViewSet(ScopedModelViewSet):
    queryset = SecretaryAppointment.objects.select_related("organization", "secretary")
    serializer_class = SecretaryAppointmentSerializer
    filterset_class = SecretaryAppointmentFilterSet
    ordering = ["-appointed_on", "-id"]


class SecretaryTrainingViewSet(ScopedModelViewSet):
    queryset = SecretaryTraining.objects.select_related("secretary")
    serializer_class = SecretaryTrainingSerializer
    filterset_class = SecretaryTrainingFilterSet
    ordering = ["-held_on", "-id"]


class LeadershipBodyViewSet(ScopedModelViewSet):
    queryset = LeadershipBody.objects.select_related("region")
    serializer_class = LeadershipBodySerializer
    filterset_class = LeadershipBodyFilterSet
    ordering = ["region__path", "name", "id"]

    def get_base_queryset(self):
        from ..figures import annotate_body_counts  # noqa: PLC0415

        return annotate_body_counts(self.queryset.all(), timezone.localdate())


class LeadershipBodyUnitViewSet(ScopedModelViewSet):
    queryset = LeadershipBodyUnit.objects.select_related("body")
    serializer_class = LeadershipBodyUnitSerializer
    filterset_class = LeadershipBodyUnitFilterSet
    ordering = ["body", "kind", "id"]


class EnterprisePostViewSet(ScopedModelViewSet):
    queryset = EnterprisePost.objects.select_related("enterprise")
    serializer_class = EnterprisePostSerializer
    filterset_class = EnterprisePostFilterSet
    ordering = ["enterprise", "level", "person_name", "id"]


class DualTrainingViewSet(ScopedModelViewSet):
    queryset = DualTraining.objects.select_related("enterprise")
    serializer_class = DualTrainingSerializer
    filterset_class = DualTrainingFilterSet
    ordering = ["-started_on", "-id"]


class _FiguresView(APIView):
    """`?region=<code>&as_of=<date>` (both optional: the caller's scope region, today); 404 out of scope."""

    permission_classes = [RolePermission]
    view_roles = STATISTICS_ROLES

    def region_and_day(self, request):
        import datetime  # noqa: PLC0415

        from django.http import Http404  # noqa: PLC0415
        from rest_framework.exceptions import ValidationError  # noqa: PLC0415

        from ..views import visible_roots  # noqa: PLC0415

        code = request.query_params.get("region")
        region = (Region.objects.visible_to(request.user).filter(code=code).first() if code
                  else visible_roots(request.user).first())
        if region is None:
            raise Http404
        raw = request.query_params.get("as_of")
        try:
            day = datetime.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError as error:
            raise ValidationError({"as_of": [_("Give a date as YYYY-MM-DD.")]}) from error
        return region, day


class SecretaryFiguresAPIView(_FiguresView):
    """Organizations by secretary source and secretaries trained in the year, for a region's subtree."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        from ..figures import secretary_figures  # noqa: PLC0415

        region, day = self.region_and_day(request)
        figures = secretary_figures(request.user, region, day)
        figures["by_source"] = [{"source": row["source"], "count": row["count"]} for row in figures["by_source"]]
        figures["training_hours"] = str(figures["training_hours"])
        return Response(figures)


class TwoWayFiguresAPIView(_FiguresView):
    """Members among management and backbone posts (rates as decimal strings), per child region, and 双培双推."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        from ..figures import two_way_figures  # noqa: PLC0415

        region, day = self.region_and_day(request)
        figures = two_way_figures(request.user, region, day)

        def clean(row):
            return {key: (str(value) if value is not None and key.endswith("_rate") else value)
                    for key, value in row.items() if key != "region"}

        figures["children"] = [{"region": row["region"].code, **clean(row)} for row in figures["children"]]
        figures = {**clean(figures), "region": region.code, "children": figures["children"]}
        return Response(figures)
