"""Issue 18 item 5: a NUL byte (or another control character) in a query parameter is a 400 with a message on
every page and API endpoint, never a 500 — refused by one middleware before filters and the database."""

import pytest
from django.test import Client

from tests.conftest import api_as

pytestmark = pytest.mark.django_db

PAGES = ["/members/balance/", "/activities/compliance/", "/reports/", "/reports/coverage/enterprises/", "/reports/runs/new/",
         "/members/dues/arrears/", "/activities/records/add/", "/organizations/enterprises/", "/members/"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("query", ["region=%00", "region=431%00281", "q=%01x", "%00=1"])
def test_a_control_character_in_a_page_query_is_a_400_with_a_message(world, path, query):
    client = Client()
    client.force_login(world.admin)
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


def test_the_api_answers_nul_bytes_in_its_json_shape(world):
    response = api_as(world.admin).get("/api/v1/enterprises/?region=%00")
    assert response.status_code == 400 and "detail" in response.json()


def test_ordinary_queries_still_work(world):
    client = Client()
    client.force_login(world.admin)
    assert client.get("/organizations/enterprises/?q=%E6%B4%AA%E6%B1%9F%09").status_code == 200
