from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, NaturalKeyField

from .models import CoverageLink, Election, Enterprise, PartyOrganization, Region


class RegionForm(forms.ModelForm):
    parent = NaturalKeyField(Region.objects.all(), "code", label=_("Parent region code"), required=False)

    class Meta:
        model = Region
        fields = ["code", "name", "kind", "zone_type", "parent", "valid_from", "valid_to"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["parent"] = self.instance.parent_code


class EnterpriseForm(forms.ModelForm):
    region = NaturalKeyField(Region.objects.all(), "code", label=_("Region code"))

    class Meta:
        model = Enterprise
        fields = ["uscc", "name", "region", "ownership", "industry", "employees", "scale_overridden", "scale",
                  "is_above_designated_size", "legal_rep_is_member", "legal_rep_is_secretary", "has_union",
                  "has_youth_league", "address", "founded_on"]
        widgets = {"founded_on": DateInput()}
        help_texts = {"scale": _("Derived from employees unless “scale set by hand” is ticked.")}


class CloseEnterpriseForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput())


class PartyOrganizationForm(forms.ModelForm):
    parent = NaturalKeyField(PartyOrganization.objects.all(), "code", label=_("Superior organization code"),
                             required=False)
    region = NaturalKeyField(Region.objects.all(), "code", label=_("Region code"))

    class Meta:
        model = PartyOrganization
        fields = ["code", "name", "kind", "formation_mode", "simultaneous", "parent", "region", "established_on",
                  "dissolved_on", "term_years", "secretary_name", "secretary_source", "secretary_phone",
                  "cross_appointed"]
        widgets = {"established_on": DateInput(), "dissolved_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["parent"] = self.instance.parent_code


class CoverageLinkForm(forms.ModelForm):
    enterprise = NaturalKeyField(Enterprise.objects.all(), "uscc", label=_("Enterprise USCC"))

    class Meta:
        model = CoverageLink
        fields = ["enterprise", "valid_from", "valid_to", "note"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}


class EndLinkForm(forms.Form):
    valid_to = forms.DateField(label=_("Ends on"), widget=DateInput())


class ElectionForm(forms.ModelForm):
    class Meta:
        model = Election
        fields = ["held_on", "term_years", "secretary_name", "committee_members", "note"]
        widgets = {"held_on": DateInput(), "committee_members": forms.Textarea(attrs={"rows": 2})}


# --- region changes (区划调整) -------------------------------------------------------------------

class RegionChangeForm(forms.Form):
    effective_on = forms.DateField(label=_("Effective on"), widget=DateInput())
    note = forms.CharField(label=_("Basis / note"), max_length=300, required=False,
                           help_text=_("E.g. the approving document number."))

    def change_kwargs(self):
        data = self.cleaned_data
        return {"effective_on": data["effective_on"], "note": data.get("note", "")}


class MoveRegionForm(RegionChangeForm):
    parent = NaturalKeyField(Region.objects.all(), "code", label=_("New parent region code"))
    field_order = ["parent", "effective_on", "note"]

    def change_kwargs(self):
        return {**super().change_kwargs(), "parent": self.cleaned_data["parent"]}


class RenameRegionForm(RegionChangeForm):
    name = forms.CharField(label=_("New name"), max_length=100, required=False)
    code = forms.CharField(label=_("New code (if it changes)"), max_length=32, required=False)
    new_kind = forms.ChoiceField(label=_("New kind (if it changes)"), required=False,
                                 choices=[("", "—")] + list(Region.Kind.choices))
    field_order = ["name", "code", "new_kind", "effective_on", "note"]

    def change_kwargs(self):
        data = self.cleaned_data
        return {**super().change_kwargs(), "name": data.get("name", ""), "code": data.get("code", ""),
                "new_kind": data.get("new_kind", "")}


class MergeRegionForm(RegionChangeForm):
    into = NaturalKeyField(Region.objects.all(), "code", label=_("Surviving region code"))
    field_order = ["into", "effective_on", "note"]

    def change_kwargs(self):
        return {**super().change_kwargs(), "into": self.cleaned_data["into"]}


class CloseRegionForm(RegionChangeForm):
    pass


REGION_CHANGE_FORMS = {"move": MoveRegionForm, "rename": RenameRegionForm, "merge": MergeRegionForm,
                       "close": CloseRegionForm}
