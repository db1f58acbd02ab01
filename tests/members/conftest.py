import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_service_messages():
    """Service-level messages read in English here; pages and the API pick their own language per request."""
    with translation.override("en"):
        yield
