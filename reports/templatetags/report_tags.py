from django import template

from ..services import person_name

register = template.Library()


@register.filter
def person(user):
    """A user's full name as printed on reports (family name first for Chinese names), else the username."""
    return person_name(user) or "—"
