"""Scope is security: every API endpoint and every object page hides what lies outside the caller's scope.

Walks every DRF viewset registered under /api/v1/ and every model page; a county-A user must get 404 for
each county-B object and never see it in a list. New endpoints are covered automatically; the world in
tests/scope_world.py must contain one object of each new model (the test fails if it does not).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.viewsets import GenericViewSet

from tests.conftest import api_as
from tests.scope_world import build_world

ROLES = ["viewer", "secretary", "instructor_user"]


def viewset_routes():
    found = {}

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + (pattern.namespace + ":" if pattern.namespace else ""))
            elif isinstance(pattern, URLPattern) and pattern.name and pattern.name.endswith("-list"):
                cls = getattr(pattern.callback, "cls", None)
                if cls and issubclass(cls, GenericViewSet) and getattr(cls, "queryset", None) is not None:
                    found[prefix + pattern.name[: -len("-list")]] = cls

    walk(get_resolver().url_patterns)
    return found


# users/ is for admins only (403 for everyone else, tested in tests/core).
ROUTES = {name: cls for name, cls in viewset_routes().items() if cls.queryset.model._meta.model_name != "user"}


@pytest.fixture
def world(db):
    return build_world()


def out_of_scope(model, mine, theirs):
    """Objects the other county's user sees and mine does not."""
    manager = model._default_manager
    return list(manager.visible_to(theirs).exclude(pk__in=manager.visible_to(mine).values("pk")))


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_api_hides_objects_of_another_scope(world, route, role):
    county_a, county_b = world
    viewset = ROUTES[route]
    model = viewset.queryset.model
    me, them = getattr(county_a, role), getattr(county_b, role)
    hidden = out_of_scope(model, me, them)
    if role == "viewer":
        assert hidden, f"the scope world has no county-B {model.__name__}: add it to tests/scope_world.py"
    client = api_as(me)
    listing = client.get(reverse(f"{route}-list"), {"page_size": 1000})
    if listing.status_code == 403:
        return  # this role may not read this resource at all
    assert listing.status_code == 200, listing.content
    listed = {row.get("id") for row in listing.json().get("results", [])}
    for obj in hidden:
        assert obj.pk not in listed, f"{route}: {obj!r} of another scope is listed"
        detail = client.get(reverse(f"{route}-detail", kwargs={"pk": obj.pk}))
        assert detail.status_code == 404, f"{route}: {obj!r} of another scope answered {detail.status_code}"


MODELS_WITH_PAGES = ["organizations.Region", "organizations.Enterprise", "organizations.PartyOrganization",
                     "activities.Pairing", "activities.FundSpending", "activities.FundIncome",
                     "instructors.ResponsibilityTarget", "instructors.TemporaryPost",
                     "members.Member", "members.Transfer", "members.FloatingRecord", "instructors.Instructor",
                     "instructors.Assignment", "instructors.DemonstrationSite"]


@pytest.mark.parametrize("label", MODELS_WITH_PAGES)
def test_pages_of_another_scope_are_404(world, client, label):
    from django.apps import apps

    county_a, county_b = world
    model = apps.get_model(label)
    client.force_login(county_a.viewer)
    hidden = out_of_scope(model, county_a.viewer, county_b.viewer)
    assert hidden
    for obj in hidden:
        for url in (obj.get_absolute_url(), getattr(obj, "get_history_url", obj.get_absolute_url)()):
            assert client.get(url).status_code == 404, url


def test_statistics_of_another_county_are_404(world):
    county_a, county_b = world
    from django.core.management import call_command

    call_command("compute_coverage", "--region", "431200", verbosity=0)
    client = api_as(county_a.viewer)
    code = county_b.region.code
    assert client.get("/api/v1/statistics/coverage/", {"region": code}).status_code == 404
    assert client.get("/api/v1/statistics/coverage/children/", {"region": code}).status_code == 404
    assert client.get("/api/v1/statistics/coverage/enterprises/",
                      {"region": code, "category": "enterprises"}).status_code == 404
    own = client.get("/api/v1/statistics/coverage/", {"region": county_a.region.code})
    assert own.status_code == 200 and own.json()["enterprises"] == 1
