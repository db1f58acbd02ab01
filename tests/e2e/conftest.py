"""Browser journeys in Debian's Chromium (never `playwright install`). The `browser` and `page` fixtures live in
tests/conftest.py so that one Playwright session serves every journey in the run."""

from tests.conftest import PASSWORD


def login(page, username, password=PASSWORD):
    page.goto(page.base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
