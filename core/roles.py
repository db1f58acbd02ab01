"""Roles and what each may do. The one place that says which role may read or write what."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    REGION_EDITOR = "region_editor", _("Region editor")
    REGION_VIEWER = "region_viewer", _("Region viewer")
    BRANCH_SECRETARY = "branch_secretary", _("Branch secretary")
    INSTRUCTOR = "instructor", _("Instructor")
    STATS_CLIENT = "stats_client", _("Statistics API client")


# Which kind of scope each role carries.
REGION_ROLES = {Role.REGION_EDITOR, Role.REGION_VIEWER, Role.STATS_CLIENT}
ORGANIZATION_ROLES = {Role.BRANCH_SECRETARY}
INSTRUCTOR_ROLES = {Role.INSTRUCTOR}

# Defaults for register resources (enterprises, organizations, members, ...). A view or viewset may
# narrow or widen them with its own `view_roles` / `edit_roles`.
STAFF_VIEW_ROLES = frozenset({Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER, Role.BRANCH_SECRETARY, Role.INSTRUCTOR})
STAFF_EDIT_ROLES = frozenset({Role.ADMIN, Role.REGION_EDITOR})
# An organization's own records (its member register, its activity records): editors plus the branch
# secretary of that organization (scope keeps the secretary to it).
BRANCH_EDIT_ROLES = frozenset(STAFF_EDIT_ROLES | {Role.BRANCH_SECRETARY})
# Region staff: the people whose scope is a region (admins included). Region pages, coverage links, the
# instructors' meetings and trainings are theirs; a secretary or an instructor would only see empty lists.
REGION_STAFF_ROLES = frozenset({Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER})
# Statistics and reports: staff plus the read-only API client.
STATISTICS_ROLES = frozenset(STAFF_VIEW_ROLES | {Role.STATS_CLIENT})
