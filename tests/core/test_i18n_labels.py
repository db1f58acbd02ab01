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


def test_the_folded_filter_panel_counts_only_the_filters_in_use_and_opens_for_them(world, settings):
    import re  # noqa: PLC0415

    settings.LANGUAGE_CODE = "zh-hans"
    client = client_for(world.viewer_a)

    def panel(query):
        html = client.get("/organizations/enterprises/" + query).content.decode()
        toggle = re.search(r'data-testid="filter-toggle"[^>]*>\s*(.*?)\s*</button>', html, re.S).group(1)
        opened = " show" in re.search(r'<div class="collapse[^"]*" id="filter-panel">', html).group(0)
        return toggle, opened

    assert panel("") == ("筛选条件", False)
    # the whole form sent back untouched ("全部" of the yes/no choices, empty fields): nothing narrows the list
    assert panel("?q=&region=&legal_rep_is_member=unknown&employees_min=") == ("筛选条件", False)
    assert panel("?q=%E5%85%AC%E5%8F%B8&legal_rep_is_member=true") == ("筛选条件 (2)", True)
    assert panel("?legal_rep_is_member=false") == ("筛选条件 (1)", True)
    assert panel("?status=zzz")[1] is True  # a wrong value: open, to show its message


def test_the_user_menu_names_the_person_and_keeps_the_username_inside(world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    import re  # noqa: PLC0415

    user = world.viewer_a
    menu = re.compile(r'data-testid="user-menu">\s*(\S+)')
    text = client_for(user).get("/organizations/enterprises/").content.decode()
    assert menu.search(text).group(1) == user.username and 'data-testid="menu-username"' not in text
    user.first_name, user.last_name = "晓明", "王"
    user.save()
    text = client_for(user).get("/organizations/enterprises/").content.decode()
    assert menu.search(text).group(1) == "王晓明"
    assert re.search(r'data-testid="menu-username">用户名: ' + re.escape(user.username) + "<", text)
