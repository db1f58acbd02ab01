"""Shared fixtures. On CI (CI=true) a test that needs PostgreSQL, Redis or Chromium fails when it is missing."""

import os
from pathlib import Path

import pytest
from django.conf import settings

import datetime

from organizations.models import FormationMode, Region
from tests.factories import EnterpriseFactory, make_organization, make_region, make_user

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_sessionstart(session):
    if ON_CI and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise pytest.UsageError("CI must run against PostgreSQL: set DATABASE_URL.")


def require_service(available: bool, what: str):
    """Skip locally when a service is absent; on CI that is a failure."""
    if available:
        return
    if ON_CI:
        pytest.fail(f"{what} is required on CI but is not available")
    pytest.skip(f"{what} not available")


@pytest.fixture
def user_factory(db):
    return make_user


@pytest.fixture
def admin_user(db):
    return make_user("admin")


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, tmp_path):
    """Fast hashing; login throttling off except in the tests that exercise it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    # Jobs run in-process in tests; the real-worker test switches this off itself.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache  # noqa: PLC0415 - rate-limit counters must not leak between tests

    cache.clear()
    yield


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def api_as(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def world(db):
    """Two counties under one city; an enterprise and an organization in each county."""
    city = make_region("431200", "怀化市", Region.Kind.CITY)
    county_a = make_region("431281", "洪江市", Region.Kind.COUNTY, parent=city)
    county_b = make_region("431202", "鹤城区", Region.Kind.COUNTY, parent=city)
    town_a = make_region("431281001", "黔城镇", Region.Kind.TOWNSHIP, parent=county_a)
    town_b = make_region("431202001", "城中街道", Region.Kind.TOWNSHIP, parent=county_b)
    ent_a = EnterpriseFactory(region=town_a, name="洪江甲公司")
    ent_b = EnterpriseFactory(region=town_b, name="鹤城乙公司")
    org_a = make_organization("DA1", town_a, mode=FormationMode.INDIVIDUAL, name="甲公司党支部")
    org_b = make_organization("DB1", town_b, mode=FormationMode.INDIVIDUAL, name="乙公司党支部")

    class World:
        pass

    w = World()
    w.city, w.county_a, w.county_b, w.town_a, w.town_b = city, county_a, county_b, town_a, town_b
    w.ent_a, w.ent_b, w.org_a, w.org_b = ent_a, ent_b, org_a, org_b
    w.admin = make_user("admin")
    w.editor_a = make_user("region_editor", region=county_a)
    w.viewer_a = make_user("region_viewer", region=county_a)
    w.secretary_a = make_user("branch_secretary", organization=org_a)
    w.day = datetime.date(2026, 6, 30)
    return w


# ---- Browser journeys (Debian's Chromium; never `playwright install`) ----------------------------------------
# One session-wide Playwright instance: a second sync_playwright() in the same run fails ("Sync API inside the
# asyncio loop"), so every journey, wherever it lives, uses these fixtures. The last page of every journey is kept
# as a screenshot in test-artifacts/.
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PASSWORD = "Journey-pass-2026"

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are still
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    require_service(Path(CHROMIUM).exists(), "Chromium (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()


