from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstructorsConfig(AppConfig):
    name = "instructors"
    verbose_name = _("Instructors")

    def ready(self):
        from core.navigation import MenuItem, register
        from core.roles import REGION_STAFF_ROLES, STAFF_EDIT_ROLES, Role

        group = _("Instructors")
        # What each role can use: an instructor sees its own record and assignments (its home lists them);
        # a secretary only its organization's demonstration site; meetings and trainings are region work.
        register(
            MenuItem(_("My enterprises and visits"), "instructors:home", frozenset({Role.INSTRUCTOR}), "", 39),
            MenuItem(_("Instructors"), "instructors:instructor_list", REGION_STAFF_ROLES | {Role.INSTRUCTOR}, group, 40),
            MenuItem(_("Instructor assignments"), "instructors:assignment_list", REGION_STAFF_ROLES | {Role.INSTRUCTOR},
                     group, 41),
            MenuItem(_("Bulk assignment"), "instructors:assignment_bulk", STAFF_EDIT_ROLES, group, 42),
            MenuItem(_("Demonstration sites"), "instructors:site_list", REGION_STAFF_ROLES | {Role.BRANCH_SECRETARY},
                     group, 43),
            MenuItem(_("Instructor meetings"), "instructors:meeting_list", REGION_STAFF_ROLES, group, 44),
            MenuItem(_("Trainings"), "instructors:training_list", REGION_STAFF_ROLES, group, 45),
        )
