"""Reports API (API.md "Reports"): definitions, runs (request → 202, status), scoped file downloads."""

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from core.api import ScopedModelViewSet
from core.jobs import JobQueueUnavailable
from core.models import ExportRecord
from core.roles import STATISTICS_ROLES, Role

from ..filtersets import ReportRunFilterSet
from ..models import ReportRun
from ..services import follow_job, offered_definitions, request_run
from .report_serializers import ReportDefinitionSerializer, ReportRunRequestSerializer, ReportRunSerializer

# Who may request a run: organization-department staff (and admins), for regions in their scope.
# The statistics API client reads runs and downloads files only.
RUN_REQUEST_ROLES = frozenset({Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER})

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
