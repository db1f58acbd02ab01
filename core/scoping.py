"""Scope is security: every query made for a user goes through `visible_to(user)`.

A user's scope is a first-class property of the user (a region subtree, an organization subtree or an
instructor record), not a per-model permission. Each scoped model says, once, how it reaches a region,
an organization and an instructor (`Scope(...)` as `scope`), or overrides `scope_filter` for the odd case.
Subtrees are matched with one indexed `path LIKE 'prefix%'` on the materialized path.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

from .roles import INSTRUCTOR_ROLES, ORGANIZATION_ROLES, REGION_ROLES, Role


@dataclass(frozen=True)
class Scope:
    """Field paths from a model to the things a scope is made of. None: unreachable for that scope."""

    region: str | None = None  # path to a Region FK ("" means the model *is* Region)
    organization: str | None = None  # path to a PartyOrganization FK ("" means the model is one)
    instructor: str | None = None  # path to an Instructor FK ("" means the model is one)


def _prefix(path: str | None, field: str) -> str:
    return f"{path}__{field}" if path else field


def user_is_unrestricted(user) -> bool:
    return bool(user.is_superuser or getattr(user, "role", None) == Role.ADMIN)


def scope_q(model, user):
    """The condition selecting the rows of `model` inside `user`'s scope, or None for nothing."""
    custom = getattr(model, "scope_filter", None)
    if custom is not None:
        return custom(user)
    return default_scope_q(model.scope, user)


def default_scope_q(scope: Scope, user):
    role = getattr(user, "role", None)
    if role in REGION_ROLES and scope.region is not None and user.scope_region_id:
        return Q(**{_prefix(scope.region, "path__startswith"): user.scope_region.path})
    if role in ORGANIZATION_ROLES and scope.organization is not None and user.scope_organization_id:
        return Q(**{_prefix(scope.organization, "path__startswith"): user.scope_organization.path})
    if role in INSTRUCTOR_ROLES and scope.instructor is not None and user.scope_instructor_id:
        return Q(**{_prefix(scope.instructor, "pk" if scope.instructor == "" else "id"): user.scope_instructor_id})
    return None


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rows this user may see. Inactive, anonymous or scope-less users see nothing."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user_is_unrestricted(user):
            return self
        condition = scope_q(self.model, user)
        if condition is None:
            return self.none()
        return self.filter(condition)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


class ScopedList(list):
    """Rows a page lists, all within the viewer's scope; `hidden` counts the rows left out (never their names)."""

    hidden = 0


def visible_related(queryset, user, *relations):
    """`queryset` narrowed to rows the page may name to `user`: the rows themselves visible (when the model is
    scoped) and every object reached through `relations` (FK paths such as "enterprise" or "instructor")
    visible or empty. For the lists on detail pages: an organization's page lists the enterprises it covers
    that the viewer may see, an enterprise's page the organizations the viewer may see, and so on."""
    if user_is_unrestricted(user):
        return queryset
    if hasattr(queryset, "visible_to"):
        queryset = queryset.visible_to(user)
    model = queryset.model
    for relation in relations:
        related = model
        for part in relation.split("__"):
            related = related._meta.get_field(part).related_model
        visible = related._default_manager.visible_to(user).order_by().values("pk")
        queryset = queryset.filter(Q(**{f"{relation}__isnull": True}) | Q(**{f"{relation}__in": visible}))
    return queryset


def scoped_list(queryset, user, *relations, limit=None) -> ScopedList:
    """`visible_related(...)` as a list, with `.hidden`: how many rows of `queryset` were left out."""
    visible = visible_related(queryset, user, *relations)
    rows = ScopedList(visible[:limit] if limit else visible)
    if not user_is_unrestricted(user):
        shown = visible.order_by().count() if limit else len(rows)
        rows.hidden = max(0, queryset.order_by().count() - shown)
    return rows
