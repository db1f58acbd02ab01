"""Serializers of the reports API (API.md "Reports")."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import ScopedSlugRelatedField, validation_error_detail
from organizations.models import Region

from ..definitions import get_spec
from ..models import ReportDefinition, ReportRun
from ..services import definition_by_code, figures_changed, period_for_run


class ReportDefinitionSerializer(serializers.ModelSerializer):
    description = serializers.SerializerMethodField()
    period_example = serializers.SerializerMethodField()

    class Meta:
        model = ReportDefinition
        fields = ["code", "title", "period_type", "schema_version", "description", "period_example"]
        read_only_fields = fields

    def get_description(self, obj) -> str:
        return str(get_spec(obj.code).description)

    def get_period_example(self, obj) -> str:
        return {"yearly": "2026", "quarterly": "2026Q3", "monthly": "2026-07"}[obj.period_type]


class ReportRunSerializer(serializers.ModelSerializer):
    definition = serializers.SlugRelatedField(slug_field="code", read_only=True)
    definition_title = serializers.CharField(source="definition.title", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    # A plain string, like the statistics job status (an enum here would rename the schema's Enterprise
    # status enum, which clients generate code from).
    status = serializers.CharField(read_only=True, help_text=_("queued, running, done or failed"))
    downloads = serializers.SerializerMethodField()
    approval = serializers.CharField(read_only=True, help_text=_("draft, submitted, approved or returned"))
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    figures_changed = serializers.SerializerMethodField(
        help_text=_("Names of the counts whose live value (as of the run's data date) differs from the run's "
                    "frozen figures ([] when none). Computed on the read of one run; null in lists."))

    class Meta:
        model = ReportRun
        fields = ["id", "definition", "definition_title", "region", "region_name", "period", "period_start",
                  "period_end", "as_of", "version", "schema_version", "status", "error", "rows", "xlsx_sha256",
                  "csv_sha256", "requested_by", "requested_at", "finished_at", "job", "downloads",
                  "approval", "submitted_by", "submitted_at", "approved_by", "approved_at", "return_reason",
                  "figures", "figures_changed"]
        read_only_fields = fields

    def get_figures_changed(self, obj) -> list[str] | None:
        if not self.context.get("with_figures_changed"):
            return None
        return figures_changed(obj)

    def get_downloads(self, obj) -> dict:
        if obj.status != ReportRun.Status.DONE:
            return {}
        url = reverse("report-run-download", kwargs={"pk": obj.pk})
        request = self.context.get("request")
        if request is not None:
            url = request.build_absolute_uri(url)
        return {fmt: f"{url}?format={fmt}" for fmt in ("xlsx", "csv")}


class ReportRunRequestSerializer(serializers.Serializer):
    definition = serializers.CharField(max_length=64, help_text=_("Report code, see GET reports/definitions/."))
    region = ScopedSlugRelatedField(slug_field="code", queryset=Region.objects.all(),
                                    help_text=_("Region code (in your scope)."))
    period = serializers.CharField(max_length=16, help_text=_("A year (2026), a quarter (2026Q3) or a month "
                                                              "(2026-07)."))

    def validate_definition(self, value):
        try:
            return definition_by_code(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(validation_error_detail(error)["definition"]) from error

    def validate_period(self, value):
        try:
            return period_for_run(value).code
        except DjangoValidationError as error:
            raise serializers.ValidationError(validation_error_detail(error)["period"]) from error


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                   help_text=_("Why (required)."))


class ApprovalRowSerializer(serializers.Serializer):
    region = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    run = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)
    approval = serializers.CharField(help_text=_("draft, submitted, approved, returned or missing"))
    submitted_by = serializers.CharField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_by = serializers.CharField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()


class ApprovalsSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    results = ApprovalRowSerializer(many=True)
