"""The phone filing pages: manifest, service worker, the filing page (own organization only), the records list
with its to-do and cards — scoped and constant in queries."""

import datetime
import json

import pytest

from activities.models import ActivityRecord
from tests.factories import make_user

from .helpers import make_member, make_record

pytestmark = pytest.mark.django_db


def test_manifest_and_service_worker_are_served_without_login_and_hold_no_data(client):
    manifest = client.get("/activities/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest["Content-Type"].startswith("application/manifest+json")
    body = json.loads(manifest.content)
    assert body["display"] == "standalone" and body["scope"] == "/activities/"
    assert {icon["sizes"] for icon in body["icons"]} == {"192x192", "512x512"}
    worker = client.get("/activities/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("application/javascript")
    assert worker["Cache-Control"] == "no-cache"
    text = worker.content.decode()
    assert '"/activities/records/quick/"' in text and "/static/js/filing.js" in text
    assert "{{" not in text and "{%" not in text


def test_the_filing_page_lists_the_secretarys_own_members_and_no_others(world, client):
    own = make_member(world.org_a, name="甲支部党员")
    other = make_member(world.org_b, name="乙支部党员")
    client.force_login(world.secretary_a)
    page = client.get("/activities/records/quick/").content.decode()
    assert f'data-member="{own.pk}"' in page and "甲支部党员" in page
    assert f'data-member="{other.pk}"' not in page and "乙支部党员" not in page
    assert f'data-organization="{world.org_a.code}"' in page
    assert 'rel="manifest"' in page and "/static/js/filing.js" in page
    assert "<script>" not in page  # CSP script-src 'self': no inline scripts


def test_the_filing_page_is_for_branch_secretaries(world, client):
    client.force_login(world.editor_a)
    response = client.get("/activities/records/quick/")
    assert response.status_code == 302 and response["Location"] == "/activities/records/add/"
    client.force_login(world.viewer_a)  # a viewer may not file at all
    assert client.get("/activities/records/quick/").status_code == 403
    client.logout()
    assert client.get("/activities/records/quick/").status_code == 302  # to the login page


def test_records_list_shows_the_to_do_and_cards_in_scope_with_constant_queries(world, client,
                                                                                django_assert_max_num_queries):
    make_record(world.org_a, topic="甲支部草稿")
    make_record(world.org_a, topic="甲支部退回", status=ActivityRecord.Status.RETURNED)
    make_record(world.org_b, topic="乙支部退回", status=ActivityRecord.Status.RETURNED)
    client.force_login(world.secretary_a)
    page = client.get("/activities/records/").content.decode()
    assert page.count('data-testid="record-card"') == 2
    assert "甲支部退回" in page and "乙支部退回" not in page
    assert "1 record returned for correction" in page and "1 draft not yet submitted" in page
    assert 'data-testid="quick-filing-link"' in page and 'id="record-filters"' in page
    for day in range(1, 30):
        make_record(world.org_a, held_on=datetime.date(2026, 5, day), topic=f"记录{day}")
    with django_assert_max_num_queries(9):
        response = client.get("/activities/records/")
    assert response.content.decode().count('data-testid="record-card"') == 31
    client.force_login(world.editor_a)
    page = client.get("/activities/records/").content.decode()
    assert 'data-testid="quick-filing-link"' not in page
    assert "2 records returned for correction" not in page  # the editor's scope holds org_a only
    assert "1 record returned for correction" in page
