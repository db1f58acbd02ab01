from django.db import transaction
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import ScopedModelViewSet
from core.roles import STAFF_EDIT_ROLES, Role
from organizations.filtersets import EnterpriseFilterSet
from organizations.models import Enterprise

from ..filters import (
    AssignmentFilterSet,
    DemonstrationSiteFilterSet,
    InstructorFilterSet,
)
from ..filters import MeetingFilterSet
from ..models import (
    Assignment,
    DemonstrationSite,
    DemonstrationSiteReview,
    Instructor,
    Meeting,
    ResponsibilityTarget,
    TemporaryPost,
    Visit,
)
from ..services import batch_for, bulk_assign
from .serializers import (
    AssignmentSerializer,
    BulkAssignSerializer,
    DemonstrationSiteReviewSerializer,
    DemonstrationSiteSerializer,
    InstructorSerializer,
    MeetingSerializer,
    ResponsibilityTargetSerializer,
    TemporaryPostSerializer,
    VisitSerializer,
)


class InstructorViewSet(ScopedModelViewSet):
    queryset = Instructor.objects.select_related("type", "region")
    serializer_class = InstructorSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = InstructorFilterSet


class AssignmentViewSet(ScopedModelViewSet):
    queryset = Assignment.objects.select_related("instructor", "enterprise", "batch")
    serializer_class = AssignmentSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AssignmentFilterSet

    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        """Assign one instructor to every enterprise matching the enterprise filter in the query string
        (`?region=<code>&coverage=none` etc., the enterprises list's own filters)."""
        serializer = BulkAssignSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        enterprises = filtered_enterprises(request)
        with transaction.atomic():
            batch = batch_for(data["instructor"].region, data.get("batch"), data["start_on"])
            created = bulk_assign(enterprises, data["instructor"], start_on=data["start_on"],
                                  end_on=data.get("end_on"), batch=batch, user=request.user)
        return Response({"created": len(created)}, status=status.HTTP_201_CREATED)


def filtered_enterprises(request):
    """Enterprises visible to the user, narrowed by the enterprises list's own FilterSet (query string)."""
    queryset = Enterprise.objects.visible_to(request.user)
    filterset = EnterpriseFilterSet(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


class DemonstrationSiteViewSet(ScopedModelViewSet):
    queryset = DemonstrationSite.objects.select_related("organization", "enterprise", "region")
    serializer_class = DemonstrationSiteSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = DemonstrationSiteFilterSet


class VisitViewSet(ScopedModelViewSet):
    """Work-log visits; instructors file their own (for enterprises they are assigned to)."""

    queryset = Visit.objects.select_related("instructor", "enterprise")
    serializer_class = VisitSerializer
    edit_roles = STAFF_EDIT_ROLES | {Role.INSTRUCTOR}


class ResponsibilityTargetViewSet(ScopedModelViewSet):
    """Responsibility targets of assignments; region editors set them, the instructor records outcomes."""

    queryset = ResponsibilityTarget.objects.select_related("assignment")
    serializer_class = ResponsibilityTargetSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["assignment", "outcome"]
    edit_roles = STAFF_EDIT_ROLES | {Role.INSTRUCTOR}


class DemonstrationSiteReviewViewSet(ScopedModelViewSet):
    queryset = DemonstrationSiteReview.objects.select_related("site")
    serializer_class = DemonstrationSiteReviewSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["site", "year", "passed"]


class MeetingViewSet(ScopedModelViewSet):
    """Monthly instructors' meetings of a region, with attendance."""

    queryset = Meeting.objects.select_related("region").prefetch_related("attendees")
    serializer_class = MeetingSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = MeetingFilterSet


class TemporaryPostViewSet(ScopedModelViewSet):
    queryset = TemporaryPost.objects.select_related("instructor", "enterprise")
    serializer_class = TemporaryPostSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["instructor"]
