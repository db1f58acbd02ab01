"""Reports API (API.md "Reports"): definitions, runs (request → 202, status), scoped file downloads."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from core.api import ScopedModelViewSet, validation_error_detail
from core.jobs import JobQueueUnavailable
from core.models import ExportRecord
from core.roles import STATISTICS_ROLES, Role

from organizations.models import Region

from .. import approval
from ..filtersets import ReportRunFilterSet
from ..models import ReportRun
from ..services import definition_by_code, follow_job, offered_definitions, request_run
from core.periods import parse_period
from .report_serializers import (
    ApprovalsSerializer,
    ReasonSerializer,
    ReportDefinitionSerializer,
    ReportRunRequestSerializer,
    ReportRunSerializer,
)

# Who may request a run: organization-department staff (and admins), for regions in their scope.
# The statistics API client reads runs and downloads files only.
RUN_REQUEST_ROLES = frozenset({Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER})
RUN_VIEW_ROLES = frozenset({Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER, Role.STATS_CLIENT})

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class ReportDefinitionsView(GenericAPIView):
    view_roles = STATISTICS_ROLES
    serializer_class = ReportDefinitionSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(summary="Reports that can be run", responses={200: ReportDefinitionSerializer(many=True)},
                   tags=["reports"])
    def get(self, request):
        return Response(self.get_serializer(offered_definitions(), many=True).data)


class FileNegotiation(BaseContentNegotiation):
    """`?format=` names the report file here, not a DRF renderer: keep DRF's negotiation out of it
    (errors are still rendered as JSON)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def transition_responses(bad_request):
    return {200: ReportRunSerializer, 400: OpenApiResponse(description=bad_request),
            403: OpenApiResponse(description="In your scope, but your role or level may not do this."),
            404: OpenApiResponse(description="No such run in your scope.")}


# The reads of one run that carry `figures_changed` (a rebuild of the report): not lists, not the 202 of a request.
FIGURES_CHANGED_ACTIONS = {"retrieve", "submit", "approve", "return_", "unlock"}


class ReportRunViewSet(ScopedModelViewSet):
    """Report runs in the caller's region scope. POST requests a new version (202); no edits, no deletes."""

    queryset = ReportRun.objects.select_related("definition", "region", "requested_by")
    serializer_class = ReportRunSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReportRunFilterSet
    http_method_names = ["get", "post", "head", "options"]
    view_roles = STATISTICS_ROLES
    edit_roles = RUN_REQUEST_ROLES

    def get_serializer_class(self):
        if self.action == "create":
            return ReportRunRequestSerializer
        return ReportRunSerializer

    def get_object(self):
        return follow_job(super().get_object())

    def get_serializer_context(self):
        # figures_changed rebuilds the report: on the read of one run, never per row of a list
        return super().get_serializer_context() | {"with_figures_changed": self.action in FIGURES_CHANGED_ACTIONS}

    def _transition(self, request, name):
        run = self.get_object()  # out of scope: 404
        reason = None
        if name in approval.WITH_REASON:
            serializer = ReasonSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            reason = serializer.validated_data.get("reason", "")
        try:
            if reason is None:
                run = approval.ACTIONS[name](run, request.user)
            else:
                run = approval.ACTIONS[name](run, request.user, reason)
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error) or None) from error
        except DjangoValidationError as error:
            raise exceptions.ValidationError(validation_error_detail(error)) from error
        run = self.get_queryset().get(pk=run.pk)
        return Response(ReportRunSerializer(run, context=self.get_serializer_context()).data)

    @extend_schema(summary="Submit a run for approval", request=None, responses=transition_responses(
        "Not done, not the latest version, or not a draft/returned run."), tags=["reports"])
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, "submit")

    @extend_schema(summary="Approve a submitted run (a region above the run's)", request=None,
                   responses=transition_responses("Not a submitted run, or not the latest version."), tags=["reports"])
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(request, "approve")

    @extend_schema(summary="Return a submitted run with a reason", request=ReasonSerializer,
                   responses=transition_responses("No reason, or not a submitted run."), tags=["reports"])
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._transition(request, "return")

    @extend_schema(summary="Unlock an approved run with a reason (it becomes returned)", request=ReasonSerializer,
                   responses=transition_responses("No reason, or not an approved run."), tags=["reports"])
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        return self._transition(request, "unlock")

    @extend_schema(
        summary="Request a report run",
        request=ReportRunRequestSerializer,
        responses={202: ReportRunSerializer, 400: OpenApiResponse(description="Unknown report, region or bad period."),
                   503: OpenApiResponse(description="The job queue is not reachable.")},
        tags=["reports"],
    )
    def create(self, request, *args, **kwargs):
        serializer = ReportRunRequestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            run = request_run(data["definition"], data["region"], data["period"], user=request.user)
        except DjangoValidationError as error:  # the latest run is submitted or approved
            raise exceptions.ValidationError(validation_error_detail(error)) from error
        except JobQueueUnavailable:
            return Response({"detail": _("The job queue is not reachable, so the report was not started. "
                                         "Please try again later.")}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        run = ReportRun.objects.select_related("definition", "region", "requested_by").get(pk=run.pk)
        return Response(ReportRunSerializer(run, context=self.get_serializer_context()).data,
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Download a report run's file",
        parameters=[OpenApiParameter("format", str, enum=["xlsx", "csv"], description="File format (default xlsx).")],
        responses={(200, CONTENT_TYPES["xlsx"]): bytes, 400: OpenApiResponse(description="Unknown format."),
                   404: OpenApiResponse(description="No such run in your scope."),
                   409: OpenApiResponse(description="The run has not finished (or failed).")},
        tags=["reports"],
    )
    @action(detail=True, methods=["get"], url_path="download", content_negotiation_class=FileNegotiation)
    def download(self, request, pk=None):
        run = self.get_object()
        fmt = request.query_params.get("format") or "xlsx"
        if fmt not in CONTENT_TYPES:
            raise exceptions.ValidationError({"format": [_("Choose xlsx or csv.")]})
        return file_response(run, fmt, request.user)


def file_response(run, fmt, user):
    """The run's file as an attachment (after the caller's scope was checked); the download is recorded."""
    if run.status != ReportRun.Status.DONE:
        raise NotReady(run)
    field = run.xlsx_file if fmt == "xlsx" else run.csv_file
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise exceptions.NotFound(_("The file of run %(id)s is missing from the report storage; run the report "
                                    "again.") % {"id": run.pk}) from error
    ExportRecord.objects.create(user=user, what=f"reports.run:{run.pk}", format=fmt,
                                filters=f"{run.definition.code} {run.region.code} {run.period} v{run.version}",
                                rows=run.rows)
    name = field.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])
    response["X-Checksum-SHA256"] = run.xlsx_sha256 if fmt == "xlsx" else run.csv_sha256
    return response


