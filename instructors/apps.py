from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstructorsConfig(AppConfig):
    name = "instructors"
    verbose_name = _("Instructors")

    def ready(self):
        from core.navigation import MenuItem, register
        from core.roles import STAFF_EDIT_ROLES, STAFF_VIEW_ROLES

        group = _("Instructors")
        register(
            MenuItem(_("Instructors"), "instructors:instructor_list", STAFF_VIEW_ROLES, group, 40),
            MenuItem(_("Instructor assignments"), "instructors:assignment_list", STAFF_VIEW_ROLES, group, 41),
            MenuItem(_("Bulk assignment"), "instructors:assignment_bulk", STAFF_EDIT_ROLES, group, 42),
            MenuItem(_("Demonstration sites"), "instructors:site_list", STAFF_VIEW_ROLES, group, 43),
            MenuItem(_("Instructor meetings"), "instructors:meeting_list", STAFF_VIEW_ROLES, group, 44),
            MenuItem(_("Trainings"), "instructors:training_list", STAFF_VIEW_ROLES, group, 45),
        )
