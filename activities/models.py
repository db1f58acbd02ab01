"""Organizational life: activity records with attendance and attachments, frequency rules, suggestions,
checklists ("five ones") and assessment schemes (star rating, 双强六好) with yearly results."""

import datetime
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.scoping import Scope, ScopedQuerySet
from core.storage import PrivateStorage as CorePrivateStorage


class ActivityKind(models.TextChoices):
    GENERAL_MEETING = "general_meeting", _("General meeting of members")
    COMMITTEE_MEETING = "committee_meeting", _("Committee meeting")
    GROUP_MEETING = "group_meeting", _("Party-group meeting")
    PARTY_LECTURE = "party_lecture", _("Party lecture")
    THEME_DAY = "theme_day", _("Theme party day")
    LIFE_MEETING = "life_meeting", _("Organizational-life meeting")
    DEMOCRATIC_APPRAISAL = "democratic_appraisal", _("Democratic appraisal of members")


# The organization an activity record belongs to is reached the same way from every model below.
ORG_SCOPE = Scope(region="organization__region", organization="organization", instructor=None)


class ActivityRecord(models.Model):
    """One meeting or activity of a party organization, filed by its secretary and reviewed by the region.

    draft → submitted → accepted | returned (with a reason) → (corrected) submitted → ...
    Content can be edited only while draft or returned; an accepted record is locked for good.
    Transitions go through `activities.services` (atomic, who/when recorded, history kept).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", pgettext_lazy("activity record status", "Accepted")
        RETURNED = "returned", _("Returned")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="activity_records")
    kind = models.CharField(_("kind"), max_length=32, choices=ActivityKind.choices)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    host = models.CharField(_("host"), max_length=50, blank=True)
    recorder = models.CharField(_("recorder"), max_length=50, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    return_reason = models.TextField(_("reason for return"), blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+", editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)
    # The idempotency key a client (the phone's offline outbox) sent with the POST that created the record:
    # a resend with the same key answers the record already created instead of filing it twice.
    client_key = models.UUIDField(_("client key"), null=True, blank=True, unique=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = ORG_SCOPE

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("activity record")
        verbose_name_plural = _("activity records")
        indexes = [models.Index(fields=["organization", "kind", "held_on"])]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()} · {self.topic}"

    def get_absolute_url(self):
        return reverse("activities:record_detail", args=[self.pk])

    def get_edit_url(self):
        return reverse("activities:record_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("activities:record_history", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in self.EDITABLE_STATUSES

    def clean(self):
        super().clean()
        org = self.organization if self.organization_id else None
        if org is not None and self.held_on:
            if self.held_on < org.established_on or (org.dissolved_on and self.held_on >= org.dissolved_on):
                raise ValidationError({"held_on": _("The organization did not exist on that day (established "
                                                    "%(established)s).") % {"established": org.established_on}})

    def save(self, *args, **kwargs):
        # The last line of defence for the lock: nothing saves over an accepted record, whatever the caller.
        if self.pk and ActivityRecord.objects.filter(pk=self.pk, status=self.Status.ACCEPTED).exists():
            raise ValidationError(LOCKED_MESSAGE)
        super().save(*args, **kwargs)


LOCKED_MESSAGE = _("This record has been accepted and is locked; it can no longer be changed.")
UNDER_REVIEW_MESSAGE = _("This record has been submitted and is under review; it can be changed again only if "
                         "it is returned.")


class Attendance(models.Model):
    """Whether one member attended one activity (absent: with a reason)."""

    record = models.ForeignKey(ActivityRecord, verbose_name=_("activity record"), on_delete=models.CASCADE,
                               related_name="attendance")
    member = models.ForeignKey("members.Member", verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="activity_attendance")
    present = models.BooleanField(_("present"), default=True)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="record__organization__region", organization="record__organization", instructor=None)

    class Meta:
        ordering = ["record_id", "member__name", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["record", "member"], name="attendance_once_per_member")]

    def __str__(self):
        return f"{self.member} @ {self.record_id}"

    def clean(self):
        super().clean()
        if self.record_id and self.member_id:
            check_attendee(self.record, self.member)


def check_attendee(record, member):
    """Attendance is taken only of members of the record's organization active on the day it was held."""
    from members.models import Member  # noqa: PLC0415 - members is a lower app; import kept local for migrations

    if not Member.objects.held_in_on(record.organization_id, record.held_on).filter(pk=member.pk).exists():
        raise ValidationError({"attendance": _("%(member)s was not a member of %(organization)s on %(day)s.") % {
            "member": member, "organization": record.organization, "day": record.held_on}})


