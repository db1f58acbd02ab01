"""The member register. Members are never deleted: every change of standing is a dated MemberEvent."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import add_months  # noqa: F401 - the same day months later, total; imported from here too
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




def raise_never_deleted(obj):
    from django.core.exceptions import ValidationError

    raise ValidationError(_("Members and their records are never deleted; record an event instead "
                            "(left the party, deceased, transferred out …)."))


class NeverDeletedQuerySet(ScopedQuerySet):
    def delete(self):
        raise_never_deleted(None)


class MemberQuerySet(NeverDeletedQuerySet):
    """"Who was where on D" (DESIGN.md "Time"): every reading of a member on a date goes through the spans
    (`MemberSpan`, derived from the events), never through today's row."""

    def active_on(self, day):
        """Members in the register on `day`: between an entry event and the event that took them out (death,
        leaving, transfer out of the system) — a member who left and was re-admitted is not in the gap."""
        return self.filter(pk__in=MemberSpan.objects.active_on(day).values("member_id"))

    def full_on(self, day):
        return self.filter(pk__in=MemberSpan.objects.active_on(day).full_on(day).values("member_id"))

    def held_in_on(self, organization_id, day):
        """Members of `organization_id` on `day`: held there on that day, so a member who has moved on still
        counts where they were."""
        return self.filter(pk__in=MemberSpan.objects.active_on(day).filter(organization_id=organization_id)
                           .values("member_id"))

    def employed_on(self, enterprise_id, day):
        """Members employed by `enterprise_id` on `day` (wherever their relationship was held)."""
        return self.filter(pk__in=MemberSpan.objects.active_on(day).filter(employer_id=enterprise_id)
                           .values("member_id"))


class MemberSpanQuerySet(models.QuerySet):
    def active_on(self, day):
        """The spans in force on `day` (at most one per member)."""
        return self.filter(self.active_q(day)).order_by()

    @staticmethod
    def active_q(day) -> Q:
        """The condition of `active_on` (also used per row, for several days at once: reports.trends)."""
        return Q(start_on__lte=day) & (Q(end_on__isnull=True) | Q(end_on__gt=day))

    def full_on(self, day):
        return self.filter(full_on__isnull=False, full_on__lte=day)


