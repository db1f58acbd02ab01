from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import NaturalKeyField, bootstrapify
from organizations.models import Region

from .services import offered_definitions, period_for_run


class ReportRunRequestForm(forms.Form):
    definition = forms.ModelChoiceField(queryset=offered_definitions(), to_field_name="code", label=_("Report"),
                                        empty_label=None)
    region = NaturalKeyField(Region.objects.all(), "code", label=_("Region code"))
    period = forms.CharField(label=_("Period"), max_length=16,
                             help_text=_("A year (2026), a quarter (2026Q3) or a month (2026-07)."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["definition"].queryset = offered_definitions()
        if user is not None:
            self.fields["region"].queryset = Region.objects.visible_to(user)
        bootstrapify(self)

    def clean_period(self):
        try:
            return period_for_run(self.cleaned_data["period"]).code
        except ValidationError as error:
            raise ValidationError(error.message_dict["period"]) from error
