import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import User
from tests.conftest import api_as
from tests.factories import make_user


def test_admin_creates_a_region_viewer_with_a_region_scope(world):
    response = api_as(world.admin).post("/api/v1/users/", {
        "username": "viewer2", "password": "Long-enough-pass-1", "role": "region_viewer", "scope_region": "431281"},
        format="json")
    assert response.status_code == 201, response.json()
    assert "password" not in response.json()
    user = User.objects.get(username="viewer2")
    assert user.scope_region == world.county_a and user.check_password("Long-enough-pass-1")


def test_role_without_its_scope_is_refused(world):
    response = api_as(world.admin).post("/api/v1/users/", {
        "username": "sec", "password": "Long-enough-pass-1", "role": "branch_secretary"}, format="json")
    assert response.status_code == 400 and "scope_organization" in response.json()


def test_weak_password_is_refused(world):
    response = api_as(world.admin).post("/api/v1/users/", {
        "username": "weak", "password": "123", "role": "region_viewer", "scope_region": "431281"}, format="json")
    assert response.status_code == 400 and "password" in response.json()


def test_only_admins_manage_users(world):
    assert api_as(world.editor_a).get("/api/v1/users/").status_code == 403


def test_users_are_deactivated_not_deleted(world):
    client = api_as(world.admin)
    assert client.delete(f"/api/v1/users/{world.viewer_a.pk}/").status_code == 405
    assert client.patch(f"/api/v1/users/{world.viewer_a.pk}/", {"is_active": False}, format="json").status_code == 200
    assert api_as(User.objects.get(pk=world.viewer_a.pk)).get("/api/v1/enterprises/").status_code in (401, 403)


def test_token_endpoint_returns_a_token_that_authenticates(world, api_client):
    world.viewer_a.set_password("Long-enough-pass-1")
    world.viewer_a.save()
    response = api_client.post("/api/v1/auth/token/", {"username": world.viewer_a.username,
                                                       "password": "Long-enough-pass-1"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/enterprises/").status_code == 200


def test_create_user_command_sets_role_and_scope(world):
    call_command("create_user", "--username", "ops", "--password", "Long-enough-pass-1", "--role", "region_editor",
                 "--scope-region", "431281")
    user = User.objects.get(username="ops")
    assert user.role == "region_editor" and user.scope_region == world.county_a
    assert user.display_name == "ops"
    # run again with the person's name: the same user, now named as pages name people
    call_command("create_user", "--username", "ops", "--password", "Long-enough-pass-1", "--role", "region_editor",
                 "--scope-region", "431281", "--family-name", "欧阳", "--given-name", "晓明")
    user.refresh_from_db()
    assert (user.last_name, user.first_name, user.display_name) == ("欧阳", "晓明", "欧阳晓明")


def test_create_user_command_rejects_unknown_scope_code(world):
    with pytest.raises(CommandError):
        call_command("create_user", "--username", "ops", "--password", "Long-enough-pass-1", "--role",
                     "region_editor", "--scope-region", "000000")
    assert not User.objects.filter(username="ops").exists()


def test_user_without_scope_sees_nothing(world):
    lost = make_user("region_viewer")
    assert api_as(lost).get("/api/v1/enterprises/").json()["count"] == 0


def test_stats_client_cannot_read_the_register(world):
    client_user = make_user("stats_client", region=world.county_a)
    assert api_as(client_user).get("/api/v1/enterprises/").status_code == 403


def test_instructor_role_sees_only_assigned_enterprises(world):
    from instructors.models import Assignment, Instructor, InstructorType

    person = Instructor.objects.create(name="李指导", id_number="430124199001011236", type=InstructorType.objects.first(),
                                       region=world.county_a, active_from="2024-01-01")
    Assignment.objects.create(instructor=person, enterprise=world.ent_a, start_on="2024-01-01")
    user = make_user("instructor", instructor=person)
    ids = [row["id"] for row in api_as(user).get("/api/v1/enterprises/").json()["results"]]
    assert ids == [world.ent_a.pk]


def test_a_user_changes_their_own_password_and_weak_ones_are_refused(world, settings):
    from django.test import Client

    settings.LANGUAGE_CODE = "zh-hans"
    world.viewer_a.set_password("Old-pass-2026-x")
    world.viewer_a.save()
    client = Client()
    client.force_login(world.viewer_a)
    weak = client.post("/password/", {"old_password": "Old-pass-2026-x", "new_password1": "12345678",
                                      "new_password2": "12345678"})
    assert weak.status_code == 200 and "密码" in weak.content.decode()
    world.viewer_a.refresh_from_db()
    assert world.viewer_a.check_password("Old-pass-2026-x")
    wrong_old = client.post("/password/", {"old_password": "nope", "new_password1": "Brand-new-pass-77",
                                           "new_password2": "Brand-new-pass-77"})
    assert wrong_old.status_code == 200
    done = client.post("/password/", {"old_password": "Old-pass-2026-x", "new_password1": "Brand-new-pass-77",
                                      "new_password2": "Brand-new-pass-77"})
    assert done.status_code == 302
    world.viewer_a.refresh_from_db()
    assert world.viewer_a.check_password("Brand-new-pass-77")
    assert "/login/" not in client.get("/", follow=True).redirect_chain[-1][0]  # still logged in after the change
