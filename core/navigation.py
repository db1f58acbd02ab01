"""The navigation menu. Each app registers its entries in its AppConfig.ready(); base.html just renders them.

An entry is shown to a user when their role is in `roles` (admins and superusers see everything).
"""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from .roles import Role


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    roles: frozenset = field(default_factory=frozenset)
    group: str = ""
    order: int = 100


_registry: list[MenuItem] = []


def register(*items: MenuItem) -> None:
    for item in items:
        if item not in _registry:
            _registry.append(item)


def menu_for(user):
    """Groups of (label, [(label, url)]) in order, for this user's role."""
    groups: dict[str, list] = {}
    group_order: dict[str, int] = {}
    for item in sorted(_registry, key=lambda i: (i.order, str(i.label))):
        if not (user.is_superuser or user.role == Role.ADMIN or user.role in item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        key = str(item.group)
        groups.setdefault(key, []).append({"label": item.label, "url": url, "url_name": item.url_name})
        group_order.setdefault(key, item.order)
    return [{"label": g, "items": groups[g]} for g in sorted(groups, key=lambda g: group_order[g])]
