from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from core.navigation import MenuItem, register
        from core.roles import STAFF_VIEW_ROLES

        group = _("Members")
        register(
            MenuItem(_("Party members"), "members:member_list", STAFF_VIEW_ROLES, group, 30),
            MenuItem(_("Transfers"), "members:transfer_list", STAFF_VIEW_ROLES, group, 31),
            MenuItem(_("Floating members"), "members:floating_list", STAFF_VIEW_ROLES, group, 32),
            MenuItem(_("Dues payments"), "members:dues_list", STAFF_VIEW_ROLES, group, 33),
            MenuItem(_("Member balance"), "members:balance", STAFF_VIEW_ROLES, group, 34),
            MenuItem(_("Development pipeline"), "members:applicant_list", STAFF_VIEW_ROLES, group, 35),
            MenuItem(_("Pipeline reminders"), "members:reminders", STAFF_VIEW_ROLES, group, 36),
        )
