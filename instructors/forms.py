from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PICKABLE, DateInput, NaturalKeyField, pickable_key
from organizations.models import Enterprise, PartyOrganization, Region

from .models import (
    AssessmentScheme,
    Assignment,
    DemonstrationSite,
    DemonstrationSiteReview,
    Instructor,
    Meeting,
    ResponsibilityTarget,
    TemporaryPost,
    Training,
    Visit,
    check_meeting_attendees,
)

# Instructors are picked by id (their ID number is sensitive): a province's instructors are too many for a
# dropdown, so the forms' instructor fields become pickers there (core.views._pick_when_many).
PICKABLE.setdefault(pickable_key(Instructor, "pk"), (Instructor, "pk"))


class InstructorForm(forms.ModelForm):
    region = NaturalKeyField(Region.objects.all(), "code", label=_("Dispatching region code"))

    class Meta:
        model = Instructor
        fields = ["name", "id_number", "phone", "type", "source_unit", "is_retired_cadre", "region", "active_from",
                  "active_to"]
        widgets = {"active_from": DateInput(), "active_to": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Without the sensitive-data permission an existing person's numbers are neither shown nor edited.
        if self.instance.pk and user is not None and not user.sees_sensitive:
            for name in Instructor.sensitive_fields:
                self.fields.pop(name, None)


class AssignmentForm(forms.ModelForm):
    enterprise = NaturalKeyField(Enterprise.objects.all(), "uscc", label=_("Enterprise USCC"))
    batch_name = forms.CharField(label=_("Batch"), max_length=50, required=False,
                                 help_text=_("e.g. 第3批; created in the instructor's region when new."))

    class Meta:
        model = Assignment
        fields = ["instructor", "enterprise", "start_on", "end_on", "result"]
        widgets = {"start_on": DateInput(), "end_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.batch_id:
            self.fields["batch_name"].initial = self.instance.batch.name


class TargetForm(forms.ModelForm):
    class Meta:
        model = ResponsibilityTarget
        fields = ["description", "due_on", "outcome", "achieved_on", "evidence", "outcome_note"]
        widgets = {"due_on": DateInput(), "achieved_on": DateInput(), "evidence": forms.Textarea(attrs={"rows": 3}),
                   "outcome_note": forms.Textarea(attrs={"rows": 3})}


class TargetOutcomeForm(TargetForm):
    """What an instructor records on their own target: the outcome, its day and evidence (not the target)."""

    class Meta(TargetForm.Meta):
        fields = ["outcome", "achieved_on", "evidence", "outcome_note"]


class SiteReviewForm(forms.ModelForm):
    class Meta:
        model = DemonstrationSiteReview
        fields = ["year", "passed", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class TemporaryPostForm(forms.ModelForm):
    enterprise = NaturalKeyField(Enterprise.objects.all(), "uscc", label=_("Enterprise USCC"), required=False)

    class Meta:
        model = TemporaryPost
        fields = ["unit", "position", "enterprise", "start_on", "end_on", "note"]
        widgets = {"start_on": DateInput(), "end_on": DateInput()}


class BulkAssignForm(forms.Form):
    instructor = forms.ModelChoiceField(Instructor.objects.all(), label=_("Instructor"))
    batch = forms.CharField(label=_("Batch"), max_length=50, required=False)
    start_on = forms.DateField(label=_("Start"), widget=DateInput())
    end_on = forms.DateField(label=_("End (exclusive)"), widget=DateInput(), required=False)

    def clean(self):
        data = super().clean()
        if data.get("start_on") and data.get("end_on") and data["end_on"] <= data["start_on"]:
            self.add_error("end_on", _("The end date must be after the start date."))
        return data


class DemonstrationSiteForm(forms.ModelForm):
    organization = NaturalKeyField(PartyOrganization.objects.all(), "code", label=_("Organization code"),
                                   required=False)
    enterprise = NaturalKeyField(Enterprise.objects.all(), "uscc", label=_("Enterprise USCC"), required=False)

    class Meta:
        model = DemonstrationSite
        fields = ["organization", "enterprise", "level", "theme", "designating_body", "designated_on", "revoked_on"]
        widgets = {"designated_on": DateInput(), "revoked_on": DateInput()}


class VisitForm(forms.ModelForm):
    enterprise = NaturalKeyField(Enterprise.objects.all(), "uscc", label=_("Enterprise USCC"))

    class Meta:
        model = Visit
        fields = ["instructor", "enterprise", "visited_on", "work_done", "outcome", "photo"]
        widgets = {"visited_on": DateInput()}


class AssessForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    scheme = forms.ModelChoiceField(AssessmentScheme.objects.all(), label=_("Scheme"))


class _AttendanceForm(forms.ModelForm):
    """Region by code; attendees picked from the instructors the user may see (restricted by the view)."""

    region = NaturalKeyField(Region.objects.all(), "code", label=_("Region code"))
    attendees = forms.ModelMultipleChoiceField(Instructor.objects.order_by("name"), label=_("Attendees"),
                                               required=False, widget=forms.CheckboxSelectMultiple)


class MeetingForm(_AttendanceForm):
    class Meta:
        model = Meeting
        fields = ["region", "held_on", "topic", "attendees"]
        widgets = {"held_on": DateInput()}

    def clean(self):
        from django.core.exceptions import ValidationError  # noqa: PLC0415

        data = super().clean()
        if data.get("region") and data.get("held_on") and data.get("attendees"):
            try:
                check_meeting_attendees(data["region"], data["held_on"], list(data["attendees"].select_related("region")))
            except ValidationError as error:
                self.add_error("attendees", error.message_dict["attendees"])
        return data


class TrainingForm(_AttendanceForm):
    class Meta:
        model = Training
        fields = ["title", "region", "held_on", "hours", "attendees"]
        widgets = {"held_on": DateInput()}
