import logging

from django.test import Client

from tests.conftest import api_as


def test_forms_refuse_posts_without_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.editor_a)
    response = client.post(f"/organizations/enterprises/{world.ent_a.pk}/close/", {"closed_on": "2026-01-01"})
    assert response.status_code == 403
    world.ent_a.refresh_from_db()
    assert world.ent_a.closed_on is None


def test_session_api_writes_need_csrf_too(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.editor_a)
    response = client.patch(f"/api/v1/enterprises/{world.ent_a.pk}/", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403


def test_every_page_form_carries_a_csrf_token(world, client):
    client.force_login(world.editor_a)
    for url in [world.org_a.get_absolute_url(), world.ent_a.get_absolute_url(), "/imports/", world.ent_a.get_edit_url()]:
        body = client.get(url).content.decode()
        assert body.count('method="post"') <= body.count("csrfmiddlewaretoken"), url


def test_no_id_numbers_or_passwords_in_logs(world, caplog):
    caplog.set_level(logging.DEBUG)
    client = api_as(world.admin)
    client.post("/api/v1/users/", {"username": "leak", "password": "Secret-pass-123456", "role": "region_viewer",
                                   "scope_region": "000000"}, format="json")
    client.post("/api/v1/enterprises/", {"uscc": "91110000600037341X", "name": "430124199001011236",
                                         "region": "431281001"}, format="json")
    text = caplog.text
    assert "Secret-pass-123456" not in text and "430124199001011236" not in text


def test_pages_cannot_be_framed_and_sniffing_is_off(world, client):
    client.force_login(world.viewer_a)
    response = client.get("/organizations/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
