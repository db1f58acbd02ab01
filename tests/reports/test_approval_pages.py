"""The approval pages: buttons only for what the user may do, transitions from the run page, the inbox, the
completeness page (late in red, scoped) and the reporting-unit settings page."""

import datetime

import pytest

from reports.models import ReportingUnit, ReportRun
from tests.conftest import api_as
from tests.factories import EnterpriseFactory, make_user
from tests.reports.test_approval import act, build


@pytest.fixture
def people(world):
    world.editor_b = make_user("region_editor", region=world.county_b)
    world.city_editor = make_user("region_editor", region=world.city)
    return world


def page_as(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_run_page_shows_only_the_actions_of_this_user(client, people):
    run_id = build(people.editor_a).json()["id"]
    url = f"/reports/runs/{run_id}/"
    html = page_as(client, people.editor_a, url).content.decode()
    assert 'data-testid="approval-submit"' in html and 'data-testid="approval-approve"' not in html
    assert "草稿" in html
    html = page_as(client, people.city_editor, url).content.decode()
    assert 'data-testid="approval-submit"' in html  # an editor above may submit for the county
    assert 'data-testid="approval-approve"' not in html  # nothing to approve yet
    act(people.editor_a, run_id, "submit")
    html = page_as(client, people.editor_a, url).content.decode()
    assert 'data-testid="approval-' not in html.replace('data-testid="approval-card"', "").replace(
        'data-testid="approval-state"', "").replace('data-testid="approval-chain"', "")
    assert 'data-testid="rerun"' not in html  # a new run is refused while submitted
    html = page_as(client, people.city_editor, url).content.decode()
    assert 'data-testid="approval-approve"' in html and 'data-testid="return-form"' in html
    assert page_as(client, people.viewer_a, url).content.decode().count('data-testid="approval-submit"') == 0
    assert page_as(client, people.editor_b, url).status_code == 404


def test_transitions_from_the_page(client, people):
    run_id = build(people.editor_a).json()["id"]
    client.force_login(people.editor_a)
    response = client.post(f"/reports/runs/{run_id}/approval/submit/", follow=True)
    assert "已报送审批" in response.content.decode()
    assert ReportRun.objects.get(pk=run_id).approval == "submitted"
    assert client.post(f"/reports/runs/{run_id}/approval/approve/").status_code == 403  # own region
    client.force_login(people.editor_b)
    assert client.post(f"/reports/runs/{run_id}/approval/approve/").status_code == 404
    client.force_login(people.city_editor)
    response = client.post(f"/reports/runs/{run_id}/approval/return/", {"reason": ""}, follow=True)
    assert "请说明退回原因" in response.content.decode()
    assert ReportRun.objects.get(pk=run_id).approval == "submitted"
    response = client.post(f"/reports/runs/{run_id}/approval/return/", {"reason": "数字待核"}, follow=True)
    html = response.content.decode()
    assert "已退回" in html and "数字待核" in html and 'data-testid="approval-chain"' in html


def test_run_page_shows_figures_changed_since_approval(client, people):
    run_id = build(people.editor_a).json()["id"]
    act(people.editor_a, run_id, "submit")
    act(people.city_editor, run_id, "approve")
    html = page_as(client, people.city_editor, f"/reports/runs/{run_id}/").content.decode()
    assert 'data-testid="figures-changed"' not in html and 'data-testid="approval-unlock"' in html
    EnterpriseFactory(region=people.town_a, founded_on=datetime.date(2021, 1, 1))
    html = page_as(client, people.city_editor, f"/reports/runs/{run_id}/").content.decode()
    assert 'data-testid="figures-changed"' in html and "审批后数字已变化" in html
    changed = html.split('data-testid="figures-changed"')[1].split("</div>")[0]
    assert "单位数" in changed and "enterprises" not in changed  # the counts' labels, not their codes


def test_inbox_lists_runs_waiting_for_this_user(client, people):
    run_a = build(people.editor_a).json()["id"]
    act(people.editor_a, run_a, "submit")
    run_b = build(people.editor_b, region="431202").json()["id"]  # a draft: not waiting
    city_run = build(people.city_editor, region="431200").json()["id"]
    act(people.city_editor, city_run, "submit")  # the city's own: not for the city to approve
    html = page_as(client, people.city_editor, "/reports/approvals/inbox/").content.decode()
    assert f"/reports/runs/{run_a}/" in html
    assert f"/reports/runs/{run_b}/" not in html and f"/reports/runs/{city_run}/" not in html
    html = page_as(client, people.editor_a, "/reports/approvals/inbox/").content.decode()
    assert f"/reports/runs/{run_a}/" not in html  # nobody approves their own region's run
    assert page_as(client, people.viewer_a, "/reports/approvals/inbox/").status_code == 403
    html = page_as(client, people.admin, "/reports/approvals/inbox/").content.decode()
    assert f"/reports/runs/{run_a}/" in html and f"/reports/runs/{city_run}/" in html


def test_approvals_page_shows_late_regions_in_red_and_is_scoped(client, people):
    build(people.editor_a)
    query = "?definition=nonpublic_enterprises&period=2025"
    response = page_as(client, people.city_editor, f"/reports/approvals/{query}&region=431200")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="due-on">2026-01-15<' in html
    assert 'class="table-danger" data-testid="approval-row-431202"' in html  # missing, past the due date
    assert html.count("未上报") == 2  # the city and the other county have no run
    assert page_as(client, people.editor_a, f"/reports/approvals/{query}&region=431202").status_code == 404
    html = page_as(client, people.editor_a, f"/reports/approvals/{query}").content.decode()
    assert "approval-row-431281" in html and "approval-row-431202" not in html
    bad = page_as(client, people.editor_a, "/reports/approvals/?definition=nonpublic_enterprises&period=20x")
    assert bad.status_code == 400 and "20x" in bad.content.decode()
    assert page_as(client, people.secretary_a, f"/reports/approvals/{query}").status_code == 403


def test_reporting_unit_page(client, people):
    url = "/reports/units/431281/"
    assert page_as(client, people.editor_a, url).status_code == 200
    bad = client.post(url, {"head": "张书记", "phone": "电话号码"})
    assert bad.status_code == 400 and "电话号码" in bad.content.decode()
    assert not ReportingUnit.objects.exists()
    response = client.post(url, {"head": "张书记", "phone": "0745-7654321"})
    assert response.status_code == 302
    unit = ReportingUnit.objects.get(region=people.county_a)
    assert (unit.head, unit.phone) == ("张书记", "0745-7654321") and unit.history.count() == 1
    assert page_as(client, people.city_editor, url).status_code == 200  # an editor above
    assert page_as(client, people.editor_b, url).status_code == 404
    assert page_as(client, people.viewer_a, url).status_code == 403
    run_id = build(people.editor_a).json()["id"]
    detail = api_as(people.editor_a).get(f"/api/v1/reports/runs/{run_id}/").json()
    assert detail["approval"] == "draft"
    assert "单位负责人：张书记" in ReportRun.objects.get(pk=run_id).preview["cover"][0]
