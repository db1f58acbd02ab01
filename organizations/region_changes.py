"""Region changes (区划调整): move, rename, merge, close — the one service the page, the API, the edit
form and the admin all call.

Each operation is atomic, takes the acting user, is dated (`effective_on`, never in the future) and writes a
`RegionChange` row (who/when/effective date/kind/before/after) besides the simple-history rows of every
object it touches. Statistics use the tree as it is now (as DHIS2 does): a change applies at once,
whatever its effective date; the rows keep the region's past parents and names.

Who may change a region: an administrator, or a region editor whose scope region is a *proper ancestor*
of it (the county changes its townships, the city its counties); nobody changes their own scope root
unless they are an administrator (a county cannot move or close itself). The targets (new parent, the
surviving region) must lie in the actor's scope too.

Refusals (a ValidationError in the user's language, nothing changed): a move under itself or its own
descendant, a merge into itself or its descendant, a change of a closed region, a target that is closed,
closing a region whose subtree still has operating enterprises or active organizations, a new code that is
taken, an effective date in the future or before the region existed.
"""

import datetime

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from .models import Enterprise, PartyOrganization, Region, RegionChange, region_code_validator


# --- checks ------------------------------------------------------------------------------------

def can_change_region(user, region) -> bool:
    """Admins any region; region editors the regions strictly below their scope root."""
    from core.roles import Role  # noqa: PLC0415
    from core.scoping import user_is_unrestricted  # noqa: PLC0415

    if user_is_unrestricted(user):
        return True
    if user.role != Role.REGION_EDITOR or not user.scope_region_id:
        return False
    root = user.scope_region
    return region.path.startswith(root.path) and region.pk != root.pk


def _check_actor(user, region, *targets):
    """`user=None` is the system itself (a management command, a data migration): no scope applies."""
    if user is None:
        return
    if not user.is_authenticated:
        raise PermissionDenied
    if not Region.objects.visible_to(user).filter(pk=region.pk).exists():
        raise PermissionDenied
    if not can_change_region(user, region):
        raise PermissionDenied(_("Only an editor of a higher region (or an administrator) can change “%(name)s”; "
                                 "nobody changes their own scope region.") % {"name": region.name})
    for target in targets:
        if target is not None and not Region.objects.visible_to(user).filter(pk=target.pk).exists():
            raise ValidationError({"target": _("No region with this code in your scope.")})


def _is_closed(region, day=None) -> bool:
    day = day or timezone.localdate()
    return region.valid_to is not None and region.valid_to <= day


def _check_date(region, effective_on):
    if effective_on is None:
        raise ValidationError({"effective_on": _("Give the date the change takes effect.")})
    if effective_on > timezone.localdate():
        raise ValidationError({"effective_on": _("A region change is recorded once it has taken effect: the date "
                                                 "cannot be in the future.")})
    if region.valid_from and effective_on < region.valid_from:
        raise ValidationError({"effective_on": _("The region only exists from %(date)s.") % {
            "date": region.valid_from.isoformat()}})
    if _is_closed(region):
        raise ValidationError({"region": _("“%(name)s” was closed on %(date)s and cannot be changed.") % {
            "name": region.name, "date": region.valid_to.isoformat()}})


def _check_target(region, target, field, below_message):
    if target is None:
        raise ValidationError({field: _("Give the code of the region.")})
    if target.pk == region.pk or target.path.startswith(region.path):
        raise ValidationError({field: below_message})
    if _is_closed(target):
        raise ValidationError({field: _("“%(name)s” was closed on %(date)s.") % {
            "name": target.name, "date": target.valid_to.isoformat()}})


def _coverage_changed():
    """Subtrees moved, merged or closed: every coverage snapshot stale, on commit (reports.incremental)."""
    from reports.incremental import bulk_changed  # noqa: PLC0415

    bulk_changed()


def _parent_of(region):
    return Region.objects.get_parent(region, update=True) if region.depth > 1 else None


def _lock(*regions):
    """Serialize changes of the same regions (a no-op where the database cannot lock rows)."""
    list(Region.objects.select_for_update().filter(pk__in=[r.pk for r in regions if r is not None])
         .order_by("pk").values_list("pk", flat=True))


def _record(region, kind, user, effective_on, note, **fields):
    return RegionChange.objects.create(region=region, kind=kind, effective_on=effective_on, note=note or "",
                                       recorded_by=user,
                                       **fields)


