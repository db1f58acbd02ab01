from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, MemberChoiceField, MonthField, NaturalKeyField, PickerInput, pickable_key
from core.masking import check_id_number_free
from organizations.models import Enterprise, PartyOrganization

from .models import ActivistAssessment, Applicant, DuesBand, FloatingRecord, IncomeBase, Member, MemberEvent


class PersonFormMixin:
    """A member's or applicant's form: sensitive fields (ID number, phone, birth date) are not offered for
    editing to a user who may not see them, and a duplicate ID number is answered as core.masking says."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk and user is not None and not user.sees_sensitive:
            for name in self._meta.model.sensitive_fields:
                self.fields.pop(name, None)

    def validate_unique(self):
        exclude = set(self._get_validation_exclusions()) | {"id_number"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)
        if "id_number" in self.fields and not self.has_error("id_number"):
            try:
                check_id_number_free(self.user, self._meta.model, self.instance.id_number,
                                     exclude_pk=self.instance.pk)
            except forms.ValidationError as error:
                self._update_errors(error)


class MemberForm(PersonFormMixin, forms.ModelForm):
    organization = NaturalKeyField(PartyOrganization.objects.all(), "code", label=_("Organization code"))
    employer = NaturalKeyField(Enterprise.objects.all(), "uscc", label=_("Employer USCC"), required=False)

    class Meta:
        model = Member
        fields = ["name", "id_number", "gender", "birth_date", "ethnicity", "phone", "education", "organization",
                  "employer", "standing", "category", "joined_on", "full_on"]
        widgets = {"birth_date": DateInput(), "joined_on": DateInput(), "full_on": DateInput()}
        help_texts = {"birth_date": _("Derived from the ID number when left empty."),
                      "gender": _("Derived from the ID number when left empty.")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk:
            # organization and standing change only through events (transfer, conversion …)
            for name in ("organization", "standing"):
                self.fields.pop(name)


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=[("", "---------"), *MemberEvent.Kind.choices])
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    organization = NaturalKeyField(PartyOrganization.objects.all(), "code", required=False,
                                   label=_("Organization code (moves, transfers and additions)"))
    counterpart = forms.CharField(label=_("Organization outside the system"), max_length=200, required=False)
    employer = NaturalKeyField(Enterprise.objects.all(), "uscc", required=False,
                               label=_("New employer USCC (change of employer; empty: none)"))
    probation_ends_on = forms.DateField(label=_("Probation extended until"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("Reason / sub-type"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    # The picker suggests the organizations of the user's own scope (a transfer within the region, the common
    # case); the code of one elsewhere is typed, and accepted (a transfer crosses scopes by nature).
    to_organization = forms.CharField(
        label=_("To organization (code, in the system)"), required=False,
        widget=PickerInput(pick_key=pickable_key(PartyOrganization, "code")),
        help_text=_("Pick one of your region's organizations by name, or type the code of one elsewhere."))
    to_external = forms.CharField(label=_("Or to an organization outside the system (name)"), max_length=200,
                                  required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput(),
                                  help_text=_("Default: three months after issue."))
    letter_number = forms.CharField(label=_("Letter number"), max_length=40, required=False,
                                    help_text=_("Numbered automatically when left empty."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_to_organization(self):
        code = self.cleaned_data.get("to_organization", "").strip()
        if not code:
            return None
        try:
            # the receiving organization may lie in any region: a transfer crosses scopes by nature
            return PartyOrganization.objects.get(code=code)
        except PartyOrganization.DoesNotExist as exc:
            raise forms.ValidationError(_("No organization with code “%(code)s”.") % {"code": code}) from exc


class DateForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())


class FloatingForm(forms.ModelForm):
    class Meta:
        model = FloatingRecord
        fields = ["destination", "left_on", "expected_return_on", "document_kind", "document_number",
                  "host_organization", "last_contact_on"]
        widgets = {"left_on": DateInput(), "expected_return_on": DateInput(), "last_contact_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_kind"].required = False
        self.fields["document_kind"].help_text = _("Chosen by the time away when left empty.")


class PaymentForm(forms.Form):
    month = MonthField(label=_("Month"))
    amount = forms.DecimalField(label=_("Amount (yuan)"), required=False, max_digits=8, decimal_places=2,
                                help_text=_("Computed from the income base and the band table when left empty."))
    paid_on = forms.DateField(label=_("Paid on"), required=False, widget=DateInput())


class IncomeBaseForm(forms.ModelForm):
    effective_month = MonthField(label=_("Effective from month"))

    class Meta:
        model = IncomeBase
        fields = ["effective_month", "monthly_income"]


class DuesBandForm(forms.ModelForm):
    class Meta:
        model = DuesBand
        fields = ["group", "up_to", "rate_percent", "amount"]


class ApplicantForm(PersonFormMixin, forms.ModelForm):
    organization = NaturalKeyField(PartyOrganization.objects.all(), "code", label=_("Organization code"))
    employer = NaturalKeyField(Enterprise.objects.all(), "uscc", label=_("Employer USCC"), required=False)

    class Meta:
        model = Applicant
        fields = ["name", "id_number", "gender", "birth_date", "phone", "organization", "employer", "applied_on",
                  "talked_on", "training_hours"]
        widgets = {"birth_date": DateInput(), "applied_on": DateInput(), "talked_on": DateInput()}

    # the ID number, birth date and gender are checked by Applicant.clean (derived when left empty)


class AdvanceForm(forms.Form):
    stage = forms.ChoiceField(label=_("Next stage"), choices=[
        (Applicant.Stage.ACTIVIST, Applicant.Stage.ACTIVIST.label),
        (Applicant.Stage.TARGET, Applicant.Stage.TARGET.label),
        (Applicant.Stage.PROBATIONARY, _("Admit as probationary member (branch vote)"))])
    on = forms.DateField(label=_("Date"), widget=DateInput())
    introducer_1 = MemberChoiceField(Member.objects.filter(left_on__isnull=True, standing="full"),
                                     label=_("First introducer"), required=False)
    introducer_2 = MemberChoiceField(Member.objects.filter(left_on__isnull=True, standing="full"),
                                     label=_("Second introducer"), required=False)


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = ActivistAssessment
        fields = ["assessed_on", "result"]
        widgets = {"assessed_on": DateInput()}


class StopForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
