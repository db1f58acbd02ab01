from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import NaturalKeyField, bootstrapify
from organizations.models import Region

from core.periods import just_ended, parse_period

from .models import ReportingUnit
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


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class ReportingUnitForm(forms.ModelForm):
    class Meta:
        model = ReportingUnit
        fields = ["head", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class ApprovalsQueryForm(forms.Form):
    definition = forms.ModelChoiceField(queryset=offered_definitions(), to_field_name="code", label=_("Report"),
                                        empty_label=None)
    period = forms.CharField(label=_("Period"), max_length=16,
                             help_text=_("A year (2026), a quarter (2026Q3) or a month (2026-07)."))
    region = forms.CharField(label=_("Region code"), max_length=32, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["definition"].queryset = offered_definitions()
        if not self.is_bound:
            first = offered_definitions().filter(period_type="yearly").first() or offered_definitions().first()
            if first is not None:
                self.initial.setdefault("definition", first.code)
                from django.utils import timezone  # noqa: PLC0415

                self.initial.setdefault("period", just_ended(timezone.localdate(), first.period_type).code)
            if user is not None and user.scope_region_id:
                self.initial.setdefault("region", user.scope_region.code)
        bootstrapify(self)

    def clean_period(self):
        try:
            return parse_period(self.cleaned_data["period"])
        except ValidationError as error:
            raise ValidationError(error.messages) from error
