from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from organizations.models import Enterprise
from reports.coverage import CATEGORIES
from reports.models import COUNT_FIELDS, CoverageSnapshot


class CoverageSnapshotSerializer(serializers.ModelSerializer):
    """The figures of one region on one date, field names as in API.md "Statistics"."""

    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    org_coverage_rate = serializers.DecimalField(max_digits=5, decimal_places=4, read_only=True,
                                                 coerce_to_string=True)
    individual_rate = serializers.DecimalField(max_digits=5, decimal_places=4, read_only=True, coerce_to_string=True)
    work_coverage_rate = serializers.DecimalField(max_digits=5, decimal_places=4, read_only=True,
                                                  coerce_to_string=True)

    class Meta:
        model = CoverageSnapshot
        fields = [
            "region", "as_of", "computed_at", *COUNT_FIELDS,
            "org_coverage_rate", "individual_rate", "work_coverage_rate",
            "id", "region_name", "organizations_by_kind", "demonstration_sites_by_level", "job", "stale",
        ]
        read_only_fields = fields


class CoverageQuerySerializer(serializers.Serializer):
    region = serializers.CharField(required=False, max_length=32,
                                   help_text=_("Region code (default: your scope region; the root for admins)."))
    as_of = serializers.DateField(required=False, help_text=_("Date YYYY-MM-DD (default: today)."))


class DrillDownQuerySerializer(CoverageQuerySerializer):
    category = serializers.CharField(required=False, allow_blank=True, help_text=_("The count whose enterprises to "
                                     "list: enterprises, org_individual, … , no_members."))

    def validate_category(self, value):
        if value not in CATEGORIES:
            raise serializers.ValidationError(self.category_error(value))
        return value

    def validate(self, attrs):
        if not attrs.get("category"):
            raise serializers.ValidationError({"category": [self.category_error("")]})
        return attrs

    @staticmethod
    def category_error(value):
        valid = ", ".join(CATEGORIES)
        if not value:
            return gettext("Say which count to list with “category”. Valid categories: %(valid)s.") % {"valid": valid}
        return gettext("“%(value)s” is not a count with a list of enterprises. Valid categories: %(valid)s.") % {
            "value": value, "valid": valid}


class ComputeRequestSerializer(CoverageQuerySerializer):
    pass


class CoverageEnterpriseSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    coverage = serializers.CharField(read_only=True, help_text=_("Coverage on the date: org_individual, org_joint, "
                                                                 "org_regional, org_industry, org_attached, "
                                                                 "instructor or none."))

    class Meta:
        model = Enterprise
        fields = ["id", "uscc", "name", "region", "region_name", "ownership", "industry", "employees",
                  "founded_on", "closed_on", "status", "coverage"]
        read_only_fields = fields


class JobAcceptedSerializer(serializers.Serializer):
    job = serializers.IntegerField()


class JobStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    error = serializers.CharField()
    region = serializers.CharField(source="region_code")
    params = serializers.JSONField()
    result = serializers.JSONField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
