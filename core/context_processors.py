from .navigation import menu_for
from .roles import REGION_STAFF_ROLES, Role
from .scoping import user_is_unrestricted


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": []}
    region_staff = user_is_unrestricted(user) or user.role in REGION_STAFF_ROLES
    return {
        "nav_menu": menu_for(user),
        # The user menu's extras, for those who can use them: jobs are started by region staff; the API
        # documentation is for region staff and the statistics client, not for secretaries or instructors.
        "nav_show_jobs": region_staff,
        "nav_show_api_docs": region_staff or user.role == Role.STATS_CLIENT,
    }