# --- attachments ----------------------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


class PrivateStorage(CorePrivateStorage):
    """Attachments under `<MEDIA_ROOT>/private/activities` (`ACTIVITIES_PRIVATE_ROOT` overrides), served only
    by the scoped download view (core.storage)."""

    def __init__(self):
        super().__init__("activities", "ACTIVITIES_PRIVATE_ROOT")


private_storage = PrivateStorage()


# Served inline (shown in the browser) only these image types; everything else is a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# Zip members that make an Office file something else as well (a .jar, a carrier of programs or macros).
EXECUTABLE_MEMBERS = (".class", ".exe", ".dll", ".com", ".bat", ".cmd", ".ps1", ".vbs", ".js", ".jar", ".sh",
                      ".msi", ".scr", "vbaproject.bin")


def attachment_name(uploaded_name: str, content_type: str) -> str:
    """The name an attachment is stored and served under: the uploader's name without its extension (and
    without any path or control characters), plus the extension of the type its bytes say. `page.html` holding
    a PNG becomes `page.png`, `setup.exe` holding a JPEG `setup.jpg`, a document sent as `.jar` `….docx`."""
    name = (uploaded_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip().strip(".")
    stem = name.rsplit(".", 1)[0].strip() if "." in name else name
    extension = ATTACHMENT_TYPES.get(content_type, "")
    return f"{(stem or 'file')[:200 - len(extension)]}{extension}"


def sniff_content_type(file) -> str | None:
    """The content type the bytes say (magic numbers), not the one the name or the browser claims."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    try:
        if head.startswith(b"\xff\xd8\xff"):
            return "image/jpeg"
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "image/png"
        if head.startswith(b"%PDF-"):
            return "application/pdf"
        if head.startswith(b"PK\x03\x04"):
            # Office Open XML is a zip; which part it holds tells a document from a workbook.
            try:
                with zipfile.ZipFile(file) as archive:
                    names = set(archive.namelist())
            except (zipfile.BadZipFile, OSError, ValueError):
                return None
            if any(name.startswith("META-INF/") or name.lower().endswith(EXECUTABLE_MEMBERS) for name in names):
                return None  # a document that is also a Java archive or carries programs is neither
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return None
    finally:
        file.seek(position)


def validate_attachment(file) -> str:
    """Size and type check; returns the sniffed content type."""
    if file.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": _("An attachment may be at most 10 MB.")})
    content_type = sniff_content_type(file)
    if content_type not in ATTACHMENT_TYPES:
        raise ValidationError({"file": _("Only JPEG, PNG, PDF, Word (.docx) and Excel (.xlsx) files can be "
                                         "attached; the content of this file is none of them.")})
    return content_type


def attachment_path(instance, filename):
    # The stored name carries no user input: a random name with the sniffed type's extension.
    import uuid  # noqa: PLC0415

    extension = ATTACHMENT_TYPES.get(instance.content_type, "")
    return f"activities/{instance.record_id}/{uuid.uuid4().hex}{extension}"


class CheckedFile:
    """What a stored, type-checked upload (an attachment, a receipt) says about itself when served."""

    @property
    def is_image(self):
        return self.content_type.startswith("image/")

    @property
    def download_name(self):
        """The name the file is served under, with the extension of its detected type (also for files
        stored before names were normalized)."""
        return attachment_name(self.original_name, self.content_type)

    @property
    def shown_inline(self):
        return self.content_type in INLINE_TYPES


class Attachment(CheckedFile, models.Model):
    record = models.ForeignKey(ActivityRecord, verbose_name=_("activity record"), on_delete=models.PROTECT,
                               related_name="attachments")
    file = models.FileField(_("file"), storage=private_storage, upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    on_delete=models.PROTECT, related_name="+", editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    client_key = models.UUIDField(_("client key"), null=True, blank=True, unique=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="record__organization__region", organization="record__organization", instructor=None)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("activities:attachment_download", args=[self.pk])



# --- frequency rules ------------------------------------------------------------------------------

class FrequencyRule(models.Model):
    """How often a kind of activity must be held ("committee meeting ≥ 1 per month"). Configurable;
    the defaults are seeded by migration 0002."""

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    kind = models.CharField(_("kind"), max_length=32, choices=ActivityKind.choices, unique=True)
    period = models.CharField(_("period"), max_length=16, choices=Period.choices)
    min_count = models.PositiveSmallIntegerField(_("at least"), default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("frequency rule")
        verbose_name_plural = _("frequency rules")

    def __str__(self):
        return f"{self.get_kind_display()} ≥ {self.min_count} / {self.get_period_display()}"


# --- suggestions ----------------------------------------------------------------------------------

class Suggestion(models.Model):
    """A rationalization proposal (合理化建议) raised through a party organization, and what it brought."""

    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="suggestions")
    enterprise = models.ForeignKey("organizations.Enterprise", verbose_name=_("enterprise"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="suggestions")
    raised_by = models.CharField(_("raised by"), max_length=100, blank=True,
                                 help_text=_("The member or group who raised it."))
    raised_on = models.DateField(_("raised on"))
    content = models.TextField(_("content"))
    accepted = models.BooleanField(_("accepted"), default=False)
    benefit_yuan = models.DecimalField(_("benefit (yuan)"), max_digits=14, decimal_places=2, default=0)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = ORG_SCOPE

    class Meta:
        ordering = ["-raised_on", "-id"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        constraints = [models.CheckConstraint(condition=Q(benefit_yuan__gte=0), name="suggestion_benefit_not_negative")]

    def __str__(self):
        return f"{self.raised_on} {self.content[:30]}"

    def get_absolute_url(self):
        return reverse("activities:suggestion_edit", args=[self.pk])

    def get_edit_url(self):
        return reverse("activities:suggestion_edit", args=[self.pk])

    def clean(self):
        super().clean()
        if self.benefit_yuan is not None and self.benefit_yuan < 0:
            raise ValidationError({"benefit_yuan": _("The benefit cannot be negative.")})


# --- checklists ("five ones") ---------------------------------------------------------------------

class Checklist(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, verbose_name=_("checklist"), on_delete=models.PROTECT,
                                  related_name="items")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["checklist_id", "order", "id"]
        unique_together = [("checklist", "code")]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self):
        return self.name


class ChecklistResult(models.Model):
    """Whether an organization meets one checklist item in a year."""

    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="checklist_results")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="results")
    year = models.PositiveSmallIntegerField(_("year"))
    met = models.BooleanField(_("met"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = ORG_SCOPE

    class Meta:
        ordering = ["-year", "organization_id", "item__order"]
        verbose_name = _("checklist result")
        verbose_name_plural = _("checklist results")
        constraints = [models.UniqueConstraint(fields=["organization", "item", "year"],
                                               name="checklist_result_once_a_year")]

    def __str__(self):
        return f"{self.organization} {self.year} {self.item}"

    def get_absolute_url(self):
        return reverse("activities:checklist_result_edit", args=[self.pk])


# --- assessment schemes (star rating, 双强六好) ------------------------------------------------------

class AssessmentScheme(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("organization assessment scheme")
        verbose_name_plural = _("organization assessment schemes")

    def __str__(self):
        return self.name


class AssessmentAspect(models.Model):
    scheme = models.ForeignKey(AssessmentScheme, verbose_name=_("scheme"), on_delete=models.PROTECT,
                               related_name="aspects")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme_id", "order", "id"]
        unique_together = [("scheme", "code")]
        verbose_name = _("assessment aspect")
        verbose_name_plural = _("assessment aspects")

    def __str__(self):
        return self.name


class AssessmentResult(models.Model):
    """The result of one organization under one scheme for one year, with its evidence."""

    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="assessment_results")
    scheme = models.ForeignKey(AssessmentScheme, verbose_name=_("scheme"), on_delete=models.PROTECT,
                               related_name="results")
    year = models.PositiveSmallIntegerField(_("year"))
    rating = models.CharField(_("rating"), max_length=50, help_text=_("e.g. ★★★★ or 达标 / 未达标"))
    aspects_met = models.ManyToManyField(AssessmentAspect, verbose_name=_("aspects met"), blank=True,
                                         related_name="results")
    evidence = models.TextField(_("evidence"), blank=True)
    # 挂牌评星: the enterprise whose plaque carries the rating (one the organization covers that year).
    enterprise = models.ForeignKey("organizations.Enterprise", verbose_name=_("enterprise (plaque)"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="assessment_results")
    # The level of the scheme's rating rule the rating is (None: a rating given by hand that no rule names).
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[aspects_met])
    scope = ORG_SCOPE

    class Meta:
        ordering = ["-year", "organization_id", "scheme_id"]
        verbose_name = _("organization assessment result")
        verbose_name_plural = _("organization assessment results")
        constraints = [models.UniqueConstraint(fields=["organization", "scheme", "year"],
                                               name="assessment_result_once_a_year")]

    def __str__(self):
        return f"{self.organization} {self.year} {self.scheme}"

    def get_absolute_url(self):
        return reverse("activities:assessment_result_edit", args=[self.pk])

    def clean(self):
        super().clean()
        check_year(self.year)
        if self.enterprise_id and self.organization_id and self.year:
            from organizations.models import CoverageLink  # noqa: PLC0415 - a lower app

            start, end = datetime.date(self.year, 1, 1), datetime.date(self.year + 1, 1, 1)
            covered = CoverageLink.objects.filter(
                organization_id=self.organization_id, enterprise_id=self.enterprise_id, valid_from__lt=end,
            ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start)).exists()
            if not covered:
                raise ValidationError({"enterprise": _("%(organization)s did not cover this enterprise in "
                                                       "%(year)s; the plaque goes to an enterprise it covers.") % {
                    "organization": self.organization, "year": self.year}})

    def save(self, *args, **kwargs):
        if self.scheme_id:
            self.level = (AssessmentRatingRule.objects.filter(scheme_id=self.scheme_id, rating=self.rating)
                          .values_list("level", flat=True).first())
        super().save(*args, **kwargs)


class AssessmentRatingRule(models.Model):
    """A scheme's rating as data: with at least `min_aspects_met` aspects met, the result is `rating` at
    `level` (higher is better). The rule with the highest threshold reached applies; no scheme is coded."""

    scheme = models.ForeignKey(AssessmentScheme, verbose_name=_("scheme"), on_delete=models.PROTECT,
                               related_name="rating_rules")
    min_aspects_met = models.PositiveSmallIntegerField(_("from aspects met"))
    rating = models.CharField(_("rating"), max_length=50)
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("0 is the lowest; totals are counted by "
                                                                        "level."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme_id", "-min_aspects_met"]
        verbose_name = _("rating rule")
        verbose_name_plural = _("rating rules")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "min_aspects_met"], name="rating_rule_one_per_threshold"),
            models.UniqueConstraint(fields=["scheme", "level"], name="rating_rule_one_per_level"),
        ]

    def __str__(self):
        return f"{self.scheme} ≥ {self.min_aspects_met}: {self.rating}"

    def clean(self):
        super().clean()
        if self.scheme_id and self.min_aspects_met is not None:
            total = self.scheme.aspects.count()
            if self.min_aspects_met > total:
                raise ValidationError({"min_aspects_met": _(
                    "The scheme has only %(total)d aspects; a rule cannot ask for %(wanted)d.") % {
                    "total": total, "wanted": self.min_aspects_met}})


# --- activity funds ---------------------------------------------------------------------------------

class FundSource(models.TextChoices):
    MANAGEMENT_FEE = "management_fee", _("Enterprise management fees")
    FISCAL_SCALE = "fiscal_scale", _("Fiscal allocation by enterprise scale")
    FISCAL_MEMBER = "fiscal_member", _("Fiscal allocation by member")
    DUES_RETURNED = "dues_returned", _("Dues returned")
    OTHER = "other", _("Other")


class FundAllocationRule(models.Model):
    """How much the fiscal allocation gives a year: a base per covered enterprise of a scale, or an amount
    per member. Data (edited in the admin), defaults by migration; the latest rule from a year applies."""

    class Basis(models.TextChoices):
        SCALE = "scale", _("Per enterprise of a scale")
        MEMBER = "member", _("Per member")

    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices)
    scale = models.CharField(_("scale"), max_length=16, blank=True,
                             choices=[("micro", _("Micro")), ("small", _("Small")), ("medium", _("Medium")),
                                      ("large", _("Large"))])
    amount_yuan = models.DecimalField(_("amount (yuan a year)"), max_digits=12, decimal_places=2)
    from_year = models.PositiveSmallIntegerField(_("from year"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["basis", "scale", "-from_year"]
        verbose_name = _("fund allocation rule")
        verbose_name_plural = _("fund allocation rules")
        constraints = [
            models.UniqueConstraint(fields=["basis", "scale", "from_year"], name="fund_rule_once_a_year"),
            models.CheckConstraint(condition=Q(amount_yuan__gte=0), name="fund_rule_amount_not_negative"),
        ]

    def __str__(self):
        what = self.get_scale_display() if self.basis == self.Basis.SCALE else self.get_basis_display()
        return f"{what} {self.amount_yuan} ({self.from_year}–)"

    def clean(self):
        super().clean()
        if self.basis == self.Basis.SCALE and not self.scale:
            raise ValidationError({"scale": _("A rule per enterprise names the scale it applies to.")})
        if self.basis == self.Basis.MEMBER and self.scale:
            raise ValidationError({"scale": _("A rule per member applies to every scale; leave the scale empty.")})
        if self.amount_yuan is not None and self.amount_yuan < 0:
            raise ValidationError({"amount_yuan": _("The amount cannot be negative.")})


def check_year(year, field="year"):
    if year is not None and not 2000 <= year <= 2100:
        raise ValidationError({field: _("Give a year between 2000 and 2100.")})


class FundIncome(models.Model):
    """Money an organization received for its activities in a year, by source."""

    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="fund_incomes")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=32, choices=FundSource.choices)
    amount_yuan = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    received_on = models.DateField(pgettext_lazy("funds", "received on"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = ORG_SCOPE

    class Meta:
        ordering = ["-year", "-received_on", "-id"]
        verbose_name = _("fund income")
        verbose_name_plural = _("fund incomes")
        indexes = [models.Index(fields=["organization", "year"])]
        constraints = [models.CheckConstraint(condition=Q(amount_yuan__gt=0), name="fund_income_positive")]

    def __str__(self):
        return f"{self.organization} {self.year} {self.get_source_display()} {self.amount_yuan}"

    def get_absolute_url(self):
        return reverse("activities:fund_income_detail", args=[self.pk])

    def get_edit_url(self):
        return reverse("activities:fund_income_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("activities:fund_income_history", args=[self.pk])

    def clean(self):
        super().clean()
        check_year(self.year)
        if self.amount_yuan is not None and self.amount_yuan <= 0:
            raise ValidationError({"amount_yuan": _("The amount must be more than zero.")})
        if self.received_on and self.year and self.received_on.year != self.year:
            raise ValidationError({"received_on": _("The money of %(year)s is received in %(year)s.") % {
                "year": self.year}})
        if self.organization_id and self.received_on and self.received_on < self.organization.established_on:
            raise ValidationError({"received_on": _("The organization was established only on %(day)s.") % {
                "day": self.organization.established_on}})


class FundSpending(models.Model):
    """Money an organization spent on its activities, with its receipts. It may not exceed the balance."""

    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="fund_spendings")
    spent_on = models.DateField(_("spent on"))
    amount_yuan = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    purpose = models.CharField(_("purpose"), max_length=200)
    payee = models.CharField(_("payee"), max_length=100, blank=True)
    activity = models.ForeignKey(ActivityRecord, verbose_name=_("activity record"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="fund_spendings")

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = ORG_SCOPE

    class Meta:
        ordering = ["-spent_on", "-id"]
        verbose_name = _("fund spending")
        verbose_name_plural = _("fund spendings")
        indexes = [models.Index(fields=["organization", "spent_on"])]
        constraints = [models.CheckConstraint(condition=Q(amount_yuan__gt=0), name="fund_spending_positive")]

    def __str__(self):
        return f"{self.spent_on} {self.purpose} {self.amount_yuan}"

    def get_absolute_url(self):
        return reverse("activities:fund_spending_detail", args=[self.pk])

    def get_edit_url(self):
        return reverse("activities:fund_spending_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("activities:fund_spending_history", args=[self.pk])

    def clean(self):
        super().clean()
        if self.amount_yuan is not None and self.amount_yuan <= 0:
            raise ValidationError({"amount_yuan": _("The amount must be more than zero.")})
        if self.activity_id and self.organization_id and self.activity.organization_id != self.organization_id:
            raise ValidationError({"activity": _("The activity record belongs to another organization.")})
        if self.organization_id and self.spent_on and self.spent_on < self.organization.established_on:
            raise ValidationError({"spent_on": _("The organization was established only on %(day)s.") % {
                "day": self.organization.established_on}})


def receipt_path(instance, filename):
    import uuid  # noqa: PLC0415

    extension = ATTACHMENT_TYPES.get(instance.content_type, "")
    return f"funds/{instance.spending_id}/{uuid.uuid4().hex}{extension}"


class FundReceipt(CheckedFile, models.Model):
    """A receipt (invoice, photo of a voucher) of a spending: the attachments' storage and checks."""

    spending = models.ForeignKey(FundSpending, verbose_name=_("fund spending"), on_delete=models.PROTECT,
                                 related_name="receipts")
    file = models.FileField(_("file"), storage=private_storage, upload_to=receipt_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    on_delete=models.PROTECT, related_name="+", editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="spending__organization__region", organization="spending__organization", instructor=None)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("activities:fund_receipt_download", args=[self.pk])


# --- pairing and co-construction (结对共建, 村企共建) -------------------------------------------------

class Pairing(models.Model):
    """An organization paired with another organization or with a village, community or organ for joint
    building, from started_on (inclusive) to ended_on (exclusive), with its yearly results."""

    class Kind(models.TextChoices):
        ORGAN = "organ", _("With an organ's party organization")
        VILLAGE = "village", _("Village–enterprise co-construction")
        COMMUNITY = "community", _("Community–enterprise co-construction")
        ENTERPRISE = "enterprise", _("Between enterprises' party organizations")
        OTHER = "other", _("Other")

    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="pairings")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    partner_organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("partner organization"),
                                             null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="pairings_as_partner")
    partner_name = models.CharField(_("partner (village, community, organ)"), max_length=200, blank=True,
                                    help_text=_("When the partner is not a party organization in the register."))
    started_on = models.DateField(_("start"))
    ended_on = models.DateField(_("end (exclusive)"), null=True, blank=True)
    content = models.TextField(_("agreed content"), blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = ORG_SCOPE

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("started_on")),
                                   name="pairing_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.organization} ⇄ {self.partner}"

    @property
    def partner(self):
        return self.partner_organization or self.partner_name

    def get_absolute_url(self):
        return reverse("activities:pairing_detail", args=[self.pk])

    def get_edit_url(self):
        return reverse("activities:pairing_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("activities:pairing_history", args=[self.pk])

    def is_in_force_on(self, day):
        return self.started_on <= day and (self.ended_on is None or day < self.ended_on)

    def clean(self):
        super().clean()
        errors = {}
        has_org, has_name = bool(self.partner_organization_id), bool(self.partner_name.strip())
        if has_org == has_name:
            errors["partner_name"] = _("Name the partner either as a party organization of the register or by "
                                       "name (a village, community or organ), not both.")
        elif has_org and self.partner_organization_id == self.organization_id:
            errors["partner_organization"] = _("An organization cannot be paired with itself.")
        if self.started_on and self.ended_on and self.ended_on <= self.started_on:
            errors["ended_on"] = _("The end date must be after the start date.")
        if self.organization_id and self.started_on and self.started_on < self.organization.established_on:
            errors["started_on"] = _("The organization was established only on %(day)s.") % {
                "day": self.organization.established_on}
        if not errors and self.organization_id and self.started_on:
            same = Pairing.objects.filter(organization_id=self.organization_id)
            same = same.filter(partner_organization_id=self.partner_organization_id) if has_org \
                else same.filter(partner_name=self.partner_name.strip())
            same = same.exclude(pk=self.pk).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=self.started_on))
            if self.ended_on:
                same = same.filter(started_on__lt=self.ended_on)
            clash = same.first()
            if clash is not None:
                errors["started_on"] = _("This organization is already paired with this partner from %(day)s; "
                                         "end that pairing first.") % {"day": clash.started_on}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.partner_name = self.partner_name.strip()
        super().save(*args, **kwargs)


