from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import ModelCleanMixin, ScopedSlugRelatedField
from organizations.models import Enterprise, PartyOrganization

from ..models import ActivityRecord, AssessmentResult, AssessmentScheme, Attachment, ChecklistResult, Suggestion
from ..models import FundIncome, FundReceipt, FundSpending, Pairing, PairingResult
from ..services import check_editable, save_record, save_spending


class AttendanceEntrySerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member_id")
    present = serializers.BooleanField(default=True)
    absence_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class AttachmentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "download"]

    def get_download(self, obj) -> str:
        return reverse("activity-attachment", kwargs={"pk": obj.record_id, "attachment_id": obj.pk})


@extend_schema_field({"type": "string", "readOnly": True,
                      "description": "draft, submitted, accepted or returned (changed only by the actions)"})
class RecordStatusField(serializers.CharField):
    """The record's workflow status. Described as a plain string: an enum named "status" would collide with the
    enterprises' status enum in the schema (drf-spectacular renames both, and check --deploy warns)."""


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ActivityRecordSerializer(ModelCleanMixin, serializers.ModelSerializer):
    status = RecordStatusField(read_only=True)
    organization = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    attendance = AttendanceEntrySerializer(many=True, required=False)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ActivityRecord
        fields = ["id", "organization", "kind", "held_on", "place", "topic", "host", "recorder", "minutes",
                  "status", "return_reason", "submitted_at", "decided_at", "attendance", "attachments"]
        read_only_fields = ["status", "return_reason", "submitted_at", "decided_at"]

    def validate(self, attrs):
        # Refuse edits of a record under review or accepted before anything else is looked at.
        if self.instance is not None:
            try:
                check_editable(self.instance.status)
            except Exception as error:  # a Django ValidationError: one clear message
                raise serializers.ValidationError({"non_field_errors": list(error.messages)}) from error
        return super().validate(attrs)

    @staticmethod
    def _attendance(validated_data):
        rows = validated_data.pop("attendance", None)
        if rows is None:
            return None
        return [{"member": row["member_id"], "present": row.get("present", True),
                 "absence_reason": row.get("absence_reason", "")} for row in rows]

    def create(self, validated_data):
        attendance = self._attendance(validated_data)
        return save_record(self.context["request"].user, ActivityRecord(**validated_data), attendance)

    def update(self, instance, validated_data):
        attendance = self._attendance(validated_data)
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return save_record(self.context["request"].user, instance, attendance)


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")

    def validate_reason(self, value):
        if not value.strip():
            raise serializers.ValidationError(_("Say why the record is returned, so that it can be corrected."))
        return value.strip()


class SuggestionSerializer(ModelCleanMixin, serializers.ModelSerializer):
    organization = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    enterprise = ScopedSlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all(), required=False,
                                        allow_null=True)

    class Meta:
        model = Suggestion
        fields = ["id", "organization", "enterprise", "raised_by", "raised_on", "content", "accepted",
                  "benefit_yuan"]


class ComplianceRowSerializer(serializers.Serializer):
    """One organization's compliance in a period (see docs/activities.md)."""

    organization = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField()
    established_on = serializers.DateField()
    dissolved_on = serializers.DateField(allow_null=True)
    required = serializers.DictField(child=serializers.IntegerField())
    held = serializers.DictField(child=serializers.IntegerField())
    pending = serializers.DictField(child=serializers.IntegerField())
    missing = serializers.ListField(child=serializers.CharField())
    overdue = serializers.BooleanField()
    overdue_kinds = serializers.ListField(child=serializers.CharField())
    compliant = serializers.BooleanField()


