import re

from django import forms
from django.utils.translation import gettext_lazy


def bootstrapify(form):
    """Give every widget the Bootstrap 5 class it needs (forms and filter forms alike)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
            # Django puts the widget's class on the wrapper too; this template wraps each choice in .form-check.
            widget.template_name = "core/widgets/choice_list.html"
            css = "form-check-input"
        elif isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select form-select-sm"
        else:
            css = "form-control form-control-sm"
        if isinstance(widget, MonthInput):
            pass  # YYYY-MM, not a date
        elif isinstance(widget, forms.DateInput) or getattr(widget, "input_type", "") == "date":
            widget.input_type = "date"
        existing = widget.attrs.get("class", "")
        if css not in existing:
            widget.attrs["class"] = f"{existing} {css}".strip()
    return form


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 - Django's own argument name
        super().__init__(attrs=attrs, format=format)


class MonthInput(forms.DateInput):
    """`<input type="month">`: the browser's month picker, value YYYY-MM."""

    input_type = "month"

    def __init__(self, attrs=None, format="%Y-%m"):  # noqa: A002 - Django's own argument name
        super().__init__(attrs=attrs, format=format)


class MonthField(forms.DateField):
    """A month, typed or picked as YYYY-MM (a full date is accepted too); cleaned to the month's first day."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


# (model label, natural key) pairs a NaturalKeyField offers: the only ones the picker search answers.
PICKABLE = {}


def pickable_key(model, to_field_name):
    return f"{model._meta.label_lower}.{to_field_name}"


class PickerInput(forms.TextInput):
    """A searchable picker for a natural key: the user types a name or code and picks from the suggestions
    of `core:pick` (scoped to the user, static/js/picker.js); the submitted value stays the natural key, so
    a code typed by hand still works (and nothing changes for the API)."""

    template_name = "core/widgets/picker.html"

    def __init__(self, attrs=None, pick_key=None):
        super().__init__(attrs)
        self.pick_key = pick_key

    def get_context(self, name, value, attrs):
        from django.urls import reverse  # noqa: PLC0415

        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.setdefault("autocomplete", "off")
        widget_attrs.setdefault("placeholder", gettext_lazy("Type a name or code, then pick"))
        widget_attrs["data-picker"] = reverse("core:pick", args=[self.pick_key])
        context["widget"]["chosen_label"] = getattr(self, "chosen_label", "")
        return context


class NaturalKeyField(forms.CharField):
    """Pick a related object by its natural key (region code, USCC, organization code) instead of a huge
    dropdown: a searchable picker (`PickerInput`, server-side search in the user's scope). The form's view
    narrows `queryset` to the user's scope (`restrict_form_fields`), so an out-of-scope key reads as unknown."""

    def __init__(self, queryset, to_field_name, *args, **kwargs):
        self.queryset = queryset
        self.to_field_name = to_field_name
        key = pickable_key(queryset.model, to_field_name)
        PICKABLE.setdefault(key, (queryset.model, to_field_name))
        kwargs.setdefault("widget", PickerInput(pick_key=key))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if hasattr(value, self.to_field_name):
            return getattr(value, self.to_field_name)
        if isinstance(value, int):
            obj = self.queryset.model._default_manager.filter(pk=value).first()
            return getattr(obj, self.to_field_name, value) if obj else value
        return value

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return self.queryset.get(**{self.to_field_name: value.strip()})
        except self.queryset.model.DoesNotExist as exc:
            from django.utils.translation import gettext as _  # noqa: PLC0415

            raise forms.ValidationError(
                _("No %(model)s with %(key)s “%(value)s” in your scope.") % {
                    "model": self.queryset.model._meta.verbose_name, "key": self.label or self.to_field_name,
                    "value": value},
                code="unknown",
            ) from exc


class MultiPickerInput(PickerInput):
    """PickerInput for several objects (a ModelMultipleChoiceField): the keys picked one after another stand in
    the box separated by commas (picker.js appends each), and are submitted as the list the field expects."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-picker-multiple"] = "1"
        return context

    def format_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value if v not in (None, ""))
        return super().format_value(value)

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [key for text in values if text for key in re.split(r"[,，、;；\s]+", str(text)) if key]


class SearchableSelect(forms.Select):
    """A dropdown with a search box above it (static/js/picker.js filters its options as the user types):
    for the few hundred choices of a scoped list, e.g. introducers."""

    def __init__(self, attrs=None, choices=()):
        attrs = {"data-searchable": "true", "data-search-placeholder": gettext_lazy("Search by name, ID tail or organization"),
                 **(attrs or {})}
        super().__init__(attrs, choices)


class MemberChoiceField(forms.ModelChoiceField):
    """A member picked by name, told apart from namesakes by the ID number's last four digits (masked) and
    the organization. Give it a queryset with `select_related("organization")`."""

    widget = SearchableSelect

    def label_from_instance(self, obj):
        from django.utils.translation import gettext as _  # noqa: PLC0415

        organization = obj.organization.name if obj.organization_id else ""
        return _("%(name)s (ID …%(tail)s) · %(organization)s") % {
            "name": obj.name, "tail": (obj.id_number or "")[-4:] or "—", "organization": organization}