def _save_with_reason(region, user, reason):
    region._history_user = user
    region._change_reason = reason
    region.save()
    return region


def _move_node(region, new_parent):
    Region.objects.move(region, new_parent, "last-child")  # treebeard rewrites the subtree's paths in SQL
    region.refresh_from_db()
    return region


# --- operations --------------------------------------------------------------------------------

@transaction.atomic
def move_region(region: Region, new_parent: Region, *, user, effective_on: datetime.date, note: str = "") -> RegionChange:
    """Place `region` (with its subtree, enterprises and organizations) under `new_parent`."""
    _check_actor(user, region, new_parent)
    _lock(region, new_parent)
    region.refresh_from_db()
    if new_parent is not None:
        new_parent.refresh_from_db()  # treebeard places the node from the target's stored path and numchild
    _check_date(region, effective_on)
    _check_target(region, new_parent, "parent",
                  _("A region cannot be moved under itself or one of its own sub-regions."))
    old_parent = _parent_of(region)
    if old_parent is not None and old_parent.pk == new_parent.pk:
        raise ValidationError({"parent": _("“%(name)s” is already under “%(parent)s”.") % {
            "name": region.name, "parent": new_parent.name}})
    _move_node(region, new_parent)
    _save_with_reason(region, user, _("Moved under %(parent)s") % {"parent": new_parent.name})
    _coverage_changed()
    return _record(region, RegionChange.Kind.MOVE, user, effective_on, note, old_parent=old_parent,
                   new_parent=new_parent)


@transaction.atomic
def rename_region(region: Region, *, user, effective_on: datetime.date, name: str = "", code: str = "",
                  kind: str = "", note: str = "") -> RegionChange:
    """A new name (and, where the change gives one, a new code or kind, e.g. 撤县设区)."""
    _check_actor(user, region)
    _lock(region)
    region.refresh_from_db()
    _check_date(region, effective_on)
    name, code, kind = (name or "").strip(), (code or "").strip(), (kind or "").strip()
    new_name = name or region.name
    new_code = code or region.code
    new_kind = kind or region.kind
    if (new_name, new_code, new_kind) == (region.name, region.code, region.kind):
        raise ValidationError({"name": _("Nothing changes: give a new name, code or kind.")})
    if new_code != region.code:
        region_code_validator(new_code)
        if Region.objects.filter(code=new_code).exclude(pk=region.pk).exists():
            raise ValidationError({"code": _("The code %(code)s is already used by another region.") % {
                "code": new_code}})
    if new_kind not in Region.Kind.values:
        raise ValidationError({"kind": _("Unknown region kind.")})
    change = dict(old_name=region.name, new_name=new_name, old_code=region.code, new_code=new_code,
                  old_kind=region.kind, new_kind=new_kind)
    region.name, region.code, region.kind = new_name, new_code, new_kind
    region.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
    _save_with_reason(region, user, _("Renamed from %(name)s") % {"name": change["old_name"]})
    return _record(region, RegionChange.Kind.RENAME, user, effective_on, note, **change)


@transaction.atomic
def merge_region(region: Region, into: Region, *, user, effective_on: datetime.date, note: str = "") -> RegionChange:
    """`region` merges into `into`: its sub-regions move under `into` (keeping their own enterprises),
    the enterprises, organizations and instructors registered in `region` itself are re-registered in
    `into`, and `region` is closed on `effective_on` (kept, never deleted, with its history)."""
    _check_actor(user, region, into)
    _lock(region, into)
    region.refresh_from_db()
    if into is not None:
        into.refresh_from_db()
    _check_date(region, effective_on)
    _check_target(region, into, "into", _("A region cannot be merged into itself or one of its own sub-regions."))
    _check_scope_roots(Q(scope_region=region), region)
    old_parent = _parent_of(region)
    reason = _("Merged from %(name)s into %(into)s") % {"name": region.name, "into": into.name}

    children = list(Region.objects.filter(path__startswith=region.path, depth=region.depth + 1).order_by("path"))
    for child in children:
        into.refresh_from_db()
        _move_node(child, into)
        _save_with_reason(child, user, reason)

    moved = {}
    for model in _registered_models():
        rows = list(model.objects.filter(region=region))
        for row in rows:
            row.region = into
        if rows:
            bulk_update_with_history(rows, model, ["region"], batch_size=500, default_user=user,
                                     default_change_reason=reason)
        moved[model] = len(rows)

    region.refresh_from_db()
    region.valid_to = effective_on
    _save_with_reason(region, user, reason)
    _coverage_changed()
    return _record(region, RegionChange.Kind.MERGE, user, effective_on, note, old_parent=old_parent,
                   merged_into=into, moved_enterprises=moved.get(Enterprise, 0),
                   moved_organizations=moved.get(PartyOrganization, 0), moved_regions=len(children))


