"""API fuzzing: every operation of /api/schema/, a bounded number of generated requests each, as an admin.
Zero server errors and every response conforming to the schema."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from tests.factories import make_user
from tests.scope_world import build_world

schema = schemathesis.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calls go straight to the WSGI app: keep Django from closing the test transaction's connection
    at the end of each request (the test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db):
    build_world()
    return Token.objects.create(user=make_user("admin", username="fuzz-admin")).key


@schema.parametrize()
# FUZZ_EXAMPLES raises the count for a deeper run (docs/operations.md); the suite keeps a modest 6.
@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "6")), deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_errors_and_matches_its_schema(case, admin_token):
    response = case.call_wsgi(headers={"Authorization": f"Token {admin_token}"})
    case.validate_response(response, checks=(schemathesis.checks.not_a_server_error,
                                              schemathesis.checks.status_code_conformance,
                                              schemathesis.checks.content_type_conformance,
                                              schemathesis.checks.response_schema_conformance))
