"""The development pipeline (发展党员) and its rules, each a check with a message that says what is missing.

applicant → activist → development target → probationary member (a Member, admitted on the branch vote)
→ full member (converted by an event when the probation ends; extended 6–12 months or cancelled).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ActivistAssessment, Applicant, Member, Standing, add_months
from .services import register_member
from .validators import age_on

Stage = Applicant.Stage
MIN_AGE = 18
TRAINING_HOURS = 24
DUE_WITHIN_DAYS = 30


def _adult_on(applicant, day, field):
    if applicant.birth_date and age_on(applicant.birth_date, day) < MIN_AGE:
        # the age, not the birth date: the birth date is masked for users who may not see ID numbers
        return {field: _("The applicant must be at least 18 years old (is %(age)s).")
                % {"age": age_on(applicant.birth_date, day)}}
    return {}


def assessments_missing(applicant, until):
    """Six-monthly assessments from becoming an activist until `until`: which 6-month spans have none."""
    if not applicant.activist_on:
        return []
    dates = sorted(a.assessed_on for a in applicant.assessments.all())
    missing, start = [], applicant.activist_on
    while add_months(start, 6) <= until:
        end = add_months(start, 6)
        if not any(start < d <= end for d in dates):
            missing.append((start, end))
        start = end
    return missing


def check_stage(applicant: Applicant, stage: str, on: datetime.date, *, introducers=()) -> dict:
    """{field: message} for every rule broken by moving `applicant` to `stage` on `on` (empty: allowed)."""
    errors = {}
    today = timezone.localdate()
    if on > today:
        errors["date"] = _("This date cannot be in the future.")
    if stage == Stage.ACTIVIST:
        errors.update(_adult_on(applicant, applicant.applied_on, "applied_on"))
        if not applicant.talked_on:
            errors["talked_on"] = _("The organization must talk with the applicant (within a month of the "
                                    "application) before they become an activist.")
        elif applicant.talked_on > add_months(applicant.applied_on, 1):
            errors["talked_on"] = _("The talk must be held within one month of the application (by %(date)s).") % {
                "date": add_months(applicant.applied_on, 1).isoformat()}
        if on < applicant.applied_on:
            errors["date"] = _("An activist is chosen after the application.")
    elif stage == Stage.TARGET:
        if applicant.stage != Stage.ACTIVIST or not applicant.activist_on:
            errors["stage"] = _("Only an activist can become a development target.")
        else:
            if on < add_months(applicant.activist_on, 12):
                errors["date"] = _("An activist is trained and observed for at least one year (until %(date)s).") % {
                    "date": add_months(applicant.activist_on, 12).isoformat()}
            gaps = assessments_missing(applicant, on)
            if gaps:
                errors["assessments"] = _("An activist is assessed every 6 months; no assessment between "
                                          "%(spans)s.") % {"spans": "; ".join(f"{a} – {b}" for a, b in gaps)}
    elif stage == Stage.PROBATIONARY:
        if applicant.stage != Stage.TARGET or not applicant.target_on:
            errors["stage"] = _("Only a development target can be admitted.")
        elif on < applicant.target_on:
            errors["date"] = _("The branch vote comes after the applicant became a development target.")
        errors.update(_adult_on(applicant, on, "date"))
        if applicant.training_hours < TRAINING_HOURS:
            errors["training_hours"] = _("At least 24 class hours of training are required (%(hours)d recorded).") % {
                "hours": applicant.training_hours}
        people = [p for p in introducers if p is not None]
        if len(people) != 2 or people[0].pk == people[1].pk:
            errors["introducers"] = _("Two different introducers are required.")
        else:
            for person in people:
                if person.left_on is not None and person.left_on <= on:
                    errors["introducers"] = _("%(name)s is no longer in the register.") % {"name": person.name}
                elif person.standing != Standing.FULL or not person.full_on or person.full_on > on:
                    errors["introducers"] = _("%(name)s is not a full member; introducers must be full members.") % {
                        "name": person.name}
    if applicant.stage in (Stage.PROBATIONARY, Stage.FULL, Stage.STOPPED):
        errors["stage"] = _("This application is closed (%(stage)s).") % {"stage": applicant.get_stage_display()}
    return errors


@transaction.atomic
def advance(applicant: Applicant, stage: str, on: datetime.date, user, *, introducers=()) -> Applicant:
    """Move to the next stage when every rule holds; admission creates the probationary Member."""
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    errors = check_stage(applicant, stage, on, introducers=introducers)
    if errors:
        raise ValidationError(errors)
    if stage == Stage.ACTIVIST:
        applicant.activist_on = on
    elif stage == Stage.TARGET:
        applicant.target_on = on
    elif stage == Stage.PROBATIONARY:
        applicant.introducer_1, applicant.introducer_2 = introducers
        applicant.admitted_on = on
        member = Member(name=applicant.name, gender=applicant.gender, id_number=applicant.id_number,
                        birth_date=applicant.birth_date, phone=applicant.phone, organization=applicant.organization,
                        employer=applicant.employer, standing=Standing.PROBATIONARY, joined_on=on)
        applicant.member = register_member(member, user)
    applicant.stage = stage
    applicant.save()
    return applicant


@transaction.atomic
def stop(applicant: Applicant, reason: str, user) -> Applicant:
    if not reason.strip():
        raise ValidationError({"stopped_reason": _("Give the reason.")})
    if applicant.stage in (Stage.PROBATIONARY, Stage.FULL, Stage.STOPPED):
        raise ValidationError({"stage": _("This application is closed.")})
    applicant.stage, applicant.stopped_reason = Stage.STOPPED, reason.strip()
    applicant.save()
    return applicant


# --- reminders ------------------------------------------------------------------------------------------

@dataclass
class Reminder:
    organization: object
    person: object
    what: str
    due_on: datetime.date

    @property
    def overdue(self):
        return self.due_on < timezone.localdate()


TALK = gettext_lazy("Talk with the applicant")
ASSESS = gettext_lazy("Six-monthly assessment of the activist")
TARGET = gettext_lazy("One year as activist completed: consider as development target")
PROBATION = gettext_lazy("Probation ends: vote on conversion to full member")


def reminders(user, today=None, within=DUE_WITHIN_DAYS):
    """What falls due within `within` days and what is overdue, across the user's scope — four queries."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within)
    applicants = Applicant.objects.visible_to(user).select_related("organization")
    found = []
    # talk within a month of applying (due = applied_on + 1 month ≤ horizon ⇔ applied_on ≤ horizon − 1 month)
    for person in applicants.filter(stage=Stage.APPLICANT, talked_on__isnull=True,
                                    applied_on__lte=add_months(horizon, -1)):
        found.append(Reminder(person.organization, person, TALK, add_months(person.applied_on, 1)))
    open_activists = (applicants.filter(stage__in=[Stage.ACTIVIST, Stage.TARGET], activist_on__isnull=False)
                      .annotate(last_assessed=Max("assessments__assessed_on")))
    for person in open_activists:
        last = max(filter(None, [person.activist_on, person.last_assessed]))
        due = add_months(last, 6)
        if due <= horizon:
            found.append(Reminder(person.organization, person, ASSESS, due))
        if person.stage == Stage.ACTIVIST and add_months(person.activist_on, 12) <= horizon:
            found.append(Reminder(person.organization, person, TARGET, add_months(person.activist_on, 12)))
    probationary = (Member.objects.visible_to(user).select_related("organization")
                    .filter(standing=Standing.PROBATIONARY, left_on__isnull=True)
                    .filter(Q(probation_ends_on__lte=horizon)
                            | Q(probation_ends_on__isnull=True, joined_on__lte=add_months(horizon, -12))))
    for member in probationary:
        found.append(Reminder(member.organization, member, PROBATION,
                              member.probation_ends_on or add_months(member.joined_on, 12)))
    found.sort(key=lambda r: (r.organization.code, r.due_on))
    return found


def add_assessment(applicant, assessed_on, result, user):
    if not applicant.activist_on or assessed_on < applicant.activist_on:
        raise ValidationError({"assessed_on": _("Assessments start when the applicant becomes an activist.")})
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("This date cannot be in the future.")})
    return ActivistAssessment.objects.create(applicant=applicant, assessed_on=assessed_on, result=result)


