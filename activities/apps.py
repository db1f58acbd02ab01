from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        from core.navigation import MenuItem, register
        from core.roles import STAFF_EDIT_ROLES, STAFF_VIEW_ROLES, Role

        filing = STAFF_EDIT_ROLES | {Role.BRANCH_SECRETARY}
        group = _("Organizational life")
        # Organization life is kept by organizations: an instructor's scope reaches none of these records.
        readers = STAFF_VIEW_ROLES - {Role.INSTRUCTOR}
        register(
            MenuItem(_("To do"), "activities:home", filing, group, 50),
            MenuItem(_("Activity records"), "activities:record_list", readers, group, 51),
            MenuItem(_("Activity compliance"), "activities:compliance", readers, group, 52),
            MenuItem(_("Suggestions"), "activities:suggestion_list", readers, group, 53),
            MenuItem(_("Checklist results (five ones)"), "activities:checklist_result_list", readers, group, 54),
            MenuItem(_("Organization assessment results"), "activities:assessment_result_list", readers,
                     group, 55),
            MenuItem(_("Activity funds"), "activities:fund_overview", STAFF_VIEW_ROLES, group, 56),
            MenuItem(_("Fund spendings"), "activities:fund_spending_list", STAFF_VIEW_ROLES, group, 57),
            MenuItem(_("Pairings and co-construction"), "activities:pairing_list", STAFF_VIEW_ROLES, group, 58),
        )