class PairingResult(models.Model):
    """What a pairing achieved in a year."""

    class Evaluation(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")
        POOR = "poor", _("Poor")

    pairing = models.ForeignKey(Pairing, verbose_name=_("pairing"), on_delete=models.PROTECT, related_name="results")
    year = models.PositiveSmallIntegerField(_("year"))
    activities_held = models.PositiveSmallIntegerField(_("joint activities held"), default=0)
    projects = models.PositiveSmallIntegerField(_("projects carried out"), default=0)
    summary = models.TextField(_("results"))
    evaluation = models.CharField(_("evaluation"), max_length=16, choices=Evaluation.choices)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="pairing__organization__region", organization="pairing__organization", instructor=None)

    class Meta:
        ordering = ["pairing_id", "-year"]
        verbose_name = _("pairing result")
        verbose_name_plural = _("pairing results")
        constraints = [models.UniqueConstraint(fields=["pairing", "year"], name="pairing_result_once_a_year")]

    def __str__(self):
        return f"{self.pairing} {self.year}"

    def get_absolute_url(self):
        return self.pairing.get_absolute_url()

    def clean(self):
        super().clean()
        check_year(self.year)
        if self.pairing_id and self.year:
            pairing = self.pairing
            last_year = (pairing.ended_on - datetime.timedelta(days=1)).year if pairing.ended_on \
                else None
            if self.year < pairing.started_on.year or (last_year is not None and self.year > last_year):
                raise ValidationError({"year": _("The pairing was not in force in %(year)s.") % {"year": self.year}})
            if PairingResult.objects.filter(pairing_id=self.pairing_id, year=self.year).exclude(pk=self.pk).exists():
                raise ValidationError({"year": _("This pairing already has its results of %(year)s.") % {
                    "year": self.year}})
