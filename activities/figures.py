"""Figures per region for the organization-life registers (funds, pairings, ratings): one grouped query
breaks a region down into its child regions, whatever the number of rows below (set-based, never a loop
over organizations)."""

from django.db.models.functions import Substr
from django.http import Http404

from core.scoping import user_is_unrestricted
from organizations.models import Region


def figures_region(user, code):
    """The region a figures block breaks down: `?region=<code>` (404 when out of scope), else the user's
    scope region, else the root for administrators; None for users without a region (secretaries,
    instructors), who see only their own totals."""
    if code:
        region = Region.objects.visible_to(user).filter(code=code).first()
        if region is None:
            raise Http404
        return region
    if user.scope_region_id:
        return user.scope_region
    if user_is_unrestricted(user):
        return Region.objects.get_first_root_node()
    return None


def breakdown(queryset, region_path, region, group_by=(), **aggregates):
    """Lines per child region of `region` (and one for what is registered in `region` itself) of the
    `aggregates` over `queryset`, optionally split by the `group_by` fields: {"region", "own", "groups":
    {group values: {aggregate: value}}}. `region_path` is the path of the row's region ("organization__
    region__path")."""
    step = len(region.path) + Region.steplen
    rows = (queryset.filter(**{f"{region_path}__startswith": region.path}).order_by()
            .annotate(under=Substr(region_path, 1, step)).values("under", *group_by).annotate(**aggregates))
    children = list(Region.objects.filter(path__startswith=region.path, depth=region.depth + 1).order_by("path"))
    lines = {child.path: {"region": child, "own": False, "groups": {}} for child in children}
    own = {"region": region, "own": True, "groups": {}}
    for row in rows:
        line = own if row["under"] == region.path else lines.get(row["under"])
        if line is None:
            continue
        key = tuple(row[g] for g in group_by) if len(group_by) != 1 else row[group_by[0]]
        line["groups"][key] = {name: row[name] for name in aggregates}
    result = list(lines.values())
    if own["groups"]:
        result.insert(0, own)
    return result
