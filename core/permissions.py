"""DRF permission and pagination classes (kept apart from core.api: DRF settings import them early)."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import STAFF_EDIT_ROLES, STAFF_VIEW_ROLES
from .scoping import user_is_unrestricted


class PortalPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000


class WindowCountPagination(PortalPagination):
    """The same pages and answer, but the total comes with the page (`COUNT(*) OVER ()`): one statement
    instead of a COUNT and a page query — for lists whose WHERE clause is the expensive part (drill-downs).
    Only an empty page (beyond the end, or an empty list) costs a separate COUNT."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:  # `?page=last`, as DRF's own pagination allows
            raw = str(max(1, -(-queryset.count() // page_size)))
        number = int(raw) if raw.isdigit() else 0
        if number < 1:
            raise NotFound(_("Invalid page."))
        start = (number - 1) * page_size
        rows = list(queryset.annotate(_total=Window(Count("*")))[start:start + page_size])
        if not rows and number > 1:
            raise NotFound(_("Invalid page."))
        count = rows[0].pop("_total") if rows else queryset.count()
        for row in rows[1:]:
            del row["_total"]
        paginator = Paginator([], page_size)
        paginator.count = count  # a cached_property: set here, never computed
        self.page = Page(rows, number, paginator)
        return rows


class KnownCountPaginator(Paginator):
    """A paginator told the list's length (`count`) instead of counting it: pages are LIMIT/OFFSET only."""

    def __init__(self, object_list, per_page, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count  # a cached_property: set here, never computed


class KnownCountPagination(PortalPagination):
    """The same pages and answer as PortalPagination for a list whose length is already known (a drill-down
    whose fresh snapshot holds the figure): only the page query runs, no COUNT and no window count."""

    def __init__(self, count: int):
        self.known_count = count

    def django_paginator_class(self, object_list, per_page):
        return KnownCountPaginator(object_list, per_page, self.known_count)


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
