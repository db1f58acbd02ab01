from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from core.navigation import MenuItem, register
        from core.roles import STAFF_VIEW_ROLES, Role

        # instructors' scope is their assignments: the register is not theirs to browse
        readers = STAFF_VIEW_ROLES - {Role.INSTRUCTOR}
        group = _("Members")
        register(
            MenuItem(_("Party members"), "members:member_list", readers, group, 30),
            MenuItem(_("Transfers"), "members:transfer_list", readers, group, 31),
            MenuItem(_("Floating members"), "members:floating_list", readers, group, 32),
            MenuItem(_("Dues payments"), "members:dues_list", readers, group, 33),
            MenuItem(_("Member balance"), "members:balance", readers, group, 34),
            MenuItem(_("Development pipeline"), "members:applicant_list", readers, group, 35),
            MenuItem(_("Pipeline reminders"), "members:reminders", readers, group, 36),
        )
