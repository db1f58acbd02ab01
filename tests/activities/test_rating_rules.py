"""Ratings given by each scheme's rules (data rows, no scheme in code), the plaque enterprise (挂牌评星), and
totals per region and level (worked out by hand below)."""

import pytest
from django.urls import reverse

from activities.models import AssessmentRatingRule, AssessmentResult, AssessmentScheme
from tests.conftest import api_as
from tests.factories import cover, make_organization

pytestmark = pytest.mark.django_db


def aspects(code, n):
    return list(AssessmentScheme.objects.get(code=code).aspects.order_by("order").values_list("pk", flat=True)[:n])


def post(client, org, code, n, year=2026, **extra):
    return client.post("/api/v1/assessment-results/", {"organization": org, "scheme": code, "year": year,
                                                       "aspects_met": aspects(code, n), **extra}, format="json")


@pytest.mark.parametrize(("code", "met", "rating", "level"), [
    ("star_grading", 10, "五星", 5), ("star_grading", 7, "三星", 3), ("star_grading", 1, "未定星", 0),
    ("star_rating", 4, "★★★★", 4), ("star_rating", 0, "未评星", 0),
    ("two_strong_six_good", 8, "达标", 1), ("two_strong_six_good", 7, "未达标", 0),
    ("five_ones", 5, "达标", 1), ("five_ones", 4, "未达标", 0),
])
def test_rating_and_level_come_from_the_scheme_rules(world, code, met, rating, level):
    created = post(api_as(world.editor_a), "DA1", code, met)
    assert created.status_code == 201, created.json()
    assert (created.json()["rating"], created.json()["level"]) == (rating, level)


def test_changing_a_rule_changes_the_rating_without_code(world):
    scheme = AssessmentScheme.objects.get(code="five_ones")
    AssessmentRatingRule.objects.filter(scheme=scheme, level=1).update(min_aspects_met=4)
    assert post(api_as(world.editor_a), "DA1", "five_ones", 4).json()["rating"] == "达标"


def test_a_scheme_without_rules_asks_for_the_rating(world):
    scheme = AssessmentScheme.objects.create(code="new_scheme", name="新方案")
    scheme.aspects.create(code="a", name="甲", order=1)
    client = api_as(world.editor_a)
    answer = post(client, "DA1", "new_scheme", 1)
    assert answer.status_code == 400 and "rating" in answer.json()
    typed = post(client, "DA1", "new_scheme", 1, rating="优秀")
    assert typed.status_code == 201 and typed.json()["level"] is None


def test_plaque_goes_to_an_enterprise_the_organization_covers_that_year(world):
    client = api_as(world.editor_a)
    uncovered = post(client, "DA1", "star_grading", 10, enterprise=world.ent_a.uscc)
    assert uncovered.status_code == 400 and "enterprise" in uncovered.json()
    cover(world.org_a, world.ent_a)
    covered = post(client, "DA1", "star_grading", 10, enterprise=world.ent_a.uscc)
    assert covered.status_code == 201, covered.json()
    history = client.get("/api/v1/assessment-results/", {"enterprise": world.ent_a.uscc}).json()
    assert [row["rating"] for row in history["results"]] == ["五星"]


def test_totals_per_region_and_level(world, client, django_assert_max_num_queries):
    """评星定格 2026: county A org_a 五星 (10 met), org_a2 三星 (6 met); county B org_b 三星 (7 met); one 2025
    result of org_a (二星) does not count in 2026. City: county A level 5 → 1, level 3 → 1; county B level 3 → 1."""
    org_a2 = make_organization("DA2", world.town_a)
    editor = api_as(world.admin)
    for org, met in (("DA1", 10), (org_a2.code, 6), ("DB1", 7)):
        assert post(editor, org, "star_grading", met).status_code == 201
    assert post(editor, "DA1", "star_grading", 4, year=2025).json()["rating"] == "二星"
    client.force_login(world.admin)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("activities:assessment_result_list"), {"region": "431200", "year": 2026})
    table = next(t for t in response.context["level_tables"] if t["scheme"].code == "star_grading")
    levels = [rule.level for rule in table["rules"]]
    rows = {row["line"]["region"].code: dict(zip(levels, row["cells"])) for row in table["rows"]}
    assert rows["431281"][5] == 1 and rows["431281"][3] == 1 and rows["431281"][2] == 0
    assert rows["431202"][3] == 1 and rows["431202"][5] == 0
    assert table["total"] == 3
    # a county viewer sees their county only, and the other county's breakdown is 404
    client.force_login(world.viewer_a)
    table = client.get(reverse("activities:assessment_result_list"), {"year": 2026}).context["level_tables"][0]
    assert table["total"] == 2
    assert client.get(reverse("activities:assessment_result_list"), {"region": "431202"}).status_code == 404


def test_rating_history_of_an_organization(world):
    client = api_as(world.admin)
    for year, met in ((2024, 4), (2025, 6), (2026, 10)):
        assert post(client, "DA1", "star_grading", met, year=year).status_code == 201
    rows = api_as(world.viewer_a).get("/api/v1/assessment-results/", {"organization": "DA1"}).json()["results"]
    assert [(r["year"], r["rating"]) for r in rows] == [(2026, "五星"), (2025, "三星"), (2024, "二星")]
    assert AssessmentResult.objects.filter(level=3).count() == 1
