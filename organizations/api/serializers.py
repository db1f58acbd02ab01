from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import ModelCleanMixin, ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField, validation_error_detail

from .. import services
from ..channels import ChannelReach, WorkChannel
from ..models import CoverageLink, Enterprise, PartyOrganization, Region
from ..terms import term_due_on
from ..validators import normalize_uscc, validate_uscc


class TreeNodeSerializerMixin:
    """`parent` by code for treebeard nodes: written through the service that places or moves the node."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["parent"] = instance.parent_code
        return data

    def validate(self, attrs):
        parent = attrs.pop("parent", serializers.empty)
        attrs = super().validate(attrs)
        if parent is not serializers.empty:
            attrs["parent"] = parent
        return attrs

    def save_node(self, attrs, instance):
        model = self.Meta.model
        parent = attrs.pop("parent", serializers.empty)
        node = instance or model()
        for key, value in attrs.items():
            setattr(node, key, value)
        if parent is serializers.empty:
            parent = model.objects.get_parent(instance) if instance else None
        return self.save_service(node, parent)

    def create(self, validated_data):
        return self.save_node(validated_data, None)

    def update(self, instance, validated_data):
        return self.save_node(validated_data, instance)


class RegionSerializer(TreeNodeSerializerMixin, ModelCleanMixin, serializers.ModelSerializer):
    parent = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "kind", "zone_type", "parent", "valid_from", "valid_to", "depth"]
        read_only_fields = ["depth"]
        clean_exclude = ("path", "depth", "numchild")

    def save_service(self, region, parent):
        """A new parent, name, code or kind of an existing region is a region change, recorded for the caller."""
        request = self.context.get("request")
        return services.save_region(region, parent, user=request.user if request else None)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        request = self.context.get("request")
        if self.instance is None and not attrs.get("parent") and request and not request.user.is_admin:
            raise serializers.ValidationError({"parent": [_("Only administrators can create a top-level region.")]})
        return attrs


class EnterpriseSerializer(ModelCleanMixin, serializers.ModelSerializer):
    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all())
    coverage = serializers.SerializerMethodField(help_text=_("Primary coverage today: org_individual, org_joint, "
                                                             "org_regional, org_industry, org_attached, instructor "
                                                             "or none."))

    class Meta:
        model = Enterprise
        fields = ["id", "uscc", "name", "region", "ownership", "industry", "employees", "scale", "scale_overridden",
                  "is_above_designated_size", "legal_rep_is_member", "legal_rep_is_secretary", "has_union",
                  "has_youth_league", "address", "founded_on", "closed_on", "status", "coverage"]
        read_only_fields = ["coverage"]
        extra_kwargs = {"scale": {"required": False}}

    def get_coverage(self, obj) -> str:
        value = getattr(obj, "coverage_today", None)
        if value is None:
            from reports.enterprise_coverage import coverage_category_of  # noqa: PLC0415 (higher layer, read at runtime)

            value = coverage_category_of(obj, timezone.localdate())
        return value

    def validate_uscc(self, value):
        value = normalize_uscc(value)
        validate_uscc(value)
        return value

    def validate(self, attrs):
        if "scale" in attrs and attrs.get("scale") and not attrs.get("scale_overridden"):
            attrs["scale_overridden"] = True
        return super().validate(attrs)

    def update(self, instance, validated_data):
        closing = validated_data.get("closed_on")
        with transaction.atomic():
            instance = super().update(instance, validated_data)
            if closing and instance.status == Enterprise.Status.CLOSED:
                services.close_enterprise(instance, closing)
        return instance


def _leadership_bodies():
    from ..models import LeadershipBody  # noqa: PLC0415

    return LeadershipBody.objects.all()


class PartyOrganizationSerializer(TreeNodeSerializerMixin, ModelCleanMixin, serializers.ModelSerializer):
    parent = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all(), required=False,
                                    allow_null=True)
    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all())
    term_due_on = serializers.SerializerMethodField()
    supervising_body = ScopedPrimaryKeyRelatedField(queryset=_leadership_bodies(), required=False, allow_null=True,
                                                    help_text=_("The leadership body it is affiliated to (id)"))
    covers = ScopedSlugRelatedField(
        slug_field="uscc", queryset=Enterprise.objects.all(), many=True, required=False, write_only=True,
        help_text="On creation only: USCCs of the enterprises the organization covers from established_on "
                  "(coverage links, as the import's `covers`). A joint branch names at least two.")

    class Meta:
        model = PartyOrganization
        fields = ["id", "code", "name", "kind", "formation_mode", "simultaneous", "parent", "region", "established_on",
                  "dissolved_on", "term_years", "secretary_name", "secretary_source", "secretary_phone",
                  "cross_appointed", "term_due_on", "depth", "supervising_body", "covers"]
        read_only_fields = ["depth", "term_due_on"]
        clean_exclude = ("path", "depth", "numchild")

    def validate(self, attrs):
        covers = attrs.get("covers")
        if covers is not None and self.instance is not None:
            raise serializers.ValidationError({"covers": [_("Coverage of an existing organization changes through "
                                                            "coverage-links/.")]})
        attrs = super().validate(attrs)
        if self.instance is None:
            try:
                services.check_new_joint_branch(attrs.get("formation_mode"), len(set(covers or [])))
            except DjangoValidationError as error:
                raise serializers.ValidationError(validation_error_detail(error)) from error
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        covers = list(dict.fromkeys(validated_data.pop("covers", None) or []))
        organization = super().create(validated_data)
        for enterprise in covers:
            try:
                services.save_coverage_link(CoverageLink(organization=organization, enterprise=enterprise,
                                                         valid_from=organization.established_on))
            except DjangoValidationError as error:
                raise serializers.ValidationError({"covers": [f"{enterprise.uscc}: {m}" for m in error.messages]}) \
                    from error
        return organization

    def get_term_due_on(self, obj) -> str | None:
        if hasattr(obj, "term_started_on"):
            due = term_due_on(obj.term_started_on, obj.effective_term)
        else:
            due = term_due_on(obj.established_on, obj.effective_term_years)
        return due.isoformat() if due else None

    save_service = staticmethod(services.save_organization)


class CoverageLinkSerializer(serializers.ModelSerializer):
    organization = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    enterprise = ScopedSlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all())

    class Meta:
        model = CoverageLink
        fields = ["id", "organization", "enterprise", "valid_from", "valid_to", "note"]

    def validate(self, attrs):
        if self.instance is not None:
            # A link's ends are fixed once recorded: to change coverage, end this link and add another.
            for field in ("organization", "enterprise"):
                if field in attrs and attrs[field] != getattr(self.instance, field):
                    raise serializers.ValidationError({field: [_("A link's organization and enterprise cannot change; "
                                                                "end it and create a new one.")]})
        return attrs

    def create(self, validated_data):
        return services.save_coverage_link(CoverageLink(**validated_data))

    def update(self, instance, validated_data):
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return services.save_coverage_link(instance)


class WorkChannelSerializer(serializers.ModelSerializer):
    class Meta:
        from ..channels import WorkChannel

        model = WorkChannel
        fields = ["id", "code", "name", "enabled"]
        read_only_fields = fields


class ChannelReachSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A dated reach of a work coverage channel (union, Youth League, liaison) to an enterprise."""

    channel = serializers.SlugRelatedField(slug_field="code", queryset=WorkChannel.objects.all())
    enterprise = ScopedSlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all())

    class Meta:
        model = ChannelReach
        fields = ["id", "channel", "enterprise", "valid_from", "valid_to", "note"]

    def validate(self, attrs):
        if self.instance is not None:
            for field in ("channel", "enterprise"):
                if field in attrs and attrs[field] != getattr(self.instance, field):
                    raise serializers.ValidationError({field: [_("A reach's channel and enterprise cannot change; "
                                                                "end it and record a new one.")]})
        return super().validate(attrs)