@transaction.atomic
def close_region(region: Region, *, user, effective_on: datetime.date, note: str = "") -> RegionChange:
    """Close `region` and its sub-regions on `effective_on`; refused while anything in the subtree still
    operates there (move or merge those first)."""
    _check_actor(user, region)
    _lock(region)
    region.refresh_from_db()
    _check_date(region, effective_on)
    operating = Enterprise.objects.filter(region__path__startswith=region.path).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=effective_on)).count()
    active = PartyOrganization.objects.filter(region__path__startswith=region.path).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=effective_on)).count()
    if operating or active:
        raise ValidationError({"region": _(
            "“%(name)s” cannot be closed: %(enterprises)s enterprise(s) still operating and %(organizations)s "
            "organization(s) still active in it or its sub-regions on %(date)s. Merge it into another region, or "
            "move them first.") % {"name": region.name, "enterprises": operating, "organizations": active,
                                  "date": effective_on.isoformat()}})
    _check_scope_roots(Q(scope_region__path__startswith=region.path), region)
    reason = _("Closed")
    subtree = list(Region.objects.filter(path__startswith=region.path)
                   .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=effective_on)))
    for node in subtree:
        node.valid_to = effective_on
        if node.valid_from and node.valid_from >= effective_on:
            raise ValidationError({"effective_on": _("“%(name)s” only exists from %(date)s.") % {
                "name": node.name, "date": node.valid_from.isoformat()}})
    if subtree:
        bulk_update_with_history(subtree, Region, ["valid_to"], batch_size=500, default_user=user,
                                 default_change_reason=reason)
    region.refresh_from_db()
    _coverage_changed()
    return _record(region, RegionChange.Kind.CLOSE, user, effective_on, note, old_parent=_parent_of(region),
                   moved_regions=0)


def _check_scope_roots(condition, region):
    """Users whose scope is a region that closes would keep a scope on nothing: reassign them first."""
    user_model = apps.get_model("core", "User")
    scoped = list(user_model.objects.filter(condition, is_active=True).order_by("username")
                  .values_list("username", flat=True)[:5])
    if scoped:
        raise ValidationError({"region": _(
            "Active users have their scope in “%(name)s” (%(users)s): give them another scope region first.")
            % {"name": region.name, "users": "、".join(scoped)}})


def _registered_models():
    """The models registered in a region that follow it when it merges (instructors: their dispatching region)."""
    models = [Enterprise, PartyOrganization]
    try:
        models.append(apps.get_model("instructors", "Instructor"))
    except LookupError:  # pragma: no cover - the app is always installed in this project
        pass
    return models


# --- one entry point for forms, the API and the admin -------------------------------------------

def apply_change(region, kind, *, user, effective_on, note="", parent=None, into=None, name="", code="",
                 new_kind=""):
    if kind == RegionChange.Kind.MOVE:
        return move_region(region, parent, user=user, effective_on=effective_on, note=note)
    if kind == RegionChange.Kind.RENAME:
        return rename_region(region, user=user, effective_on=effective_on, name=name, code=code, kind=new_kind,
                             note=note)
    if kind == RegionChange.Kind.MERGE:
        return merge_region(region, into, user=user, effective_on=effective_on, note=note)
    if kind == RegionChange.Kind.CLOSE:
        return close_region(region, user=user, effective_on=effective_on, note=note)
    raise ValidationError({"kind": _("Unknown kind of region change.")})


def region_past(region):
    """The region's past names and parents, oldest first, from its recorded changes (for its history page)."""
    changes = list(RegionChange.objects.filter(region=region).select_related("old_parent", "new_parent")
                   .order_by("effective_on", "id"))
    names = [c.old_name for c in changes if c.kind == RegionChange.Kind.RENAME and c.old_name != c.new_name]
    parents = [c.old_parent for c in changes if c.kind == RegionChange.Kind.MOVE and c.old_parent is not None]
    return {"names": names, "parents": parents}
