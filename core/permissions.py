"""DRF permission and pagination classes (kept apart from core.api: DRF settings import them early)."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import STAFF_EDIT_ROLES, STAFF_VIEW_ROLES
from .scoping import user_is_unrestricted


class PortalPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000


class RolePermission(BasePermission):
    """Reads need the view's `view_roles`, writes its `edit_roles` (admins may do everything)."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated or not user.is_active:
            return False
        if user_is_unrestricted(user):
            return True
        roles = getattr(view, "view_roles", STAFF_VIEW_ROLES)
        if request.method not in SAFE_METHODS:
            roles = getattr(view, "edit_roles", STAFF_EDIT_ROLES)
        return user.role in roles
