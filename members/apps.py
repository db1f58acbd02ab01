from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from django.db.models.signals import post_save

        from core.navigation import MenuItem, register

        from .models import Member
        from .spans import follow_row

        def keep_spans(sender, instance, created, raw=False, **kwargs):
            # what a save writes holds from `facts_on` (the services set the event's date), else from today
            if not raw:
                follow_row(instance, instance.__dict__.pop("facts_on", None), created=created)

        post_save.connect(keep_spans, sender=Member, dispatch_uid="members.keep_spans")
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