class Member(models.Model):
    name = models.CharField(_("name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)  # derived from the ID
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
    # End of the probation of a probationary member: one year after admission, later when extended.
    probation_ends_on = models.DateField(_("probation ends on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="organization__region", organization="organization", instructor=None)
    sensitive_fields = ("id_number", "phone", "birth_date")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        indexes = [models.Index(fields=["employer", "joined_on"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("members:member_detail", args=[self.pk])

    def get_history_url(self):
        from django.urls import reverse

        return reverse("members:member_history", args=[self.pk])

    def get_edit_url(self):
        from django.urls import reverse

        return reverse("members:member_edit", args=[self.pk])

    def clean(self):
        """The register's own rules, shared by forms, the API and imports: a valid ID number agreeing with the
        birth date and gender entered (both derived when left empty), and dates that fit the standing."""
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        from .validators import check_person, normalize_id_number

        self.id_number = normalize_id_number(self.id_number)
        errors = {}
        try:
            birth, gender = check_person(self.id_number, self.birth_date, self.gender or None)
        except ValidationError as error:
            errors.update(error.message_dict)
        else:
            self.birth_date, self.gender = birth, gender
        today = timezone.localdate()
        if self.joined_on and self.joined_on > today:
            errors.setdefault("joined_on", []).append(_("The date of joining cannot be in the future."))
        if self.joined_on and self.birth_date and self.joined_on <= self.birth_date:
            errors.setdefault("joined_on", []).append(_("The date of joining is before the date of birth."))
        if self.standing == Standing.PROBATIONARY and self.full_on:
            errors.setdefault("full_on", []).append(
                _("A probationary member has no date of becoming a full member; leave it empty."))
        if self.full_on and self.joined_on and self.full_on < self.joined_on:
            errors.setdefault("full_on", []).append(_("A member becomes full after joining, not before."))
        if self.full_on and self.full_on > today:
            errors.setdefault("full_on", []).append(_("This date cannot be in the future."))
        if self.standing == Standing.FULL and not self.full_on:
            # No derived date (issue 18): the date of becoming full is a fact of the record — docs/members.md.
            errors.setdefault("full_on", []).append(
                _("A full member needs the date of becoming a full member (转正日期); enter it, or register the "
                  "member as probationary."))
        if errors:
            raise ValidationError(errors)
        if self.standing == Standing.PROBATIONARY and not self.probation_ends_on and self.joined_on:
            self.probation_ends_on = add_months(self.joined_on, 12)

    def delete(self, *args, **kwargs):
        raise_never_deleted(self)

    @property
    def in_register(self) -> bool:
        return self.left_on is None


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
        EMPLOYER_CHANGED = "employer_changed", _("Changed employer")

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    occurred_on = models.DateField(_("date"), db_index=True)
    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="member_events")
    counterpart = models.CharField(_("other organization"), max_length=200, blank=True)
    # the other end of a move inside the system: a region's balance leaves out moves between its own
    # organizations (they are neither additions nor reductions of the region)
    counterpart_organization = models.ForeignKey("organizations.PartyOrganization",
                                                 verbose_name=_("other organization in the system"), null=True,
                                                 blank=True, on_delete=models.PROTECT, related_name="+")
    # employer_changed: the new employer (empty: none); entries: the employer the member arrived with
    employer = models.ForeignKey("organizations.Enterprise", verbose_name=_("employer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason / sub-type"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey("core.User", verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = NeverDeletedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="organization__region", organization="organization", instructor=None)

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = _("member event")
        verbose_name_plural = _("member events")

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {self.occurred_on}"

    def delete(self, *args, **kwargs):
        raise_never_deleted(self)


# --- kinds of events, as the member balance (official Table 1) groups them ------------------------------

K = MemberEvent.Kind
# Events that bring a member into an organization's register, and those that take one out. The balance
# table's lines are these kinds; "of which" lines are kinds counted inside their parent line.
ADDITION_KINDS = (K.ADMITTED, K.READMITTED, K.RESTORED, K.RESTORED_AFTER_SUSPENSION, K.TRANSFERRED_IN,
                  K.TRANSFERRED_IN_UNIT)
# A cancelled probation ends the membership: official statistics count it under 出党 (left the party).
REDUCTION_KINDS = (K.LEFT_PARTY, K.PROBATION_CANCELLED, K.SUSPENDED, K.DECEASED, K.TRANSFERRED_OUT,
                   K.TRANSFERRED_OUT_UNIT)
# Reductions that end membership in the system altogether (a transfer out may stay inside the system).
LEAVING_KINDS = (K.LEFT_PARTY, K.PROBATION_CANCELLED, K.SUSPENDED, K.DECEASED)


# --- the register through time --------------------------------------------------------------------------

class MemberSpan(models.Model):
    """A stretch of days [start_on, end_on) in which a member was in the register, held in `organization`
    and employed by `employer`, full from `full_on`. Derived from the events (members/spans.py keeps the
    spans in step with every event and replays them from the events on demand); every figure for a date
    reads these, so a later move, change of employer, leaving or re-admission never changes a past date.
    Derived data like the coverage snapshots: no history of its own (the events and the register carry it)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="spans")
    organization = models.ForeignKey("organizations.PartyOrganization", on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey("organizations.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    full_on = models.DateField(null=True, blank=True)

    objects = MemberSpanQuerySet.as_manager()

    class Meta:
        ordering = ["member", "start_on"]
        verbose_name = _("member span")
        verbose_name_plural = _("member spans")
        indexes = [models.Index(fields=["start_on", "end_on"], name="member_span_dates")]
        constraints = [models.CheckConstraint(condition=Q(end_on__isnull=True) | Q(end_on__gt=models.F("start_on")),
                                              name="member_span_not_empty")]

    def __str__(self):
        return f"{self.member_id} {self.start_on}…{self.end_on or ''}"


# --- transfers by introduction letter -------------------------------------------------------------------

class Transfer(models.Model):
    """组织关系转接: the member stays in the sending organization until the receipt is recorded."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Letter issued")
        RECEIVED = "received", _("Received")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="transfers")
    letter_number = models.CharField(_("letter number"), max_length=40, unique=True)
    from_organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("from organization"),
                                          null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_external = models.CharField(_("from (organization outside the system)"), max_length=200, blank=True)
    to_organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("to organization"),
                                        null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_external = models.CharField(_("to (organization outside the system)"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ISSUED,
                              db_index=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey("core.User", verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self):
        return self.letter_number

    @classmethod
    def scope_filter(cls, user):
        """Both ends see a transfer: the sending and the receiving organization's scopes."""
        from core.scoping import Scope, default_scope_q

        sending = default_scope_q(Scope(region="from_organization__region", organization="from_organization"), user)
        receiving = default_scope_q(Scope(region="to_organization__region", organization="to_organization"), user)
        conditions = [q for q in (sending, receiving) if q is not None]
        if not conditions:
            return None
        result = conditions[0]
        for condition in conditions[1:]:
            result |= condition
        return result

    @property
    def from_name(self):
        return str(self.from_organization) if self.from_organization_id else self.from_external

    @property
    def to_name(self):
        return str(self.to_organization) if self.to_organization_id else self.to_external

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("members:transfer_detail", args=[self.pk])

    def get_history_url(self):
        from django.urls import reverse

        return reverse("members:transfer_history", args=[self.pk])


# --- floating members -----------------------------------------------------------------------------------

class FloatingRecordQuerySet(ScopedQuerySet):
    def with_flag(self, today=None):
        """`flagged`: away 6 months or more with neither organizational life nor dues in the last 6 months."""
        from django.db.models import Exists, OuterRef
        from django.utils import timezone

        today = today or timezone.localdate()
        since = add_months(today, -6)
        paid = DuesPayment.objects.filter(member=OuterRef("member"), paid_on__gt=since)
        return self.annotate(flagged=Q(returned_on__isnull=True, left_on__lte=since)
                             & (Q(last_contact_on__isnull=True) | Q(last_contact_on__lte=since))
                             & ~Exists(paid))


class FloatingRecord(models.Model):
    """流动党员: away for work; < 6 months with a proof letter, ≥ 6 months with an activity certificate."""

    class Document(models.TextChoices):
        PROOF_LETTER = "proof_letter", _("Proof letter (under 6 months)")
        ACTIVITY_CERTIFICATE = "activity_certificate", _("Floating member activity certificate (6 months or more)")

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="floating_records")
    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("home organization"),
                                     on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(_("destination"), max_length=200)
    left_on = models.DateField(_("left on"))
    expected_return_on = models.DateField(_("expected return"), null=True, blank=True)
    document_kind = models.CharField(_("document"), max_length=24, choices=Document.choices)
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    host_organization = models.CharField(_("host organization"), max_length=200, blank=True)
    last_contact_on = models.DateField(_("last organizational life"), null=True, blank=True,
                                       help_text=_("Last organizational life the member took part in while away."))
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = FloatingRecordQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="organization__region", organization="organization", instructor=None)

    class Meta:
        ordering = ["-left_on", "-id"]
        verbose_name = _("floating record")
        verbose_name_plural = _("floating records")

    def __str__(self):
        return f"{self.member} → {self.destination}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("members:floating_detail", args=[self.pk])

    def get_history_url(self):
        from django.urls import reverse

        return reverse("members:floating_history", args=[self.pk])


# --- dues -----------------------------------------------------------------------------------------------

def refuse_delete(obj=None):
    from django.core.exceptions import ValidationError

    raise ValidationError(_("This table's rows are never deleted; deactivate the row instead."))


class DuesBandQuerySet(models.QuerySet):
    def delete(self):
        refuse_delete()

    def in_use(self):
        return self.filter(active=True)


class DuesBand(models.Model):
    """One row of the dues table: members of `group` whose monthly income base is at most `up_to`
    (empty: no limit) pay `rate_percent` of it, or the fixed `amount`. The first matching row applies."""

    class Group(models.TextChoices):
        WORKING = "working", _("Working members")
        RETIRED = "retired", _("Retired members")
        FLAT = "flat", _("Students and laid-off members")

    group = models.CharField(_("group"), max_length=12, choices=Group.choices)
    up_to = models.DecimalField(_("income up to (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    rate_percent = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("fixed amount (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True)
    # A band is never deleted (issue 18): one no longer in use is deactivated and kept with its history.
    active = models.BooleanField(_("in use"), default=True)

    objects = DuesBandQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", models.F("up_to").asc(nulls_last=True)]
        verbose_name = _("dues band")
        verbose_name_plural = _("dues bands")

    def __str__(self):
        limit = _("no limit") if self.up_to is None else f"≤ {self.up_to}"
        share = f"{self.rate_percent} %" if self.rate_percent is not None else f"{self.amount} ¥"
        return f"{self.get_group_display()} {limit}: {share}"

    def delete(self, *args, **kwargs):
        refuse_delete(self)


class IncomeBase(models.Model):
    """The member's monthly income base for dues, valid from `effective_month` until the next one."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="income_bases")
    effective_month = models.DateField(_("effective from month"))
    monthly_income = models.DecimalField(_("monthly income (yuan)"), max_digits=10, decimal_places=2)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="member__organization__region", organization="member__organization", instructor=None)

    class Meta:
        ordering = ["member", "-effective_month"]
        constraints = [models.UniqueConstraint(fields=["member", "effective_month"], name="income_base_once_a_month")]
        verbose_name = _("income base")
        verbose_name_plural = _("income bases")

    def __str__(self):
        return f"{self.member} {self.effective_month:%Y-%m}: {self.monthly_income}"


class DuesPayment(models.Model):
    """One month's dues of one member (several months paid at once are several rows)."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="dues_payments")
    # the organization the dues were paid to (where the relationship was held that month)
    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("First day of the month the dues are for."))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey("core.User", verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="organization__region", organization="organization", instructor=None)

    class Meta:
        ordering = ["-month", "member"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_once_a_month")]
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")

    def __str__(self):
        return f"{self.member} {self.month:%Y-%m} {self.amount}"


# --- development pipeline -------------------------------------------------------------------------------

class Applicant(models.Model):
    """发展党员: applicant → activist → development target → probationary (a Member) → full."""

    class Stage(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        ACTIVIST = "activist", _("Activist")
        TARGET = "target", _("Development target")
        PROBATIONARY = "probationary", _("Probationary member")
        FULL = "full", _("Full member")
        STOPPED = "stopped", _("No longer pursued")

    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)  # derived from the ID
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)  # derived from the ID
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    organization = models.ForeignKey("organizations.PartyOrganization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="applicants")
    employer = models.ForeignKey("organizations.Enterprise", verbose_name=_("employer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.APPLICANT,
                             db_index=True)
    applied_on = models.DateField(_("application submitted on"))
    talked_on = models.DateField(_("talk held on"), null=True, blank=True)
    activist_on = models.DateField(_("activist since"), null=True, blank=True)
    target_on = models.DateField(_("development target since"), null=True, blank=True)
    training_hours = models.PositiveIntegerField(_("training class hours"), default=0)
    introducer_1 = models.ForeignKey(Member, verbose_name=_("first introducer"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    introducer_2 = models.ForeignKey(Member, verbose_name=_("second introducer"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    admitted_on = models.DateField(_("admitted (branch vote) on"), null=True, blank=True)
    member = models.OneToOneField(Member, verbose_name=_("member record"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="application")
    stopped_reason = models.CharField(_("reason not pursued"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="organization__region", organization="organization", instructor=None)
    sensitive_fields = ("id_number", "phone", "birth_date")

    class Meta:
        ordering = ["organization", "applied_on", "id"]
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("members:applicant_detail", args=[self.pk])

    def clean(self):
        """A valid ID number agreeing with the birth date and gender (derived when empty)."""
        from .validators import check_person, normalize_id_number

        self.id_number = normalize_id_number(self.id_number)
        self.birth_date, self.gender = check_person(self.id_number, self.birth_date, self.gender or None)

    def get_history_url(self):
        from django.urls import reverse

        return reverse("members:applicant_history", args=[self.pk])

    def get_edit_url(self):
        from django.urls import reverse

        return reverse("members:applicant_edit", args=[self.pk])


class ActivistAssessment(models.Model):
    """The six-monthly assessment (考察) of an activist or development target."""

    applicant = models.ForeignKey(Applicant, verbose_name=_("applicant"), on_delete=models.PROTECT,
                                  related_name="assessments")
    assessed_on = models.DateField(_("assessed on"))
    result = models.CharField(_("result"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["assessed_on", "id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self):
        return f"{self.applicant} {self.assessed_on}"
