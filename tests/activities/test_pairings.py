"""Pairing and co-construction: rules, yearly results, and counts per region and kind (by hand below)."""

import datetime

import pytest
from django.urls import reverse

from activities.models import Pairing, PairingResult
from tests.conftest import api_as
from tests.factories import make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairs(world):
    """County A: org_a with 村 (village, in force), with org_b (organ kind, in force) and an ended
    community pairing; county B: org_b with 社区 (community, in force). On 2026-06-30 in the city:
    county A village 1, organ 1; county B community 1; the ended one counts nowhere."""
    Pairing.objects.create(organization=world.org_a, kind="village", partner_name="黔城村", started_on="2024-01-01")
    Pairing.objects.create(organization=world.org_a, kind="organ", partner_organization=world.org_b,
                           started_on="2025-01-01")
    Pairing.objects.create(organization=world.org_a, kind="community", partner_name="老街社区",
                           started_on="2023-01-01", ended_on="2025-01-01")
    Pairing.objects.create(organization=world.org_b, kind="community", partner_name="城中社区",
                           started_on="2024-05-01")
    return world


def test_counts_per_region_and_kind(pairs, client, django_assert_max_num_queries):
    client.force_login(pairs.admin)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("activities:pairing_list"), {"region": "431200", "in_force_on": "2026-06-30"})
    kinds = [value for value, _label in Pairing.Kind.choices]
    lines = {line["region"].code: dict(zip(kinds, line["cells"])) for line in response.context["pairing_lines"]}
    assert lines["431281"]["village"] == 1 and lines["431281"]["organ"] == 1 and lines["431281"]["community"] == 0
    assert lines["431202"]["community"] == 1
    assert response.context["pairing_total"] == 3
    # on 2024-06-01: county A village 1 + community 1 (not yet ended), county B community 1
    response = client.get(reverse("activities:pairing_list"), {"region": "431200", "in_force_on": "2024-06-01"})
    assert response.context["pairing_total"] == 3
    assert dict(zip(kinds, response.context["pairing_totals"]))["community"] == 2


def test_county_viewer_counts_only_their_county(pairs, client):
    client.force_login(pairs.viewer_a)
    response = client.get(reverse("activities:pairing_list"), {"in_force_on": "2026-06-30"})
    assert response.context["pairing_total"] == 2
    assert client.get(reverse("activities:pairing_list"), {"region": "431202"}).status_code == 404
    theirs = Pairing.objects.get(organization=pairs.org_b)
    assert client.get(theirs.get_absolute_url()).status_code == 404


def test_pairing_rules(pairs):
    client = api_as(pairs.editor_a)
    base = {"organization": "DA1", "kind": "village", "started_on": "2026-01-01"}
    both = client.post("/api/v1/pairings/", dict(base, partner_name="某村", partner_organization="DB1"), format="json")
    assert both.status_code == 400 and "partner_name" in both.json()
    neither = client.post("/api/v1/pairings/", base, format="json")
    assert neither.status_code == 400
    itself = client.post("/api/v1/pairings/", dict(base, partner_organization="DA1"), format="json")
    assert itself.status_code == 400 and "partner_organization" in itself.json()
    twice = client.post("/api/v1/pairings/", dict(base, partner_name=" 黔城村 "), format="json")
    assert twice.status_code == 400 and "2024-01-01" in twice.json()["started_on"][0]
    dates = client.post("/api/v1/pairings/", dict(base, partner_name="新村", ended_on="2025-01-01"), format="json")
    assert dates.status_code == 400 and "ended_on" in dates.json()
    ok = client.post("/api/v1/pairings/", dict(base, partner_name="新村"), format="json")
    assert ok.status_code == 201, ok.json()
    # another county's organization may be the partner, but not the owner
    assert client.post("/api/v1/pairings/", dict(base, organization="DB1", partner_name="某村"),
                       format="json").status_code == 400


def test_yearly_results_once_a_year_within_the_pairing(pairs, client):
    ended = Pairing.objects.get(partner_name="老街社区")
    client.force_login(pairs.editor_a)
    url = reverse("activities:pairing_result_create", args=[ended.pk])
    response = client.post(url, {"year": 2025, "activities_held": 3, "projects": 1, "evaluation": "good",
                                 "summary": "共建"})
    assert response.status_code == 200 and "year" in response.context["form"].errors
    response = client.post(url, {"year": 2024, "activities_held": 3, "projects": 1, "evaluation": "good",
                                 "summary": "联合开展主题党日"})
    assert response.status_code == 302
    assert PairingResult.objects.get().year == 2024
    again = api_as(pairs.editor_a).post("/api/v1/pairing-results/", {
        "pairing": ended.pk, "year": 2024, "evaluation": "fair", "summary": "x"}, format="json")
    assert again.status_code == 400
    page = client.get(ended.get_absolute_url())
    assert "联合开展主题党日" in page.content.decode()
    theirs = Pairing.objects.get(organization=pairs.org_b)
    assert client.get(reverse("activities:pairing_result_create", args=[theirs.pk])).status_code == 404


def test_partner_may_be_an_organization_of_another_county_on_the_page(pairs, client):
    client.force_login(pairs.editor_a)
    other = make_organization("DA9", pairs.town_a)
    response = client.post(reverse("activities:pairing_create"), {
        "organization": other.code, "kind": "organ", "partner_organization": "DB1", "started_on": "2026-01-01"})
    assert response.status_code == 302, response.context["form"].errors
    assert Pairing.objects.get(organization=other).partner_organization == pairs.org_b
    assert datetime.date(2026, 1, 1) == Pairing.objects.get(organization=other).started_on