class NotReady(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_ready"

    def __init__(self, run):
        super().__init__(_("Run %(id)s is %(status)s; its files can be downloaded once it is done.")
                         % {"id": run.pk, "status": run.get_status_display()})


class ApprovalsView(GenericAPIView):
    """Completeness and timeliness (API.md "Approval of report runs"): for a definition and period, every region
    at the definition's reporting levels in the given region's subtree (the caller's scope region by default)."""

    view_roles = RUN_VIEW_ROLES
    serializer_class = ApprovalsSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(summary="Which regions have handed a report in, and which are late",
                   parameters=[OpenApiParameter("definition", str, required=True),
                               OpenApiParameter("period", str, required=True, description="2026, 2026Q3 or 2026-07"),
                               OpenApiParameter("region", str, description="Region code (default: your scope region)")],
                   responses={200: ApprovalsSerializer, 400: OpenApiResponse(description="Unknown report or bad "
                              "period."), 403: OpenApiResponse(description="Your role may not read reports."),
                              404: OpenApiResponse(description="No such region in your scope.")},
                   tags=["reports"])
    def get(self, request):
        definition, period, root = approvals_query(request.user, request.query_params)
        data = approval.completeness(definition, period, root)
        return Response(ApprovalsSerializer(data).data)


def approvals_query(user, params):
    """(definition, period, region) from ?definition=&period=&region= — 400 for a bad one, 404 for a region
    outside the user's scope."""
    from core.scoping import user_is_unrestricted  # noqa: PLC0415

    errors = {}
    definition = period = None
    if not params.get("definition"):
        errors["definition"] = [_("Choose a report (definition code).")]
    else:
        try:
            definition = definition_by_code(params["definition"])
        except DjangoValidationError as error:
            errors.update(validation_error_detail(error))
    if not params.get("period"):
        errors["period"] = [_("Give a period: a year (2026), a quarter (2026Q3) or a month (2026-07).")]
    else:
        try:
            period = parse_period(params["period"])
        except DjangoValidationError as error:
            errors["period"] = [str(m) for m in error.messages]
    if errors:
        raise exceptions.ValidationError(errors)
    visible = Region.objects.visible_to(user)
    code = params.get("region")
    if code:
        root = visible.filter(code=code).first()
    elif user_is_unrestricted(user):
        root = Region.objects.get_first_root_node()
    else:
        root = visible.filter(pk=user.scope_region_id).first() if user.scope_region_id else None
    if root is None:
        raise exceptions.NotFound(_("No such region in your scope."))
    return definition, period, root
