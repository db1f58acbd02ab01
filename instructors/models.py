"""Dispatched instructors, their assignments to enterprises, and demonstration sites."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.scoping import Scope, ScopedQuerySet


class InstructorType(models.Model):
    """Configurable list: party-building instructor, scientific-development instructor, liaison, first secretary."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    counts_for_work_coverage = models.BooleanField(_("counts towards work coverage"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("instructor type")
        verbose_name_plural = _("instructor types")

    def __str__(self):
        return self.name


class Instructor(models.Model):
    name = models.CharField(_("name"), max_length=50, db_index=True)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    type = models.ForeignKey(InstructorType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="instructors")
    source_unit = models.CharField(_("source unit"), max_length=100, blank=True)
    is_retired_cadre = models.BooleanField(_("retired cadre"), default=False)
    # The region that dispatched the instructor: what region staff see them under.
    region = models.ForeignKey("organizations.Region", verbose_name=_("dispatching region"), on_delete=models.PROTECT,
                               related_name="instructors")
    active_from = models.DateField(_("active from"))
    active_to = models.DateField(_("active to"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="region", organization=None, instructor="")
    sensitive_fields = ("id_number", "phone")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.id_number:
            from organizations.validators import normalize_id_number, parse_id_number

            self.id_number = normalize_id_number(self.id_number)
            try:
                parse_id_number(self.id_number)
            except ValidationError as error:
                errors["id_number"] = error.messages
        if self.active_from and self.active_to and self.active_to <= self.active_from:
            errors["active_to"] = _("The end of activity must be after its start.")
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("instructors:instructor_detail", args=[self.pk])

    def get_edit_url(self):
        return reverse("instructors:instructor_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("instructors:instructor_history", args=[self.pk])

    def is_active_on(self, day):
        return self.active_from <= day and (self.active_to is None or day < self.active_to)


class Batch(models.Model):
    """A dispatch batch (e.g. 第3批) of a region."""

    name = models.CharField(_("name"), max_length=50)
    region = models.ForeignKey("organizations.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="instructor_batches")
    dispatched_on = models.DateField(_("dispatched on"))

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="region")

    class Meta:
        ordering = ["-dispatched_on", "id"]
        unique_together = [("region", "name")]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")

    def __str__(self):
        return self.name


class AssignmentQuerySet(ScopedQuerySet):
    def active_on(self, day):
        return self.filter(self.active_q(day))

    @staticmethod
    def active_q(day) -> Q:
        """The condition of `active_on` (also used per row, for several days at once: reports.trends)."""
        return Q(start_on__lte=day) & (Q(end_on__isnull=True) | Q(end_on__gt=day))


class Assignment(models.Model):
    """Instructor → enterprise from start_on (inclusive) to end_on (exclusive)."""

    instructor = models.ForeignKey(Instructor, verbose_name=_("instructor"), on_delete=models.PROTECT,
                                   related_name="assignments")
    enterprise = models.ForeignKey("organizations.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="assignments")
    batch = models.ForeignKey(Batch, verbose_name=_("batch"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="assignments")
    start_on = models.DateField(_("start"))
    end_on = models.DateField(_("end"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)

    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="enterprise__region", organization=None, instructor="instructor")

    class Meta:
        ordering = ["-start_on", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["enterprise", "start_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__isnull=True) | Q(end_on__gt=models.F("start_on")),
                                   name="assignment_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.instructor} → {self.enterprise}"

    def get_absolute_url(self):
        return reverse("instructors:assignment_detail", args=[self.pk])

    def get_edit_url(self):
        return reverse("instructors:assignment_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("instructors:assignment_history", args=[self.pk])

    def clean(self):
        super().clean()
        if self.start_on and self.end_on and self.end_on <= self.start_on:
            raise ValidationError({"end_on": _("The end date must be after the start date.")})
        # Imports and bulk assignment check these rules set-based and mark the instance as checked.
        if self.instructor_id and self.start_on and not getattr(self, "rules_checked", False):
            check_assignment_rules(self.instructor, self.enterprise_id, self.start_on, self.end_on, exclude_pk=self.pk)


def check_assignment_rules(instructor, enterprise_id, start_on, end_on, exclude_pk=None, existing=None):
    """Raise ValidationError when an assignment of `instructor` from start_on to end_on (exclusive) falls
    outside the instructor's active dates or overlaps another assignment of the same person to the same
    enterprise. `existing`: optional precomputed overlapping-candidates list (bulk use, no query)."""
    if start_on < instructor.active_from:
        raise ValidationError({"start_on": _("The assignment starts before the instructor is active (%(date)s).")
                               % {"date": instructor.active_from.isoformat()}})
    if instructor.active_to is not None and (end_on is None or end_on > instructor.active_to):
        raise ValidationError({"end_on": _("The assignment must end by the end of the instructor's activity "
                                           "(%(date)s).") % {"date": instructor.active_to.isoformat()}})
    if enterprise_id is None:
        return
    if existing is None:
        overlapping = Assignment.objects.filter(instructor_id=instructor.pk, enterprise_id=enterprise_id)
        if exclude_pk:
            overlapping = overlapping.exclude(pk=exclude_pk)
        overlapping = overlapping.filter(Q(end_on__isnull=True) | Q(end_on__gt=start_on))
        if end_on is not None:
            overlapping = overlapping.filter(start_on__lt=end_on)
        clash = overlapping.first()
    else:
        clash = next((a for a in existing if (a.end_on is None or a.end_on > start_on)
                      and (end_on is None or a.start_on < end_on)), None)
    if clash is not None:
        raise ValidationError({"start_on": _("This instructor is already assigned to this enterprise from "
                                             "%(start)s; assignments of the same person to the same enterprise "
                                             "must not overlap.") % {"start": clash.start_on.isoformat()}})


class DemonstrationSite(models.Model):
    class Level(models.TextChoices):
        PROVINCIAL = "provincial", pgettext_lazy("designation level", "Provincial")
        CITY = "city", pgettext_lazy("designation level", "City")
        COUNTY = "county", pgettext_lazy("designation level", "County")

    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("organization"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="demonstration_sites")
    enterprise = models.ForeignKey("organizations.Enterprise", verbose_name=_("enterprise"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="demonstration_sites")
    # The region the site lies in (its organization's or enterprise's), kept for one-join subtree counts.
    region = models.ForeignKey("organizations.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="demonstration_sites")
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    designating_body = models.CharField(_("designated by"), max_length=100, blank=True)
    designated_on = models.DateField(_("designated on"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="region", organization="organization", instructor=None)

    class Meta:
        ordering = ["-designated_on", "id"]
        verbose_name = _("demonstration site")
        verbose_name_plural = _("demonstration sites")
        constraints = [
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(enterprise__isnull=True))
                | (Q(organization__isnull=True) & Q(enterprise__isnull=False)),
                name="demonstration_site_one_target",
            ),
        ]

    def __str__(self):
        return str(self.organization or self.enterprise)

    @property
    def target(self):
        return self.organization or self.enterprise

    def get_absolute_url(self):
        return reverse("instructors:site_detail", args=[self.pk])

    def get_edit_url(self):
        return reverse("instructors:site_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("instructors:site_history", args=[self.pk])

    def clean(self):
        super().clean()
        if bool(self.organization_id) == bool(self.enterprise_id):
            raise ValidationError(_("A demonstration site is either an organization or an enterprise."))
        if self.revoked_on and self.designated_on and self.revoked_on <= self.designated_on:
            raise ValidationError({"revoked_on": _("Revocation comes after designation.")})

    def save(self, *args, **kwargs):
        target = self.organization or self.enterprise
        if target is not None:
            self.region_id = target.region_id
        super().save(*args, **kwargs)


class Training(models.Model):
    """A training course instructors attend."""

    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey("organizations.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="instructor_trainings")
    held_on = models.DateField(_("held on"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    attendees = models.ManyToManyField(Instructor, verbose_name=_("attendees"), blank=True,
                                       related_name="trainings")

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[attendees])
    scope = Scope(region="region")

    class Meta:
        ordering = ["-held_on", "id"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self):
        return f"{self.held_on} {self.title}"

    def get_absolute_url(self):
        return reverse("instructors:training_detail", args=[self.pk])


class ResponsibilityTarget(models.Model):
    """What an assignment must achieve by a date ("form an organization by 2026-12-31") and what came of it."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")
        MISSED = "missed", _("Missed")

    assignment = models.ForeignKey(Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT,
                                   related_name="targets")
    description = models.CharField(_("target"), max_length=200)
    due_on = models.DateField(_("due on"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True,
                                help_text=_("What shows the outcome: the organization formed, minutes, documents."))

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="assignment__enterprise__region", instructor="assignment__instructor")

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("responsibility target")
        verbose_name_plural = _("responsibility targets")

    def __str__(self):
        return self.description

    def get_absolute_url(self):
        return reverse("instructors:assignment_detail", args=[self.assignment_id])

    def get_edit_url(self):
        return reverse("instructors:target_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("instructors:target_history", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.outcome == self.Outcome.MET:
            if not self.achieved_on:
                errors["achieved_on"] = _("A target met needs the day it was achieved.")
            if not self.evidence.strip():
                errors["evidence"] = _("A target met needs its evidence.")
        elif self.achieved_on:
            errors["achieved_on"] = _("Only a target met has a day it was achieved.")
        if self.outcome == self.Outcome.MISSED and not self.outcome_note.strip():
            errors["outcome_note"] = _("Say why the target was missed.")
        if self.assignment_id and self.achieved_on and self.achieved_on < self.assignment.start_on:
            errors["achieved_on"] = _("The assignment started only on %(day)s.") % {
                "day": self.assignment.start_on.isoformat()}
        if self.assignment_id and self.due_on and self.due_on < self.assignment.start_on:
            errors["due_on"] = _("A target falls due after the assignment starts (%(day)s).") % {
                "day": self.assignment.start_on.isoformat()}
        if errors:
            raise ValidationError(errors)


class TemporaryPost(models.Model):
    """An instructor on a temporary post (挂职): the unit, the position held there and the dates."""

    instructor = models.ForeignKey(Instructor, verbose_name=_("instructor"), on_delete=models.PROTECT,
                                   related_name="temporary_posts")
    unit = models.CharField(_("unit"), max_length=200)
    position = models.CharField(_("position"), max_length=100)
    enterprise = models.ForeignKey("organizations.Enterprise", verbose_name=_("enterprise"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="temporary_posts",
                                   help_text=_("When the post is in an enterprise of the register."))
    start_on = models.DateField(_("start"))
    end_on = models.DateField(_("end (exclusive)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="instructor__region", organization=None, instructor="instructor")

    class Meta:
        ordering = ["-start_on", "id"]
        verbose_name = _("temporary post")
        verbose_name_plural = _("temporary posts")
        constraints = [
            models.CheckConstraint(condition=Q(end_on__isnull=True) | Q(end_on__gt=models.F("start_on")),
                                   name="temporary_post_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.instructor} · {self.unit} {self.position}"

    def get_absolute_url(self):
        return reverse("instructors:instructor_detail", args=[self.instructor_id])

    def get_edit_url(self):
        return reverse("instructors:post_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("instructors:post_history", args=[self.pk])

    def clean(self):
        super().clean()
        if self.start_on and self.end_on and self.end_on <= self.start_on:
            raise ValidationError({"end_on": _("The end date must be after the start date.")})
        if self.instructor_id and self.start_on:
            person = self.instructor
            if self.start_on < person.active_from:
                raise ValidationError({"start_on": _("The post starts before the instructor is active (%(day)s).")
                                       % {"day": person.active_from.isoformat()}})
            if person.active_to and (self.end_on is None or self.end_on > person.active_to):
                raise ValidationError({"end_on": _("The post must end by the end of the instructor's activity "
                                                   "(%(day)s).") % {"day": person.active_to.isoformat()}})
            overlapping = TemporaryPost.objects.filter(instructor_id=self.instructor_id).exclude(pk=self.pk).filter(
                Q(end_on__isnull=True) | Q(end_on__gt=self.start_on))
            if self.end_on:
                overlapping = overlapping.filter(start_on__lt=self.end_on)
            clash = overlapping.first()
            if clash is not None:
                raise ValidationError({"start_on": _("The instructor already holds a temporary post at %(unit)s "
                                                     "from %(day)s; one post at a time.") % {
                    "unit": clash.unit, "day": clash.start_on.isoformat()}})


PHOTO_TYPES = {".jpg", ".jpeg", ".png"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024


def validate_photo(file):
    import os

    if os.path.splitext(file.name)[1].lower() not in PHOTO_TYPES:
        raise ValidationError(_("A photo must be a JPEG or PNG file."))
    if file.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("A photo may be at most 5 MB."))
    # The content must match: a renamed executable is not a photo.
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(4)
    file.seek(position)
    if not (head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG")):
        raise ValidationError(_("A photo must be a JPEG or PNG file."))


class Visit(models.Model):
    """Work log: an instructor's visit to an enterprise they are assigned to."""

    instructor = models.ForeignKey(Instructor, verbose_name=_("instructor"), on_delete=models.PROTECT,
                                   related_name="visits")
    enterprise = models.ForeignKey("organizations.Enterprise", verbose_name=_("enterprise"),
                                   on_delete=models.PROTECT, related_name="instructor_visits")
    visited_on = models.DateField(_("visited on"))
    work_done = models.TextField(_("what was done"))
    outcome = models.TextField(_("outcome"), blank=True)
    photo = models.FileField(_("photo"), upload_to="instructor-visits/%Y/", blank=True,
                             validators=[validate_photo])

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="enterprise__region", instructor="instructor")

    class Meta:
        ordering = ["-visited_on", "id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self):
        return f"{self.visited_on} {self.enterprise}"

    def clean(self):
        super().clean()
        if self.instructor_id and self.enterprise_id and self.visited_on and not Assignment.objects.filter(
                instructor_id=self.instructor_id, enterprise_id=self.enterprise_id).active_on(self.visited_on).exists():
            raise ValidationError({"enterprise": _("The instructor was not assigned to this enterprise on "
                                                       "that day.")})


class Meeting(models.Model):
    """A monthly instructors' meeting of a region, with attendance."""

    region = models.ForeignKey("organizations.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="instructor_meetings")
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    attendees = models.ManyToManyField(Instructor, verbose_name=_("attendees"), blank=True,
                                       related_name="meetings")

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[attendees])
    scope = Scope(region="region")

    class Meta:
        ordering = ["-held_on", "id"]
        verbose_name = _("instructor meeting")
        verbose_name_plural = _("instructor meetings")

    def __str__(self):
        return f"{self.held_on} {self.topic}"

    def get_absolute_url(self):
        return reverse("instructors:meeting_detail", args=[self.pk])

    def get_history_url(self):
        return reverse("instructors:meeting_history", args=[self.pk])


def check_meeting_attendees(region, held_on, attendees):
    """Those who attend a region's meeting are instructors of that region (or below) active on the day."""
    wrong = [p.name for p in attendees if not p.is_active_on(held_on)]
    if wrong:
        raise ValidationError({"attendees": _("Not active as instructors on %(day)s: %(names)s.") % {
            "day": held_on.isoformat(), "names": "、".join(wrong)}})
    outside = [p.name for p in attendees if not p.region.path.startswith(region.path)]
    if outside:
        raise ValidationError({"attendees": _("Not dispatched by %(region)s or a region below it: %(names)s.") % {
            "region": region, "names": "、".join(outside)}})


class AssessmentScheme(models.Model):
    """Configurable yearly scoring: points per met target / visit / meeting, and grade thresholds."""

    name = models.CharField(_("name"), max_length=100)
    points_per_target_met = models.PositiveSmallIntegerField(_("points per target met"), default=10)
    points_per_visit = models.PositiveSmallIntegerField(_("points per visit"), default=2)
    points_per_meeting = models.PositiveSmallIntegerField(_("points per meeting attended"), default=3)
    excellent_from = models.PositiveSmallIntegerField(_("excellent from"), default=90)
    good_from = models.PositiveSmallIntegerField(_("good from"), default=75)
    pass_from = models.PositiveSmallIntegerField(_("pass from"), default=60)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")

    def __str__(self):
        return self.name

    def grade(self, score):
        if score >= self.excellent_from:
            return Assessment.Grade.EXCELLENT
        if score >= self.good_from:
            return Assessment.Grade.GOOD
        if score >= self.pass_from:
            return Assessment.Grade.PASS
        return Assessment.Grade.FAIL


class Assessment(models.Model):
    """Target-responsibility assessment of one instructor for one year, with the evidence counts."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")

    instructor = models.ForeignKey(Instructor, verbose_name=_("instructor"), on_delete=models.PROTECT,
                                   related_name="assessments")
    year = models.PositiveSmallIntegerField(_("year"))
    scheme = models.ForeignKey(AssessmentScheme, verbose_name=_("scheme"), on_delete=models.PROTECT)
    targets_met = models.PositiveIntegerField(_("targets met"), default=0)
    visits = models.PositiveIntegerField(_("visits"), default=0)
    meetings = models.PositiveIntegerField(_("meetings attended"), default=0)
    score = models.PositiveIntegerField(_("score"), default=0)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="instructor__region", instructor="instructor")

    class Meta:
        ordering = ["-year", "instructor_id"]
        unique_together = [("instructor", "year")]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self):
        return f"{self.instructor} {self.year}"


class DemonstrationSiteReview(models.Model):
    """A yearly review of a demonstration site."""

    site = models.ForeignKey(DemonstrationSite, verbose_name=_("demonstration site"), on_delete=models.PROTECT,
                             related_name="reviews")
    year = models.PositiveSmallIntegerField(_("year"))
    passed = models.BooleanField(_("passed"), default=True)
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="site__region", organization="site__organization")

    class Meta:
        ordering = ["-year", "id"]
        unique_together = [("site", "year")]
        verbose_name = _("demonstration site review")
        verbose_name_plural = _("demonstration site reviews")

    def __str__(self):
        return f"{self.site} {self.year}"

    def get_absolute_url(self):
        return reverse("instructors:site_detail", args=[self.site_id])

    def get_edit_url(self):
        return reverse("instructors:site_review_edit", args=[self.pk])

    def clean(self):
        super().clean()
        if self.year is not None and not 2000 <= self.year <= 2100:
            raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
        if self.site_id and self.year:
            site = self.site
            if self.year < site.designated_on.year:
                raise ValidationError({"year": _("The site was designated only in %(year)s.") % {
                    "year": site.designated_on.year}})
            if site.revoked_on and self.year > site.revoked_on.year:
                raise ValidationError({"year": _("The site was revoked in %(year)s.") % {
                    "year": site.revoked_on.year}})
            if DemonstrationSiteReview.objects.filter(site_id=self.site_id, year=self.year).exclude(
                    pk=self.pk).exists():
                raise ValidationError({"year": _("This site has already been reviewed for %(year)s.") % {
                    "year": self.year}})