class ChecklistResultSerializer(serializers.ModelSerializer):
    """One organization's yearly result on one checklist item ("five ones": activity room met …)."""

    organization = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    checklist = serializers.CharField(source="item.checklist.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = ChecklistResult
        fields = ["id", "organization", "checklist", "item", "item_name", "year", "met", "note"]


class AssessmentResultSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """One organization's yearly result in a scheme (星级评定, 评星定格, 双强六好, 五个一), with the aspects met and
    evidence; `enterprise` (uscc, optional) is the enterprise whose plaque carries it (挂牌评星); `level` is the
    level of the scheme's rating rule the rating is (read-only)."""

    organization = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    scheme = serializers.SlugRelatedField(slug_field="code", queryset=AssessmentScheme.objects.all())
    enterprise = ScopedSlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all(), required=False,
                                        allow_null=True)

    class Meta:
        model = AssessmentResult
        fields = ["id", "organization", "enterprise", "scheme", "year", "rating", "level", "aspects_met",
                  "evidence"]
        read_only_fields = ["level"]
        clean_exclude = ["rating"]
        extra_kwargs = {"rating": {"required": False, "allow_blank": True,
                                   "help_text": "Left out: given by the scheme from the aspects met."}}

    def validate(self, attrs):
        scheme = attrs.get("scheme") or getattr(self.instance, "scheme", None)
        aspects = attrs.get("aspects_met") or []
        wrong = [a.code for a in aspects if a.scheme_id != getattr(scheme, "pk", None)]
        if wrong:
            raise serializers.ValidationError({"aspects_met": [
                _("These aspects belong to another scheme: %(codes)s.") % {"codes": ", ".join(wrong)}]})
        year = attrs.get("year")
        if year is not None and not 2000 <= year <= 2100:
            raise serializers.ValidationError({"year": [_("Give a year between 2000 and 2100.")]})
        if not attrs.get("rating") and scheme is not None and ("rating" in attrs or self.instance is None):
            from ..services import rating_for

            aspects = attrs.get("aspects_met", self.instance.aspects_met.all() if self.instance else [])
            attrs["rating"] = rating_for(scheme, aspects)
        return super().validate(attrs)


class FundIncomeSerializer(ModelCleanMixin, serializers.ModelSerializer):
    organization = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())

    class Meta:
        model = FundIncome
        fields = ["id", "organization", "year", "source", "amount_yuan", "received_on", "note"]


class FundReceiptSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = FundReceipt
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "download"]

    def get_download(self, obj) -> str:
        return reverse("fund-spending-receipt", kwargs={"pk": obj.spending_id, "receipt_id": obj.pk})


class FundSpendingSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A spending of activity funds; it may not take the organization's balance below zero. Receipts are
    added with POST .../receipts/ (multipart `file`)."""

    organization = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    activity = serializers.PrimaryKeyRelatedField(queryset=ActivityRecord.objects.all(), required=False,
                                                  allow_null=True)
    receipts = FundReceiptSerializer(many=True, read_only=True)

    class Meta:
        model = FundSpending
        fields = ["id", "organization", "spent_on", "amount_yuan", "purpose", "payee", "activity", "receipts"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["activity"].queryset = ActivityRecord.objects.visible_to(request.user)
        return fields

    def create(self, validated_data):
        return save_spending(self.context["request"].user, FundSpending(**validated_data))

    def update(self, instance, validated_data):
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return save_spending(self.context["request"].user, instance)


class PairingResultSerializer(ModelCleanMixin, serializers.ModelSerializer):
    pairing = serializers.PrimaryKeyRelatedField(queryset=Pairing.objects.all())

    class Meta:
        model = PairingResult
        fields = ["id", "pairing", "year", "activities_held", "projects", "evaluation", "summary"]
        validators = []  # the model's clean() names the year already recorded, in the user's language

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["pairing"].queryset = Pairing.objects.visible_to(request.user)
        return fields


class PairingSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A pairing (结对共建, 村企共建): `organization` (code, in the caller's scope) with `partner_organization`
    (code, any organization of the register) or `partner_name` (a village, community or organ)."""

    organization = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    partner_organization = serializers.SlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all(),
                                                        required=False, allow_null=True)
    results = PairingResultSerializer(many=True, read_only=True)

    class Meta:
        model = Pairing
        fields = ["id", "organization", "kind", "partner_organization", "partner_name", "started_on", "ended_on",
                  "content", "results"]
