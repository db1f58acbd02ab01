"""Statistics API (API.md "Statistics"): coverage snapshots, their children, drill-down lists, recompute, jobs."""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.jobs import JobQueueUnavailable, enqueue
from core.models import Job
from core.permissions import KnownCountPagination, PortalPagination, WindowCountPagination
from core.roles import STATISTICS_ROLES, Role
from core.routers import ReplicaReadsMixin
from core.scoping import user_is_unrestricted
from organizations.models import Enterprise, Region
from reports.coverage import enterprises_behind, fixed_code, is_large_subtree, with_coverage
from reports.incremental import RowsByRegion, sees_whole_subtree, subtree_counts
from reports.models import CoverageSnapshot

from .serializers import (
    ComputeRequestSerializer, CoverageEnterpriseSerializer, CoverageQuerySerializer, CoverageSnapshotSerializer,
    DrillDownQuerySerializer, JobAcceptedSerializer, JobStatusSerializer,
)

# Who may ask for a recompute: organization-department staff (and admins), for their own region.
RECOMPUTE_ROLES = frozenset({Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER})

REGION_PARAM = OpenApiParameter("region", str, description="Region code (default: your scope region; the root "
                                "region for admins).")
AS_OF_PARAM = OpenApiParameter("as_of", datetime.date, description="Date YYYY-MM-DD (default: today).")
CATEGORY_PARAM = OpenApiParameter(
    "category", str, required=True,
    description="The count to list: enterprises, org_individual, org_joint, org_regional, org_industry, "
                "org_attached, org_covered, instructor_covered, channel_covered, work_covered, uncovered, no_org, should_form, "
                "few_members, no_members.",
)
NOT_FOUND = OpenApiResponse(description="Region outside your scope, or no snapshot computed yet.")
ERROR_RESPONSE = inline_serializer("StatisticsError", {"detail": serializers.CharField()})


def default_region(user):
    """The caller's scope region, or the (first) root region for admins."""
    if user_is_unrestricted(user):
        return Region.objects.get_first_root_node()
    return user.scope_region if user.scope_region_id else None


def resolve_region(user, code):
    """The region named by `code` (or the default one), if it is in the caller's scope; else 404."""
    visible = Region.objects.visible_to(user)
    if code:
        region = visible.filter(code=code).first()
        if region is None:
            raise exceptions.NotFound(_("There is no region with code “%(code)s” in your scope.") % {"code": code})
        return region
    region = default_region(user)
    if region is None or not visible.filter(pk=region.pk).exists():
        raise exceptions.NotFound(_("You have no region to show statistics for; name one with “region”."))
    return region


