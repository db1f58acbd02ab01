"""Filters shared by every FilterSet (pages and API use the same FilterSet classes)."""

import django_filters
from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


class YesNoAllSelect(forms.NullBooleanSelect):
    """A yes/no filter whose empty choice reads "All" (Django's own reads "Unknown", which confuses users)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]


class YesNoFilter(django_filters.BooleanFilter):
    """`?x=true` / `?x=false` (also True/False/2/3 as Django accepts); empty means no filter."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoAllSelect)
        super().__init__(*args, **kwargs)


def _scoped(model_label):
    def queryset(request):
        model = apps.get_model(model_label)
        if request is None:
            return model._default_manager.all()
        return model._default_manager.visible_to(request.user)

    return queryset


@extend_schema_field(OpenApiTypes.STR)
class SubtreeFilter(django_filters.ModelChoiceFilter):
    """`?region=<code>`: rows whose `field_name` (a Region/PartyOrganization FK path) lies in that node's
    subtree — one indexed `path LIKE 'prefix%'`. Only nodes the caller may see are accepted."""

    def __init__(self, *args, model_label="organizations.Region", **kwargs):
        kwargs.setdefault("queryset", _scoped(model_label))
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("null_label", None)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        prefix = f"{self.field_name}__" if self.field_name else ""
        return qs.filter(**{f"{prefix}path__startswith": value.path})


@extend_schema_field(OpenApiTypes.STR)
class NaturalKeyFilter(django_filters.ModelChoiceFilter):
    """`?enterprise=<uscc>` / `?organization=<code>`: exact object by natural key, scoped to the caller."""

    def __init__(self, *args, model_label, to_field_name, **kwargs):
        kwargs.setdefault("queryset", _scoped(model_label))
        kwargs["to_field_name"] = to_field_name
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class SearchFilter(django_filters.CharFilter):
    """`?q=text`: case-insensitive match on any of `fields`."""

    def __init__(self, *args, fields=(), **kwargs):
        self.search_fields = fields
        kwargs.setdefault("label", _("Search"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        from django.db.models import Q  # noqa: PLC0415

        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value.strip()})
        return qs.filter(condition)


class IdFilter(django_filters.NumberFilter):
    """`?member=<id>`: an object id. Out-of-range numbers are a 400 with a message, never a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)
