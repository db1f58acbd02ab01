import datetime

import pytest
from django.core.exceptions import ValidationError

from instructors.models import Assignment, Batch, DemonstrationSite, Visit
from instructors.services import bulk_assign
from organizations.models import Enterprise
from tests.conftest import api_as
from tests.factories import EnterpriseFactory, make_user

from .helpers import assign, make_id_number, make_instructor

pytestmark = pytest.mark.django_db
D = datetime.date


# --- assignment dates ----------------------------------------------------------------------------

def test_assignment_is_active_from_start_inclusive_to_end_exclusive(world):
    person = make_instructor(world.county_a)
    assign(person, world.ent_a, D(2026, 1, 1), D(2026, 7, 1))
    assert Assignment.objects.active_on(D(2026, 1, 1)).count() == 1
    assert Assignment.objects.active_on(D(2026, 6, 30)).count() == 1
    assert Assignment.objects.active_on(D(2026, 7, 1)).count() == 0
    assert Assignment.objects.active_on(D(2025, 12, 31)).count() == 0


def test_one_person_may_serve_several_enterprises_at_once(world):
    person = make_instructor(world.county_a)
    other = EnterpriseFactory(region=world.town_a)
    api = api_as(world.editor_a)
    for enterprise in (world.ent_a, other):
        response = api.post("/api/v1/instructor-assignments/", {
            "instructor": person.pk, "enterprise": enterprise.uscc, "batch": "第3批", "start_on": "2026-01-01"},
            format="json")
        assert response.status_code == 201, response.json()
    assert set(Assignment.objects.active_on(D(2026, 3, 1)).filter(instructor=person)
               .values_list("enterprise__uscc", flat=True)) == {world.ent_a.uscc, other.uscc}
    # both share the one batch of the instructor's dispatching region
    assert Batch.objects.get().region == world.county_a
    assert Assignment.objects.filter(batch__name="第3批").count() == 2
    assert api.get("/api/v1/instructor-assignments/?batch=第3批").json()["count"] == 2


def test_overlapping_duplicate_assignment_is_refused_with_a_message(world):
    person = make_instructor(world.county_a)
    assign(person, world.ent_a, D(2026, 1, 1), D(2026, 12, 1))
    response = api_as(world.editor_a).post("/api/v1/instructor-assignments/", {
        "instructor": person.pk, "enterprise": world.ent_a.uscc, "start_on": "2026-06-01"}, format="json")
    assert response.status_code == 400
    assert "already assigned" in response.json()["start_on"][0]
    # after the first one ended, a new assignment is fine
    response = api_as(world.editor_a).post("/api/v1/instructor-assignments/", {
        "instructor": person.pk, "enterprise": world.ent_a.uscc, "start_on": "2026-12-01"}, format="json")
    assert response.status_code == 201, response.json()


def test_assignment_end_must_follow_start(world):
    person = make_instructor(world.county_a)
    response = api_as(world.editor_a).post("/api/v1/instructor-assignments/", {
        "instructor": person.pk, "enterprise": world.ent_a.uscc, "start_on": "2026-06-01",
        "end_on": "2026-06-01"}, format="json")
    assert response.status_code == 400
    assert response.json()["end_on"] == ["The end date must be after the start date."]


def test_assignment_must_lie_within_the_instructors_active_dates(world):
    person = make_instructor(world.county_a, active_from=D(2026, 1, 1), active_to=D(2026, 12, 31))
    api = api_as(world.editor_a)
    early = api.post("/api/v1/instructor-assignments/", {
        "instructor": person.pk, "enterprise": world.ent_a.uscc, "start_on": "2025-06-01"}, format="json")
    assert early.status_code == 400 and "before the instructor is active" in early.json()["start_on"][0]
    open_ended = api.post("/api/v1/instructor-assignments/", {
        "instructor": person.pk, "enterprise": world.ent_a.uscc, "start_on": "2026-06-01"}, format="json")
    assert open_ended.status_code == 400 and "end by the end" in open_ended.json()["end_on"][0]


# --- bulk assignment -----------------------------------------------------------------------------

