"""Regions, non-public enterprises, party organizations and the effective-dated links between them."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from core.scoping import Scope, ScopedManager, ScopedQuerySet

from .validators import normalize_uscc, validate_uscc


# --- trees ---------------------------------------------------------------------------------------

class TreeQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    def subtree_of(self, node):
        """The node and everything below it: one indexed `path LIKE 'prefix%'`."""
        return self.filter(path__startswith=node.path)

    def with_parent_code(self):
        """Each node's parent code in SQL (`parent_code` then needs no query per row)."""
        steplen = self.model.steplen
        parent = self.model.objects.filter(path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - steplen))
        return self.annotate(parent_code_annotated=Subquery(parent.values("code")[:1]))


class TreeManager(MP_NodeManager):
    def get_queryset(self):
        return TreeQuerySet(self.model).order_by("path")

    def visible_to(self, user):
        return self.get_queryset().visible_to(user)

    def subtree_of(self, node):
        return self.get_queryset().subtree_of(node)

    def with_parent_code(self):
        return self.get_queryset().with_parent_code()


region_code_validator = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z_-]{2,31}$",
    _("A region code is 3–32 letters, digits, “-” or “_” (GB/T 2260 codes are 6–12 digits)."),
)


class Region(MP_Node):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County / district")
        TOWNSHIP = "township", _("Township / street")
        VILLAGE = "village", _("Village")
        COMMUNITY = "community", _("Community")
        ZONE = "zone", _("Zone (park, building, market)")

    class ZoneType(models.TextChoices):
        INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
        COMMERCIAL_BUILDING = "commercial_building", _("Commercial building")
        BUSINESS_DISTRICT = "business_district", _("Business district")
        MARKET = "market", _("Market")
        OTHER = "other", _("Other zone")

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[region_code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    zone_type = models.CharField(_("zone type"), max_length=32, choices=ZoneType.choices, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = TreeManager()
    history = HistoricalRecords()
    scope = Scope(region="", organization=None, instructor=None)
    natural_key_field = "code"

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        return reverse("organizations:region_detail", args=[self.pk])

    def get_edit_url(self):
        return reverse("organizations:region_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("organizations:region_history", args=[self.pk])

    def clean(self):
        super().clean()
        if self.kind != self.Kind.ZONE and self.zone_type:
            raise ValidationError({"zone_type": _("Only zones have a zone type.")})
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": _("The end date must be after the start date.")})

    @property
    def parent_code(self):
        if hasattr(self, "parent_code_annotated"):  # lists annotate it in SQL (api.views.with_parent_code)
            return self.parent_code_annotated
        parent = type(self).objects.get_parent(self)
        return parent.code if parent else None


# --- enterprises --------------------------------------------------------------------------------

class Ownership(models.TextChoices):
    """The six leaf columns of official table 27."""

    PRIVATE_CONTROLLED = "private_controlled", _("Private-controlled")
    PRIVATE_SOLE = "private_sole", _("Private sole proprietorship")
    HMT_CONTROLLED = "hmt_controlled", _("HK/Macao/Taiwan-controlled")
    HMT_WHOLLY_OWNED = "hmt_wholly_owned", _("HK/Macao/Taiwan wholly owned")
    FOREIGN_CONTROLLED = "foreign_controlled", _("Foreign-controlled")
    FOREIGN_WHOLLY_OWNED = "foreign_wholly_owned", _("Foreign wholly owned")


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections."""

    A = "A", _("A Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("B Mining")
    C = "C", _("C Manufacturing")
    D = "D", _("D Electricity, heat, gas and water")
    E = "E", _("E Construction")
    F = "F", _("F Wholesale and retail")
    G = "G", _("G Transport, storage and post")
    H = "H", _("H Accommodation and catering")
    I = "I", _("I Information transmission, software and IT services")  # noqa: E741
    J = "J", _("J Finance")
    K = "K", _("K Real estate")
    L = "L", _("L Leasing and business services")
    M = "M", _("M Scientific research and technical services")
    N = "N", _("N Water, environment and public facilities")
    O = "O", _("O Resident services, repair and other services")  # noqa: E741
    P = "P", _("P Education")
    Q = "Q", _("Q Health and social work")
    R = "R", _("R Culture, sports and entertainment")
    S = "S", _("S Public administration and social organizations")
    T = "T", _("T International organizations")


class Scale(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class ScaleBand(models.Model):
    """Configurable table deriving an enterprise's scale from its employees (lowest bound wins upward)."""

    scale = models.CharField(_("scale"), max_length=16, choices=Scale.choices, unique=True)
    min_employees = models.PositiveIntegerField(_("from employees"), unique=True)

    class Meta:
        ordering = ["min_employees"]
        verbose_name = _("scale band")
        verbose_name_plural = _("scale bands")

    def __str__(self):
        return f"{self.get_scale_display()} ≥ {self.min_employees}"

    def delete(self, *args, **kwargs):
        # the table is configuration with a fixed set of scales: change a bound, never remove a band (issue 18)
        raise ValidationError(_("Scale bands are never deleted; change the band's lower bound instead."))

    @classmethod
    def scale_for(cls, employees):
        if employees is None:
            return ""
        band = cls.objects.filter(min_employees__lte=employees).order_by("-min_employees").first()
        return band.scale if band else ""


class Enterprise(models.Model):
    class Status(models.TextChoices):
        OPERATING = "operating", _("Operating")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(_("name"), max_length=200, db_index=True)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="enterprises")
    ownership = models.CharField(_("ownership"), max_length=32, choices=Ownership.choices, default=Ownership.PRIVATE_CONTROLLED)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    scale = models.CharField(_("scale"), max_length=16, choices=Scale.choices, blank=True)
    scale_overridden = models.BooleanField(_("scale set by hand"), default=False)
    is_above_designated_size = models.BooleanField(_("above designated size"), default=False)
    legal_rep_is_member = models.BooleanField(_("legal representative is a party member"), default=False)
    legal_rep_is_secretary = models.BooleanField(_("legal representative is also party secretary"), default=False)
    has_union = models.BooleanField(_("has a trade union"), default=False)
    has_youth_league = models.BooleanField(_("has a Youth League organization"), default=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True, db_index=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPERATING, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    history = HistoricalRecords()
    natural_key_field = "uscc"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        # A region's enterprises in list order: a drill-down page inside one region reads them in order and stops
        # at the page's end instead of testing the count's condition on every enterprise of the region
        # (reports.incremental.RowsByRegion; docs/performance.md).
        indexes = [models.Index(fields=["region", "name", "id"], name="enterprise_region_name_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:enterprise_detail", args=[self.pk])

    def get_edit_url(self):
        return reverse("organizations:enterprise_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("organizations:enterprise_history", args=[self.pk])

    @classmethod
    def scope_filter(cls, user):
        """Region staff: registered in their subtree. Secretaries: covered (ever) by their organizations.
        Instructors: enterprises they are or were assigned to."""
        from core.roles import Role  # noqa: PLC0415

        if user.role == Role.BRANCH_SECRETARY and user.scope_organization_id:
            return Q(pk__in=CoverageLink.objects.filter(
                organization__path__startswith=user.scope_organization.path).values("enterprise_id"))
        if user.role == Role.INSTRUCTOR and user.scope_instructor_id:
            assignment_model = cls._meta.get_field("assignments").related_model  # instructors.Assignment
            return Q(pk__in=assignment_model.objects.filter(
                instructor_id=user.scope_instructor_id).values("enterprise_id"))
        from core.scoping import default_scope_q  # noqa: PLC0415

        return default_scope_q(Scope(region="region"), user)

    def clean(self):
        super().clean()
        if self.uscc:
            self.uscc = normalize_uscc(self.uscc)
        errors = {}
        if self.founded_on and self.closed_on and self.closed_on < self.founded_on:
            errors["closed_on"] = _("An enterprise cannot close before it was founded.")
        if self.status == self.Status.CLOSED and not self.closed_on:
            errors["closed_on"] = _("A closed enterprise needs its closing date.")
        if self.closed_on and self.status != self.Status.CLOSED:
            errors["status"] = _("An enterprise with a closing date has the status “closed”.")
        if self.legal_rep_is_secretary and not self.legal_rep_is_member:
            errors["legal_rep_is_secretary"] = _("Only a legal representative who is a party member can be secretary.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.uscc = normalize_uscc(self.uscc)
        if not self.scale_overridden:
            self.scale = ScaleBand.scale_for(self.employees)
        super().save(*args, **kwargs)

    def is_operating_on(self, day: datetime.date) -> bool:
        return (self.founded_on is None or self.founded_on <= day) and (self.closed_on is None or self.closed_on > day)


# --- party organizations ------------------------------------------------------------------------

class OrganizationKind(models.TextChoices):
    COMMITTEE = "committee", _("Party committee")
    WORKING_COMMITTEE = "working_committee", _("Working committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Branch")
    TEMPORARY_BRANCH = "temporary_branch", _("Temporary branch")
    PARTY_GROUP = "party_group", _("Party group")


class FormationMode(models.TextChoices):
    """Ordered by coverage priority: an enterprise's primary coverage is the first mode it has."""

    INDIVIDUAL = "individual", _("Individual")
    JOINT = "joint", _("Joint")
    REGIONAL = "regional", _("Regional")
    INDUSTRY = "industry", _("Industry")
    ATTACHED = "attached", _("Attached")


FORMATION_PRIORITY = [mode.value for mode in FormationMode]  # individual > joint > regional > industry > attached

DEFAULT_TERM_YEARS = {
    OrganizationKind.COMMITTEE: 5,
    OrganizationKind.WORKING_COMMITTEE: 5,
    OrganizationKind.GENERAL_BRANCH: 3,
    OrganizationKind.BRANCH: 3,
}


class SecretarySource(models.TextChoices):
    OWNER = "owner", _("Owner / investor")
    MANAGER = "manager", _("Manager")
    UNION_CHAIR = "union_chair", _("Trade union chair")
    INSTRUCTOR = "instructor", _("Dispatched instructor")
    PARTY_CADRE = "party_cadre", _("Selected party cadre")
    EMPLOYEE = "employee", _("Employee")
    OTHER = "other", _("Other")


class PartyOrganization(MP_Node):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[region_code_validator])
    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=OrganizationKind.choices, default=OrganizationKind.BRANCH)
    formation_mode = models.CharField(_("formation mode"), max_length=16, choices=FormationMode.choices,
                                      default=FormationMode.INDIVIDUAL)
    simultaneous = models.BooleanField(_("formed when the enterprise was founded"), default=False)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="organizations")
    established_on = models.DateField(_("established on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(_("term (years)"), null=True, blank=True)
    secretary_name = models.CharField(_("secretary"), max_length=50, blank=True)
    secretary_source = models.CharField(_("secretary comes from"), max_length=16, choices=SecretarySource.choices, blank=True)
    secretary_phone = models.CharField(_("secretary phone"), max_length=20, blank=True)
    cross_appointed = models.BooleanField(_("cross-appointed with management"), default=False)
    supervising_body = models.ForeignKey("organizations.LeadershipBody", verbose_name=_("supervising body"),
                                         on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="organizations",
                                         help_text=_("The body it is affiliated to (隶属关系), besides its party "
                                                     "parent."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TreeManager()
    history = HistoricalRecords()
    scope = Scope(region="region", organization="", instructor=None)
    natural_key_field = "code"

    class Meta:
        verbose_name = _("party organization")
        verbose_name_plural = _("party organizations")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:organization_detail", args=[self.pk])

    def get_edit_url(self):
        return reverse("organizations:organization_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("organizations:organization_history", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.dissolved_on and self.established_on and self.dissolved_on <= self.established_on:
            errors["dissolved_on"] = _("An organization is dissolved after it was established.")
        try:
            check_term_years(self.term_years)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)

    @property
    def effective_term_years(self):
        return self.term_years or DEFAULT_TERM_YEARS.get(self.kind)

    def is_active_on(self, day: datetime.date) -> bool:
        return self.established_on <= day and (self.dissolved_on is None or self.dissolved_on > day)

    @property
    def parent_code(self):
        if hasattr(self, "parent_code_annotated"):  # lists annotate it in SQL (api.views.with_parent_code)
            return self.parent_code_annotated
        parent = type(self).objects.get_parent(self)
        return parent.code if parent else None


class CoverageLinkQuerySet(ScopedQuerySet):
    def active_on(self, day: datetime.date):
        """Links in force on `day`: the link's dates and its organization's life both hold."""
        return self.filter(self.active_q(day))

    @staticmethod
    def active_q(day: datetime.date) -> Q:
        """The condition of `active_on` (also used per row, for several days at once: reports.trends)."""
        return (Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))
                & Q(organization__established_on__lte=day)
                & (Q(organization__dissolved_on__isnull=True) | Q(organization__dissolved_on__gt=day)))


class CoverageLink(models.Model):
    """Organization O covers enterprise E from valid_from (inclusive) to valid_to (exclusive)."""

    organization = models.ForeignKey(PartyOrganization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     related_name="coverage_links")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="coverage_links")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CoverageLinkQuerySet.as_manager()
    history = HistoricalRecords()
    # Visible to region staff where either end lies in their subtree would leak; use the enterprise's region.
    scope = Scope(region="enterprise__region", organization="organization", instructor=None)

    class Meta:
        ordering = ["-valid_from", "id"]
        verbose_name = _("coverage link")
        verbose_name_plural = _("coverage links")
        indexes = [
            models.Index(fields=["enterprise", "valid_from"]),
            models.Index(fields=["organization", "valid_from"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="coverage_link_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.organization} → {self.enterprise} [{self.valid_from} – {self.valid_to or '…'})"

    def get_absolute_url(self):
        return reverse("organizations:organization_detail", args=[self.organization_id])

    def is_active_on(self, day):
        return self.valid_from <= day and (self.valid_to is None or self.valid_to > day) and self.organization.is_active_on(day)


MAX_TERM_YEARS = 10


def check_term_years(years):
    """A term of office lasts 1 to 10 years (DESIGN.md: committee 5, branch 3 by default)."""
    if years is not None and not 1 <= years <= MAX_TERM_YEARS:
        raise ValidationError({"term_years": _("A term lasts 1 to %(max)s years.") % {"max": MAX_TERM_YEARS}})


class Election(models.Model):
    """A term election (换届): the term it starts and when the next one is due."""

    organization = models.ForeignKey(PartyOrganization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     related_name="elections")
    held_on = models.DateField(_("held on"))
    term_years = models.PositiveSmallIntegerField(_("term (years)"))
    secretary_name = models.CharField(_("secretary elected"), max_length=50, blank=True)
    committee_members = models.TextField(_("committee members elected"), blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedManager()
    history = HistoricalRecords()
    scope = Scope(region="organization__region", organization="organization", instructor=None)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self):
        return f"{self.organization} {self.held_on}"

    def clean(self):
        super().clean()
        check_term_years(self.term_years)

    @property
    def term_due_on(self):
        from core.dates import shift_years

        return shift_years(self.held_on, self.term_years)



# --- region changes (区划调整) -------------------------------------------------------------------

class RegionChange(models.Model):
    """One dated change of the region tree (move, rename, merge, close), applied by
    `organizations.region_changes` and kept for the region's history. Statistics use the tree as it is
    now; these rows say how it came to be so."""

    class Kind(models.TextChoices):
        MOVE = "move", _("Move (new parent)")
        RENAME = "rename", _("Rename")
        MERGE = "merge", _("Merge into another region")
        CLOSE = "close", _("Close")

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("kind of change"), max_length=16, choices=Kind.choices)
    effective_on = models.DateField(_("effective on"))
    old_parent = models.ForeignKey(Region, verbose_name=_("old parent"), on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    new_parent = models.ForeignKey(Region, verbose_name=_("new parent"), on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    old_name = models.CharField(_("old name"), max_length=100, blank=True)
    new_name = models.CharField(_("new name"), max_length=100, blank=True)
    old_code = models.CharField(_("old code"), max_length=32, blank=True)
    new_code = models.CharField(_("new code"), max_length=32, blank=True)
    old_kind = models.CharField(_("old kind"), max_length=16, choices=Region.Kind.choices, blank=True)
    new_kind = models.CharField(_("new kind"), max_length=16, choices=Region.Kind.choices, blank=True)
    merged_into = models.ForeignKey(Region, verbose_name=_("merged into"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="merged_from")
    moved_enterprises = models.PositiveIntegerField(_("enterprises moved"), default=0)
    moved_organizations = models.PositiveIntegerField(_("organizations moved"), default=0)
    moved_regions = models.PositiveIntegerField(_("sub-regions moved"), default=0)
    note = models.CharField(_("basis / note"), max_length=300, blank=True,
                            help_text=_("E.g. the approving document number."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = _("region change")
        verbose_name_plural = _("region changes")

    def __str__(self):
        return f"{self.get_kind_display()} {self.region.name} {self.effective_on}"

    def get_absolute_url(self):
        return reverse("organizations:region_history", args=[self.region_id])

    @classmethod
    def scope_filter(cls, user):
        """Region staff see the changes of regions in their subtree, and those that merged into it."""
        from core.roles import REGION_ROLES  # noqa: PLC0415

        if user.role in REGION_ROLES and user.scope_region_id:
            prefix = user.scope_region.path
            return Q(region__path__startswith=prefix) | Q(merged_into__path__startswith=prefix)
        return None



# --- secretaries (书记队伍) -----------------------------------------------------------------------

class SelectionBatch(models.Model):
    """A batch of people selected as secretaries (e.g. party cadres selected to serve as secretaries)."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="secretary_batches")
    name = models.CharField(_("name"), max_length=100)
    selected_on = models.DateField(_("selected on"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedManager()
    history = HistoricalRecords()
    scope = Scope(region="region", organization=None, instructor=None)

    class Meta:
        ordering = ["-selected_on", "-id"]
        verbose_name = _("secretary selection batch")
        verbose_name_plural = _("secretary selection batches")

    def __str__(self):
        return f"{self.name} ({self.selected_on})"

    def get_absolute_url(self):
        return reverse("organizations:selection_batch_detail", args=[self.pk])

    def get_edit_url(self):
        return reverse("organizations:selection_batch_edit", args=[self.pk])


class Secretary(models.Model):
    """A person who serves (or served) as secretary or deputy secretary of party organizations."""

    region = models.ForeignKey(Region, verbose_name=_("managing region"), on_delete=models.PROTECT,
                               related_name="secretaries")
    name = models.CharField(_("name"), max_length=50, db_index=True)
    source = models.CharField(_("source"), max_length=16, choices=SecretarySource.choices)
    member = models.ForeignKey("members.Member", verbose_name=_("member record"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="secretary_records")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    unit = models.CharField(_("work unit and post"), max_length=200, blank=True)
    batch = models.ForeignKey(SelectionBatch, verbose_name=_("selection batch"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="secretaries")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    history = HistoricalRecords()
    sensitive_fields = ("phone",)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("secretary")
        verbose_name_plural = _("secretaries")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:secretary_detail", args=[self.pk])

    def get_edit_url(self):
        return reverse("organizations:secretary_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("organizations:secretary_history", args=[self.pk])

    @classmethod
    def scope_filter(cls, user):
        """Region staff: managed in their subtree. Branch secretaries: people appointed in their organizations."""
        from core.roles import ORGANIZATION_ROLES  # noqa: PLC0415
        from core.scoping import default_scope_q  # noqa: PLC0415

        if user.role in ORGANIZATION_ROLES and user.scope_organization_id:
            return Q(pk__in=SecretaryAppointment.objects.filter(
                organization__path__startswith=user.scope_organization.path).values("secretary_id"))
        return default_scope_q(Scope(region="region"), user)


class SecretaryAppointment(models.Model):
    """Secretary S serves organization O as secretary or deputy from appointed_on to ended_on (exclusive)."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("Secretary")
        DEPUTY = "deputy", _("Deputy secretary")

    organization = models.ForeignKey(PartyOrganization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     related_name="secretary_appointments")
    secretary = models.ForeignKey(Secretary, verbose_name=_("secretary"), on_delete=models.PROTECT,
                                  related_name="appointments")
    role = models.CharField(_("post"), max_length=16, choices=Role.choices, default=Role.SECRETARY)
    appointed_on = models.DateField(_("appointed on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedManager()
    history = HistoricalRecords()
    scope = Scope(region="organization__region", organization="organization", instructor=None)

    class Meta:
        ordering = ["-appointed_on", "-id"]
        verbose_name = _("secretary appointment")
        verbose_name_plural = _("secretary appointments")
        indexes = [models.Index(fields=["organization", "role", "appointed_on"])]
        constraints = [models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("appointed_on")),
                                              name="secretary_appointment_dates_ordered",
                                              violation_error_message=_("The end date must be after the start date."))]

    def __str__(self):
        return f"{self.secretary} · {self.get_role_display()} · {self.organization}"

    def get_absolute_url(self):
        return reverse("organizations:secretary_detail", args=[self.secretary_id])

    def is_active_on(self, day):
        return self.appointed_on <= day and (self.ended_on is None or self.ended_on > day)


class SecretaryTraining(models.Model):
    """A training a secretary attended (party-school course, hours)."""

    class Provider(models.TextChoices):
        MUNICIPAL_PARTY_SCHOOL = "municipal_party_school", _("Municipal party school")
        COUNTY_PARTY_SCHOOL = "county_party_school", _("County party school")
        PROVINCIAL_PARTY_SCHOOL = "provincial_party_school", _("Provincial party school")
        ORGANIZATION_DEPARTMENT = "organization_department", _("Organization department")
        ONLINE = "online", _("Online course")
        OTHER = "other", _("Other")

    secretary = models.ForeignKey(Secretary, verbose_name=_("secretary"), on_delete=models.PROTECT,
                                  related_name="trainings")
    course = models.CharField(_("course"), max_length=200)
    provider = models.CharField(_("provider"), max_length=32, choices=Provider.choices)
    held_on = models.DateField(_("date of the training"), db_index=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)

    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("secretary training")
        verbose_name_plural = _("secretary trainings")

    def __str__(self):
        return f"{self.secretary} · {self.course} · {self.held_on}"

    def get_absolute_url(self):
        return reverse("organizations:secretary_detail", args=[self.secretary_id])

    @classmethod
    def scope_filter(cls, user):
        condition = Secretary.scope_filter(user)
        if condition is None:
            return None
        return Q(secretary__in=Secretary.objects.filter(condition))

    def clean(self):
        super().clean()
        if self.hours is not None and self.hours <= 0:
            raise ValidationError({"hours": _("Training hours must be more than 0.")})


# --- leadership bodies (seed 003) ------------------------------------------------------------------

class LeadershipBody(models.Model):
    """A body that leads non-public party building in a region: the non-public economy working committee,
    an industry committee, a park's or street's territorial committee, a joint meeting."""

    class Kind(models.TextChoices):
        NONPUBLIC_WORKING_COMMITTEE = "nonpublic_working_committee", _("Non-public economy working committee")
        INDUSTRY_COMMITTEE = "industry_committee", _("Industry party committee")
        TERRITORIAL_COMMITTEE = "territorial_committee", _("Territorial committee (park / street)")
        JOINT_MEETING = "joint_meeting", _("Joint meeting")

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="leadership_bodies")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    head = models.CharField(_("head"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedManager()
    history = HistoricalRecords()
    scope = Scope(region="region", organization=None, instructor=None)

    class Meta:
        ordering = ["region__path", "name", "id"]
        verbose_name = _("leadership body")
        verbose_name_plural = _("leadership bodies")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:leadership_body_detail", args=[self.pk])

    def get_edit_url(self):
        return reverse("organizations:leadership_body_edit", args=[self.pk])

    def get_history_url(self):
        return reverse("organizations:leadership_body_history", args=[self.pk])

    def clean(self):
        super().clean()
        if self.kind == self.Kind.INDUSTRY_COMMITTEE and not self.industry:
            raise ValidationError({"industry": _("An industry committee names its industry.")})
        if self.established_on and self.dissolved_on and self.dissolved_on <= self.established_on:
            raise ValidationError({"dissolved_on": _("The end date must be after the start date.")})


class LeadershipBodyUnit(models.Model):
    """A member unit of a leadership body (joint meeting members: United Front, market regulation …)."""

    class Kind(models.TextChoices):
        ORGANIZATION_DEPARTMENT = "organization_department", _("Organization department")
        UNITED_FRONT = "united_front", _("United Front Work Department")
        MARKET_REGULATION = "market_regulation", _("Market regulation bureau")
        FEDERATION_OF_INDUSTRY = "federation_of_industry", _("Federation of industry and commerce")
        TRADE_UNION = "trade_union", _("Federation of trade unions")
        YOUTH_LEAGUE = "youth_league", _("Communist Youth League")
        WOMENS_FEDERATION = "womens_federation", _("Women's federation")
        INDUSTRY_ASSOCIATION = "industry_association", _("Industry association / chamber")
        OTHER = "other", _("Other unit")

    body = models.ForeignKey(LeadershipBody, verbose_name=_("leadership body"), on_delete=models.PROTECT,
                             related_name="units")
    kind = models.CharField(_("kind of unit"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("unit name"), max_length=200)
    duty = models.CharField(_("duty in the body"), max_length=200, blank=True)
    joined_on = models.DateField(_("joined the body on"), null=True, blank=True)
    left_on = models.DateField(_("left the body on"), null=True, blank=True)

    objects = ScopedManager()
    history = HistoricalRecords()
    scope = Scope(region="body__region", organization=None, instructor=None)

    class Meta:
        ordering = ["body", "kind", "id"]
        verbose_name = _("member unit")
        verbose_name_plural = _("member units")

    def __str__(self):
        return f"{self.body} · {self.name}"

    def get_absolute_url(self):
        return reverse("organizations:leadership_body_detail", args=[self.body_id])


# --- two-way entry and cross-appointment (双向进入、交叉任职), 双培双推 (seed 004) --------------------

class EnterprisePost(models.Model):
    """A management or backbone post in an enterprise and who holds it: whether a party member (with the
    member record where there is one) and whether the holder also sits on the party organization's
    committee (cross-appointment)."""

    class Level(models.TextChoices):
        MANAGEMENT = "management", _("Management")
        BACKBONE = "backbone", _("Backbone staff")

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="posts")
    person_name = models.CharField(_("person"), max_length=50)
    post = models.CharField(_("post"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.MANAGEMENT)
    is_member = models.BooleanField(_("party member"), default=False)
    member = models.ForeignKey("members.Member", verbose_name=_("member record"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="enterprise_posts")
    on_party_committee = models.BooleanField(_("also on the party committee (cross-appointed)"), default=False)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["enterprise", "level", "person_name", "id"]
        verbose_name = _("enterprise post")
        verbose_name_plural = _("enterprise posts")
        indexes = [models.Index(fields=["enterprise", "level"])]

    def __str__(self):
        return f"{self.person_name} · {self.post}"

    def get_absolute_url(self):
        return reverse("organizations:enterprise_detail", args=[self.enterprise_id])

    @classmethod
    def scope_filter(cls, user):
        condition = Enterprise.scope_filter(user)
        if condition is None:
            return None
        return Q(enterprise__in=Enterprise.objects.filter(condition))

    def clean(self):
        super().clean()
        if self.member_id and not self.is_member:
            self.is_member = True  # a linked member record is a member
        if self.on_party_committee and not self.is_member:
            raise ValidationError({"on_party_committee": _("Only a party member can sit on the party committee.")})
        if self.started_on and self.ended_on and self.ended_on <= self.started_on:
            raise ValidationError({"ended_on": _("The end date must be after the start date.")})


class DualTraining(models.Model):
    """双培双推: train backbone staff into party members, or members into backbone staff."""

    class Track(models.TextChoices):
        BACKBONE_TO_MEMBER = "backbone_to_member", _("Backbone staff → party member")
        MEMBER_TO_BACKBONE = "member_to_backbone", _("Party member → backbone staff")

    class Outcome(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        STOPPED = "stopped", _("Stopped")

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="dual_trainings")
    person_name = models.CharField(_("person"), max_length=50)
    track = models.CharField(_("track"), max_length=24, choices=Track.choices)
    started_on = models.DateField(_("started on"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.IN_PROGRESS)
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    applicant = models.ForeignKey("members.Applicant", verbose_name=_("applicant record"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="dual_trainings",
                                  help_text=_("For backbone staff trained into members: their application."))
    member = models.ForeignKey("members.Member", verbose_name=_("member record"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="dual_trainings",
                               help_text=_("For members trained into backbone staff."))
    post = models.ForeignKey(EnterprisePost, verbose_name=_("post reached"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="dual_trainings")
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("dual training (双培双推)")
        verbose_name_plural = _("dual trainings (双培双推)")

    def __str__(self):
        return f"{self.person_name} · {self.get_track_display()}"

    def get_absolute_url(self):
        return reverse("organizations:enterprise_detail", args=[self.enterprise_id])

    scope_filter = EnterprisePost.scope_filter

    def clean(self):
        super().clean()
        errors = {}
        if self.outcome == self.Outcome.ACHIEVED and not self.achieved_on:
            errors["achieved_on"] = _("Give the date the goal was achieved.")
        if self.achieved_on and self.achieved_on < self.started_on:
            errors["achieved_on"] = _("The goal cannot be achieved before the training started.")
        if self.track == self.Track.BACKBONE_TO_MEMBER and self.member_id and not self.applicant_id:
            errors["member"] = _("Backbone staff trained into members are followed through their application.")
        if self.track == self.Track.MEMBER_TO_BACKBONE and self.applicant_id:
            errors["applicant"] = _("A member trained into backbone staff has no application: link the member record.")
        if errors:
            raise ValidationError(errors)


from .channels import ChannelReach, WorkChannel  # noqa: E402,F401 — work coverage channels (own module)
