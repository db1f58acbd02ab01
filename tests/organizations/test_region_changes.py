"""Region changes (区划调整): move, rename, merge, close — one service, recorded, refused with clear messages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from organizations import region_changes, services
from organizations.models import Enterprise, PartyOrganization, Region, RegionChange
from tests.conftest import api_as
from tests.factories import EnterpriseFactory, cover, make_organization, make_region, make_user

D = datetime.date


def fresh(obj):
    obj.refresh_from_db()
    return obj


@pytest.fixture
def today():
    return timezone.localdate()


def test_move_places_the_subtree_under_the_new_parent_and_records_the_old_one(world, today):
    village = make_region("431281001001", "某村", Region.Kind.VILLAGE, parent=fresh(world.town_a))
    in_village = EnterpriseFactory(region=village, name="村办企业")
    change = region_changes.move_region(fresh(world.town_a), world.county_b, user=world.admin,
                                        effective_on=today, note="湘政函〔2026〕1号")
    town = fresh(world.town_a)
    assert town.path.startswith(fresh(world.county_b).path) and town.depth == 3
    assert fresh(village).path.startswith(town.path)
    assert change.kind == "move" and change.old_parent == world.county_a and change.new_parent == world.county_b
    assert change.recorded_by == world.admin and change.note == "湘政函〔2026〕1号"
    # A subtree query after the move finds the moved enterprises (one indexed LIKE on the new path).
    in_b = set(Enterprise.objects.filter(region__path__startswith=fresh(world.county_b).path).values_list("name", flat=True))
    assert in_b == {"鹤城乙公司", "洪江甲公司", "村办企业"}
    assert not Enterprise.objects.filter(region__path__startswith=fresh(world.county_a).path).exists()
    assert in_village.region_id == village.pk  # enterprises keep their region: only the tree above changed
    assert fresh(world.county_a).numchild == 0 and fresh(world.county_b).numchild == 2
    assert all(not problem for problem in Region.objects.find_problems())  # treebeard's own consistency check


def test_snapshots_computed_after_a_move_count_the_moved_enterprises(world, today):
    from reports.models import CoverageSnapshot

    call_command("compute_coverage", "--region", "431200", verbosity=0)
    assert CoverageSnapshot.objects.get(region=world.county_b, as_of=today).enterprises == 1
    region_changes.move_region(fresh(world.town_a), world.county_b, user=world.admin, effective_on=today)
    call_command("compute_coverage", "--region", "431200", verbosity=0)
    assert CoverageSnapshot.objects.get(region=world.county_b, as_of=today).enterprises == 2
    assert CoverageSnapshot.objects.get(region=world.county_a, as_of=today).enterprises == 0
    assert CoverageSnapshot.objects.get(region=world.town_a, as_of=today).enterprises == 1  # same id, same row
    assert CoverageSnapshot.objects.get(region=world.city, as_of=today).enterprises == 2


def test_move_under_itself_or_a_descendant_is_refused_and_changes_nothing(world, today):
    path = fresh(world.county_a).path
    for target in (world.county_a, world.town_a):
        with pytest.raises(ValidationError) as error:
            region_changes.move_region(fresh(world.county_a), fresh(target), user=world.admin, effective_on=today)
        assert "不能移到其自身或其下级区划之下" in str(error.value.messages)
    assert fresh(world.county_a).path == path and not RegionChange.objects.exists()


def test_rename_keeps_the_old_name_code_and_kind(world, today):
    change = region_changes.rename_region(fresh(world.town_a), user=world.editor_a, effective_on=today,
                                          name="黔城街道", code="431281002", kind=Region.Kind.TOWNSHIP)
    town = fresh(world.town_a)
    assert (town.name, town.code) == ("黔城街道", "431281002")
    assert (change.old_name, change.new_name, change.old_code, change.new_code) == (
        "黔城镇", "黔城街道", "431281001", "431281002")
    assert town.history.first().history_user == world.editor_a


def test_rename_to_a_code_that_is_taken_is_refused(world, today):
    with pytest.raises(ValidationError) as error:
        region_changes.rename_region(fresh(world.town_a), user=world.admin, effective_on=today, code="431202001")
    assert "431202001" in error.value.messages[0] and "已被" in error.value.messages[0]
    assert fresh(world.town_a).code == "431281001"


def test_a_future_effective_date_is_refused(world, today):
    with pytest.raises(ValidationError) as error:
        region_changes.rename_region(fresh(world.town_a), user=world.admin, effective_on=today + datetime.timedelta(1),
                                     name="新名")
    assert "不能晚于今天" in error.value.messages[0]


def test_merge_moves_enterprises_organizations_and_sub_regions_to_the_surviving_region(world, today):
    town_a, county_a = fresh(world.town_a), fresh(world.county_a)
    old_town = make_region("431281003", "岔头乡", Region.Kind.TOWNSHIP, parent=county_a)
    village = make_region("431281003001", "岔头村", Region.Kind.VILLAGE, parent=old_town)
    ent_direct = EnterpriseFactory(region=old_town, name="岔头公司")
    ent_village = EnterpriseFactory(region=village, name="岔头村企业")
    org = make_organization("DCT1", old_town, name="岔头公司党支部")
    cover(org, ent_direct)
    change = region_changes.merge_region(fresh(old_town), town_a, user=world.editor_a, effective_on=today,
                                         note="撤乡并镇")
    assert fresh(ent_direct).region == town_a and fresh(org).region == town_a
    assert fresh(ent_village).region == village and fresh(village).path.startswith(fresh(town_a).path)
    assert fresh(old_town).valid_to == today and fresh(old_town).numchild == 0  # kept, closed, never deleted
    assert (change.moved_enterprises, change.moved_organizations, change.moved_regions) == (1, 1, 1)
    assert change.merged_into == town_a and change.old_parent == county_a
    assert fresh(ent_direct).history.first().history_user == world.editor_a
    assert set(Enterprise.objects.filter(region__path__startswith=fresh(town_a).path).values_list("name", flat=True)) \
        == {"洪江甲公司", "岔头公司", "岔头村企业"}


def test_merge_into_itself_or_a_descendant_is_refused(world, today):
    for target in (world.county_a, world.town_a):
        with pytest.raises(ValidationError) as error:
            region_changes.merge_region(fresh(world.county_a), fresh(target), user=world.admin, effective_on=today)
        assert "不能并入其自身或其下级区划" in error.value.messages[0]
    assert fresh(world.ent_a).region == world.town_a


def test_closing_a_region_with_operating_enterprises_is_refused(world, today):
    with pytest.raises(ValidationError) as error:
        region_changes.close_region(fresh(world.county_a), user=world.admin, effective_on=today)
    message = error.value.messages[0]
    assert "不能撤销" in message and "1 家企业仍在经营" in message and "1 个党组织仍在运行" in message
    assert fresh(world.county_a).valid_to is None


def test_closing_an_empty_region_closes_its_sub_regions_too(world, today):
    services.close_enterprise(world.ent_a, D(2026, 1, 1))
    services.dissolve_organization(world.org_a, D(2026, 1, 1))
    world.editor_a.scope_region = world.city  # nobody keeps a scope inside what closes
    world.editor_a.save()
    world.viewer_a.is_active = False
    world.viewer_a.save()
    change = region_changes.close_region(fresh(world.county_a), user=world.editor_a, effective_on=today)
    assert fresh(world.county_a).valid_to == today and fresh(world.town_a).valid_to == today
    assert change.kind == "close" and change.old_parent == world.city


def test_closing_a_region_that_is_a_users_scope_is_refused(world, today):
    services.close_enterprise(world.ent_a, D(2026, 1, 1))
    services.dissolve_organization(world.org_a, D(2026, 1, 1))
    with pytest.raises(ValidationError) as error:
        region_changes.close_region(fresh(world.county_a), user=world.admin, effective_on=today)
    assert world.editor_a.username in error.value.messages[0]


def test_a_closed_region_cannot_be_changed_again(world, today):
    old_town = make_region("431281003", "岔头乡", Region.Kind.TOWNSHIP, parent=fresh(world.county_a))
    region_changes.merge_region(old_town, fresh(world.town_a), user=world.admin, effective_on=today)
    with pytest.raises(ValidationError) as error:
        region_changes.rename_region(fresh(old_town), user=world.admin, effective_on=today, name="再改")
    assert "已于" in error.value.messages[0]


# --- who may change what ---------------------------------------------------------------------

def test_nobody_changes_their_own_scope_root_unless_admin(world, today):
    with pytest.raises(PermissionDenied):
        region_changes.rename_region(fresh(world.county_a), user=world.editor_a, effective_on=today, name="洪江区")
    region_changes.rename_region(fresh(world.county_a), user=world.admin, effective_on=today, name="洪江区")
    assert fresh(world.county_a).name == "洪江区"


def test_an_editor_cannot_move_a_region_out_of_their_scope(world, today):
    with pytest.raises(ValidationError):
        region_changes.move_region(fresh(world.town_a), world.county_b, user=world.editor_a, effective_on=today)
    assert fresh(world.town_a).path.startswith(fresh(world.county_a).path)


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_page_forms_rename_and_show_the_change(world, client_as, today):
    client = client_as(world.editor_a)
    page = client.get(world.town_a.get_absolute_url()).content.decode()
    assert 'data-testid="region-change-forms"' in page
    response = client.post(f"/organizations/regions/{world.town_a.pk}/change/rename/",
                           {"rename-name": "黔城街道", "rename-effective_on": today.isoformat(), "rename-note": "批复"})
    assert response.status_code == 302
    assert fresh(world.town_a).name == "黔城街道"
    history = client.get(world.town_a.get_history_url()).content.decode()
    assert "黔城镇" in history and "批复" in history and 'data-testid="region-past"' in history


def test_page_refusal_is_a_message_and_changes_nothing(world, client_as, today):
    client = client_as(world.editor_a)
    response = client.post(f"/organizations/regions/{world.town_a.pk}/change/close/",
                           {"close-effective_on": today.isoformat()}, follow=True)
    assert "不能撤销" in response.content.decode()
    assert fresh(world.town_a).valid_to is None


def test_page_hides_the_forms_on_the_users_own_scope_root_and_refuses_the_post(world, client_as, today):
    client = client_as(world.editor_a)
    assert 'data-testid="region-change-forms"' not in client.get(world.county_a.get_absolute_url()).content.decode()
    response = client.post(f"/organizations/regions/{world.county_a.pk}/change/rename/",
                           {"rename-name": "X", "rename-effective_on": today.isoformat()})
    assert response.status_code == 403 and fresh(world.county_a).name == "洪江市"


def test_page_change_out_of_scope_is_404_and_viewers_get_403(world, client_as, today):
    data = {"rename-name": "X", "rename-effective_on": today.isoformat()}
    assert client_as(world.editor_a).post(f"/organizations/regions/{world.town_b.pk}/change/rename/",
                                          data).status_code == 404
    assert client_as(world.viewer_a).post(f"/organizations/regions/{world.town_a.pk}/change/rename/",
                                          data).status_code == 403
    assert fresh(world.town_b).name == "城中街道" and fresh(world.town_a).name == "黔城镇"


def test_history_page_shows_past_parents_and_names(world, client_as, today):
    region_changes.move_region(fresh(world.town_a), world.county_b, user=world.admin, effective_on=today)
    region_changes.rename_region(fresh(world.town_a), user=world.admin, effective_on=today, name="新黔城")
    body = client_as(world.admin).get(world.town_a.get_history_url()).content.decode()
    past = body.split('data-testid="region-past"')[1].split("</div></div>")[0]
    assert "洪江市" in past and "黔城镇" in past
    # The old parent's history lists the move it took part in.
    old_parent = client_as(world.admin).get(world.county_a.get_history_url()).content.decode()
    assert "新黔城" in old_parent.split('data-testid="region-changes-table"')[1]


def test_edit_form_parent_change_is_a_recorded_move(world, client_as):
    client = client_as(world.admin)
    town = fresh(world.town_a)
    response = client.post(town.get_edit_url(), {"code": town.code, "name": town.name, "kind": town.kind,
                                                 "parent": world.county_b.code})
    assert response.status_code == 302, response.content.decode()[:2000]
    change = RegionChange.objects.get()
    assert change.kind == "move" and change.old_parent == world.county_a and change.recorded_by == world.admin


# --- API -------------------------------------------------------------------------------------

def test_api_move_rename_merge_close(world, today):
    client = api_as(world.admin)
    day = today.isoformat()
    moved = client.post(f"/api/v1/regions/{world.town_a.pk}/move/", {"parent": "431202", "effective_on": day},
                        format="json")
    assert moved.status_code == 201, moved.json()
    assert moved.json()["old_parent"] == "431281" and moved.json()["new_parent"] == "431202"
    renamed = client.post(f"/api/v1/regions/{world.town_a.pk}/rename/", {"name": "黔城街道", "effective_on": day},
                          format="json")
    assert renamed.status_code == 201 and renamed.json()["old_name"] == "黔城镇"
    merged = client.post(f"/api/v1/regions/{world.town_a.pk}/merge/", {"into": "431202001", "effective_on": day},
                         format="json")
    assert merged.status_code == 201 and merged.json()["moved_enterprises"] == 1
    assert fresh(world.ent_a).region == world.town_b
    listing = client.get("/api/v1/region-changes/", {"region": "431202"}).json()
    assert [row["kind"] for row in listing["results"]] == ["merge", "rename", "move"]


def test_api_refusals_are_400_with_the_field(world, today):
    client = api_as(world.admin)
    response = client.post(f"/api/v1/regions/{world.county_a.pk}/move/",
                           {"parent": "431281001", "effective_on": today.isoformat()}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    response = client.post(f"/api/v1/regions/{world.county_a.pk}/move/", {"effective_on": today.isoformat()},
                           format="json")
    assert response.status_code == 400 and "parent" in response.json()
    response = client.post(f"/api/v1/regions/{world.county_a.pk}/close/", {"effective_on": "not-a-date"},
                           format="json")
    assert response.status_code == 400 and "effective_on" in response.json()
    assert not RegionChange.objects.exists()


def test_api_scope_404_out_of_scope_403_for_viewers_and_own_root(world, today):
    day = today.isoformat()
    editor = api_as(world.editor_a)
    assert editor.post(f"/api/v1/regions/{world.town_b.pk}/rename/", {"name": "X", "effective_on": day},
                       format="json").status_code == 404
    # A target out of scope reads as unknown.
    response = editor.post(f"/api/v1/regions/{world.town_a.pk}/move/", {"parent": "431202", "effective_on": day},
                           format="json")
    assert response.status_code == 400 and "parent" in response.json()
    assert editor.post(f"/api/v1/regions/{world.county_a.pk}/rename/", {"name": "X", "effective_on": day},
                       format="json").status_code == 403
    assert api_as(world.viewer_a).post(f"/api/v1/regions/{world.town_a.pk}/rename/",
                                       {"name": "X", "effective_on": day}, format="json").status_code == 403
    region_changes.rename_region(fresh(world.town_b), user=world.admin, effective_on=today, name="城中新街道")
    assert api_as(world.viewer_a).get("/api/v1/region-changes/").json()["count"] == 0
    change = RegionChange.objects.get()
    assert api_as(world.viewer_a).get(f"/api/v1/region-changes/{change.pk}/").status_code == 404


def test_api_patch_of_a_regions_name_is_a_recorded_rename(world):
    response = api_as(world.editor_a).patch(f"/api/v1/regions/{world.town_a.pk}/", {"name": "黔城街道"}, format="json")
    assert response.status_code == 200, response.json()
    change = RegionChange.objects.get()
    assert change.kind == "rename" and change.old_name == "黔城镇" and change.recorded_by == world.editor_a


def test_admin_records_a_change_through_the_service(world, client, today):
    superuser = make_user("admin", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    response = client.post("/admin/organizations/regionchange/add/", {
        "region": world.town_a.pk, "kind": "rename", "effective_on": today.isoformat(), "new_name": "黔城街道",
        "note": "", "new_code": "", "new_kind": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    change = RegionChange.objects.get()
    assert change.old_name == "黔城镇" and change.recorded_by == superuser and fresh(world.town_a).name == "黔城街道"
