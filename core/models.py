from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.apps import apps
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .scoping import ScopedQuerySet
from .roles import INSTRUCTOR_ROLES, ORGANIZATION_ROLES, REGION_ROLES, Role


class User(AbstractUser):
    """A portal user: a role and exactly the one scope that role needs."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.REGION_VIEWER)
    # Scope targets are referenced by name: core imports no app (see CONVENTIONS.md layers).
    scope_region = models.ForeignKey(
        "organizations.Region", verbose_name=_("scope region"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    scope_organization = models.ForeignKey(
        "organizations.PartyOrganization", verbose_name=_("scope organization"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    scope_instructor = models.ForeignKey(
        "instructors.Instructor", verbose_name=_("scope instructor"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    can_view_sensitive = models.BooleanField(
        _("may see sensitive data"), default=False,
        help_text=_("Sees full ID numbers and phone numbers instead of masked ones."),
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self):
        super().clean()
        check_role_scope(self.role, self.scope_region_id, self.scope_organization_id, self.scope_instructor_id,
                         is_superuser=self.is_superuser)

    def get_full_name(self):
        """Chinese names read family name first, without a space (王晓明); other names as Django writes them."""
        first, last = (self.first_name or "").strip(), (self.last_name or "").strip()
        if any("\u3400" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return super().get_full_name()

    @property
    def display_name(self) -> str:
        """How pages name the user (填报人, 审核人, history): the full name, else the username."""
        return self.get_full_name().strip() or self.get_username()

    def __str__(self):
        return self.display_name

    @property
    def sees_sensitive(self) -> bool:
        return bool(self.is_superuser or self.can_view_sensitive)

    @property
    def is_admin(self) -> bool:
        return bool(self.is_superuser or self.role == Role.ADMIN)

    @property
    def scope_label(self) -> str:
        target = self.scope_region or self.scope_organization or self.scope_instructor
        return str(target) if target else ""


def check_role_scope(role, region_id, organization_id, instructor_id, *, is_superuser=False):
    """A role carries exactly the scope it needs: one rule for forms, the API and create_user."""
    errors = {}
    wanted = {
        "scope_region": role in REGION_ROLES,
        "scope_organization": role in ORGANIZATION_ROLES,
        "scope_instructor": role in INSTRUCTOR_ROLES,
    }
    given = {"scope_region": region_id, "scope_organization": organization_id, "scope_instructor": instructor_id}
    for field, needed in wanted.items():
        if needed and not given[field]:
            errors[field] = _("The role “%(role)s” needs this scope.") % {"role": Role(role).label}
        elif not needed and given[field]:
            errors[field] = _("The role “%(role)s” does not take this scope.") % {"role": Role(role).label}
    if errors and not (is_superuser and role == Role.ADMIN):
        raise ValidationError(errors)


class Job(models.Model):
    """A persistent record around every background job: what, for whom, when, how it ended."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    created_by = models.ForeignKey(
        "core.User", verbose_name=_("requested by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Region the job works on, for scoping the jobs list (a code, so core needs no FK to organizations).
    region_code = models.CharField(_("region"), max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    log = models.TextField(_("log"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Refreshed by the worker while the job runs; a running job whose heartbeat stops is reaped as failed.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("core:job_detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        # Reap on read: a job whose worker went silent reads as failed wherever it is loaded (core.jobs).
        from .jobs import reap_on_read  # noqa: PLC0415 (jobs imports this module)

        job = super().from_db(db, field_names, values)
        if "status" in field_names and "heartbeat_at" in field_names:
            job = reap_on_read(job)
        return job

    @classmethod
    def scope_filter(cls, user):
        """A job is seen by who requested it and by staff whose region contains the job's region."""
        condition = Q(created_by=user)
        if user.scope_region_id:
            region_model = apps.get_model("organizations", "Region")
            codes = region_model.objects.filter(path__startswith=user.scope_region.path).values("code")
            condition |= Q(region_code__in=codes)
        return condition

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    # Pages show these instead of the raw values (core.views.resolve prefers get_<name>_display).
    def get_kind_display(self):
        from .jobs import kind_label  # noqa: PLC0415

        return kind_label(self.kind)

    def get_duration_display(self):
        from .jobs import readable_duration  # noqa: PLC0415

        return readable_duration(self.duration)

    def get_params_display(self):
        from .jobs import readable_values  # noqa: PLC0415

        return readable_values(self.params)

    def get_result_display(self):
        from .jobs import readable_values  # noqa: PLC0415

        return readable_values(self.result)


class ExportRecord(models.Model):
    """Who exported what, when (exports carry personal data)."""

    user = models.ForeignKey("core.User", verbose_name=_("user"), on_delete=models.PROTECT, related_name="+")
    what = models.CharField(_("what"), max_length=100)
    format = models.CharField(_("format"), max_length=8)
    filters = models.TextField(_("filters"), blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export record")
        verbose_name_plural = _("export records")

    def __str__(self):
        return f"{self.user} {self.what} {self.created_at:%Y-%m-%d %H:%M}"
