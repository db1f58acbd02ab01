from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api import MaskedSerializerMixin, ModelCleanMixin, ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from organizations.models import Enterprise, PartyOrganization

from ..models import Applicant, DuesPayment, FloatingRecord, IncomeBase, Member, MemberEvent, Transfer
from ..services import ENTRY_KINDS


class MemberSerializer(MaskedSerializerMixin, ModelCleanMixin, serializers.ModelSerializer):
    masked = ("id_number", "phone")
    organization = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    employer = ScopedSlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all(), required=False,
                                      allow_null=True)
    gender = serializers.ChoiceField(choices=Member._meta.get_field("gender").choices, required=False)
    entry_kind = serializers.ChoiceField(
        choices=[(k, MemberEvent.Kind(k).label) for k in ENTRY_KINDS], required=False, write_only=True,
        help_text="How the member entered the register (default: admitted on joined_on).")
    entry_on = serializers.DateField(required=False, write_only=True,
                                     help_text="Date of the entry event (default: joined_on).")
    entry_counterpart = serializers.CharField(required=False, allow_blank=True, max_length=200, write_only=True,
                                              help_text="Organization outside the system the member came from.")

    class Meta:
        model = Member
        fields = ["id", "name", "id_number", "gender", "birth_date", "ethnicity", "phone", "education",
                  "organization", "employer", "standing", "category", "status", "joined_on", "full_on",
                  "probation_ends_on", "left_on", "entry_kind", "entry_on", "entry_counterpart"]
        read_only_fields = ["status", "probation_ends_on", "left_on"]
        clean_exclude = ["entry_kind", "entry_on", "entry_counterpart"]
        # The ID number is unique: a duplicate is refused with a message, not a 500 (checked in validate).
        extra_kwargs = {"id_number": {"validators": []}, "birth_date": {"required": False}}

    def validate(self, attrs):
        entry = {key: attrs.pop(key) for key in ("entry_kind", "entry_on", "entry_counterpart") if key in attrs}
        if self.instance is not None:
            for name in ("organization", "standing"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: [_(
                        "Changes of organization and standing are recorded as events (POST members/{id}/events/).")]})
            if entry:
                raise serializers.ValidationError({"entry_kind": [_("Only a new member has an entry event.")]})
        attrs = super().validate(attrs)
        number = (attrs.get("id_number") or "").replace(" ", "").upper()
        if number:
            others = Member.objects.filter(id_number=number)
            if self.instance is not None:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                raise serializers.ValidationError({"id_number": [_("A member with this ID number is already "
                                                                   "registered.")]})
        self._entry = entry
        return attrs


# Other names clients use for an event kind (reference/official-tables.md calls the admission `joined`).
KIND_ALIASES = {"joined": MemberEvent.Kind.ADMITTED}


class EventKindField(serializers.ChoiceField):
    def to_internal_value(self, data):
        return super().to_internal_value(KIND_ALIASES.get(data, data) if isinstance(data, str) else data)


class MemberEventSerializer(serializers.ModelSerializer):
    kind = EventKindField(choices=MemberEvent.Kind.choices,
                          help_text="The event's type; `joined` is accepted for `admitted`.")
    organization = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all(),
                                          required=False, allow_null=True,
                                          help_text="Additions: the organization the member enters; transfers "
                                                    "and moves: the organization in the system the member moves to.")
    probation_ends_on = serializers.DateField(required=False, write_only=True,
                                              help_text="probation_extended: the new end of the probation.")
    employer = ScopedSlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all(), required=False,
                                      allow_null=True,
                                      help_text="employer_changed: the new employer (null: none); entries: the "
                                                "employer the member arrived with.")
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = MemberEvent
        fields = ["id", "member", "kind", "occurred_on", "organization", "employer", "counterpart", "reason", "note",
                  "probation_ends_on", "recorded_by", "recorded_at"]
        read_only_fields = ["member", "recorded_by", "recorded_at"]


class TransferSerializer(serializers.ModelSerializer):
    member = ScopedPrimaryKeyRelatedField(queryset=Member.objects.all())
    from_organization = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_organization = serializers.SlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all(),
                                                   required=False, allow_null=True,
                                                   help_text="Receiving organization in the system (any region).")
    letter_number = serializers.CharField(required=False, allow_blank=True, max_length=40,
                                          help_text="Numbered automatically when left empty.")
    valid_until = serializers.DateField(required=False, help_text="Default: three months after issued_on.")
    issued_on = serializers.DateField(required=False, help_text="Default: today.")

    class Meta:
        model = Transfer
        fields = ["id", "letter_number", "member", "from_organization", "from_external", "to_organization",
                  "to_external", "issued_on", "valid_until", "status", "received_on", "note"]
        read_only_fields = ["from_external", "status", "received_on"]
        extra_kwargs = {"letter_number": {"validators": []}}


