"""Coverage snapshots: the figures of `reports.coverage` for one region (its subtree) and one date.

A snapshot is derived data, written only by `reports.services.compute_snapshots` (the nightly job, the
recompute button/API and `manage.py compute_coverage`). Recomputing a region and date replaces the rows
(the DHIS2 analytics-table idea), so snapshots carry no simple-history: the register they are computed
from is historised, and `source` records which state of it a snapshot was computed from.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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
    # The freshness stamp (reports.incremental): set when a write that can change these figures commits, cleared
    # when they are brought up to date (a computation writes fresh rows). A row that exists and is not stale
    # holds the figures the register gives now, so a drill-down may take its count from it.
    stale = models.BooleanField(_("stale"), default=False)

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


class CoverageChange(models.Model):
    """A region whose own figures a write changed (the enterprises, organizations, members or sites registered
    at it): the queue of today's incremental recompute (reports.incremental). No region: everything (a bulk
    write), the job then recomputes in full. Rows live seconds: the debounced job takes and deletes them."""

    region = models.ForeignKey("organizations.Region", verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    instructors = models.BooleanField(_("instructors changed"), default=False)
    # what of the region's own figures the write can change: the enterprise counts (its enterprises' facts:
    # links, assignments, channel reaches, members employed) and/or the other counts (organizations, members
    # held, demonstration sites); the job recounts only those (a changed link: the enterprise counts only)
    enterprises = models.BooleanField(_("enterprise counts changed"), default=True)
    others = models.BooleanField(_("other counts changed"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("coverage change")
        verbose_name_plural = _("coverage changes")

    def __str__(self):
        return f"{self.region_id or '*'} {self.created_at:%Y-%m-%d %H:%M:%S}"


# --- periodic reports ----------------------------------------------------------------------------

DEFAULT_REPORTING_LEVELS = ["province", "city", "county"]
DEFAULT_DUE_DAYS = {"yearly": 15, "quarterly": 15, "monthly": 10}


def default_reporting_levels():
    return list(DEFAULT_REPORTING_LEVELS)


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
    # Periods close (DESIGN.md): which regions hand the report in, and by when.
    reporting_levels = models.JSONField(
        _("reporting levels"), default=default_reporting_levels, blank=True,
        help_text=_("Region kinds that hand this report in and have it approved, e.g. [\"province\", \"city\", "
                    "\"county\"]. Celery beat builds their draft runs when a period ends."))
    due_days = models.PositiveSmallIntegerField(
        _("due days after the period"), null=True, blank=True,
        help_text=_("Days after the period's last day by which a run must be approved (empty: 15 for yearly and "
                    "quarterly reports, i.e. 15 January for a year; 10 for monthly ones)."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("report definition")
        verbose_name_plural = _("report definitions")

    def __str__(self):
        return self.title  # pickers and pages name the report, not its code

    def clean(self):
        from django.core.exceptions import ValidationError  # noqa: PLC0415

        from organizations.models import Region  # noqa: PLC0415

        kinds = set(Region.Kind.values)
        levels = self.reporting_levels
        if not isinstance(levels, list) or not levels or any(level not in kinds for level in levels):
            raise ValidationError({"reporting_levels": _("Give a list of region kinds, each one of: %(kinds)s.")
                                   % {"kinds": ", ".join(Region.Kind.values)}})

    def due_on(self, period_end):
        """The day by which a run of the period ending `period_end` must be approved."""
        import datetime  # noqa: PLC0415

        days = self.due_days if self.due_days is not None else DEFAULT_DUE_DAYS.get(self.period_type, 15)
        return period_end + datetime.timedelta(days=days)




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
    # The whole table as built (JSON), so submission and approval print the cover block on the same figures.
    table_file = models.FileField(_("table"), upload_to=report_file_path, storage=_report_storage, blank=True,
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

    # Periods close (reports.approval is the only writer of these): the latest run of (definition, region,
    # period) carries the approval state.
    class Approval(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    approval = models.CharField(_("approval"), max_length=16, choices=Approval.choices, default=Approval.DRAFT,
                                db_index=True)
    submitted_by = models.ForeignKey("core.User", verbose_name=_("submitted by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey("core.User", verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    # The counts the run was built from ({name: value}, ReportSpec.figures), frozen with the files.
    figures = models.JSONField(_("figures"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(region="region", organization=None, instructor=None)
    history = HistoricalRecords(excluded_fields=["preview"])

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        constraints = [
            models.UniqueConstraint(fields=["definition", "region", "period", "version"],
                                    name="report_run_one_per_version"),
        ]

    def __str__(self):
        return _("%(report)s · %(region)s · %(period)s · version %(version)s") % {
            "report": self.definition.title, "region": self.region.name, "period": self.period,
            "version": self.version}

    def get_absolute_url(self):
        from django.urls import reverse  # noqa: PLC0415

        return reverse("reports:run_detail", args=[self.pk])

    @property
    def is_done(self):
        return self.status == self.Status.DONE


class ApprovalStep(models.Model):
    """One transition of a run's approval (submit, approve, return, unlock): who, when, why. Append-only."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        RETURN = "return", _("Returned")
        UNLOCK = "unlock", _("Unlocked")

    run = models.ForeignKey(ReportRun, verbose_name=_("report run"), on_delete=models.PROTECT,
                            related_name="approval_steps")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=16, choices=ReportRun.Approval.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=ReportRun.Approval.choices)
    user = models.ForeignKey("core.User", verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("reason"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(region="run__region", organization=None, instructor=None)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")

    def __str__(self):
        return f"{self.run} {self.action} {self.at:%Y-%m-%d %H:%M}"


class ReportingUnit(models.Model):
    """A region as the unit that hands reports in (填报单位): its head and telephone for the cover block.
    Kept in the reports app (one-to-one with Region) so the organizations app stays as it is."""

    region = models.OneToOneField("organizations.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                                  related_name="reporting_unit")
    head = models.CharField(_("head of the unit"), max_length=50, blank=True,
                            help_text=_("The name of the unit's head (单位负责人), printed on its reports."))
    phone = models.CharField(_("telephone"), max_length=32, blank=True, validators=[
        RegexValidator(r"^[0-9+()（） \-－—转]{5,32}$",
                       _("A telephone number: digits, with -, spaces, brackets or 转 for an extension."))],
                             help_text=_("The unit's office telephone (联系电话), printed on its reports."))

    objects = ScopedQuerySet.as_manager()
    scope = Scope(region="region", organization=None, instructor=None)
    history = HistoricalRecords()

    class Meta:
        ordering = ["region__path"]
        verbose_name = _("reporting unit")
        verbose_name_plural = _("reporting units")

    def __str__(self):
        return str(self.region)
