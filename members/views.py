"""Pages: the register (list, detail with its life cycle, add/edit), transfers with printable letters,
floating members, dues (payments, arrears, yearly totals, band table), the member balance, the development
pipeline and its reminders. Every query goes through `visible_to(user)`; ID and phone numbers are masked."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.forms import bootstrapify
from core.periods import parse_period
from core.masking import mask_for
from core.roles import BRANCH_EDIT_ROLES
from core.views import (
    Column,
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ScopedObjectMixin,
)
from organizations.models import PartyOrganization, Region

from . import pipeline, services
from .balance import LINES, balances, total_balance
from .filtersets import (
    ApplicantFilterSet,
    DuesPaymentFilterSet,
    FloatingRecordFilterSet,
    MemberFilterSet,
    TransferFilterSet,
)
from .forms import (
    AdvanceForm,
    ApplicantForm,
    AssessmentForm,
    DateForm,
    DuesBandForm,
    EventForm,
    FloatingForm,
    IncomeBaseForm,
    MemberForm,
    PaymentForm,
    StopForm,
    TransferForm,
)
from .models import Applicant, DuesBand, DuesPayment, FloatingRecord, Member, MemberEvent, Transfer, add_months



def _error_messages(request, error):
    for text in (error.messages if hasattr(error, "messages") else [str(error)]):
        messages.error(request, text)


# --- the register ---------------------------------------------------------------------------------------

class MemberListView(ObjectListView):
    model = Member
    filterset_class = MemberFilterSet
    create_url_name = "members:member_create"
    edit_roles = BRANCH_EDIT_ROLES
    title = gettext_lazy("Party members")
    export_name = "members"
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("id_number", gettext_lazy("ID number"), sensitive=True),
        Column("gender", gettext_lazy("Gender")),
        Column("organization.name", gettext_lazy("Organization"), sort="organization__code"),
        Column("employer.name", gettext_lazy("Employer"), sort="employer__name"),
        Column("standing", gettext_lazy("Standing")),
        Column("category", gettext_lazy("Category")),
        Column("status", gettext_lazy("Status")),
        Column("joined_on", gettext_lazy("Joined on")),
        Column("full_on", gettext_lazy("Full member since")),
        Column("left_on", gettext_lazy("Left the register on")),
    ]
    extra_actions = [(gettext_lazy("Import"), "members:member_import")]

    def get_base_queryset(self):
        return Member.objects.select_related("organization", "employer")


class MemberDetailView(ObjectDetailView):
    model = Member
    edit_roles = BRANCH_EDIT_ROLES
    template_name = "members/member_detail.html"
    detail_fields = ["id_number", "gender", "birth_date", "ethnicity", "phone", "education", "organization",
                     "employer", "standing", "category", "status", "joined_on", "full_on", "probation_ends_on",
                     "left_on"]

    def get_base_queryset(self):
        return Member.objects.select_related("organization", "employer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member, user = self.object, self.request.user
        today = timezone.localdate()
        context.update({
            "events": member.events.select_related("organization", "recorded_by"),
            "transfers": Transfer.objects.visible_to(user).filter(member=member)
            .select_related("from_organization", "to_organization"),
            "floating": FloatingRecord.objects.visible_to(user).filter(member=member).with_flag(),
            "payments": member.dues_payments.order_by("-month")[:24],
            "income_bases": member.income_bases.all(),
            "dues_now": services.dues_for(member, today),
        })
        if self.can_edit and member.left_on is None:
            context.update({
                "event_form": bootstrapify(EventForm(initial={"occurred_on": today})),
                "transfer_form": bootstrapify(TransferForm(initial={"issued_on": today})),
                "floating_form": bootstrapify(FloatingForm(initial={"left_on": today})),
                "payment_form": bootstrapify(PaymentForm(initial={"month": today.replace(day=1), "paid_on": today})),
                "income_form": bootstrapify(IncomeBaseForm(initial={"effective_month": today.replace(day=1)})),
            })
        return context


class MemberEditView(ObjectEditView):
    model = Member
    form_class = MemberForm
    edit_roles = BRANCH_EDIT_ROLES

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def save(self, form):
        if not form.instance.pk:
            return services.register_member(form.save(commit=False), self.request.user)
        if "employer" not in form.changed_data:
            return form.save()
        # a new employer is an event dated today: figures for earlier dates keep the old one
        with transaction.atomic():
            employer = form.cleaned_data.get("employer")
            form.instance.employer_id = Member.objects.values_list("employer_id", flat=True).get(pk=form.instance.pk)
            member = form.save()
            services.change_employer(member, employer, self.request.user)
            member.refresh_from_db()
            return member


class MemberHistoryView(ObjectHistoryView):
    model = Member


class MemberActionView(ObjectActionView):
    model = Member
    edit_roles = BRANCH_EDIT_ROLES


class MemberEventView(MemberActionView):
    form_class = EventForm

    def perform(self, member, form):
        data = form.cleaned_data
        event = services.record_event(member, data["kind"], data["occurred_on"], self.request.user,
                                      organization=data.get("organization"), counterpart=data.get("counterpart", ""),
                                      reason=data.get("reason", ""), note=data.get("note", ""),
                                      probation_ends_on=data.get("probation_ends_on"),
                                      **({"employer": data.get("employer")}
                                         if data["kind"] == MemberEvent.Kind.EMPLOYER_CHANGED else {}))
        return _("Recorded: %(event)s.") % {"event": event.get_kind_display()}


class TransferIssueView(MemberActionView):
    form_class = TransferForm

    def perform(self, member, form):
        data = form.cleaned_data
        transfer = services.issue_transfer(member, self.request.user, issued_on=data["issued_on"],
                                           to_organization=data.get("to_organization"),
                                           to_external=data.get("to_external", ""), valid_until=data.get("valid_until"),
                                           letter_number=data.get("letter_number", ""), note=data.get("note", ""))
        self.created = transfer
        return _("Letter %(number)s issued.") % {"number": transfer.letter_number}

    def get_redirect_url(self, obj):
        created = getattr(self, "created", None)
        return created.get_absolute_url() if created else obj.get_absolute_url()


class FloatingOutView(MemberActionView):
    form_class = FloatingForm

    def perform(self, member, form):
        record = form.save(commit=False)
        record.member = member
        record.organization = member.organization
        services.float_out(record, self.request.user)
        return _("Floating record saved.")


class PaymentView(MemberActionView):
    form_class = PaymentForm

    def perform(self, member, form):
        data = form.cleaned_data
        payment = services.record_payment(member, self.request.user, month=data["month"], paid_on=data.get("paid_on"),
                                          amount=data.get("amount"))
        return _("Dues of %(month)s recorded: %(amount)s yuan.") % {"month": f"{payment.month:%Y-%m}",
                                                                    "amount": payment.amount}


class IncomeBaseView(MemberActionView):
    form_class = IncomeBaseForm

    def perform(self, member, form):
        base = form.save(commit=False)
        base.member = member
        base.effective_month = base.effective_month.replace(day=1)
        if member.income_bases.filter(effective_month=base.effective_month).exists():
            raise ValidationError(_("An income base for this month exists; change that one."))
        base.save()
        return _("Income base saved.")


# --- transfers --------------------------------------------------------------------------------------------

class TransferListView(ObjectListView):
    model = Transfer
    filterset_class = TransferFilterSet
    title = gettext_lazy("Transfers")
    edit_roles = BRANCH_EDIT_ROLES
    columns = [
        Column("letter_number", gettext_lazy("Letter number"), link=True),
        Column("member.name", gettext_lazy("Member"), sort="member__name"),
        Column("from_name", gettext_lazy("From"), sort=None),
        Column("to_name", gettext_lazy("To"), sort=None),
        Column("issued_on", gettext_lazy("Issued on")),
        Column("valid_until", gettext_lazy("Valid until")),
        Column("status", gettext_lazy("Status")),
        Column("received_on", gettext_lazy("Received on")),
    ]

    def get_base_queryset(self):
        return Transfer.objects.select_related("member", "from_organization", "to_organization")

    def get(self, request, *args, **kwargs):
        services.expire_transfers()
        return super().get(request, *args, **kwargs)


class TransferDetailView(ObjectDetailView):
    model = Transfer
    edit_roles = BRANCH_EDIT_ROLES
    template_name = "members/transfer_detail.html"
    detail_fields = [("", "member"), "from_organization", "from_external", "to_organization", "to_external",
                     "issued_on", "valid_until", "status", "received_on", "note", "created_by"]

    def get_base_queryset(self):
        return Transfer.objects.select_related("member", "from_organization", "to_organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["fields"][0] = (Member._meta.verbose_name, self.object.member.name)
        context["receive_form"] = bootstrapify(DateForm(initial={"day": timezone.localdate()}))
        return context


class TransferPrintView(ScopedObjectMixin, View):
    """The introduction letter, print-styled (stub, letter and receipt on one A4 page)."""

    model = Transfer

    def get(self, request, pk):
        try:
            transfer = self.get_queryset().select_related("member", "from_organization", "to_organization").get(pk=pk)
        except Transfer.DoesNotExist as exc:
            raise Http404 from exc
        return render(request, "members/transfer_letter.html", {
            "transfer": transfer, "id_number": mask_for(request.user, transfer.member.id_number),
            "title": _("Introduction letter %(number)s") % {"number": transfer.letter_number}})


class TransferReceiveView(ObjectActionView):
    model = Transfer
    form_class = DateForm
    edit_roles = BRANCH_EDIT_ROLES

    def perform(self, transfer, form):
        services.receive_transfer(transfer, self.request.user, received_on=form.cleaned_data["day"])
        return _("Receipt recorded; the member now belongs to %(to)s.") % {"to": transfer.to_name}


class TransferWithdrawView(ObjectActionView):
    model = Transfer
    form_class = forms.Form  # nothing to fill in: the button is the whole request
    edit_roles = BRANCH_EDIT_ROLES

    def perform(self, transfer, form):
        services.withdraw_transfer(transfer, self.request.user)
        return _("Letter withdrawn.")


class TransferHistoryView(ObjectHistoryView):
    model = Transfer


# --- floating ---------------------------------------------------------------------------------------------

def _flag(record, user):
    return _("Flagged: 6 months without organizational life or dues") if record.flagged else ""


class FloatingListView(ObjectListView):
    model = FloatingRecord
    filterset_class = FloatingRecordFilterSet
    title = gettext_lazy("Floating members")
    edit_roles = BRANCH_EDIT_ROLES
    columns = [
        Column("member.name", gettext_lazy("Member"), link=True, sort="member__name"),
        Column("organization.name", gettext_lazy("Home organization"), sort="organization__code"),
        Column("destination", gettext_lazy("Destination")),
        Column("left_on", gettext_lazy("Left on")),
        Column("expected_return_on", gettext_lazy("Expected return")),
        Column("document_kind", gettext_lazy("Document")),
        Column("host_organization", gettext_lazy("Host organization")),
        Column("returned_on", gettext_lazy("Returned on")),
        Column("flagged", gettext_lazy("Attention"), render=_flag),
    ]

    def get_base_queryset(self):
        return FloatingRecord.objects.select_related("member", "organization").with_flag()


class FloatingDetailView(ObjectDetailView):
    model = FloatingRecord
    edit_roles = BRANCH_EDIT_ROLES
    template_name = "members/floatingrecord_detail.html"
    detail_fields = ["organization", "destination", "left_on", "expected_return_on", "document_kind",
                     "document_number", "host_organization", "last_contact_on", "returned_on"]

    def get_base_queryset(self):
        return FloatingRecord.objects.select_related("member", "organization").with_flag()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["return_form"] = bootstrapify(DateForm(initial={"day": timezone.localdate()}))
        return context


class FloatingReturnView(ObjectActionView):
    model = FloatingRecord
    form_class = DateForm
    edit_roles = BRANCH_EDIT_ROLES

    def perform(self, record, form):
        services.float_back(record, self.request.user, returned_on=form.cleaned_data["day"])
        return _("Return recorded.")


class FloatingHistoryView(ObjectHistoryView):
    model = FloatingRecord


# --- dues -------------------------------------------------------------------------------------------------

class PaymentListView(ObjectListView):
    model = DuesPayment
    filterset_class = DuesPaymentFilterSet
    title = gettext_lazy("Dues payments")
    columns = [
        Column("member.name", gettext_lazy("Member"), sort="member__name"),
        Column("organization.name", gettext_lazy("Organization"), sort="organization__code"),
        Column("month", gettext_lazy("Month"), render=lambda p, u: f"{p.month:%Y-%m}"),
        Column("amount", gettext_lazy("Amount (yuan)")),
        Column("paid_on", gettext_lazy("Paid on")),
    ]
    extra_actions = [(gettext_lazy("Arrears"), "members:arrears"), (gettext_lazy("Yearly totals"), "members:dues_totals"),
                     (gettext_lazy("Dues bands"), "members:dues_bands")]

    def get_base_queryset(self):
        return DuesPayment.objects.select_related("member", "organization")


def _year(request):
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return max(1950, min(year, 2100))


def _months_until(year, today):
    last = 12 if year < today.year else (today.month - 1 if year == today.year else 0)
    return [datetime.date(year, m, 1) for m in range(1, last + 1)]


def arrears_queryset(user, year, today=None):
    """Members in the register with months of `year` (up to last month) unpaid: expected − paid, in SQL."""
    today = today or timezone.localdate()
    months = _months_until(year, today)
    expected = sum((Case(When(joined_on__lte=add_months(m, 1) - datetime.timedelta(days=1), then=Value(1)),
                         default=Value(0), output_field=IntegerField()) for m in months), Value(0))
    paid = Count("dues_payments", filter=Q(dues_payments__month__year=year,
                                            dues_payments__month__lt=today.replace(day=1)))
    return (Member.objects.visible_to(user).filter(left_on__isnull=True).select_related("organization")
            .annotate(expected_months=expected, paid_months=paid)
            .annotate(unpaid_months=F("expected_months") - F("paid_months"))
            .filter(unpaid_months__gt=0))


class ArrearsView(ScopedObjectMixin, View):
    model = Member

    def get(self, request):
        year = _year(request)
        queryset = arrears_queryset(request.user, year)
        organization = request.GET.get("organization", "").strip()
        if organization:
            queryset = queryset.filter(organization__code=organization)
        total = queryset.count()
        rows = list(queryset.order_by("organization__code", "name")[:1000])
        return render(request, "members/arrears.html", {
            "title": _("Dues arrears %(year)s") % {"year": year}, "year": year, "rows": rows,
            "total": total, "organization": organization})


class DuesTotalsView(ScopedObjectMixin, View):
    model = DuesPayment

    def get(self, request):
        year = _year(request)
        rows = (DuesPayment.objects.visible_to(request.user).filter(month__year=year).order_by()
                .values("organization__code", "organization__name")
                .annotate(payments=Count("pk"), members=Count("member", distinct=True), amount=Sum("amount"))
                .order_by("organization__code"))
        rows = list(rows)
        return render(request, "members/dues_totals.html", {
            "title": _("Dues received %(year)s") % {"year": year}, "year": year, "rows": rows,
            "grand_total": sum((r["amount"] for r in rows), 0)})


class DuesBandView(ScopedObjectMixin, View):
    """The band table: everybody reads it, administrators change it."""

    model = DuesBand

    def get_queryset(self):
        return DuesBand.objects.all()

    def get(self, request):
        return self.show(request, bootstrapify(DuesBandForm()))

    def show(self, request, form):
        return render(request, "members/dues_bands.html", {
            "title": _("Dues bands"), "bands": DuesBand.objects.all(), "form": form,
            "can_change": request.user.is_admin})

    def post(self, request):
        if not request.user.is_admin:
            raise PermissionDenied
        if "delete" in request.POST:
            DuesBand.objects.filter(pk=request.POST.get("delete")).delete()  # a configuration row, not a record
            messages.success(request, _("Band removed."))
            return redirect("members:dues_bands")
        form = bootstrapify(DuesBandForm(request.POST))
        if form.is_valid():
            band = form.save(commit=False)
            if (band.rate_percent is None) == (band.amount is None):
                form.add_error(None, _("Give either a rate or a fixed amount."))
            else:
                band.save()
                messages.success(request, _("Band added."))
                return redirect("members:dues_bands")
        return self.show(request, form)


# --- balance ----------------------------------------------------------------------------------------------

class BalanceView(ScopedObjectMixin, View):
    """Table 1 per organization of a region (or below an organization) for a period, with the total row."""

    model = PartyOrganization

    def get(self, request):
        today = timezone.localdate()
        period = request.GET.get("period") or str(today.year)
        try:
            parsed = parse_period(period)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            parsed = parse_period(str(today.year))
        start, end, period = parsed.start, parsed.end, parsed.code
        organizations = PartyOrganization.objects.visible_to(request.user)
        region_code = request.GET.get("region", "")
        if region_code:
            region = Region.objects.visible_to(request.user).filter(code=region_code).first()
            if region is None:
                raise Http404
            organizations = organizations.filter(region__path__startswith=region.path)
        organizations = organizations.order_by("path")
        shown = list(organizations[:500])
        table = balances(organizations.filter(pk__in=[o.pk for o in shown]), start, end)
        total = total_balance(organizations, start, end)
        lines = [(key, number, label) for key, number, label, _kinds in LINES]
        rows = [(o, [table[o.pk][key] for key, _n, _l in lines]) for o in shown]
        return render(request, "members/balance.html", {
            "title": _("Member balance"), "period": period, "start": start, "end": end, "lines": lines,
            "rows": rows, "total": [total[key] for key, _n, _l in lines], "region": region_code,
            "truncated": organizations.count() > len(shown)})


# --- pipeline ---------------------------------------------------------------------------------------------

class ApplicantListView(ObjectListView):
    model = Applicant
    filterset_class = ApplicantFilterSet
    create_url_name = "members:applicant_create"
    edit_roles = BRANCH_EDIT_ROLES
    title = gettext_lazy("Development pipeline")
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("id_number", gettext_lazy("ID number"), sensitive=True),
        Column("organization.name", gettext_lazy("Organization"), sort="organization__code"),
        Column("stage", gettext_lazy("Stage")),
        Column("applied_on", gettext_lazy("Applied on")),
        Column("talked_on", gettext_lazy("Talk held on")),
        Column("activist_on", gettext_lazy("Activist since")),
        Column("target_on", gettext_lazy("Development target since")),
        Column("training_hours", gettext_lazy("Training hours")),
    ]
    extra_actions = [(gettext_lazy("Reminders"), "members:reminders")]

    def get_base_queryset(self):
        return Applicant.objects.select_related("organization")


class ApplicantDetailView(ObjectDetailView):
    model = Applicant
    edit_roles = BRANCH_EDIT_ROLES
    template_name = "members/applicant_detail.html"
    detail_fields = ["id_number", "gender", "birth_date", "phone", "organization", "employer", "stage", "applied_on",
                     "talked_on", "activist_on", "target_on", "training_hours", "introducer_1", "introducer_2",
                     "admitted_on", "member", "stopped_reason"]

    def get_base_queryset(self):
        return Applicant.objects.select_related("organization", "employer", "introducer_1", "introducer_2", "member")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        applicant = self.object
        context["assessments"] = applicant.assessments.all()
        context["open"] = applicant.stage not in (Applicant.Stage.PROBATIONARY, Applicant.Stage.FULL,
                                                  Applicant.Stage.STOPPED)
        if self.can_edit and context["open"]:
            form = advance_form(applicant, self.request.user)
            context.update({"advance_form": form,
                            "assessment_form": bootstrapify(AssessmentForm(initial={"assessed_on": timezone.localdate()})),
                            "stop_form": bootstrapify(StopForm())})
        return context


def advance_form(applicant, user, data=None):
    form = AdvanceForm(data, initial={"on": timezone.localdate()})
    # introducers: full members of the applicant's own organization (and its sub-organizations)
    for name in ("introducer_1", "introducer_2"):
        form.fields[name].queryset = (Member.objects.visible_to(user)
                                      .filter(left_on__isnull=True, standing="full",
                                              organization__path__startswith=applicant.organization.path))
    return bootstrapify(form)


class ApplicantEditView(ObjectEditView):
    model = Applicant
    form_class = ApplicantForm
    edit_roles = BRANCH_EDIT_ROLES


class ApplicantHistoryView(ObjectHistoryView):
    model = Applicant


class ApplicantAdvanceView(ObjectActionView):
    model = Applicant
    edit_roles = BRANCH_EDIT_ROLES

    def get_form(self, applicant):
        return advance_form(applicant, self.request.user, self.request.POST)

    def perform(self, applicant, form):
        data = form.cleaned_data
        introducers = (data.get("introducer_1"), data.get("introducer_2"))
        applicant = pipeline.advance(applicant, data["stage"], data["on"], self.request.user, introducers=introducers)
        return _("Now: %(stage)s.") % {"stage": applicant.get_stage_display()}


class ApplicantAssessView(ObjectActionView):
    model = Applicant
    form_class = AssessmentForm
    edit_roles = BRANCH_EDIT_ROLES

    def perform(self, applicant, form):
        pipeline.add_assessment(applicant, form.cleaned_data["assessed_on"], form.cleaned_data["result"],
                                self.request.user)
        return _("Assessment recorded.")


class ApplicantStopView(ObjectActionView):
    model = Applicant
    form_class = StopForm
    edit_roles = BRANCH_EDIT_ROLES

    def perform(self, applicant, form):
        pipeline.stop(applicant, form.cleaned_data["reason"], self.request.user)
        return _("The application is no longer pursued.")


class RemindersView(ScopedObjectMixin, View):
    """What falls due within 30 days and what is overdue, grouped by organization."""

    model = Applicant

    def get(self, request):
        found = pipeline.reminders(request.user)
        groups = {}
        for reminder in found:
            groups.setdefault(reminder.organization, []).append(reminder)
        return render(request, "members/reminders.html", {
            "title": _("Pipeline reminders"), "groups": groups.items(), "count": len(found),
            "overdue": sum(1 for r in found if r.overdue)})


