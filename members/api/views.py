from django.db import transaction
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedModelViewSet, ensure_in_scope
from core.roles import BRANCH_EDIT_ROLES

from .. import pipeline, services
from ..filtersets import (
    ApplicantFilterSet,
    DuesPaymentFilterSet,
    FloatingRecordFilterSet,
    MemberFilterSet,
    TransferFilterSet,
)
from ..models import Applicant, DuesPayment, FloatingRecord, IncomeBase, Member, Transfer
from .serializers import (
    AdvanceSerializer,
    ApplicantSerializer,
    AssessmentSerializer,
    DuesPaymentSerializer,
    FloatingRecordSerializer,
    FloatingReturnSerializer,
    IncomeBaseSerializer,
    MemberEventSerializer,
    MemberSerializer,
    StopSerializer,
    TransferReceiptSerializer,
    TransferSerializer,
)



class MemberViewSet(ScopedModelViewSet):
    """The register. No delete: a member leaves by an event (`POST members/{id}/events/`)."""

    queryset = Member.objects.select_related("organization", "employer")
    serializer_class = MemberSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = MemberFilterSet
    edit_roles = BRANCH_EDIT_ROLES

    def perform_create(self, serializer):
        entry = getattr(serializer, "_entry", {})
        with transaction.atomic():
            member = Member(**serializer.validated_data)
            services.register_member(member, self.request.user, entry_kind=entry.get("entry_kind", "admitted"),
                                     entry_on=entry.get("entry_on"), counterpart=entry.get("entry_counterpart", ""))
            ensure_in_scope(self.request.user, member)
            serializer.instance = member

    def perform_update(self, serializer):
        """A new employer is an `employer_changed` event dated today (API.md "Members through time")."""
        employer = serializer.validated_data.pop("employer", services.UNCHANGED)
        with transaction.atomic():
            member = serializer.instance
            before = Member.objects.values_list("employer_id", flat=True).get(pk=member.pk)
            member.employer_id = before  # validation applied it to the instance; the event changes it
            member = serializer.save()
            if employer is not services.UNCHANGED and (employer.pk if employer else None) != before:
                services.change_employer(member, employer, self.request.user)
                member.refresh_from_db()
            ensure_in_scope(self.request.user, member)

    @extend_schema(request=MemberEventSerializer, responses={200: MemberEventSerializer(many=True),
                                                             201: MemberEventSerializer})
    @action(detail=True, methods=["get", "post"], url_path="events", serializer_class=MemberEventSerializer)
    def events(self, request, pk=None):
        """GET: the member's events in date order. POST: record a typed event (joined, converted to full,
        probation extended, transferred out, floating out/back, retired, deceased, left the party …)."""
        member = self.get_object()
        if request.method == "GET":
            events = member.events.select_related("organization", "recorded_by")
            return Response(MemberEventSerializer(events, many=True, context=self.get_serializer_context()).data)
        serializer = MemberEventSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            event = services.record_event(
                member, data["kind"], data["occurred_on"], request.user, organization=data.get("organization"),
                counterpart=data.get("counterpart", ""), reason=data.get("reason", ""), note=data.get("note", ""),
                probation_ends_on=data.get("probation_ends_on"),
                **({"employer": data["employer"]} if "employer" in data else {}))
        return Response(MemberEventSerializer(event, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


class TransferViewSet(ScopedModelViewSet):
    """Relationship transfers by introduction letter; the member moves when the receipt is recorded."""

    queryset = Transfer.objects.select_related("member", "from_organization", "to_organization")
    serializer_class = TransferSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = TransferFilterSet
    edit_roles = BRANCH_EDIT_ROLES

    def get_queryset(self):
        services.expire_transfers()
        return super().get_queryset()

    def perform_create(self, serializer):
        data = serializer.validated_data
        with transaction.atomic():
            serializer.instance = services.issue_transfer(
                data["member"], self.request.user, issued_on=data.get("issued_on") or timezone.localdate(),
                to_organization=data.get("to_organization"), to_external=data.get("to_external", ""),
                valid_until=data.get("valid_until"), letter_number=data.get("letter_number", ""),
                note=data.get("note", ""))
            ensure_in_scope(self.request.user, serializer.instance)

    def perform_update(self, serializer):
        from rest_framework.exceptions import ValidationError
        from django.utils.translation import gettext as _

        instance = serializer.instance
        wanted = self.request.data.get("status")
        if wanted and wanted != instance.status:
            # PATCH {"status": "received", "received_on": …} is the same as POST {id}/receive/
            if wanted == Transfer.Status.RECEIVED:
                day = _date_field(self.request.data, "received_on")
                serializer.instance = services.receive_transfer(instance, self.request.user, received_on=day)
            elif wanted == Transfer.Status.WITHDRAWN:
                serializer.instance = services.withdraw_transfer(instance, self.request.user)
            else:
                raise ValidationError({"status": [_("A letter becomes “received” by its receipt or “withdrawn”; "
                                                    "it expires by itself.")]})
            return
        if instance.status != Transfer.Status.ISSUED:
            raise ValidationError({"status": [_("Only an issued letter can be changed.")]})
        allowed = {"valid_until", "note"}
        changed = {k for k, v in serializer.validated_data.items() if getattr(instance, k, None) != v}
        if changed - allowed:
            raise ValidationError({sorted(changed - allowed)[0]: [_("Only the validity and the note of an issued "
                                                                     "letter can be changed.")]})
        super().perform_update(serializer)

    @extend_schema(request=TransferReceiptSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """Record the receipt: the member leaves the sending organization (and the system, for an external
        receiver) on `received_on`."""
        transfer = self.get_object()
        serializer = TransferReceiptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        transfer = services.receive_transfer(transfer, request.user,
                                             received_on=serializer.validated_data.get("received_on")
                                             or timezone.localdate())
        return Response(TransferSerializer(transfer, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        transfer = services.withdraw_transfer(self.get_object(), request.user)
        return Response(TransferSerializer(transfer, context=self.get_serializer_context()).data)


def _date_field(data, name):
    """A date from the request body (400 naming the field when malformed), today when absent."""
    from rest_framework import serializers
    from rest_framework.exceptions import ValidationError

    value = data.get(name)
    if not value:
        return timezone.localdate()
    try:
        return serializers.DateField().to_internal_value(value)
    except ValidationError as error:
        raise ValidationError({name: error.detail}) from error


class FloatingRecordViewSet(ScopedModelViewSet):
    queryset = FloatingRecord.objects.select_related("member", "organization")
    serializer_class = FloatingRecordSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = FloatingRecordFilterSet
    edit_roles = BRANCH_EDIT_ROLES

    def get_queryset(self):
        return super().get_queryset().with_flag()

    def perform_create(self, serializer):
        with transaction.atomic():
            record = FloatingRecord(**serializer.validated_data)
            record = services.float_out(record, self.request.user)
            ensure_in_scope(self.request.user, record)
            serializer.instance = FloatingRecord.objects.filter(pk=record.pk).with_flag().get()

    def perform_update(self, serializer):
        from rest_framework.exceptions import ValidationError
        from django.utils.translation import gettext as _

        data = serializer.validated_data
        if "member" in data and data["member"] != serializer.instance.member:
            raise ValidationError({"member": [_("The member of a floating record cannot change.")]})
        if self.request.data.get("returned_on") and serializer.instance.returned_on is None:
            # PATCH {"returned_on": …} is the same as POST {id}/return/
            services.float_back(serializer.instance, self.request.user,
                                returned_on=_date_field(self.request.data, "returned_on"))
            serializer.instance.refresh_from_db()
        super().perform_update(serializer)
        serializer.instance = FloatingRecord.objects.filter(pk=serializer.instance.pk).with_flag().get()

    @extend_schema(request=FloatingReturnSerializer, responses=FloatingRecordSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        serializer = FloatingReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.float_back(self.get_object(), request.user,
                                     returned_on=serializer.validated_data.get("returned_on") or timezone.localdate())
        return Response(FloatingRecordSerializer(FloatingRecord.objects.filter(pk=record.pk).with_flag().get(),
                                                 context=self.get_serializer_context()).data)


class DuesPaymentViewSet(ScopedModelViewSet):
    """Monthly dues payments; the amount defaults to what the band table gives for the income base."""

    queryset = DuesPayment.objects.select_related("member", "organization")
    serializer_class = DuesPaymentSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = DuesPaymentFilterSet
    edit_roles = BRANCH_EDIT_ROLES
    http_method_names = ["get", "post", "head", "options"]  # a recorded payment is corrected by the treasurer

    def perform_create(self, serializer):
        data = serializer.validated_data
        with transaction.atomic():
            serializer.instance = services.record_payment(data["member"], self.request.user, month=data["month"],
                                                          paid_on=data.get("paid_on"), amount=data.get("amount"))
            ensure_in_scope(self.request.user, serializer.instance)


class IncomeBaseViewSet(ScopedModelViewSet):
    queryset = IncomeBase.objects.select_related("member")
    serializer_class = IncomeBaseSerializer
    edit_roles = BRANCH_EDIT_ROLES




class ApplicantViewSet(ScopedModelViewSet):
    """The development pipeline: applicants, their six-monthly assessments and stage changes, each checked
    against the rules in members/pipeline.py (400 with every broken rule)."""

    queryset = Applicant.objects.select_related("organization", "employer")
    serializer_class = ApplicantSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApplicantFilterSet
    edit_roles = BRANCH_EDIT_ROLES

    def _answer(self, applicant):
        return Response(ApplicantSerializer(Applicant.objects.get(pk=applicant.pk),
                                            context=self.get_serializer_context()).data)

    @extend_schema(request=AdvanceSerializer, responses=ApplicantSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Next stage (`activist`, `target`, `probationary` = admission by the branch vote on `on`)."""
        applicant = self.get_object()
        serializer = AdvanceSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        introducers = tuple(data.get("introducers") or ())
        if data["stage"] == "probationary" and len(introducers) != 2:
            introducers = (introducers + (None, None))[:2]
        applicant = pipeline.advance(applicant, data["stage"], data["on"], request.user, introducers=introducers)
        return self._answer(applicant)

    @extend_schema(request=AssessmentSerializer, responses=ApplicantSerializer)
    @action(detail=True, methods=["post"])
    def assessments(self, request, pk=None):
        applicant = self.get_object()
        serializer = AssessmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pipeline.add_assessment(applicant, serializer.validated_data["assessed_on"],
                                serializer.validated_data["result"], request.user)
        return self._answer(applicant)

    @extend_schema(request=StopSerializer, responses=ApplicantSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        applicant = self.get_object()
        serializer = StopSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(pipeline.stop(applicant, serializer.validated_data["reason"], request.user))