def test_bulk_assignment_covers_the_filtered_enterprises_and_skips_already_assigned(world):
    person = make_instructor(world.county_a)
    extra = [EnterpriseFactory(region=world.town_a) for _ in range(3)]
    assign(person, extra[0], D(2026, 1, 1))
    response = api_as(world.editor_a).post(
        f"/api/v1/instructor-assignments/bulk/?region={world.town_a.code}",
        {"instructor": person.pk, "batch": "第4批", "start_on": "2026-02-01"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 3}  # ent_a + extra[1:], not the one already assigned
    assert not Assignment.objects.filter(enterprise=world.ent_b).exists()  # other county untouched
    assert Assignment.objects.filter(batch__name="第4批").count() == 3


def test_bulk_assignment_query_count_does_not_grow_with_enterprises(world, django_assert_max_num_queries):
    person = make_instructor(world.county_a)
    small = [EnterpriseFactory(region=world.town_a) for _ in range(2)]
    with django_assert_max_num_queries(8) as small_ctx:
        bulk_assign(Enterprise.objects.filter(pk__in=[e.pk for e in small]), person, start_on=D(2026, 1, 1))
    big = [EnterpriseFactory(region=world.town_a) for _ in range(40)]
    with django_assert_max_num_queries(len(small_ctx.captured_queries)):
        created = bulk_assign(Enterprise.objects.filter(pk__in=[e.pk for e in big]), person, start_on=D(2026, 1, 1))
    assert len(created) == 40


def test_bulk_assignment_outside_active_dates_is_refused(world):
    person = make_instructor(world.county_a, active_from=D(2026, 5, 1))
    with pytest.raises(ValidationError):
        bulk_assign(Enterprise.objects.all(), person, start_on=D(2026, 1, 1))
    assert not Assignment.objects.exists()


# --- instructors, masking, validation ------------------------------------------------------------

def test_id_number_is_masked_for_users_without_the_sensitive_permission(world):
    person = make_instructor(world.county_a, id_number=make_id_number(7))
    masked = api_as(world.viewer_a).get(f"/api/v1/instructors/{person.pk}/").json()
    assert masked["id_number"] == person.id_number[:4] + "********" + person.id_number[-4:]
    world.viewer_a.can_view_sensitive = True
    world.viewer_a.save()
    clear = api_as(world.viewer_a).get(f"/api/v1/instructors/{person.pk}/").json()
    assert clear["id_number"] == person.id_number


def test_instructor_with_a_wrong_check_digit_is_refused(world):
    make_instructor(world.county_a)  # makes the "party" type
    good = make_id_number(3)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = api_as(world.editor_a).post("/api/v1/instructors/", {
        "name": "李四", "id_number": bad, "type": "party", "region": world.county_a.code,
        "active_from": "2026-01-01"}, format="json")
    assert response.status_code == 400
    assert "check character" in response.json()["id_number"][0]


def test_instructor_created_through_the_api_with_type_code(world):
    make_instructor(world.county_a)  # makes the "party" type
    response = api_as(world.editor_a).post("/api/v1/instructors/", {
        "name": "李四", "id_number": make_id_number(11), "type": "party", "source_unit": "县委组织部",
        "region": world.county_a.code, "active_from": "2026-01-01"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["type"] == "party" and response.json()["region"] == world.county_a.code


# --- scope ---------------------------------------------------------------------------------------

def test_another_countys_objects_are_404_and_absent_from_lists(world):
    person_b = make_instructor(world.county_b)
    assignment_b = assign(person_b, world.ent_b)
    site_b = DemonstrationSite.objects.create(organization=world.org_b, level="county", designated_on=D(2025, 1, 1))
    api = api_as(world.editor_a)
    for path, obj in (("instructors", person_b), ("instructor-assignments", assignment_b),
                      ("demonstration-sites", site_b)):
        assert api.get(f"/api/v1/{path}/{obj.pk}/").status_code == 404
        assert api.get(f"/api/v1/{path}/").json()["count"] == 0
    # and cannot be used as a reference either
    response = api.post("/api/v1/instructor-assignments/", {
        "instructor": person_b.pk, "enterprise": world.ent_a.uscc, "start_on": "2026-01-01"}, format="json")
    assert response.status_code == 400


def test_instructor_user_sees_only_their_own_record_assignments_and_enterprises(world):
    me = make_instructor(world.county_a, name="本人")
    colleague = make_instructor(world.county_a, name="同事")
    mine = assign(me, world.ent_a)
    theirs = assign(colleague, EnterpriseFactory(region=world.town_a))
    user = make_user("instructor", instructor=me)
    api = api_as(user)
    assert [i["id"] for i in api.get("/api/v1/instructors/").json()["results"]] == [me.pk]
    assert api.get(f"/api/v1/instructors/{colleague.pk}/").status_code == 404
    assert [a["id"] for a in api.get("/api/v1/instructor-assignments/").json()["results"]] == [mine.pk]
    assert api.get(f"/api/v1/instructor-assignments/{theirs.pk}/").status_code == 404
    assert [e["uscc"] for e in api.get("/api/v1/enterprises/").json()["results"]] == [world.ent_a.uscc]
    # cannot edit their assignments
    assert api.patch(f"/api/v1/instructor-assignments/{mine.pk}/", {"end_on": "2026-12-31"},
                     format="json").status_code == 403


# --- demonstration sites -------------------------------------------------------------------------

def test_demonstration_site_takes_its_region_from_its_target_and_keeps_history_on_revocation(world):
    api = api_as(world.editor_a)
    response = api.post("/api/v1/demonstration-sites/", {
        "organization": world.org_a.code, "level": "county", "designated_on": "2025-05-01"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["region"] == world.town_a.code
    site_id = response.json()["id"]
    assert api.patch(f"/api/v1/demonstration-sites/{site_id}/", {"revoked_on": "2026-05-01"},
                     format="json").status_code == 200
    site = DemonstrationSite.objects.get(pk=site_id)
    assert site.history.count() == 2 and site.revoked_on == D(2026, 5, 1)


def test_demonstration_site_needs_exactly_one_target(world):
    response = api_as(world.editor_a).post("/api/v1/demonstration-sites/", {
        "organization": world.org_a.code, "enterprise": world.ent_a.uscc, "level": "county",
        "designated_on": "2025-05-01"}, format="json")
    assert response.status_code == 400
    assert "either an organization or an enterprise" in str(response.json())


def test_lists_use_a_constant_number_of_queries(world, django_assert_max_num_queries):
    person = make_instructor(world.county_a)
    for _ in range(5):
        assign(person, EnterpriseFactory(region=world.town_a))
    api = api_as(world.editor_a)
    for path in ("instructors", "instructor-assignments", "demonstration-sites"):
        with django_assert_max_num_queries(8):
            assert api.get(f"/api/v1/{path}/").status_code == 200


def test_validation_messages_are_translated_to_chinese(world):
    person = make_instructor(world.county_a, active_from=D(2026, 1, 1))
    response = api_as(world.editor_a).post("/api/v1/instructor-assignments/", {
        "instructor": person.pk, "enterprise": world.ent_a.uscc, "start_on": "2025-06-01"}, format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["start_on"] == ["选派开始日期早于指导员在岗起始日期（2026-01-01）。"]


def test_instructor_files_visits_through_the_api_only_for_their_enterprises(world):
    me = make_instructor(world.county_a)
    assign(me, world.ent_a, D(2026, 1, 1))
    other = EnterpriseFactory(region=world.town_a)
    colleague = make_instructor(world.county_a, name="同事")
    assign(colleague, other, D(2026, 1, 1))
    api = api_as(make_user("instructor", instructor=me))
    ok = api.post("/api/v1/instructor-visits/", {"instructor": me.pk, "enterprise": world.ent_a.uscc,
                                                "visited_on": "2026-03-01", "work_done": "指导组建党支部"})
    assert ok.status_code == 201, ok.json()
    refused = api.post("/api/v1/instructor-visits/", {"instructor": me.pk, "enterprise": other.uscc,
                                                     "visited_on": "2026-03-01", "work_done": "x"})
    assert refused.status_code == 400
    as_colleague = api.post("/api/v1/instructor-visits/", {"instructor": colleague.pk, "enterprise": other.uscc,
                                                          "visited_on": "2026-03-01", "work_done": "x"})
    assert as_colleague.status_code == 400
    theirs = Visit.objects.create(instructor=colleague, enterprise=other, visited_on=D(2026, 3, 2), work_done="y")
    assert api.get(f"/api/v1/instructor-visits/{theirs.pk}/").status_code == 404
    assert [v["work_done"] for v in api.get("/api/v1/instructor-visits/").json()["results"]] == ["指导组建党支部"]


def test_an_assignment_made_through_the_api_drives_the_enterprises_coverage_by_date(world):
    from organizations.models import Enterprise
    from reports.coverage import with_coverage

    uncovered = EnterpriseFactory(region=world.town_a)
    person = make_instructor(world.county_a)
    response = api_as(world.editor_a).post("/api/v1/instructor-assignments/", {
        "instructor": person.pk, "enterprise": uncovered.uscc, "start_on": "2026-03-01", "end_on": "2026-09-01"},
        format="json")
    assert response.status_code == 201, response.json()

    def coverage_on(day):
        return with_coverage(Enterprise.objects.filter(pk=uncovered.pk), day).get().coverage

    assert coverage_on(D(2026, 2, 28)) == "none"
    assert coverage_on(D(2026, 3, 1)) == "instructor"
    assert coverage_on(D(2026, 8, 31)) == "instructor"
    assert coverage_on(D(2026, 9, 1)) == "none"
