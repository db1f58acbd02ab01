"""The member register. Members are never deleted: every change of standing is a dated MemberEvent."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import Scope, ScopedQuerySet


class Standing(models.TextChoices):
    FULL = "full", _("Full member")
    PROBATIONARY = "probationary", _("Probationary member")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MemberCategory(models.TextChoices):
    EMPLOYEE = "employee", _("Enterprise employee")
    MANAGER = "manager", _("Enterprise manager / owner")
    TECHNICIAN = "technician", _("Professional / technician")
    WORKER = "worker", _("Worker")
    RETIRED = "retired", _("Retired")
    LAID_OFF = "laid_off", _("Laid off / unemployed")
    STUDENT = "student", _("Student")
    OTHER = "other", _("Other")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    FLOATING = "floating", _("Floating")
    RETIRED = "retired", _("Retired")
    LAID_OFF = "laid_off", _("Laid off")
    LEFT = "left", _("No longer in the register")  # deceased, left the party, transferred out of the system


class MemberQuerySet(ScopedQuerySet):
    def active_on(self, day):
        """Members in the register on `day`: joined, and not yet gone (death, leaving, transfer out)."""
        return self.filter(Q(joined_on__lte=day), Q(left_on__isnull=True) | Q(left_on__gt=day))

    def full_on(self, day):
        return self.filter(full_on__isnull=False, full_on__lte=day)


class Member(models.Model):
    name = models.CharField(_("name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    education = models.CharField(_("education"), max_length=30, blank=True)
    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="members")
    employer = models.ForeignKey("organizations.Enterprise", verbose_name=_("employer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="employed_members")
    standing = models.CharField(_("standing"), max_length=16, choices=Standing.choices, default=Standing.FULL)
    category = models.CharField(_("category"), max_length=16, choices=MemberCategory.choices, default=MemberCategory.EMPLOYEE)
    status = models.CharField(_("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE,
                              db_index=True)
    joined_on = models.DateField(_("joined on"), db_index=True)
    full_on = models.DateField(_("full member since"), null=True, blank=True)
    # Date the member left the register (death, leaving the party, transfer out of the system). Kept in step
    # with the events by the members services so that "active on D" is one indexed comparison.
    left_on = models.DateField(_("left the register on"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="organization__region", organization="organization", instructor=None)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        indexes = [models.Index(fields=["employer", "joined_on"])]

    def __str__(self):
        return self.name


class MemberEvent(models.Model):
    """A typed, dated change of standing. The balance tables are computed from these."""

    class Kind(models.TextChoices):
        ADMITTED = "admitted", _("Admitted (newly developed)")
        READMITTED = "readmitted", _("Re-admitted")
        RESTORED = "restored", _("Membership restored")
        RESTORED_AFTER_SUSPENSION = "restored_after_suspension", _("Restored after suspension")
        TRANSFERRED_IN = "transferred_in", _("Transferred in")
        TRANSFERRED_IN_UNIT = "transferred_in_unit", _("Transferred in with a whole unit")
        LEFT_PARTY = "left_party", _("Left the party")
        SUSPENDED = "suspended", _("Membership suspended")
        DECEASED = "deceased", _("Deceased")
        TRANSFERRED_OUT = "transferred_out", _("Transferred out")
        TRANSFERRED_OUT_UNIT = "transferred_out_unit", _("Transferred out with a whole unit")
        CONVERTED_TO_FULL = "converted_to_full", _("Converted to full member")
        PROBATION_EXTENDED = "probation_extended", _("Probation extended")
        PROBATION_CANCELLED = "probation_cancelled", _("Probation cancelled")
        FLOATING_OUT = "floating_out", _("Left to work elsewhere (floating)")
        FLOATING_BACK = "floating_back", _("Returned from floating")
        RETIRED = "retired", _("Retired")
        MOVED_WITHIN = "moved_within", _("Moved between organizations in the system")

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    occurred_on = models.DateField(_("date"), db_index=True)
    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="member_events")
    counterpart = models.CharField(_("other organization"), max_length=200, blank=True)
    reason = models.CharField(_("reason / sub-type"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey("core.User", verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="organization__region", organization="organization", instructor=None)

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = _("member event")
        verbose_name_plural = _("member events")

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {self.occurred_on}"
