"""Organizational life: activity records with attendance and attachments, frequency rules, suggestions,
checklists ("five ones") and assessment schemes (star rating, 双强六好) with yearly results."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
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
        ACCEPTED = "accepted", _("Accepted")
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


class Attachment(models.Model):
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

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


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
