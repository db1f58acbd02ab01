from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organizations")

    def ready(self):
        from core.navigation import MenuItem, register
        from core.roles import STAFF_EDIT_ROLES, STAFF_VIEW_ROLES

        group = _("Register")
        register(
            MenuItem(_("Regions"), "organizations:region_list", STAFF_VIEW_ROLES, group, 20),
            MenuItem(_("Enterprises"), "organizations:enterprise_list", STAFF_VIEW_ROLES, group, 21),
            MenuItem(_("Party organizations"), "organizations:organization_list", STAFF_VIEW_ROLES, group, 22),
            MenuItem(_("Coverage links"), "organizations:coverage_link_list", STAFF_VIEW_ROLES, group, 23),
            MenuItem(_("Data-quality warnings"), "organizations:warnings", STAFF_EDIT_ROLES | {"region_viewer"}, group, 24),
            MenuItem(_("Secretaries"), "organizations:secretary_list", STAFF_VIEW_ROLES, group, 25),
            MenuItem(_("Leadership bodies"), "organizations:leadership_body_list", STAFF_VIEW_ROLES, group, 26),
            MenuItem(_("Two-way entry (posts)"), "organizations:enterprise_post_list", STAFF_VIEW_ROLES, group, 27),
        )
