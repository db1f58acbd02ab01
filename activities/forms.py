from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, NaturalKeyField
from organizations.models import Enterprise, PartyOrganization

from .models import (
    ActivityRecord,
    AssessmentResult,
    ChecklistResult,
    FundIncome,
    FundSpending,
    Pairing,
    PairingResult,
    Suggestion,
)


class ActivityRecordForm(forms.ModelForm):
    organization = NaturalKeyField(PartyOrganization.objects.all(), "code", label=_("Organization code"))

    class Meta:
        model = ActivityRecord
        fields = ["organization", "kind", "held_on", "place", "topic", "host", "recorder", "minutes"]
        widgets = {"held_on": DateInput(), "minutes": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Attendance: one checkbox per member of the organization (checked = present) and a reason field.
        self.members = list(members)
        existing = {row.member_id: row for row in self.instance.attendance.all()} if self.instance.pk else {}
        self.attendance_rows = []
        for member in self.members:
            row = existing.get(member.pk)
            if self.is_bound:
                present = self.data.get(f"present_{member.pk}") == "on"
                reason = self.data.get(f"reason_{member.pk}", "")
            else:
                present = row.present if row else True
                reason = row.absence_reason if row else ""
            self.attendance_rows.append({"member": member, "present": present, "reason": reason})

    def attendance_entries(self):
        """None when the page showed no members (attendance left as it is)."""
        if not self.members:
            return None
        return [{"member": row["member"].pk, "present": row["present"], "absence_reason": row["reason"]}
                for row in self.attendance_rows]


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reason for return"), widget=forms.Textarea(attrs={"rows": 3}))


class EmptyForm(forms.Form):
    pass


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("JPEG, PNG, PDF, Word (.docx) or Excel (.xlsx), at most 10 MB."))


class SuggestionForm(forms.ModelForm):
    organization = NaturalKeyField(PartyOrganization.objects.all(), "code", label=_("Organization code"))
    enterprise = NaturalKeyField(Enterprise.objects.all(), "uscc", label=_("Enterprise USCC"), required=False)

    class Meta:
        model = Suggestion
        fields = ["organization", "enterprise", "raised_by", "raised_on", "content", "accepted", "benefit_yuan"]
        widgets = {"raised_on": DateInput(), "content": forms.Textarea(attrs={"rows": 4})}


class ChecklistResultForm(forms.ModelForm):
    organization = NaturalKeyField(PartyOrganization.objects.all(), "code", label=_("Organization code"))

    class Meta:
        model = ChecklistResult
        fields = ["organization", "item", "year", "met", "note"]


class AssessmentResultForm(forms.ModelForm):
    organization = NaturalKeyField(PartyOrganization.objects.all(), "code", label=_("Organization code"))

    class Meta:
        model = AssessmentResult
        fields = ["organization", "enterprise", "scheme", "year", "rating", "aspects_met", "evidence"]
        widgets = {"aspects_met": forms.CheckboxSelectMultiple, "evidence": forms.Textarea(attrs={"rows": 4})}

    enterprise = NaturalKeyField(Enterprise.objects.all(), "uscc", label=_("Enterprise USCC (plaque)"),
                                 required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].required = False
        self.fields["rating"].help_text = _("Left empty: given by the scheme's rating rules from the aspects met.")

    def clean(self):
        from django.core.exceptions import ValidationError  # noqa: PLC0415

        from .services import rating_for

        data = super().clean()
        aspects = data.get("aspects_met") or []
        scheme = data.get("scheme")
        wrong = [a.name for a in aspects if scheme is not None and a.scheme_id != scheme.pk]
        if wrong:
            self.add_error("aspects_met", _("These aspects belong to another scheme: %(names)s.") % {
                "names": "、".join(wrong)})
        elif not data.get("rating") and scheme is not None:
            try:
                data["rating"] = rating_for(scheme, aspects)
            except ValidationError as error:
                self.add_error("rating", error.message_dict["rating"])
            else:
                self.instance.rating = data["rating"]
        return data


class FundIncomeForm(forms.ModelForm):
    organization = NaturalKeyField(PartyOrganization.objects.all(), "code", label=_("Organization code"))

    class Meta:
        model = FundIncome
        fields = ["organization", "year", "source", "amount_yuan", "received_on", "note"]
        widgets = {"received_on": DateInput()}


class FundSpendingForm(forms.ModelForm):
    organization = NaturalKeyField(PartyOrganization.objects.all(), "code", label=_("Organization code"))

    class Meta:
        model = FundSpending
        fields = ["organization", "spent_on", "amount_yuan", "purpose", "payee"]
        widgets = {"spent_on": DateInput()}


class PairingForm(forms.ModelForm):
    organization = NaturalKeyField(PartyOrganization.objects.all(), "code", label=_("Organization code"))
    partner_organization = NaturalKeyField(PartyOrganization.objects.all(), "code",
                                           label=_("Partner organization code"), required=False)

    class Meta:
        model = Pairing
        fields = ["organization", "kind", "partner_organization", "partner_name", "started_on", "ended_on",
                  "content"]
        widgets = {"started_on": DateInput(), "ended_on": DateInput(), "content": forms.Textarea(attrs={"rows": 3})}


class PairingResultForm(forms.ModelForm):
    class Meta:
        model = PairingResult
        fields = ["year", "activities_held", "projects", "evaluation", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}
