import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in their English source form; one test checks the Chinese catalogue."""
    settings.LANGUAGE_CODE = "en"
