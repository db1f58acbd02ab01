from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.api import ScopedModelViewSet, ensure_in_scope
from core.idempotency import REPLAYED_HEADER, KeyConflict, idempotency_key
from core.permissions import PortalPagination
from core.roles import BRANCH_EDIT_ROLES, STATISTICS_ROLES
from core.scoping import user_is_unrestricted
from organizations.models import PartyOrganization, Region

from .. import services
from ..compliance import Plan, parse_period
from ..views import attachment_response
from ..filters import (
    ActivityRecordFilterSet,
    AssessmentResultFilterSet,
    FundIncomeFilterSet,
    FundSpendingFilterSet,
    PairingFilterSet,
    SuggestionFilterSet,
)
from ..models import (ActivityRecord, AssessmentResult, Attachment, ChecklistResult, FundIncome, FundSpending, Pairing,
                      PairingResult, Suggestion)
from .serializers import (
    ActivityRecordSerializer,
    AssessmentResultSerializer,
    AttachmentSerializer,
    ChecklistResultSerializer,
    AttachmentUploadSerializer,
    ComplianceRowSerializer,
    FundIncomeSerializer,
    FundReceiptSerializer,
    FundSpendingSerializer,
    PairingResultSerializer,
    PairingSerializer,
    ReturnSerializer,
    SuggestionSerializer,
)



