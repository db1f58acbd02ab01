from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organizations")

    def ready(self):
        from core.navigation import MenuItem, register
        from core.roles import REGION_STAFF_ROLES, STAFF_EDIT_ROLES, STAFF_VIEW_ROLES, Role

        group = _("Register")
        register(
            # Regions are browsed by region staff only (a secretary's or instructor's scope is no region).
            MenuItem(_("Regions"), "organizations:region_list", REGION_STAFF_ROLES, group, 20),
            MenuItem(_("Enterprises"), "organizations:enterprise_list", STAFF_VIEW_ROLES, group, 21),
            MenuItem(_("Party organizations"), "organizations:organization_list", STAFF_VIEW_ROLES - {Role.INSTRUCTOR},
                     group, 22),
            MenuItem(_("Coverage links"), "organizations:coverage_link_list", REGION_STAFF_ROLES, group, 23),
            MenuItem(_("Data-quality warnings"), "organizations:warnings", STAFF_EDIT_ROLES | {"region_viewer"}, group, 24),
            MenuItem(_("Secretaries"), "organizations:secretary_list", STAFF_VIEW_ROLES, group, 25),
            MenuItem(_("Leadership bodies"), "organizations:leadership_body_list", STAFF_VIEW_ROLES, group, 26),
            MenuItem(_("Two-way entry (posts)"), "organizations:enterprise_post_list", STAFF_VIEW_ROLES, group, 27),
        )