class RegionChangeSerializer(serializers.ModelSerializer):
    """A recorded region change (read only: changes are made by POST regions/{id}/move|rename|merge|close/)."""

    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    old_parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    new_parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    merged_into = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    old_kind = serializers.CharField(read_only=True, help_text=_("Region kind before a rename; blank when unchanged"))
    new_kind = serializers.CharField(read_only=True, help_text=_("Region kind after a rename; blank when unchanged"))

    class Meta:
        from ..models import RegionChange  # noqa: PLC0415

        model = RegionChange
        fields = ["id", "region", "kind", "effective_on", "old_parent", "new_parent", "old_name", "new_name",
                  "old_code", "new_code", "old_kind", "new_kind", "merged_into", "moved_enterprises",
                  "moved_organizations", "moved_regions", "note", "recorded_by", "recorded_at"]
        read_only_fields = fields


class RegionChangeInputSerializer(serializers.Serializer):
    """The body of POST regions/{id}/move|rename|merge|close/."""

    effective_on = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    parent = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all(), required=False,
                                    help_text=_("move: the new parent region (code)"))
    into = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all(), required=False,
                                  help_text=_("merge: the surviving region (code)"))
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="",
                                 help_text=_("rename: the new name"))
    code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                 help_text=_("rename: the new code, if it changes"))
    new_kind = serializers.ChoiceField(choices=Region.Kind.choices, required=False, allow_blank=True, default="",
                                       help_text=_("rename: the new kind, if it changes"))

    def validate(self, attrs):
        kind = self.context.get("kind")
        required = {"move": "parent", "merge": "into"}.get(kind)
        if required and not attrs.get(required):
            raise serializers.ValidationError({required: [_("This field is required.")]})
        return attrs


# --- secretaries, leadership bodies, two-way entry (additions) ----------------------------------

from django.apps import apps as _apps  # noqa: E402

