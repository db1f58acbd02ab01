"""Domain operations on the organizations register. Forms, serializers and imports all call these."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
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
def save_region(region: Region, parent: Region | None, user=None) -> Region:
    """Create a region, or save an edit of one. On an existing region, a new parent, name, code or kind or
    a closing date is a region change (区划调整) and goes through `region_changes`, dated today (closing: the
    date given), so the edit page and the API record it exactly as the region-change forms do."""
    from . import region_changes  # noqa: PLC0415 (region_changes imports this module's models only)

    region.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
    if region.pk is None:
        return _tree_save(Region, region, parent)
    stored = Region.objects.get(pk=region.pk)
    wanted = {"name": region.name, "code": region.code, "kind": region.kind}
    closing_on = region.valid_to if region.valid_to and region.valid_to != stored.valid_to else None
    region.name, region.code, region.kind = stored.name, stored.code, stored.kind
    if closing_on:
        region.valid_to = stored.valid_to
    region._history_user = user
    region.save()
    today = timezone.localdate()
    if wanted != {"name": stored.name, "code": stored.code, "kind": stored.kind}:
        region_changes.rename_region(region, user=user, effective_on=today, name=wanted["name"],
                                     code=wanted["code"], kind=wanted["kind"])
    current = Region.objects.get_parent(region, update=True) if region.depth > 1 else None
    if parent is not None and (current is None or current.pk != parent.pk):
        region_changes.move_region(region, parent, user=user, effective_on=today)
    elif parent is None and current is not None:
        raise ValidationError({"parent": _("A region cannot be made a top-level region; move it under another "
                                           "region instead.")})
    if closing_on:
        region_changes.close_region(region, user=user, effective_on=closing_on)
    region.refresh_from_db()
    return region


@transaction.atomic
def save_organization(organization: PartyOrganization, parent: PartyOrganization | None) -> PartyOrganization:
    organization.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
    if organization.dissolved_on and organization.pk:
        return dissolve_organization(_tree_save(PartyOrganization, organization, parent),
                                     organization.dissolved_on)
    return _tree_save(PartyOrganization, organization, parent)


# --- secretaries (书记队伍) -----------------------------------------------------------------------

def check_appointment(appointment) -> None:
    """An organization has one secretary at a time (deputies: any number); a person holds one post per
    organization at a time; the dates lie inside the organization's life."""
    from .models import SecretaryAppointment  # noqa: PLC0415

    org = appointment.organization
    errors = {}
    if appointment.ended_on and appointment.ended_on <= appointment.appointed_on:
        errors["ended_on"] = _("The end date must be after the start date.")
    if org.established_on and appointment.appointed_on < org.established_on:
        errors["appointed_on"] = _("The organization was only established on %(date)s.") % {
            "date": org.established_on.isoformat()}
    if org.dissolved_on and appointment.appointed_on >= org.dissolved_on:
        errors["appointed_on"] = _("The organization was dissolved on %(date)s.") % {"date": org.dissolved_on.isoformat()}
    if errors:
        raise ValidationError(errors)
    others = SecretaryAppointment.objects.filter(organization=org).exclude(pk=appointment.pk).select_related("secretary")
    for other in others:
        if not overlaps(appointment.appointed_on, appointment.ended_on, other.appointed_on, other.ended_on):
            continue
        if other.secretary_id == appointment.secretary_id:
            raise ValidationError({"appointed_on": _("%(name)s already serves this organization from %(start)s.") % {
                "name": other.secretary.name, "start": other.appointed_on.isoformat()}})
        if appointment.role == SecretaryAppointment.Role.SECRETARY and other.role == SecretaryAppointment.Role.SECRETARY:
            raise ValidationError({"appointed_on": _(
                "“%(org)s” already has a secretary, %(name)s, from %(start)s: end that appointment first.") % {
                "org": org.name, "name": other.secretary.name, "start": other.appointed_on.isoformat()}})


def sync_secretary_name(organization) -> None:
    """API.md's `secretary_name` follows the current secretary once an organization has appointment records
    (blank while the post is vacant); organizations without any keep their free-text name."""
    sync_secretary_names([organization.pk])
    organization.refresh_from_db(fields=["secretary_name", "secretary_source"])


def sync_secretary_names(organization_ids) -> int:
    """`sync_secretary_name` for many organizations in a constant number of queries (imports)."""
    from django.db.models import Exists, OuterRef, Subquery  # noqa: PLC0415
    from simple_history.utils import bulk_update_with_history  # noqa: PLC0415

    from .models import SecretaryAppointment  # noqa: PLC0415

    today = timezone.localdate()
    secretary_posts = SecretaryAppointment.objects.filter(organization=OuterRef("pk"),
                                                          role=SecretaryAppointment.Role.SECRETARY)
    current = (secretary_posts.filter(appointed_on__lte=today).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
               .order_by("-appointed_on"))
    orgs = list(PartyOrganization.objects.filter(pk__in=list(organization_ids)).annotate(
        has_posts=Exists(secretary_posts), current_name=Subquery(current.values("secretary__name")[:1]),
        current_source=Subquery(current.values("secretary__source")[:1])).filter(has_posts=True))
    changed_orgs = []
    for org in orgs:
        name, source = org.current_name or "", org.current_source or ""
        if (org.secretary_name, org.secretary_source) != (name, source):
            org.secretary_name, org.secretary_source = name, source
            changed_orgs.append(org)
    if changed_orgs:
        bulk_update_with_history(changed_orgs, PartyOrganization, ["secretary_name", "secretary_source"],
                                 batch_size=500)
    return len(changed_orgs)


@transaction.atomic
def save_appointment(appointment):
    PartyOrganization.objects.select_for_update().filter(pk=appointment.organization_id).first()
    appointment.full_clean(exclude=["organization", "secretary"], validate_constraints=False)
    check_appointment(appointment)
    appointment.save()
    sync_secretary_name(appointment.organization)
    return appointment


@transaction.atomic
def end_appointment(appointment, ended_on):
    appointment.ended_on = ended_on
    return save_appointment(appointment)
