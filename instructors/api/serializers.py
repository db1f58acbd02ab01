from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api import (
    MaskedSerializerMixin,
    ModelCleanMixin,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
)
from organizations.models import Enterprise, PartyOrganization, Region

from ..models import (
    Assignment,
    DemonstrationSite,
    DemonstrationSiteReview,
    Instructor,
    InstructorType,
    Meeting,
    ResponsibilityTarget,
    TemporaryPost,
    Visit,
    check_meeting_attendees,
)
from ..services import batch_for, home_region


class InstructorSerializer(MaskedSerializerMixin, ModelCleanMixin, serializers.ModelSerializer):
    masked = Instructor.sensitive_fields
    type = serializers.SlugRelatedField(slug_field="code", queryset=InstructorType.objects.all())
    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all(), required=False,
                                    help_text="The dispatching region (code). Default: the caller's scope "
                                              "region; for an administrator the root region.")

    class Meta:
        model = Instructor
        fields = ["id", "name", "id_number", "phone", "type", "source_unit", "is_retired_cadre", "region",
                  "active_from", "active_to"]

    def validate(self, attrs):
        if self.instance is None and attrs.get("region") is None:
            request = self.context.get("request")
            region = home_region(request.user) if request is not None else None
            if region is None:
                raise serializers.ValidationError({"region": [_("Name the dispatching region (code).")]})
            attrs["region"] = region
        return super().validate(attrs)



class AssignmentSerializer(ModelCleanMixin, serializers.ModelSerializer):
    instructor = ScopedPrimaryKeyRelatedField(queryset=Instructor.objects.all())
    enterprise = ScopedSlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all())
    # A batch is a dispatch batch of the instructor's (dispatching) region: "第3批" is looked up there by
    # name and created (dated start_on) when missing.
    batch = serializers.CharField(source="batch.name", required=False, allow_blank=True, allow_null=True,
                                  max_length=50)

    class Meta:
        model = Assignment
        fields = ["id", "instructor", "enterprise", "batch", "start_on", "end_on", "result"]
        clean_exclude = ["batch"]

    def validate(self, attrs):
        batch_name = (attrs.pop("batch", None) or {}).get("name")
        attrs = super().validate(attrs)
        if batch_name is not None:
            attrs["batch_name"] = batch_name
        return attrs

    def _with_batch(self, validated_data, instance=None):
        if "batch_name" in validated_data:
            name = validated_data.pop("batch_name")
            instructor = validated_data.get("instructor") or instance.instructor
            validated_data["batch"] = batch_for(instructor.region, name, validated_data.get("start_on"))
        return validated_data

    def create(self, validated_data):
        return super().create(self._with_batch(validated_data))

    def update(self, instance, validated_data):
        return super().update(instance, self._with_batch(validated_data, instance))


class DemonstrationSiteSerializer(ModelCleanMixin, serializers.ModelSerializer):
    organization = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all(),
                                          required=False, allow_null=True)
    enterprise = ScopedSlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all(), required=False,
                                        allow_null=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = DemonstrationSite
        fields = ["id", "organization", "enterprise", "region", "level", "theme", "designating_body",
                  "designated_on", "revoked_on"]


class VisitSerializer(ModelCleanMixin, serializers.ModelSerializer):
    instructor = ScopedPrimaryKeyRelatedField(queryset=Instructor.objects.all())
    enterprise = ScopedSlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all())

    class Meta:
        model = Visit
        fields = ["id", "instructor", "enterprise", "visited_on", "work_done", "outcome", "photo"]


class BulkAssignSerializer(serializers.Serializer):
    instructor = ScopedPrimaryKeyRelatedField(queryset=Instructor.objects.all())
    batch = serializers.CharField(required=False, allow_blank=True, max_length=50)
    start_on = serializers.DateField()
    end_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        if attrs.get("end_on") and attrs["end_on"] <= attrs["start_on"]:
            raise serializers.ValidationError({"end_on": [_("The end date must be after the start date.")]})
        return attrs


class _ScopedParentMixin:
    """Parent objects offered to a writer are those in their scope (an out-of-scope id reads as absent)."""

    scoped_fields = ()

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            for name in self.scoped_fields:
                fields[name].queryset = fields[name].queryset.visible_to(request.user)
        return fields


class ResponsibilityTargetSerializer(_ScopedParentMixin, ModelCleanMixin, serializers.ModelSerializer):
    """A responsibility target of an assignment, with its outcome, the day achieved and the evidence.
    An instructor may change only the outcome fields of their own targets."""

    scoped_fields = ("assignment",)
    assignment = serializers.PrimaryKeyRelatedField(queryset=Assignment.objects.all())
    OUTCOME_FIELDS = {"outcome", "achieved_on", "evidence", "outcome_note"}

    class Meta:
        model = ResponsibilityTarget
        fields = ["id", "assignment", "description", "due_on", "outcome", "achieved_on", "evidence", "outcome_note"]

    def validate(self, attrs):
        from core.roles import Role  # noqa: PLC0415

        request = self.context.get("request")
        if request is not None and request.user.role == Role.INSTRUCTOR:
            if self.instance is None:
                raise serializers.ValidationError(_("Targets are set by the region; an instructor records their "
                                                    "outcomes."))
            extra = sorted(set(attrs) - self.OUTCOME_FIELDS)
            if extra:
                raise serializers.ValidationError({name: [_("An instructor records only the outcome, the day it "
                                                            "was achieved and the evidence.")] for name in extra})
        return super().validate(attrs)


class DemonstrationSiteReviewSerializer(_ScopedParentMixin, ModelCleanMixin, serializers.ModelSerializer):
    scoped_fields = ("site",)
    site = serializers.PrimaryKeyRelatedField(queryset=DemonstrationSite.objects.all())

    class Meta:
        model = DemonstrationSiteReview
        fields = ["id", "site", "year", "passed", "note"]
        validators = []  # the model's clean() says which year was reviewed already, in the user's language


class MeetingSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A region's monthly instructors' meeting; `attendees` are instructor ids (in the caller's scope,
    active on the day, dispatched by the region or below)."""

    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all())
    attendees = ScopedPrimaryKeyRelatedField(queryset=Instructor.objects.select_related("region"), many=True,
                                             required=False)
    attendee_count = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "region", "held_on", "topic", "attendees", "attendee_count"]

    def get_attendee_count(self, obj) -> int:
        return len(obj.attendees.all())

    def validate(self, attrs):
        attrs = super().validate(attrs)
        region = attrs.get("region") or getattr(self.instance, "region", None)
        held_on = attrs.get("held_on") or getattr(self.instance, "held_on", None)
        attendees = attrs.get("attendees")
        if attendees is None and self.instance is not None:
            attendees = list(self.instance.attendees.select_related("region"))
        if region is not None and held_on is not None and attendees:
            from django.core.exceptions import ValidationError as DjangoValidationError  # noqa: PLC0415

            try:
                check_meeting_attendees(region, held_on, attendees)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.message_dict) from error
        return attrs


class TemporaryPostSerializer(_ScopedParentMixin, ModelCleanMixin, serializers.ModelSerializer):
    """An instructor's temporary post (挂职): unit, position, optional enterprise (uscc), dates."""

    scoped_fields = ("instructor",)
    instructor = serializers.PrimaryKeyRelatedField(queryset=Instructor.objects.all())
    enterprise = ScopedSlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all(), required=False,
                                        allow_null=True)

    class Meta:
        model = TemporaryPost
        fields = ["id", "instructor", "unit", "position", "enterprise", "start_on", "end_on", "note"]
