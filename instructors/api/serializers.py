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
    Instructor,
    InstructorType,
    Visit,
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