class ActivityRecordViewSet(ScopedModelViewSet):
    """Activity records. Actions: `{id}/submit/`, `{id}/accept/`, `{id}/return/` (`{"reason"}`); each answers
    200 with the record, or 400 with a message when the transition is not allowed from its status."""

    queryset = ActivityRecord.objects.select_related("organization").prefetch_related("attendance", "attachments")
    serializer_class = ActivityRecordSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ActivityRecordFilterSet
    edit_roles = BRANCH_EDIT_ROLES

    def create(self, request, *args, **kwargs):
        """File a record. An optional `Idempotency-Key` header (or `client_key` field), a UUID the client
        generated, makes the POST safe to resend: a repeat answers the record the first one created."""
        key = idempotency_key(request)
        if key is None:
            return super().create(request, *args, **kwargs)
        replay = self._replay_record(key)
        if replay is not None:
            return replay
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            self.perform_create(serializer, client_key=key)
        except (IntegrityError, DjangoValidationError):
            # the same key sent twice at the same moment: the other request won the unique key
            replay = self._replay_record(key)
            if replay is None:
                raise
            return replay
        return Response(serializer.data, status=201)

    def perform_create(self, serializer, client_key=None):
        # A savepoint only when create() may catch a duplicate key and answer the first record instead.
        with transaction.atomic(savepoint=client_key is not None):
            instance = serializer.save(client_key=client_key) if client_key else serializer.save()
            ensure_in_scope(self.request.user, instance)

    def _replay_record(self, key):
        first = ActivityRecord.objects.filter(client_key=key).only("pk", "created_by_id").first()
        if first is None:
            return None
        record = self.get_queryset().filter(pk=first.pk).first()
        if record is None or first.created_by_id != self.request.user.pk:
            raise KeyConflict()
        response = Response(self.get_serializer(record).data, status=201)
        response[REPLAYED_HEADER] = "true"
        return response

    def _answer(self, record):
        record = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(record).data)

    @extend_schema(request=None, responses=ActivityRecordSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._answer(services.submit(self.get_object(), request.user))

    @extend_schema(request=None, responses=ActivityRecordSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(services.accept(self.get_object(), request.user))

    @extend_schema(request=ReturnSerializer, responses=ActivityRecordSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        record = self.get_object()
        services.check_may_review(request.user)
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(services.return_record(record, request.user, serializer.validated_data["reason"]))


    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer}, responses={201: AttachmentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        """Attach a file (multipart field `file`): JPEG, PNG, PDF, docx or xlsx by content, at most 10 MB,
        while the record is a draft or returned. Download through the `download` link of the record."""
        record = self.get_object()
        key = idempotency_key(request)
        if key is not None:
            first = Attachment.objects.filter(client_key=key).first()
            if first is not None:
                if first.record_id != record.pk or first.uploaded_by_id != request.user.pk:
                    raise KeyConflict()
                response = Response(AttachmentSerializer(first).data, status=201)
                response[REPLAYED_HEADER] = "true"
                return response
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.add_attachment(record, request.user, serializer.validated_data["file"], client_key=key)
        return Response(AttachmentSerializer(attachment).data, status=201)


    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request, pk=None, attachment_id=None):
        """The bytes of one attachment of a record in the caller's scope (404 otherwise)."""
        attachment = self.get_object().attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise exceptions.NotFound()
        return attachment_response(attachment)


class ChecklistResultViewSet(ScopedModelViewSet):
    """Yearly checklist results per organization; editors record them (secretaries read their own)."""

    queryset = ChecklistResult.objects.select_related("organization", "item__checklist")
    serializer_class = ChecklistResultSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["year", "met"]


class AssessmentResultViewSet(ScopedModelViewSet):
    """Yearly assessment results per organization (star rating, 双强六好) with evidence."""

    queryset = AssessmentResult.objects.select_related("organization", "enterprise", "scheme").prefetch_related(
        "aspects_met")
    serializer_class = AssessmentResultSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AssessmentResultFilterSet


class FundIncomeViewSet(ScopedModelViewSet):
    """Activity funds received per organization, year and source."""

    queryset = FundIncome.objects.select_related("organization")
    serializer_class = FundIncomeSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = FundIncomeFilterSet


class FundSpendingViewSet(ScopedModelViewSet):
    """Spendings of activity funds, with receipts; a branch secretary files their organization's."""

    queryset = FundSpending.objects.select_related("organization").prefetch_related("receipts")
    serializer_class = FundSpendingSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = FundSpendingFilterSet
    edit_roles = BRANCH_EDIT_ROLES

    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer}, responses={201: FundReceiptSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def receipts(self, request, pk=None):
        """Attach a receipt (multipart field `file`): JPEG, PNG, PDF, docx or xlsx by content, at most 10 MB."""
        spending = self.get_object()
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            receipt = services.add_receipt(spending, request.user, serializer.validated_data["file"])
        return Response(FundReceiptSerializer(receipt).data, status=201)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"receipts/(?P<receipt_id>\d+)", url_name="receipt")
    def receipt(self, request, pk=None, receipt_id=None):
        receipt = self.get_object().receipts.filter(pk=receipt_id).first()
        if receipt is None:
            raise Http404
        return attachment_response(receipt)


class PairingViewSet(ScopedModelViewSet):
    """Pairings and co-construction with their yearly results."""

    queryset = Pairing.objects.select_related("organization", "partner_organization").prefetch_related("results")
    serializer_class = PairingSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PairingFilterSet


class PairingResultViewSet(ScopedModelViewSet):
    queryset = PairingResult.objects.select_related("pairing")
    serializer_class = PairingResultSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["pairing", "year"]


class SuggestionViewSet(ScopedModelViewSet):
    queryset = Suggestion.objects.select_related("organization", "enterprise")
    serializer_class = SuggestionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = SuggestionFilterSet
    edit_roles = BRANCH_EDIT_ROLES


def resolve_compliance_scope(user, region_code, organization_code):
    """The organizations to report on: a region's subtree (`region`), or an organization's subtree
    (`organization`, how branch secretaries ask); anything outside the caller's scope is 404."""
    organizations = PartyOrganization.objects.visible_to(user)
    if organization_code:
        org = organizations.filter(code=organization_code).first()
        if org is None:
            raise exceptions.NotFound(_("There is no organization with code “%(code)s” in your scope.")
                                      % {"code": organization_code})
        return {"organization": org.code}, organizations.filter(path__startswith=org.path)
    regions = Region.objects.visible_to(user)
    if region_code:
        region = regions.filter(code=region_code).first()
        if region is None:
            raise exceptions.NotFound(_("There is no region with code “%(code)s” in your scope.") % {"code": region_code})
    elif user_is_unrestricted(user):
        region = Region.objects.get_first_root_node()
    elif user.scope_region_id:
        region = user.scope_region
    elif user.scope_organization_id:
        org = user.scope_organization
        return {"organization": org.code}, organizations.filter(path__startswith=org.path)
    else:
        region = None
    if region is None:
        raise exceptions.NotFound(_("Name a region with “region”."))
    return {"region": region.code}, organizations.filter(region__path__startswith=region.path)


class ComplianceView(GenericAPIView):
    """`GET statistics/activities/compliance/?region=<code>&period=2026Q3` (or `2026-07`, `2026`).

    Per organization in the region's subtree (paginated like every list): required and held counts per
    kind, missing kinds, overdue. Held counts only accepted records; see docs/activities.md for the rules."""

    view_roles = STATISTICS_ROLES
    pagination_class = PortalPagination
    queryset = PartyOrganization.objects.none()
    serializer_class = ComplianceRowSerializer

    @extend_schema(responses=ComplianceRowSerializer(many=True), parameters=[
        OpenApiParameter("region", str, description="Region code (default: your scope)."),
        OpenApiParameter("organization", str, description="Organization code instead of a region (its subtree)."),
        OpenApiParameter("period", str, required=True, description="2026 (year), 2026Q3 (quarter) or 2026-07 "
                                                                   "(month)."),
    ])
    def get(self, request):
        try:
            period = parse_period(request.query_params.get("period", ""))
        except ValueError as error:
            raise exceptions.ValidationError({"period": [str(error)]}) from error
        where, organizations = resolve_compliance_scope(request.user, request.query_params.get("region"),
                                                        request.query_params.get("organization"))
        plan = Plan.for_period(period)
        page = self.paginate_queryset(plan.organizations(organizations))
        rows = [plan.read(org) for org in page]
        response = self.get_paginated_response(rows)
        response.data = {**where, "period": period.label, "start": period.start, "end": period.last_day,
                         **response.data}
        return response
