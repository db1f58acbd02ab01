"""What one request of each kind of the load test costs in queries (docs/performance.md, "Issue 17, item 7"),
pinned so that a change that adds a query to these hot paths is seen. Each bound is the count measured after
the cuts (token with the user's scope in one query, no repeated foreign-key checks, no needless savepoints)
on both SQLite and PostgreSQL; the answers themselves are checked by the apps' own API tests."""

import pytest

from tests.load.requests_of_the_load import load_requests

pytestmark = pytest.mark.django_db

# Inside a test the view's transaction is a savepoint: two of the statements counted (SAVEPOINT, RELEASE) are
# BEGIN/COMMIT in production.
MAX_QUERIES = {
    "POST instructor-visits/": 9,
    "GET instructor-visits/": 3,
    "POST activities/ (secretary)": 17,
    "POST activities/ (county editor)": 17,
    "GET activities/": 5,
    "GET statistics/coverage/": 2,
}


@pytest.mark.parametrize("name", MAX_QUERIES)
def test_a_request_of_the_load_test_costs_at_most_its_queries(world, django_assert_max_num_queries, name):
    requests = load_requests(world)
    for kind in ("POST instructor-visits/", "POST activities/ (secretary)"):
        assert requests[kind]().status_code == 201  # the lists read have a row, with its attendance
    send = requests[name]
    first = send()  # the first request of a process may fill caches (content types, translations)
    assert first.status_code in (200, 201), first.content
    with django_assert_max_num_queries(MAX_QUERIES[name]):
        response = send()
    assert response.status_code == first.status_code, response.content
    if response.status_code == 201:  # a filing answers what it stored
        assert response.json()["id"] != first.json()["id"]
