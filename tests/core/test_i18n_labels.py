"""What a Chinese-speaking cadre reads on the pages: role names and yes/no filters in Chinese."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_user_menu_shows_the_role_in_chinese(world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    text = client_for(world.viewer_a).get("/organizations/enterprises/").content.decode()
    assert "区域查看" in text and "Region viewer" not in text


def test_yes_no_filters_offer_all_yes_no_and_still_filter(world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client = client_for(world.viewer_a)
    text = client.get("/organizations/enterprises/").content.decode()
    assert "未知" not in text and "全部" in text
    world.ent_a.legal_rep_is_member = True
    world.ent_a.save()
    only_members = client.get("/organizations/enterprises/?legal_rep_is_member=true").content.decode()
    others = client.get("/organizations/enterprises/?legal_rep_is_member=false").content.decode()
    assert world.ent_a.name in only_members and world.ent_a.name not in others