def parse_query(request, serializer_class):
    serializer = serializer_class(data=request.query_params if request.method == "GET" else request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    region = resolve_region(request.user, data.get("region"))
    return region, data.get("as_of") or timezone.localdate(), data


def parse_dates_only(request, serializer_class):
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return data.get("region"), data.get("as_of") or timezone.localdate(), data


def no_snapshot(region, day):
    return exceptions.NotFound(
        _("No coverage snapshot has been computed for %(region)s on %(day)s yet. Ask for one with "
          "POST /api/v1/statistics/coverage/compute/.") % {"region": region.code, "day": day.isoformat()}
    )


def snapshot_or_404(region, day):
    snapshot = CoverageSnapshot.objects.select_related("region").filter(region=region, as_of=day).first()
    if snapshot is None:
        raise no_snapshot(region, day)
    return snapshot


SNAPSHOT_FIELDS = CoverageSnapshotSerializer.Meta.fields


def snapshot_data(snapshot) -> dict:
    """The serializer's output, built directly (this is the hot read path of the statistics API)."""
    rates = snapshot.rates()
    data = {}
    for name in SNAPSHOT_FIELDS:
        if name == "region":
            data[name] = snapshot.region.code
        elif name == "region_name":
            data[name] = snapshot.region.name
        elif name == "as_of":
            data[name] = snapshot.as_of.isoformat()
        elif name == "computed_at":
            data[name] = serializers.DateTimeField().to_representation(snapshot.computed_at)
        elif name == "job":
            data[name] = snapshot.job_id
        elif name in rates:
            data[name] = f"{rates[name]:.4f}"
        else:
            data[name] = getattr(snapshot, name)
    return data


class StatisticsView(GenericAPIView):
    view_roles = STATISTICS_ROLES
    edit_roles = RECOMPUTE_ROLES
    filter_backends = []


class CoverageView(ReplicaReadsMixin, StatisticsView):
    serializer_class = CoverageSnapshotSerializer

    @extend_schema(
        summary="Coverage figures of a region on a date",
        parameters=[REGION_PARAM, AS_OF_PARAM],
        responses={200: CoverageSnapshotSerializer, 400: OpenApiResponse(description="Bad date."),
                   404: NOT_FOUND},
        tags=["statistics"],
    )
    def get(self, request):
        code, day, _data = parse_dates_only(request, CoverageQuerySerializer)
        if code:
            # happy path in one query: the snapshot of a visible region with that code
            snapshot = (CoverageSnapshot.objects.visible_to(request.user).select_related("region")
                        .filter(region__code=code, as_of=day).first())
            if snapshot is not None:
                return Response(snapshot_data(snapshot))
        region = resolve_region(request.user, code)
        return Response(snapshot_data(snapshot_or_404(region, day)))


class CoverageChildrenView(ReplicaReadsMixin, StatisticsView):
    serializer_class = CoverageSnapshotSerializer

    @extend_schema(
        summary="Coverage figures of each child region",
        parameters=[REGION_PARAM, AS_OF_PARAM],
        responses={200: CoverageSnapshotSerializer(many=True), 404: NOT_FOUND},
        tags=["statistics"],
    )
    def get(self, request):
        region, day, _data = parse_query(request, CoverageQuerySerializer)
        snapshot_or_404(region, day)
        children = (
            CoverageSnapshot.objects.select_related("region")
            .filter(as_of=day, region__path__startswith=region.path, region__depth=region.depth + 1)
            .filter(region__in=Region.objects.visible_to(request.user).order_by())
            .order_by("region__path")
        )
        page = self.paginate_queryset(children)
        return self.get_paginated_response([snapshot_data(snapshot) for snapshot in page])


ENTERPRISE_ROW_FIELDS = ["id", "uscc", "name", "region__code", "region__name", "ownership", "industry", "employees",
                         "founded_on", "closed_on", "status", "coverage"]


def enterprise_row(row) -> dict:
    """One drill-down row, in CoverageEnterpriseSerializer's shape (built from values(): no per-row objects)."""
    data = dict(row)
    data["region"] = data.pop("region__code")
    data["region_name"] = data.pop("region__name")
    for name in ("founded_on", "closed_on"):
        data[name] = data[name].isoformat() if data[name] else None
    return data


class CoverageEnterprisesView(ReplicaReadsMixin, StatisticsView):
    """The enterprises behind one count, computed live by reports.coverage; `count` equals the figure."""

    serializer_class = CoverageEnterpriseSerializer
    pagination_class = WindowCountPagination  # count and page in one statement for a small region

    @extend_schema(
        summary="Enterprises behind a coverage count (drill-down)",
        parameters=[REGION_PARAM, AS_OF_PARAM, CATEGORY_PARAM],
        responses={200: CoverageEnterpriseSerializer(many=True),
                   400: OpenApiResponse(description="Unknown category or bad date."), 404: NOT_FOUND},
        tags=["statistics"],
    )
    def get(self, request):
        region, day, data = parse_query(request, DrillDownQuerySerializer)
        category, visible = data["category"], Enterprise.objects.visible_to(request.user)
        region_ids, own = subtree_counts(region, day, category)

        def rows(ids):
            return enterprises_behind(region, day, category, visible, region_ids=ids).order_by(
                "region__path", "name", "id").values(*ENTERPRISE_ROW_FIELDS[:-1])  # (RowsByRegion orders its own)

        # When the caller sees the whole subtree and every snapshot row of it is fresh, the count and each region's
        # own count come from the snapshots: the page query reads only the regions the page falls in (no COUNT,
        # no window count, no filter over the whole subtree; reports.incremental, docs/coverage.md).
        if own is not None and sees_whole_subtree(request.user, region):
            self._paginator = KnownCountPagination(sum(n for _region_id, n in own))
            queryset = RowsByRegion(rows, own)
        else:
            if is_large_subtree(region_ids):
                # Many rows: COUNT + a top-N sort beats a window count, which sorts every row (docs/performance.md).
                self._paginator = PortalPagination()
            queryset = rows(region_ids)
        page = list(self.paginate_queryset(queryset))
        # the coverage code of the page's rows: the count's own when all its enterprises share one, else a second,
        # small query (per-row lookups of the page's rows, not whole sets)
        fixed = fixed_code(category)
        codes = {} if fixed or not page else dict(
            with_coverage(Enterprise.objects.filter(pk__in=[row["id"] for row in page]), day)
            .order_by().values_list("pk", "coverage"))
        return self.get_paginated_response([enterprise_row(row | {"coverage": fixed or codes.get(row["id"], "none")})
                                            for row in page])


class CoverageComputeView(StatisticsView):
    serializer_class = ComputeRequestSerializer

    @extend_schema(
        summary="Recompute the coverage snapshots of a region's subtree",
        request=ComputeRequestSerializer,
        responses={202: JobAcceptedSerializer, 404: NOT_FOUND,
                   503: OpenApiResponse(ERROR_RESPONSE, description="The job queue is not reachable.")},
        tags=["statistics"],
    )
    def post(self, request):
        region, day, _data = parse_query(request, ComputeRequestSerializer)
        try:
            job = enqueue("coverage.compute", {"region": region.code, "as_of": day.isoformat()},
                          user=request.user, region_code=region.code)
        except JobQueueUnavailable:
            return Response(
                {"detail": _("The job queue is not reachable, so the computation was not started. "
                             "Please try again later.")},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)


def jobs_visible_to(user):
    """A job is visible to its creator, to admins, and to staff whose region scope contains its region."""
    if user_is_unrestricted(user):
        return Job.objects.all()
    condition = Q(created_by=user)
    if user.role in {Role.REGION_EDITOR, Role.REGION_VIEWER, Role.STATS_CLIENT} and user.scope_region_id:
        codes = Region.objects.visible_to(user).order_by().values("code")
        condition |= Q(region_code__in=codes)
    return Job.objects.filter(condition)


class JobStatusView(StatisticsView):
    serializer_class = JobStatusSerializer

    @extend_schema(summary="Status of a statistics job", responses={200: JobStatusSerializer, 404: NOT_FOUND},
                   tags=["statistics"])
    def get(self, request, pk):
        job = jobs_visible_to(request.user).filter(pk=pk).first()
        if job is None:
            raise exceptions.NotFound(_("There is no job %(id)s that you may see.") % {"id": pk})
        return Response(self.get_serializer(job).data)
