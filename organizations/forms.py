from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, NaturalKeyField

from django.apps import apps

from .models import (CoverageLink, DualTraining, Election, Enterprise, EnterprisePost, LeadershipBody, LeadershipBodyUnit,
                     PartyOrganization, Region, Secretary, SecretaryAppointment, SecretaryTraining, SelectionBatch)


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
                  "cross_appointed", "supervising_body"]
        widgets = {"established_on": DateInput(), "dissolved_on": DateInput()}
        help_texts = {"secretary_name": _("Kept in step with the current secretary once appointments are recorded "
                                          "(secretaries' pages).")}

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



# --- secretaries, leadership bodies, posts -------------------------------------------------------

class RecordIdField(NaturalKeyField):
    """A record picked by its number (id), within the user's scope like any natural key."""

    def clean(self, value):
        if value not in (None, "") and not str(value).strip().isdigit():
            raise forms.ValidationError(_("Give the record's number (digits)."), code="invalid")
        return super().clean(value)


def _member_field(label):
    return RecordIdField(apps.get_model("members", "Member").objects.all(), "pk", label=label, required=False,
                         help_text=_("The number (ID) of the member's record in the register, where there is one."))


class SelectionBatchForm(forms.ModelForm):
    region = NaturalKeyField(Region.objects.all(), "code", label=_("Region code"))

    class Meta:
        model = SelectionBatch
        fields = ["region", "name", "selected_on", "note"]
        widgets = {"selected_on": DateInput()}


class SecretaryForm(forms.ModelForm):
    region = NaturalKeyField(Region.objects.all(), "code", label=_("Managing region code"))

    class Meta:
        model = Secretary
        fields = ["region", "name", "source", "member", "phone", "unit", "batch"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"] = _member_field(_("Member record (ID)"))


class SecretaryAppointmentForm(forms.ModelForm):
    organization = NaturalKeyField(PartyOrganization.objects.all(), "code", label=_("Organization code"))

    class Meta:
        model = SecretaryAppointment
        fields = ["organization", "role", "appointed_on", "ended_on", "note"]
        widgets = {"appointed_on": DateInput(), "ended_on": DateInput()}


class EndAppointmentForm(forms.Form):
    ended_on = forms.DateField(label=_("Ends on"), widget=DateInput())


class SecretaryTrainingForm(forms.ModelForm):
    class Meta:
        model = SecretaryTraining
        fields = ["course", "provider", "held_on", "hours"]
        widgets = {"held_on": DateInput()}


class LeadershipBodyForm(forms.ModelForm):
    region = NaturalKeyField(Region.objects.all(), "code", label=_("Region code"))

    class Meta:
        model = LeadershipBody
        fields = ["region", "name", "kind", "industry", "head", "established_on", "dissolved_on", "note"]
        widgets = {"established_on": DateInput(), "dissolved_on": DateInput()}


class LeadershipBodyUnitForm(forms.ModelForm):
    class Meta:
        model = LeadershipBodyUnit
        fields = ["kind", "name", "duty", "joined_on"]
        widgets = {"joined_on": DateInput()}


class EnterprisePostForm(forms.ModelForm):
    class Meta:
        model = EnterprisePost
        fields = ["person_name", "post", "level", "is_member", "member", "on_party_committee", "started_on",
                  "ended_on"]
        widgets = {"started_on": DateInput(), "ended_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"] = _member_field(_("Member record (ID)"))


class DualTrainingForm(forms.ModelForm):
    class Meta:
        model = DualTraining
        fields = ["person_name", "track", "started_on", "outcome", "achieved_on", "applicant", "member", "note"]
        widgets = {"started_on": DateInput(), "achieved_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"] = _member_field(_("Member record (ID)"))
        self.fields["applicant"] = RecordIdField(
            apps.get_model("members", "Applicant").objects.all(), "pk", label=_("Applicant record (ID)"),
            required=False, help_text=_("For backbone staff trained into members: their application's number (ID)."))
