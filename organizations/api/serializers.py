from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import ModelCleanMixin, ScopedSlugRelatedField

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

    save_service = staticmethod(services.save_region)

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


class PartyOrganizationSerializer(TreeNodeSerializerMixin, ModelCleanMixin, serializers.ModelSerializer):
    parent = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all(), required=False,
                                    allow_null=True)
    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all())
    term_due_on = serializers.SerializerMethodField()

    class Meta:
        model = PartyOrganization
        fields = ["id", "code", "name", "kind", "formation_mode", "simultaneous", "parent", "region", "established_on",
                  "dissolved_on", "term_years", "secretary_name", "secretary_source", "secretary_phone",
                  "cross_appointed", "term_due_on", "depth"]
        read_only_fields = ["depth", "term_due_on"]
        clean_exclude = ("path", "depth", "numchild")

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
