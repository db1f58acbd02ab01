"""Demo life cycle for `seed_demo`: entry events for the bulk-loaded register, then a few transfers, floating
members, income bases and dues, and applicants at every stage — all through the services, so the demo obeys
the same rules as real data."""

import datetime
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history
from stdnum.cn import ric

from organizations.validators import normalize_id_number, parse_id_number

from . import spans
from .models import Applicant, DuesBand, DuesPayment, FloatingRecord, IncomeBase, Member, MemberEvent, add_months
from .services import dues_for, float_out, issue_transfer, receive_transfer, record_event


def seed_member_life(rng, organizations):
    today = timezone.localdate()
    missing = list(Member.objects.filter(events__isnull=True).order_by("pk"))
    bulk_create_with_history([MemberEvent(member=m, kind=MemberEvent.Kind.ADMITTED, occurred_on=m.joined_on,
                                          organization_id=m.organization_id, employer_id=m.employer_id)
                              for m in missing], MemberEvent)
    # the register was written in bulk (no signals): its days in the register, as those events say
    spans.create_initial(Member.objects.filter(spans__isnull=True))
    register = list(Member.objects.filter(left_on__isnull=True, standing="full").order_by("pk"))
    # transfers: one received inside the city, one still open to another province
    mover, leaver, floater, away_long = register[3], register[7], register[11], register[15]
    other = next(o for o in organizations if o.pk != mover.organization_id)
    letter = issue_transfer(mover, None, issued_on=today - datetime.timedelta(days=40), to_organization=other)
    receive_transfer(letter, None, received_on=today - datetime.timedelta(days=30))
    issue_transfer(leaver, None, issued_on=today - datetime.timedelta(days=10), to_external="广东省深圳市某科技公司党支部")
    # floating: one away for a few months, one away for more than a year without dues (flagged)
    float_out(FloatingRecord(member=floater, destination="浙江省杭州市", left_on=today - datetime.timedelta(days=60),
                             expected_return_on=today + datetime.timedelta(days=60), document_number="证明〔2026〕12号",
                             host_organization="杭州市流动党员党支部"), None)
    float_out(FloatingRecord(member=away_long, destination="广东省东莞市", left_on=today - datetime.timedelta(days=400),
                             expected_return_on=today + datetime.timedelta(days=200), document_number="流动证0008",
                             host_organization="东莞市湖南流动党员党委"), None)
    record_event(register[19], MemberEvent.Kind.DECEASED, today - datetime.timedelta(days=90), None)
    # income bases and this year's dues for the first forty members; every fifth one is behind
    payers = [m for m in register[20:60] if m.left_on is None]
    bases = IncomeBase.objects.bulk_create([
        IncomeBase(member=m, effective_month=datetime.date(today.year, 1, 1),
                   monthly_income=Decimal(rng.choice([2800, 4500, 6000, 9000, 12000]))) for m in payers])
    bands = list(DuesBand.objects.in_use())
    payments = []
    for i, (member, base) in enumerate(zip(payers, bases)):
        amount = dues_for(member, today, bands=bands, income=base.monthly_income)  # one income all year
        months = today.month - 1 - (3 if i % 5 == 0 else 0)
        for month in range(1, months + 1):
            day = datetime.date(today.year, month, 1)
            if day >= member.joined_on.replace(day=1):
                payments.append(DuesPayment(member=member, organization_id=member.organization_id, month=day,
                                            amount=amount, paid_on=day + datetime.timedelta(days=9)))
    bulk_create_with_history(payments, DuesPayment)
    # the pipeline in the first organization: an applicant due for the talk, an activist, a development target
    home = organizations[0]
    introducers = [m for m in register if m.organization_id == home.pk][:2]
    people = [
        ("刘晓雨", "431202199805060026", dict(applied_on=today - datetime.timedelta(days=20))),
        ("陈志强", "431202199503030013", dict(applied_on=add_months(today, -10),
                                             talked_on=add_months(today, -10) + datetime.timedelta(days=14),
                                             activist_on=add_months(today, -8), stage="activist")),
        ("杨帆", "431202199607070010", dict(applied_on=datetime.date(today.year - 3, 1, 10),
                                           talked_on=datetime.date(today.year - 3, 1, 20),
                                           activist_on=datetime.date(today.year - 3, 3, 1),
                                           target_on=datetime.date(today.year - 1, 4, 1), stage="target",
                                           training_hours=26)),
    ]
    for name, number, fields in people:
        number = number[:17] + ric.calc_check_digit(number)
        birth, gender = parse_id_number(number)
        applicant = Applicant.objects.create(name=name, id_number=normalize_id_number(number), gender=gender,
                                             birth_date=birth, organization=home, **fields)
        if applicant.activist_on:
            start = applicant.activist_on
            # assessed every half year while an activist and while a development target (a live pipeline)
            while add_months(start, 6) <= today:
                applicant.assessments.create(assessed_on=add_months(start, 5), result="表现良好")
                start = add_months(start, 6)
    return {"introducers": introducers}
