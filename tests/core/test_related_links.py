"""Related things one click apart: an organization's members, records and compliance; an enterprise's
employed members; names on detail pages are links (when the user may open them); compliance cells link to the
records behind them; the should-form drill-down counts full members. All scoped, all constant in queries."""

import re
import datetime
import io

import pytest
from django.core.management import call_command

from activities.models import ActivityRecord
from members.models import Member, Transfer
from tests.activities.helpers import make_record
from tests.factories import EnterpriseFactory, make_user
from tests.members.helpers import new_member

pytestmark = pytest.mark.django_db


def test_the_organization_page_shows_its_members_records_and_compliance(world, client,
                                                                        django_assert_max_num_queries):
    member = new_member(world.org_a, name="甲支部党员")
    record = make_record(world.org_a, topic="甲支部支委会", held_on=datetime.date(2026, 7, 10))
    client.force_login(world.editor_a)
    url = world.org_a.get_absolute_url()
    page = client.get(url).content.decode()
    assert f'href="{member.get_absolute_url()}"' in page and "甲支部党员" in page
    assert f'href="{record.get_absolute_url()}"' in page
    assert f"/activities/records/?organization={world.org_a.code}" in page
    assert f"/members/?organization={world.org_a.code}" in page
    assert 'data-testid="related-compliance"' in page
    for n in range(25):
        new_member(world.org_a)
        make_record(world.org_a, held_on=datetime.date(2026, 6, 1) + datetime.timedelta(days=n))
    with django_assert_max_num_queries(40) as captured:
        client.get(url)
    few = len(captured.captured_queries)
    for n in range(10):
        new_member(world.org_a)
    with django_assert_max_num_queries(few):  # constant: more members, same queries
        page = client.get(url).content.decode()
    assert 'data-testid="related-member-count">36<' in page


def test_the_enterprise_page_lists_the_members_employed_there_in_scope_only(world, client):
    ours = new_member(world.org_a, name="甲支部职工", employer=world.ent_a)
    theirs = new_member(world.org_b, name="乙支部职工", employer=world.ent_a)  # in the other county's register
    client.force_login(world.editor_a)
    page = client.get(world.ent_a.get_absolute_url()).content.decode()
    assert f'href="{ours.get_absolute_url()}"' in page and "甲支部职工" in page
    assert "乙支部职工" not in page and f'href="{theirs.get_absolute_url()}"' not in page
    assert 'data-testid="employed-member-count">1<' in page
    assert f"/members/?employer={world.ent_a.uscc}" in page


def test_names_on_detail_pages_are_links_only_to_what_the_user_may_open(world, client):
    member = new_member(world.org_a, name="转出党员", employer=world.ent_a)
    record = make_record(world.org_a)
    transfer = Transfer.objects.create(member=member, from_organization=world.org_a, to_organization=world.org_b,
                                       issued_on=datetime.date(2026, 6, 1), valid_until=datetime.date(2026, 9, 1),
                                       letter_number="T-1")
    client.force_login(world.editor_a)
    page = client.get(record.get_absolute_url()).content.decode()
    assert f'<a href="{world.org_a.get_absolute_url()}" data-testid="related-link">' in page
    page = client.get(member.get_absolute_url()).content.decode()
    assert f'<a href="{world.org_a.get_absolute_url()}" data-testid="related-link">' in page
    assert f'<a href="{world.ent_a.get_absolute_url()}" data-testid="related-link">' in page
    page = client.get(transfer.get_absolute_url()).content.decode()
    assert f'<a href="{member.get_absolute_url()}" data-testid="related-link">转出党员</a>' in page
    assert f'<a href="{world.org_a.get_absolute_url()}" data-testid="related-link">' in page
    assert f'href="{world.org_b.get_absolute_url()}"' not in page  # the receiving side is out of scope: no link
    assert world.org_b.name in page


def test_compliance_rows_link_to_the_organization_and_its_records(world, client):
    make_record(world.org_a, held_on=datetime.date(2026, 7, 10), status=ActivityRecord.Status.ACCEPTED)
    client.force_login(world.editor_a)
    page = client.get("/activities/compliance/", {"region": world.town_a.code, "period": "2026Q3"}).content.decode()
    assert f'href="{world.org_a.get_absolute_url()}" data-testid="compliance-organization-link"' in page
    assert (f"/activities/records/?organization={world.org_a.code}&amp;kind=committee_meeting&amp;period=2026Q3"
            in page)


def test_the_should_form_drill_down_shows_full_members(world, client):
    ent = EnterpriseFactory(region=world.town_a, name="应建企业")
    for _ in range(3):
        new_member(world.org_a, employer=ent)
    new_member(world.org_a, employer=ent, full=False)  # probationary: not counted
    call_command("compute_coverage", verbosity=0, stdout=io.StringIO())
    client.force_login(make_user("region_viewer", region=world.county_a))
    page = client.get("/reports/coverage/enterprises/", {"region": world.county_a.code,
                                                         "as_of": datetime.date.today().isoformat(),
                                                         "category": "should_form"}).content.decode()
    assert "应建企业" in page and f'href="{ent.get_absolute_url()}"' in page
    row = page[page.index("应建企业"):]
    row = row[:row.index("</tr>")]
    assert re.search(r"<td[^>]*>3</td>", row)
