"""Development pipeline: every rule in DESIGN.md is checked and explained; reminders list what is due."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.models import ActivistAssessment, Applicant, Member
from members.pipeline import advance, check_stage, reminders
from tests.factories import make_user

from .helpers import id_number, new_member

pytestmark = pytest.mark.django_db
D = datetime.date


def applicant(world, **kw):
    fields = {"name": "赵六", "id_number": id_number("19960101"), "gender": "male", "birth_date": D(1996, 1, 1),
              "organization": world.org_a, "applied_on": D(2023, 3, 1)}
    fields.update(kw)
    return Applicant.objects.create(**fields)


def test_activist_needs_a_talk_within_a_month_and_an_adult(world):
    person = applicant(world)
    assert "talked_on" in check_stage(person, "activist", D(2023, 5, 1))
    person.talked_on = D(2023, 4, 5)
    assert "within one month" in check_stage(person, "activist", D(2023, 5, 1))["talked_on"]
    person.talked_on = D(2023, 3, 20)
    assert check_stage(person, "activist", D(2023, 5, 1)) == {}
    minor = applicant(world, id_number=id_number("20060601"), birth_date=D(2006, 6, 1), applied_on=D(2023, 3, 1),
                      talked_on=D(2023, 3, 10))
    assert "18" in check_stage(minor, "activist", D(2023, 5, 1))["applied_on"]


def test_target_after_a_year_with_six_monthly_assessments(world):
    person = applicant(world, talked_on=D(2023, 3, 10), activist_on=D(2023, 5, 1), stage="activist")
    errors = check_stage(person, "target", D(2024, 4, 1))
    assert "2024-05-01" in errors["date"]
    assert "assessments" not in errors or "2023-05-01" in errors["assessments"]
    errors = check_stage(person, "target", D(2024, 6, 1))
    assert "2023-05-01 – 2023-11-01" in errors["assessments"]
    ActivistAssessment.objects.create(applicant=person, assessed_on=D(2023, 10, 20), result="良好")
    ActivistAssessment.objects.create(applicant=person, assessed_on=D(2024, 4, 25), result="良好")
    assert check_stage(person, "target", D(2024, 6, 1)) == {}


def test_admission_needs_training_and_two_full_introducers_and_creates_a_probationary_member(world):
    introducer = new_member(world.org_a)
    probationary = new_member(world.org_a, joined_on=D(2024, 1, 1), full=False)
    person = applicant(world, talked_on=D(2023, 3, 10), activist_on=D(2023, 5, 1), target_on=D(2024, 6, 1),
                       stage="target", training_hours=20)
    errors = check_stage(person, "probationary", D(2024, 9, 1), introducers=(introducer, probationary))
    assert "24" in errors["training_hours"]
    assert probationary.name in errors["introducers"]
    assert "Two different" in check_stage(person, "probationary", D(2024, 9, 1),
                                          introducers=(introducer, introducer))["introducers"]
    with pytest.raises(ValidationError):
        advance(person, "probationary", D(2024, 9, 1), None, introducers=(introducer, probationary))
    assert not Member.objects.filter(id_number=person.id_number).exists()
    person.training_hours = 30
    person.save()
    second = new_member(world.org_a)
    advance(person, "probationary", D(2024, 9, 1), None, introducers=(introducer, second))
    person.refresh_from_db()
    member = person.member
    assert member.standing == "probationary" and member.joined_on == D(2024, 9, 1)
    assert member.probation_ends_on == D(2025, 9, 1)
    assert list(member.events.values_list("kind", flat=True)) == ["admitted"]


def test_reminders_show_due_and_overdue_per_organization(world):
    today = timezone.localdate()
    due_talk = applicant(world, applied_on=today - datetime.timedelta(days=10))
    overdue_talk = applicant(world, name="钱七", id_number=id_number("19950101"),
                             applied_on=today - datetime.timedelta(days=60))
    applicant(world, name="孙八", id_number=id_number("19940101"), applied_on=today - datetime.timedelta(days=5),
              talked_on=today)  # talk held: nothing due
    probation = new_member(world.org_a, joined_on=today - datetime.timedelta(days=350), full=False)
    found = reminders(world.editor_a)
    people = {(r.person.name, r.overdue) for r in found}
    assert (due_talk.name, False) in people and (overdue_talk.name, True) in people
    assert "孙八" not in {name for name, _ in people}
    assert (probation.name, False) in people
    outsider = make_user("region_viewer", region=world.county_b)
    assert reminders(outsider) == []


def test_the_pipeline_through_the_api(world):
    from tests.members.helpers import api_as

    client = api_as(world.editor_a)
    created = client.post("/api/v1/applicants/", {"name": "周敏", "id_number": id_number("19970303", male=False),
                                                  "organization": world.org_a.code, "applied_on": "2023-03-01",
                                                  "talked_on": "2023-03-20", "training_hours": 30}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["gender"] == "female" and body["birth_date"] is None and "*" in body["id_number"]  # masked
    pk = body["id"]
    assert client.post(f"/api/v1/applicants/{pk}/advance/", {"stage": "activist", "on": "2023-05-01"},
                       format="json").json()["stage"] == "activist"
    early = client.post(f"/api/v1/applicants/{pk}/advance/", {"stage": "target", "on": "2024-06-01"}, format="json")
    assert early.status_code == 400 and "assessments" in early.json()
    for day in ("2023-10-01", "2024-04-01"):
        assert client.post(f"/api/v1/applicants/{pk}/assessments/", {"assessed_on": day, "result": "良好"},
                           format="json").status_code == 200
    assert client.post(f"/api/v1/applicants/{pk}/advance/", {"stage": "target", "on": "2024-06-01"},
                       format="json").json()["stage"] == "target"
    one, two = new_member(world.org_a), new_member(world.org_a)
    admitted = client.post(f"/api/v1/applicants/{pk}/advance/", {"stage": "probationary", "on": "2024-09-01",
                                                                 "introducers": [one.pk, two.pk]}, format="json")
    assert admitted.status_code == 200, admitted.json()
    member = Member.objects.get(pk=admitted.json()["member"])
    assert member.standing == "probationary" and member.joined_on == D(2024, 9, 1)
    assert api_as(world.editor_a).get(f"/api/v1/members/{member.pk}/").status_code == 200
    outsider = api_as(make_user("region_viewer", region=world.county_b))
    assert outsider.get(f"/api/v1/applicants/{pk}/").status_code == 404
