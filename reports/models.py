"""Coverage snapshots: the figures of `reports.coverage` for one region (its subtree) and one date.

A snapshot is derived data, written only by `reports.services.compute_snapshots` (the nightly job, the
recompute button/API and `manage.py compute_coverage`). Recomputing a region and date replaces the rows
(the DHIS2 analytics-table idea), so snapshots carry no simple-history: the register they are computed
from is historised, and `source` records which state of it a snapshot was computed from.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import Scope, ScopedQuerySet

# Counts of enterprises (each has a drill-down list whose length equals the count), in table order.
ENTERPRISE_COUNTS = [
    "enterprises", "org_individual", "org_joint", "org_regional", "org_industry", "org_attached",
    "org_covered", "instructor_covered", "channel_covered", "work_covered", "uncovered", "no_org", "should_form",
    "few_members", "no_members",
]
# Counts of other things in the region.
OTHER_COUNTS = ["organizations", "members", "instructors", "demonstration_sites"]
COUNT_FIELDS = ENTERPRISE_COUNTS + OTHER_COUNTS
# rate name -> (numerator, denominator): rates are sum ÷ sum at every level, never averages.
RATES = {
    "org_coverage_rate": ("org_covered", "enterprises"),
    "individual_rate": ("org_individual", "enterprises"),
    "work_coverage_rate": ("work_covered", "enterprises"),
}

FOUR_PLACES = Decimal("0.0001")


def rate(numerator: int, denominator: int) -> Decimal:
    """An exact fraction shown with four decimal places (0 when there is nothing to cover)."""
    if not denominator:
        return Decimal("0.0000")
    return (Decimal(numerator) / Decimal(denominator)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


class CoverageSnapshot(models.Model):
    region = models.ForeignKey("organizations.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="coverage_snapshots")
    as_of = models.DateField(_("as of"), db_index=True)
    computed_at = models.DateTimeField(_("computed at"))
    job = models.ForeignKey("core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    # Which data the figures come from: row counts and latest change timestamps of the source tables.
    source = models.JSONField(_("computed from"), default=dict, blank=True)

    enterprises = models.PositiveIntegerField(_("enterprises"), default=0)
    org_individual = models.PositiveIntegerField(_("individually formed"), default=0)
    org_joint = models.PositiveIntegerField(_("jointly formed"), default=0)
    org_regional = models.PositiveIntegerField(_("regionally formed"), default=0)
    org_industry = models.PositiveIntegerField(_("formed by industry"), default=0)
    org_attached = models.PositiveIntegerField(_("attached"), default=0)
    org_covered = models.PositiveIntegerField(_("organization-covered"), default=0)
    instructor_covered = models.PositiveIntegerField(_("covered by instructors only"), default=0)
    channel_covered = models.PositiveIntegerField(_("reached only through other channels"), default=0)
    work_covered = models.PositiveIntegerField(_("work-covered"), default=0)
    uncovered = models.PositiveIntegerField(_("uncovered"), default=0)
    no_org = models.PositiveIntegerField(_("without an organization"), default=0)
    should_form = models.PositiveIntegerField(_("should form (≥ 3 full members)"), default=0)
    few_members = models.PositiveIntegerField(_("fewer than 3 full members"), default=0)
    no_members = models.PositiveIntegerField(_("no members"), default=0)
    organizations = models.PositiveIntegerField(_("party organizations"), default=0)
    members = models.PositiveIntegerField(_("party members"), default=0)
    instructors = models.PositiveIntegerField(_("instructors"), default=0)
    demonstration_sites = models.PositiveIntegerField(_("demonstration sites"), default=0)
    organizations_by_kind = models.JSONField(_("organizations by kind"), default=dict, blank=True)
    demonstration_sites_by_level = models.JSONField(_("demonstration sites by level"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(region="region", organization=None, instructor=None)

    class Meta:
        ordering = ["region__path", "-as_of"]
        verbose_name = _("coverage snapshot")
        verbose_name_plural = _("coverage snapshots")
        constraints = [
            models.UniqueConstraint(fields=["region", "as_of"], name="coverage_snapshot_one_per_region_and_day"),
        ]

    def __str__(self):
        return f"{self.region} {self.as_of}"

    def counts(self) -> dict:
        return {name: getattr(self, name) for name in COUNT_FIELDS}

    def rates(self) -> dict:
        return {name: rate(getattr(self, num), getattr(self, den)) for name, (num, den) in RATES.items()}

    @property
    def org_coverage_rate(self):
        return self.rates()["org_coverage_rate"]

    @property
    def individual_rate(self):
        return self.rates()["individual_rate"]

    @property
    def work_coverage_rate(self):
        return self.rates()["work_coverage_rate"]


# --- periodic reports ----------------------------------------------------------------------------

class ReportDefinition(models.Model):
    """A report the portal can build. Its columns and rows are code (`reports.definitions`, by `code`);
    this row holds what operators may change (title, whether it is offered) and what runs point to."""

    class PeriodType(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    period_type = models.CharField(_("period type"), max_length=16, choices=PeriodType.choices)
    schema_version = models.PositiveSmallIntegerField(
        _("column schema version"), default=1,
        help_text=_("Raised whenever the report's columns change, so old files are read with the right layout."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("report definition")
        verbose_name_plural = _("report definitions")

    def __str__(self):
        return f"{self.title} ({self.code})"


def report_file_path(run, filename):
    return f"{run.definition.code}/{run.region.code}/{filename}"


def _report_storage():
    from .storage import report_storage  # noqa: PLC0415

    return report_storage


class ReportRun(models.Model):
    """One build of a report for a region and a period. Re-running makes a new version; old ones stay."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    definition = models.ForeignKey(ReportDefinition, verbose_name=_("report"), on_delete=models.PROTECT,
                                   related_name="runs")
    region = models.ForeignKey("organizations.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="report_runs")
    period = models.CharField(_("period"), max_length=16, help_text=_("2026, 2026Q3 or 2026-07"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    as_of = models.DateField(_("figures as of"), help_text=_("The period's last day, or the day of the run while "
                                                              "the period is still running."))
    version = models.PositiveIntegerField(_("version"))
    schema_version = models.PositiveSmallIntegerField(_("column schema version"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    error = models.TextField(_("error"), blank=True)
    xlsx_file = models.FileField(_("XLSX file"), upload_to=report_file_path, storage=_report_storage, blank=True,
                                 max_length=255)
    csv_file = models.FileField(_("CSV file"), upload_to=report_file_path, storage=_report_storage, blank=True,
                                max_length=255)
    xlsx_sha256 = models.CharField(_("XLSX SHA-256"), max_length=64, blank=True)
    csv_sha256 = models.CharField(_("CSV SHA-256"), max_length=64, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    # The table as built (headers and the first PREVIEW_ROWS rows), for the HTML preview of the files.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    requested_by = models.ForeignKey("core.User", verbose_name=_("requested by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    job = models.ForeignKey("core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope = Scope(region="region", organization=None, instructor=None)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        constraints = [
            models.UniqueConstraint(fields=["definition", "region", "period", "version"],
                                    name="report_run_one_per_version"),
        ]

    def __str__(self):
        return f"{self.definition.code} {self.region.code} {self.period} v{self.version}"

    def get_absolute_url(self):
        from django.urls import reverse  # noqa: PLC0415

        return reverse("reports:run_detail", args=[self.pk])

    @property
    def is_done(self):
        return self.status == self.Status.DONE
