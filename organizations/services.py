"""Domain operations on the organizations register. Forms, serializers and imports all call these."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import CoverageLink, Enterprise, FormationMode, PartyOrganization, Region

JOINT_WARN_ABOVE = 5


def overlaps(a_from, a_to, b_from, b_to) -> bool:
    """Whether [a_from, a_to) and [b_from, b_to) overlap (an open end is infinite)."""
    return (b_to is None or b_to > a_from) and (a_to is None or b_from < a_to)


def related_links(organization_ids, enterprise_ids):
    """Every recorded link touching these organizations or enterprises: what the rules compare against."""
    return list(CoverageLink.objects.filter(Q(organization_id__in=organization_ids) | Q(enterprise_id__in=enterprise_ids))
                .select_related("organization", "enterprise"))


def check_coverage_link(link: CoverageLink, others=None) -> None:
    """The hard rules of DESIGN.md for a coverage link; raises ValidationError naming the field.

    - dates ordered, inside the organization's life and the enterprise's;
    - no two overlapping links between the same organization and enterprise;
    - an individually formed organization covers exactly one enterprise (never two at once);
    - an enterprise has at most one individually formed organization at a time.
    Joint branches with < 2 or > 5 enterprises are data-quality warnings, not errors.
    `others` are the links to compare with (imports pass them preloaded, for all rows at once);
    by default they are read from the database.
    """
    errors = {}
    org, ent = link.organization, link.enterprise
    if link.valid_to and link.valid_from and link.valid_to <= link.valid_from:
        errors["valid_to"] = _("The end date must be after the start date.")
    if org.established_on and link.valid_from < org.established_on:
        errors["valid_from"] = _("The link cannot start before the organization was established (%(date)s).") % {
            "date": org.established_on.isoformat()}
    if org.dissolved_on and link.valid_from >= org.dissolved_on:
        errors["valid_from"] = _("The organization was dissolved on %(date)s.") % {"date": org.dissolved_on.isoformat()}
    if ent.closed_on and link.valid_from >= ent.closed_on:
        errors["valid_from"] = _("The enterprise closed on %(date)s.") % {"date": ent.closed_on.isoformat()}
    if errors:
        raise ValidationError(errors)

    if others is None:
        others = related_links([org.pk], [ent.pk])
    others = [o for o in others if o is not link and (o.pk is None or o.pk != link.pk)
              and overlaps(link.valid_from, link.valid_to, o.valid_from, o.valid_to)]
    for other in others:
        if other.organization_id == org.pk and other.enterprise_id == ent.pk:
            raise ValidationError({"valid_from": _("This organization already covers this enterprise from %(start)s.")
                                   % {"start": other.valid_from.isoformat()}})
    if org.formation_mode != FormationMode.INDIVIDUAL:
        return
    for other in others:
        if other.organization_id == org.pk and other.enterprise_id != ent.pk:
            raise ValidationError({"organization": _(
                "An individually formed organization covers exactly one enterprise; “%(org)s” already covers "
                "“%(ent)s” from %(start)s. End that link first.") % {
                "org": org.name, "ent": other.enterprise.name, "start": other.valid_from.isoformat()}})
        if (other.enterprise_id == ent.pk and other.organization_id != org.pk
                and other.organization.formation_mode == FormationMode.INDIVIDUAL):
            raise ValidationError({"enterprise": _(
                "“%(ent)s” already has its own organization “%(org)s” from %(start)s.") % {
                "ent": ent.name, "org": other.organization.name, "start": other.valid_from.isoformat()}})


def check_new_joint_branch(formation_mode, enterprise_count, field="covers"):
    """A joint branch covers ≥ 2 enterprises (DESIGN.md): one created (import, API) covering exactly one is
    refused. One left with a single enterprise later (a closing) is only a data-quality warning."""
    if formation_mode == FormationMode.JOINT and enterprise_count == 1:
        raise ValidationError({field: _("A joint branch covers at least two enterprises; name two or more, or "
                                        "choose another formation mode (individual, when it is one enterprise's "
                                        "own organization).")})


@transaction.atomic
def save_coverage_link(link: CoverageLink) -> CoverageLink:
    # Serialize writers for one enterprise so two concurrent requests cannot both pass the checks.
    Enterprise.objects.select_for_update().filter(pk=link.enterprise_id).first()
    link.full_clean(exclude=["organization", "enterprise"], validate_constraints=False)
    check_coverage_link(link)
    link.save()
    return link


@transaction.atomic
def end_coverage_link(link: CoverageLink, valid_to: datetime.date) -> CoverageLink:
    link.valid_to = valid_to
    return save_coverage_link(link)


@transaction.atomic
def close_enterprise(enterprise: Enterprise, closed_on: datetime.date) -> Enterprise:
    """Closing keeps the enterprise and its history; links and instructor assignments still open end on the
    closing date (so nothing counts the enterprise as reached after it closed)."""
    from django.apps import apps  # noqa: PLC0415 - instructors sits above organizations

    enterprise.closed_on = closed_on
    enterprise.status = Enterprise.Status.CLOSED
    enterprise.full_clean(validate_unique=False)
    enterprise.save()
    for link in enterprise.coverage_links.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=closed_on),
                                                 valid_from__lt=closed_on):
        link.valid_to = closed_on
        link.save(update_fields=["valid_to"])
    assignments = apps.get_model("instructors", "Assignment").objects.filter(
        Q(end_on__isnull=True) | Q(end_on__gt=closed_on), enterprise=enterprise, start_on__lt=closed_on)
    for assignment in assignments:
        assignment.end_on = closed_on
        assignment.save(update_fields=["end_on"])
    return enterprise


@transaction.atomic
def dissolve_organization(organization: PartyOrganization, dissolved_on: datetime.date) -> PartyOrganization:
    """Dissolution keeps the organization; its open links end on the dissolution date."""
    organization.dissolved_on = dissolved_on
    organization.full_clean(validate_unique=False)
    organization.save()
    for link in organization.coverage_links.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=dissolved_on),
                                                   valid_from__lt=dissolved_on):
        link.valid_to = dissolved_on
        link.save(update_fields=["valid_to"])
    return organization


def _tree_save(model, instance, parent):
    """Create a treebeard node under `parent` (or as a root), or update it and move it if its parent changed."""
    if instance.pk is None:
        if parent is not None:
            return model.objects.add_child(parent, instance=instance)
        return model.objects.add_root(instance=instance)
    instance.save()
    current = model.objects.get_parent(instance, update=True)
    if (current.pk if current else None) != (parent.pk if parent else None):
        if parent is not None and (parent.pk == instance.pk or parent.path.startswith(instance.path)):
            raise ValidationError({"parent": _("A node cannot be placed under itself or its own descendants.")})
        if parent is None:
            model.objects.move(instance, model.objects.get_last_root_node(), "last-sibling")
        else:
            model.objects.move(instance, parent, "last-child")
        instance.refresh_from_db()
    return instance



@transaction.atomic
def save_region(region: Region, parent: Region | None) -> Region:
    region.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
    return _tree_save(Region, region, parent)


@transaction.atomic
def save_organization(organization: PartyOrganization, parent: PartyOrganization | None) -> PartyOrganization:
    organization.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
    if organization.dissolved_on and organization.pk:
        return dissolve_organization(_tree_save(PartyOrganization, organization, parent),
                                     organization.dissolved_on)
    return _tree_save(PartyOrganization, organization, parent)