from ..models import (DualTraining, EnterprisePost, LeadershipBody, LeadershipBodyUnit, Secretary,  # noqa: E402
                      SecretaryAppointment, SecretaryTraining, SelectionBatch)


class SelectionBatchSerializer(ModelCleanMixin, serializers.ModelSerializer):
    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all())

    class Meta:
        model = SelectionBatch
        fields = ["id", "region", "name", "selected_on", "note"]


class SecretarySerializer(ModelCleanMixin, serializers.ModelSerializer):
    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all())
    member = ScopedPrimaryKeyRelatedField(queryset=_apps.get_model("members", "Member").objects.all(), required=False,
                                          allow_null=True)
    batch = ScopedPrimaryKeyRelatedField(queryset=SelectionBatch.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Secretary
        fields = ["id", "region", "name", "source", "member", "phone", "unit", "batch"]

    def to_representation(self, instance):
        from core.masking import mask_for  # noqa: PLC0415

        data = super().to_representation(instance)
        request = self.context.get("request")
        data["phone"] = mask_for(request.user if request else None, data["phone"])
        return data

    def save(self, **kwargs):
        with transaction.atomic():
            secretary = super().save(**kwargs)
            for appointment in secretary.appointments.select_related("organization"):
                services.sync_secretary_name(appointment.organization)
        return secretary


class SecretaryAppointmentSerializer(serializers.ModelSerializer):
    organization = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    secretary = ScopedPrimaryKeyRelatedField(queryset=Secretary.objects.all())

    class Meta:
        model = SecretaryAppointment
        fields = ["id", "organization", "secretary", "role", "appointed_on", "ended_on", "note"]

    def validate(self, attrs):
        if self.instance is not None:
            for field in ("organization", "secretary"):
                if field in attrs and attrs[field] != getattr(self.instance, field):
                    raise serializers.ValidationError({field: [_("An appointment's organization and person cannot "
                                                                "change; end it and record a new one.")]})
        return attrs

    def create(self, validated_data):
        return services.save_appointment(SecretaryAppointment(**validated_data))

    def update(self, instance, validated_data):
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return services.save_appointment(instance)


class SecretaryTrainingSerializer(ModelCleanMixin, serializers.ModelSerializer):
    secretary = ScopedPrimaryKeyRelatedField(queryset=Secretary.objects.all())

    class Meta:
        model = SecretaryTraining
        fields = ["id", "secretary", "course", "provider", "held_on", "hours"]


class LeadershipBodyUnitSerializer(ModelCleanMixin, serializers.ModelSerializer):
    body = ScopedPrimaryKeyRelatedField(queryset=LeadershipBody.objects.all())

    class Meta:
        model = LeadershipBodyUnit
        fields = ["id", "body", "kind", "name", "duty", "joined_on", "left_on"]


class LeadershipBodySerializer(ModelCleanMixin, serializers.ModelSerializer):
    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all())
    organization_count = serializers.IntegerField(read_only=True, help_text=_("Active organizations it supervises"))
    enterprise_count = serializers.IntegerField(read_only=True,
                                                help_text=_("Enterprises covered today by the organizations it "
                                                            "supervises, each once"))
    member_count = serializers.IntegerField(read_only=True,
                                            help_text=_("Members in the register today in those organizations"))

    class Meta:
        model = LeadershipBody
        fields = ["id", "region", "name", "kind", "industry", "head", "established_on", "dissolved_on", "note",
                  "organization_count", "enterprise_count", "member_count"]

    def to_representation(self, instance):
        if not hasattr(instance, "organization_count"):
            from ..figures import annotate_body_counts  # noqa: PLC0415

            instance = annotate_body_counts(LeadershipBody.objects.filter(pk=instance.pk), timezone.localdate()).get()
        return super().to_representation(instance)


class EnterprisePostSerializer(ModelCleanMixin, serializers.ModelSerializer):
    enterprise = ScopedSlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all())
    member = ScopedPrimaryKeyRelatedField(queryset=_apps.get_model("members", "Member").objects.all(), required=False,
                                          allow_null=True)

    class Meta:
        model = EnterprisePost
        fields = ["id", "enterprise", "person_name", "post", "level", "is_member", "member", "on_party_committee",
                  "started_on", "ended_on"]


class DualTrainingSerializer(ModelCleanMixin, serializers.ModelSerializer):
    enterprise = ScopedSlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all())
    applicant = ScopedPrimaryKeyRelatedField(queryset=_apps.get_model("members", "Applicant").objects.all(),
                                             required=False, allow_null=True)
    member = ScopedPrimaryKeyRelatedField(queryset=_apps.get_model("members", "Member").objects.all(), required=False,
                                          allow_null=True)
    post = ScopedPrimaryKeyRelatedField(queryset=EnterprisePost.objects.all(), required=False, allow_null=True)

    class Meta:
        model = DualTraining
        fields = ["id", "enterprise", "person_name", "track", "started_on", "outcome", "achieved_on", "applicant",
                  "member", "post", "note"]
