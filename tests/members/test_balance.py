"""The member balance computed from events agrees with the live register (official Table 1 identity)."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError

from members.balance import balances, total_balance
from members.models import Member
from members.services import record_event
from organizations.models import PartyOrganization
from tests.factories import make_organization

from .helpers import new_member

pytestmark = pytest.mark.django_db
D = datetime.date

KINDS = ["admitted", "readmitted", "restored", "restored_after_suspension", "transferred_in",
         "transferred_in_unit", "left_party", "suspended", "deceased", "transferred_out", "transferred_out_unit",
         "probation_cancelled", "converted_to_full", "probation_extended", "floating_out", "floating_back",
         "retired", "moved_within"]


def month_starts(year):
    return [D(year, m, 1) for m in range(1, 13)]


def month_end(start):
    nxt = D(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return nxt - datetime.timedelta(days=1)


def test_a_year_of_random_events_balances_every_month_and_matches_the_register(world):
    rng = random.Random(20261129)
    orgs = [world.org_a] + [make_organization(f"DA{i}", world.town_a, name=f"支部{i}") for i in range(2, 5)]
    members = [new_member(rng.choice(orgs), joined_on=D(2024, rng.randint(1, 12), rng.randint(1, 28)),
                          full=rng.random() < 0.8) for _ in range(40)]
    day, accepted, refused = D(2025, 1, 1), 0, 0
    while day < D(2026, 1, 1):
        for _ in range(rng.randint(0, 3)):
            member = Member.objects.get(pk=rng.choice(members).pk)
            kind = rng.choice(KINDS)
            target = rng.choice(orgs)
            organization = target if kind in ("moved_within", "transferred_out") and rng.random() < 0.5 else None
            try:
                record_event(member, kind, day, None, organization=organization, counterpart="外地某支部",
                             probation_ends_on=D(member.joined_on.year + 1, member.joined_on.month, 1)
                             .replace(year=member.joined_on.year + 2) if kind == "probation_extended" else None)
                accepted += 1
            except ValidationError:
                refused += 1  # the rules refuse what does not fit the member's standing; nothing is written
        if rng.random() < 0.05:
            members.append(new_member(rng.choice(orgs), joined_on=day, full=False))
        day += datetime.timedelta(days=rng.randint(1, 4))
    assert accepted > 60 and refused > 0
    queryset = PartyOrganization.objects.filter(pk__in=[o.pk for o in orgs])
    previous = None
    for start in month_starts(2025):
        table = balances(queryset, start, month_end(start))
        for pk, row in table.items():
            assert row["expected_closing"] == row["opening"] + row["additions"] - row["reductions"]
            assert row["additions"] == row["admitted"] + row["restored"] + row["transferred_in"]
            assert row["reductions"] == row["left_party"] + row["suspended"] + row["deceased"] + row["transferred_out"]
            assert row["difference"] == 0, (start, pk, row.figures)
            if previous is not None:
                assert row["opening"] == previous[pk]["expected_closing"]
        previous = table
    year = balances(queryset, D(2025, 1, 1), D(2025, 12, 31))
    for organization in orgs:
        live = Member.objects.filter(organization=organization, left_on__isnull=True).count()
        assert year[organization.pk]["expected_closing"] == live
    total = total_balance(queryset, D(2025, 1, 1), D(2025, 12, 31))
    assert total["expected_closing"] == Member.objects.filter(left_on__isnull=True).count()
    # moves between these organizations are internal to the group: its table leaves them out
    from members.models import MemberEvent

    crossing_in = MemberEvent.objects.filter(kind__in=["transferred_in", "transferred_in_unit"],
                                             occurred_on__year=2025, counterpart_organization__isnull=True).count()
    internal_in = MemberEvent.objects.filter(kind__in=["transferred_in", "transferred_in_unit"],
                                             occurred_on__year=2025, counterpart_organization__isnull=False).count()
    assert internal_in > 0
    assert total["transferred_in"] == crossing_in
    assert total["additions"] == sum(r["additions"] for r in year.values()) - internal_in
    assert total["difference"] == 0


def test_balance_is_three_queries_for_any_number_of_organizations(world, django_assert_max_num_queries):
    orgs = [make_organization(f"DQ{i}", world.town_a) for i in range(10)]
    for organization in orgs:
        new_member(organization, joined_on=D(2025, 3, 1))
    with django_assert_max_num_queries(3):
        table = balances(PartyOrganization.objects.filter(code__startswith="DQ"), D(2025, 1, 1), D(2025, 12, 31))
    assert sum(row["admitted"] for row in table.values()) == 10


def test_the_demo_register_balances(db):
    from django.core.management import call_command
    from django.utils import timezone

    call_command("seed_demo", verbosity=0)
    year = timezone.localdate().year
    total = total_balance(PartyOrganization.objects.all(), D(year, 1, 1), D(year, 12, 31))
    assert total["difference"] == 0
    assert total["deceased"] == 1
    assert total["transferred_out"] == 0  # the one received transfer moved a member inside the city
    assert total["expected_closing"] == Member.objects.filter(left_on__isnull=True).count()


def test_synthetic_members_enter_the_register_by_events(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("generate_synthetic", enterprises=600, seed=3, verbosity=0, stdout=StringIO())
    members = Member.objects.count()
    assert members > 0
    total = total_balance(PartyOrganization.objects.all(), D(1900, 1, 1), D(2100, 12, 31))
    assert total["admitted"] == members
    assert total["difference"] == 0
    assert total["expected_closing"] == Member.objects.filter(left_on__isnull=True).count()


def test_member_balance_report_equals_the_balance_page_figures(world):
    from io import StringIO

    import openpyxl
    from django.core.management import call_command

    new_member(world.org_a, joined_on=D(2025, 3, 1))
    gone = new_member(world.org_a, joined_on=D(2020, 3, 1))
    from members.services import record_event

    record_event(gone, "deceased", D(2025, 6, 1), None)
    out = StringIO()
    call_command("build_report", "member_balance", "--region", world.county_a.code, "--period", "2025", stdout=out)
    path = out.getvalue().strip().splitlines()[-1]
    sheet = openpyxl.load_workbook([p for p in [path] if p.endswith(".xlsx")][0] if path.endswith(".xlsx")
                                   else path.replace(".csv", ".xlsx")).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    by_line = {row[0]: row for row in values if isinstance(row[0], int)}
    total = total_balance(PartyOrganization.objects.filter(region__path__startswith=world.county_a.path),
                          D(2025, 1, 1), D(2025, 12, 31))
    assert by_line[1][2] == total["opening"] == 1
    assert by_line[3][2] == total["admitted"] == 1
    assert by_line[12][2] == total["deceased"] == 1
    assert by_line[17][2] == 0


def test_a_move_counts_for_the_regions_it_crosses_and_not_for_the_one_that_holds_both_ends(world):
    from members.services import record_event

    member = new_member(world.org_a, joined_on=D(2020, 1, 1))
    record_event(member, "moved_within", D(2025, 5, 1), None, organization=world.org_b)

    def table(region):
        return total_balance(PartyOrganization.objects.filter(region__path__startswith=region.path),
                             D(2025, 1, 1), D(2025, 12, 31))

    assert table(world.county_a)["transferred_out"] == 1 and table(world.county_a)["expected_closing"] == 0
    assert table(world.county_b)["transferred_in"] == 1 and table(world.county_b)["expected_closing"] == 1
    city = table(world.city)
    assert city["transferred_in"] == city["transferred_out"] == 0
    assert city["opening"] == city["expected_closing"] == 1 and city["difference"] == 0