class TransferReceiptSerializer(serializers.Serializer):
    received_on = serializers.DateField(required=False, help_text="Default: today.")


class FloatingRecordSerializer(serializers.ModelSerializer):
    member = ScopedPrimaryKeyRelatedField(queryset=Member.objects.all())
    organization = serializers.SlugRelatedField(slug_field="code", read_only=True)
    document_kind = serializers.ChoiceField(choices=FloatingRecord.Document.choices, required=False,
                                            help_text="Default: by the expected time away (6 months).")
    flagged = serializers.SerializerMethodField(
        help_text="Away 6 months or more without organizational life or dues in the last 6 months.")

    class Meta:
        model = FloatingRecord
        fields = ["id", "member", "organization", "destination", "left_on", "expected_return_on", "document_kind",
                  "document_number", "host_organization", "last_contact_on", "returned_on", "flagged"]
        read_only_fields = ["returned_on"]

    def get_flagged(self, obj) -> bool:
        return bool(getattr(obj, "flagged", False))


class FloatingReturnSerializer(serializers.Serializer):
    returned_on = serializers.DateField(required=False, help_text="Default: today.")


class MonthField(serializers.DateField):
    """`2026-07` or any date in the month; stored as the month's first day."""

    def to_internal_value(self, value):
        if isinstance(value, str) and len(value) == 7:
            value = value + "-01"
        return super().to_internal_value(value).replace(day=1)


class DuesPaymentSerializer(serializers.ModelSerializer):
    member = ScopedPrimaryKeyRelatedField(queryset=Member.objects.all())
    organization = serializers.SlugRelatedField(slug_field="code", read_only=True)
    month = MonthField(help_text="The month paid for: `YYYY-MM` (or a date in it).")
    amount = serializers.DecimalField(max_digits=8, decimal_places=2, required=False,
                                      help_text="Default: the dues the band table gives for the income base.")
    paid_on = serializers.DateField(required=False, help_text="Default: today.")

    class Meta:
        model = DuesPayment
        fields = ["id", "member", "organization", "month", "amount", "paid_on", "recorded_at"]
        read_only_fields = ["recorded_at"]
        validators = []


class IncomeBaseSerializer(serializers.ModelSerializer):
    member = ScopedPrimaryKeyRelatedField(queryset=Member.objects.all())
    effective_month = MonthField()

    class Meta:
        model = IncomeBase
        fields = ["id", "member", "effective_month", "monthly_income"]
        validators = []

    def validate(self, attrs):
        member = attrs.get("member") or self.instance.member
        month = attrs.get("effective_month") or self.instance.effective_month
        clash = IncomeBase.objects.filter(member=member, effective_month=month)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError({"effective_month": [_("An income base for this month exists; "
                                                                     "change that one.")]})
        if attrs.get("monthly_income") is not None and attrs["monthly_income"] < 0:
            raise serializers.ValidationError({"monthly_income": [_("The income cannot be negative.")]})
        return attrs



class ApplicantSerializer(MaskedSerializerMixin, ModelCleanMixin, serializers.ModelSerializer):
    """An applicant in the development pipeline; stages move only by `applicants/{id}/advance/`."""

    masked = ("id_number", "phone")
    organization = ScopedSlugRelatedField(slug_field="code", queryset=PartyOrganization.objects.all())
    employer = ScopedSlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all(), required=False,
                                      allow_null=True)

    class Meta:
        model = Applicant
        fields = ["id", "name", "id_number", "gender", "birth_date", "phone", "organization", "employer", "stage",
                  "applied_on", "talked_on", "activist_on", "target_on", "training_hours", "introducer_1",
                  "introducer_2", "admitted_on", "member", "stopped_reason"]
        read_only_fields = ["stage", "activist_on", "target_on", "introducer_1", "introducer_2", "admitted_on",
                            "member", "stopped_reason"]


class AdvanceSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=["activist", "target", "probationary"])
    on = serializers.DateField()
    introducers = ScopedPrimaryKeyRelatedField(queryset=Member.objects.all(), many=True, required=False,
                                               help_text="Two full members (admission only).")


class AssessmentSerializer(serializers.Serializer):
    assessed_on = serializers.DateField()
    result = serializers.CharField(max_length=200)


class StopSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
