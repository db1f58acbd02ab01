from django import forms


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
        if isinstance(widget, forms.DateInput) or getattr(widget, "input_type", "") == "date":
            widget.input_type = "date"
        existing = widget.attrs.get("class", "")
        if css not in existing:
            widget.attrs["class"] = f"{existing} {css}".strip()
    return form


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 - Django's own argument name
        super().__init__(attrs=attrs, format=format)


class NaturalKeyField(forms.CharField):
    """Pick a related object by its natural key (region code, USCC, organization code) instead of a huge
    dropdown. The form's view narrows `queryset` to the user's scope (`restrict_form_fields`), so an
    out-of-scope key reads as unknown."""

    def __init__(self, queryset, to_field_name, *args, **kwargs):
        self.queryset = queryset
        self.to_field_name = to_field_name
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
