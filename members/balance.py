"""The member balance (official Table 1, 党员数量变化情况) per organization and period, from the events.

opening (events before the period) + additions by type − reductions by type = expected closing; the actual
closing is read from the live register (members held in the organization now, corrected by the events dated
after the period); the difference must be 0. One grouped query for all organizations of a region.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .models import ADDITION_KINDS, REDUCTION_KINDS, Member, MemberEvent

K = MemberEvent.Kind

# (key, line, label, kinds counted) — the table's rows in order; "of which" rows are parts of the row above.
LINES = [
    ("opening", 1, _("Opening (last year's closing)"), None),
    ("additions", 2, _("Additions"), ADDITION_KINDS),
    ("admitted", 3, _("Newly admitted"), (K.ADMITTED, K.READMITTED)),
    ("readmitted", 4, _("of which re-admitted"), (K.READMITTED,)),
    ("restored", 5, _("Membership restored"), (K.RESTORED, K.RESTORED_AFTER_SUSPENSION)),
    ("restored_after_suspension", 6, _("of which restored after suspension"), (K.RESTORED_AFTER_SUSPENSION,)),
    ("transferred_in", 7, _("Transferred in"), (K.TRANSFERRED_IN, K.TRANSFERRED_IN_UNIT)),
    ("transferred_in_unit", 8, _("of which with a whole unit"), (K.TRANSFERRED_IN_UNIT,)),
    ("reductions", 9, _("Reductions"), REDUCTION_KINDS),
    ("left_party", 10, _("Left the party"), (K.LEFT_PARTY, K.PROBATION_CANCELLED)),
    ("suspended", 11, _("Membership suspended"), (K.SUSPENDED,)),
    ("deceased", 12, _("Deceased"), (K.DECEASED,)),
    ("transferred_out", 13, _("Transferred out"), (K.TRANSFERRED_OUT, K.TRANSFERRED_OUT_UNIT)),
    ("transferred_out_unit", 14, _("of which with a whole unit"), (K.TRANSFERRED_OUT_UNIT,)),
    ("expected_closing", 15, _("Expected closing"), None),
    ("actual_closing", 16, _("Actual closing (register)"), None),
    ("difference", 17, _("Difference (must be 0)"), None),
]
COUNTED = [(key, kinds) for key, _line, _label, kinds in LINES if kinds]
TRANSFER_KINDS = (K.TRANSFERRED_IN, K.TRANSFERRED_IN_UNIT, K.TRANSFERRED_OUT, K.TRANSFERRED_OUT_UNIT)


@dataclass
class Balance:
    organization_id: int | None
    figures: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.figures[key]


def _aggregates(start, end):
    before = Q(occurred_on__lt=start)
    within = Q(occurred_on__gte=start, occurred_on__lte=end)
    after = Q(occurred_on__gt=end)
    values = {
        "opening_in": Count("pk", filter=before & Q(kind__in=ADDITION_KINDS)),
        "opening_out": Count("pk", filter=before & Q(kind__in=REDUCTION_KINDS)),
        "later_in": Count("pk", filter=after & Q(kind__in=ADDITION_KINDS)),
        "later_out": Count("pk", filter=after & Q(kind__in=REDUCTION_KINDS)),
    }
    for key, kinds in COUNTED:
        values[key] = Count("pk", filter=within & Q(kind__in=kinds))
    return values


def _finish(row, register_now):
    figures = {key: row[key] for key, _kinds in COUNTED}
    figures["opening"] = row["opening_in"] - row["opening_out"]
    figures["expected_closing"] = figures["opening"] + figures["additions"] - figures["reductions"]
    # the register as it stood at the period's end: today's register minus what happened since
    figures["actual_closing"] = register_now - row["later_in"] + row["later_out"]
    figures["difference"] = figures["actual_closing"] - figures["expected_closing"]
    return figures


def balances(organizations, start: datetime.date, end: datetime.date) -> dict:
    """{organization id: Balance} for every organization of the queryset, in three queries."""
    ids = list(organizations.values_list("pk", flat=True))
    rows = {row["organization"]: row for row in MemberEvent.objects.order_by().filter(organization__in=ids)
            .values("organization").annotate(**_aggregates(start, end))}
    register = dict(Member.objects.order_by().filter(organization__in=ids, left_on__isnull=True)
                    .values("organization").annotate(n=Count("pk")).values_list("organization", "n"))
    empty = {key: 0 for key in _aggregates(start, end)}
    return {pk: Balance(pk, _finish(rows.get(pk, empty), register.get(pk, 0))) for pk in ids}


def total_balance(organizations, start, end) -> Balance:
    """The table of the organizations taken together (a region's table): moves between two of them are
    internal and left out, so "transferred in/out" counts only what crossed the boundary."""
    internal = Q(kind__in=TRANSFER_KINDS, counterpart_organization__in=organizations.values("pk"))
    row = (MemberEvent.objects.order_by().filter(organization__in=organizations.values("pk")).exclude(internal)
           .aggregate(**_aggregates(start, end)))
    row = {key: value or 0 for key, value in row.items()}
    register = Member.objects.filter(organization__in=organizations.values("pk"), left_on__isnull=True).count()
    return Balance(None, _finish(row, register))
