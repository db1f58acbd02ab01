"""Yearly checklist and assessment results through the API (editors record, everybody in scope reads)."""

import pytest

from activities.models import AssessmentAspect, AssessmentScheme, ChecklistItem
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def test_checklist_result_is_recorded_once_per_item_and_year(world):
    item = ChecklistItem.objects.filter(checklist__code__icontains="five").first() or ChecklistItem.objects.first()
    client = api_as(world.editor_a)
    data = {"organization": world.org_a.code, "item": item.pk, "year": 2025, "met": True}
    created = client.post("/api/v1/checklist-results/", data, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["item_name"] == item.name
    assert client.post("/api/v1/checklist-results/", data, format="json").status_code == 400
    assert client.post("/api/v1/checklist-results/", dict(data, organization=world.org_b.code),
                       format="json").status_code == 400
    assert api_as(world.secretary_a).get("/api/v1/checklist-results/").json()["count"] == 1
    assert api_as(world.secretary_a).post("/api/v1/checklist-results/", dict(data, year=2024),
                                          format="json").status_code == 403


def test_assessment_result_aspects_must_belong_to_its_scheme(world):
    schemes = list(AssessmentScheme.objects.order_by("id")[:2])
    assert len(schemes) == 2
    own = AssessmentAspect.objects.filter(scheme=schemes[0]).first()
    other = AssessmentAspect.objects.filter(scheme=schemes[1]).first()
    client = api_as(world.editor_a)
    wrong = client.post("/api/v1/assessment-results/", {
        "organization": world.org_a.code, "scheme": schemes[0].code, "year": 2025, "rating": "★★★",
        "aspects_met": [own.pk, other.pk]}, format="json")
    assert wrong.status_code == 400 and other.code in wrong.json()["aspects_met"][0]
    ok = client.post("/api/v1/assessment-results/", {
        "organization": world.org_a.code, "scheme": schemes[0].code, "year": 2025, "rating": "★★★",
        "aspects_met": [own.pk], "evidence": "支部活动记录12份"}, format="json")
    assert ok.status_code == 201, ok.json()
    assert ok.json()["aspects_met"] == [own.pk]


def test_rating_is_given_by_the_scheme_when_left_out(world):
    star = AssessmentScheme.objects.get(code="star_rating")
    good = AssessmentScheme.objects.get(code="two_strong_six_good")
    client = api_as(world.editor_a)
    three = list(star.aspects.all()[:3])
    body = client.post("/api/v1/assessment-results/", {"organization": world.org_a.code, "scheme": "star_rating",
                                                       "year": 2025, "aspects_met": [a.pk for a in three]},
                       format="json").json()
    assert body["rating"] == "★★★"
    every = [a.pk for a in good.aspects.all()]
    full = client.post("/api/v1/assessment-results/", {"organization": world.org_a.code,
                                                       "scheme": "two_strong_six_good", "year": 2025,
                                                       "aspects_met": every}, format="json",
                       HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert full["rating"] == "达标"
    typed = client.post("/api/v1/assessment-results/", {"organization": world.org_a.code, "scheme": "star_rating",
                                                        "year": 2024, "rating": "★★★★★", "aspects_met": []},
                        format="json").json()
    assert typed["rating"] == "★★★★★"  # a rating entered by the assessors stands
