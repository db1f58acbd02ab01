import datetime

import pytest
from django.test import Client

from instructors.models import Assignment, DemonstrationSite, Visit
from tests.factories import EnterpriseFactory, make_user

from .helpers import assign, make_instructor

pytestmark = pytest.mark.django_db
D = datetime.date


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_instructor_list_masks_id_numbers_and_exports_them_masked(world, django_assert_max_num_queries):
    people = [make_instructor(world.county_a, name=f"指导员{i}") for i in range(5)]
    client = client_for(world.viewer_a)
    with django_assert_max_num_queries(15):
        page = client.get("/instructors/")
    assert page.status_code == 200
    text = page.content.decode()
    assert people[0].name in text and people[0].id_number not in text
    assert people[0].id_number[:4] + "********" + people[0].id_number[-4:] in text
    export = b"".join(client.get("/instructors/?export=csv").streaming_content).decode("utf-8-sig")
    assert people[0].id_number not in export and people[0].name in export


def test_sensitive_user_sees_the_full_id_number_on_the_instructor_page(world):
    person = make_instructor(world.county_a)
    world.editor_a.can_view_sensitive = True
    world.editor_a.save()
    assert person.id_number in client_for(world.editor_a).get(f"/instructors/{person.pk}/").content.decode()
    assert person.id_number not in client_for(world.viewer_a).get(f"/instructors/{person.pk}/").content.decode()


def test_pages_of_another_countys_objects_are_404_and_absent_from_lists(world):
    person_b = make_instructor(world.county_b, name="鹤城指导员")
    assignment_b = assign(person_b, world.ent_b)
    site_b = DemonstrationSite.objects.create(organization=world.org_b, level="county", designated_on=D(2025, 1, 1))
    client = client_for(world.editor_a)
    for url in (f"/instructors/{person_b.pk}/", f"/instructors/{person_b.pk}/edit/",
                f"/instructors/assignments/{assignment_b.pk}/", f"/instructors/sites/{site_b.pk}/"):
        assert client.get(url).status_code == 404, url
    assert "鹤城指导员" not in client.get("/instructors/").content.decode()
    assert world.ent_b.name not in client.get("/instructors/assignments/").content.decode()
    assert world.org_b.name not in client.get("/instructors/sites/").content.decode()


def test_per_instructor_page_lists_assignments_and_visits(world):
    person = make_instructor(world.county_a)
    assign(person, world.ent_a, D(2026, 1, 1))
    Visit.objects.create(instructor=person, enterprise=world.ent_a, visited_on=D(2026, 2, 1), work_done="宣讲党章")
    text = client_for(world.viewer_a).get(f"/instructors/{person.pk}/").content.decode()
    assert world.ent_a.name in text and "宣讲党章" in text


def test_bulk_assignment_page_assigns_the_filtered_enterprises(world):
    person = make_instructor(world.county_a)
    extra = EnterpriseFactory(region=world.town_a)
    client = client_for(world.editor_a)
    preview = client.get(f"/instructors/assignments/bulk/?region={world.town_a.code}")
    assert preview.status_code == 200 and extra.name in preview.content.decode()
    response = client.post(f"/instructors/assignments/bulk/?region={world.town_a.code}",
                           {"instructor": person.pk, "batch": "第2批", "start_on": "2026-03-01"})
    assert response.status_code == 302
    assert set(Assignment.objects.values_list("enterprise_id", flat=True)) == {world.ent_a.pk, extra.pk}


def test_bulk_assignment_page_refuses_an_end_before_the_start(world):
    person = make_instructor(world.county_a)
    response = client_for(world.editor_a).post(
        f"/instructors/assignments/bulk/?region={world.town_a.code}",
        {"instructor": person.pk, "start_on": "2026-03-01", "end_on": "2026-02-01"})
    assert response.status_code == 400
    assert "The end date must be after the start date." in response.content.decode()
    assert not Assignment.objects.exists()


def test_bulk_assignment_page_is_for_editors_only(world):
    assert client_for(world.viewer_a).get("/instructors/assignments/bulk/").status_code == 403


def test_instructor_files_a_visit_through_the_page(world):
    me = make_instructor(world.county_a)
    assign(me, world.ent_a, D(2026, 1, 1))
    client = client_for(make_user("instructor", instructor=me))
    response = client.post("/instructors/visits/add/", {"instructor": me.pk, "enterprise": world.ent_a.uscc,
                                                        "visited_on": "2026-04-01", "work_done": "指导换届"})
    assert response.status_code == 302, response.content.decode()[:2000]
    refused = client.post("/instructors/visits/add/", {"instructor": me.pk, "enterprise": world.ent_b.uscc,
                                                       "visited_on": "2026-04-01", "work_done": "x"})
    assert refused.status_code == 200 and "in your scope" in refused.content.decode()
    assert Visit.objects.count() == 1


def test_demonstration_sites_page_counts_sites_in_force_by_level(world):
    DemonstrationSite.objects.create(organization=world.org_a, level="county", designated_on=D(2024, 1, 1))
    DemonstrationSite.objects.create(enterprise=world.ent_a, level="city", designated_on=D(2024, 1, 1),
                                     revoked_on=D(2025, 1, 1))
    DemonstrationSite.objects.create(organization=world.org_b, level="county", designated_on=D(2024, 1, 1))
    page = client_for(world.editor_a).get("/instructors/sites/")
    assert page.status_code == 200
    assert page.context["level_counts"] == [("Provincial", 0), ("City", 0), ("County", 1)]
    assert page.context["total_in_force"] == 1


def test_visit_photo_must_be_an_image(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    me = make_instructor(world.county_a)
    assign(me, world.ent_a, D(2026, 1, 1))
    client = client_for(make_user("instructor", instructor=me))
    response = client.post("/instructors/visits/add/", {
        "instructor": me.pk, "enterprise": world.ent_a.uscc, "visited_on": "2026-03-01", "work_done": "x",
        "photo": SimpleUploadedFile("evil.exe", b"MZ")})
    assert response.status_code == 200
    assert "A photo must be a JPEG or PNG file." in response.content.decode()
    assert not Visit.objects.exists()


def test_visit_on_a_day_without_assignment_is_refused(world):
    me = make_instructor(world.county_a)
    assign(me, world.ent_a, D(2026, 1, 1), D(2026, 2, 1))
    client = client_for(make_user("instructor", instructor=me))
    response = client.post("/instructors/visits/add/", {
        "instructor": me.pk, "enterprise": world.ent_a.uscc, "visited_on": "2026-02-01", "work_done": "x"})
    assert "The instructor was not assigned to this enterprise on that day." in response.content.decode()
    assert not Visit.objects.exists()


def test_instructor_user_cannot_open_a_colleagues_page(world):
    me = make_instructor(world.county_a)
    colleague = make_instructor(world.county_a, name="同事")
    client = client_for(make_user("instructor", instructor=me))
    assert client.get(f"/instructors/{colleague.pk}/").status_code == 404
    assert client.get(f"/instructors/{me.pk}/").status_code == 200
    assert "同事" not in client.get("/instructors/").content.decode()


def test_editor_adds_a_responsibility_target_shown_on_the_assignment(world):
    person = make_instructor(world.county_a)
    assignment = assign(person, world.ent_a)
    client = client_for(world.editor_a)
    response = client.post(f"/instructors/assignments/{assignment.pk}/targets/add/",
                           {"description": "2026年底前组建党组织", "due_on": "2026-12-31", "outcome": "open"})
    assert response.status_code == 302
    assert "2026年底前组建党组织" in client.get(assignment.get_absolute_url()).content.decode()


def test_targets_cannot_be_added_to_another_countys_assignment(world):
    assignment_b = assign(make_instructor(world.county_b), world.ent_b)
    client = client_for(world.editor_a)
    assert client.get(f"/instructors/assignments/{assignment_b.pk}/targets/add/").status_code == 404
    response = client.post(f"/instructors/assignments/{assignment_b.pk}/targets/add/",
                           {"description": "x", "due_on": "2026-12-31", "outcome": "open"})
    assert response.status_code == 404


def test_edit_page_hides_the_id_number_from_editors_without_the_sensitive_permission(world):
    person = make_instructor(world.county_a)
    page = client_for(world.editor_a).get(f"/instructors/{person.pk}/edit/")
    assert page.status_code == 200
    assert person.id_number not in page.content.decode() and 'name="id_number"' not in page.content.decode()
    world.editor_a.can_view_sensitive = True
    world.editor_a.save()
    assert person.id_number in client_for(world.editor_a).get(f"/instructors/{person.pk}/edit/").content.decode()


def test_instructor_history_page_masks_the_id_number(world):
    person = make_instructor(world.county_a)
    person.source_unit = "县委组织部"
    person.save()
    page = client_for(world.viewer_a).get(f"/instructors/{person.pk}/history/")
    assert page.status_code == 200 and person.id_number not in page.content.decode()


def test_editor_assesses_an_instructor_from_the_instructor_page(world):
    from instructors.models import AssessmentScheme

    person = make_instructor(world.county_a)
    assign(person, world.ent_a, D(2026, 1, 1))
    Visit.objects.create(instructor=person, enterprise=world.ent_a, visited_on=D(2026, 2, 1), work_done="x")
    scheme = AssessmentScheme.objects.create(name="方案", points_per_visit=70)
    client = client_for(world.editor_a)
    response = client.post(f"/instructors/{person.pk}/assess/", {"year": 2026, "scheme": scheme.pk})
    assert response.status_code == 302
    page = client.get(f"/instructors/{person.pk}/")
    assert page.context["assessments"][0].score == 70 and page.context["assessments"][0].grade == "pass"
    assert client_for(world.viewer_a).post(f"/instructors/{person.pk}/assess/",
                                           {"year": 2026, "scheme": scheme.pk}).status_code == 403
    person_b = make_instructor(world.county_b)
    assert client.post(f"/instructors/{person_b.pk}/assess/", {"year": 2026, "scheme": scheme.pk}).status_code == 404


@pytest.mark.parametrize("rows", [2, 12])
def test_list_and_instructor_pages_use_a_bounded_number_of_queries(world, rows, django_assert_max_num_queries):
    person = make_instructor(world.county_a)
    for _ in range(rows):
        enterprise = EnterpriseFactory(region=world.town_a)
        assign(person, enterprise, D(2026, 1, 1))
        Visit.objects.create(instructor=person, enterprise=enterprise, visited_on=D(2026, 2, 1), work_done="x")
        DemonstrationSite.objects.create(enterprise=enterprise, level="county", designated_on=D(2024, 1, 1))
    client = client_for(world.editor_a)
    for url in ("/instructors/assignments/", "/instructors/sites/", f"/instructors/{person.pk}/"):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200, url


def test_visit_photo_png_is_kept_and_an_oversized_one_refused(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    me = make_instructor(world.county_a)
    assign(me, world.ent_a, D(2026, 1, 1))
    client = client_for(make_user("instructor", instructor=me))
    fields = {"instructor": me.pk, "enterprise": world.ent_a.uscc, "visited_on": "2026-03-01", "work_done": "x"}
    big = client.post("/instructors/visits/add/", {**fields, "photo": SimpleUploadedFile(
        "big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024), content_type="image/png")})
    assert "A photo may be at most 5 MB." in big.content.decode()
    ok = client.post("/instructors/visits/add/", {**fields, "photo": SimpleUploadedFile(
        "site.png", b"\x89PNG\r\n", content_type="image/png")})
    assert ok.status_code == 302
    assert Visit.objects.get().photo.name.endswith(".png")


def test_a_renamed_file_is_not_accepted_as_a_photo(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    me = make_instructor(world.county_a)
    assign(me, world.ent_a, D(2026, 1, 1))
    client = client_for(make_user("instructor", instructor=me))
    response = client.post("/instructors/visits/add/", {
        "instructor": me.pk, "enterprise": world.ent_a.uscc, "visited_on": "2026-03-01", "work_done": "x",
        "photo": SimpleUploadedFile("fake.jpg", b"MZ\x90\x00", content_type="image/jpeg")})
    assert "A photo must be a JPEG or PNG file." in response.content.decode()
    assert not Visit.objects.exists()


def test_enterprise_page_shows_its_instructor_assignment_history(world):
    first = make_instructor(world.county_a, name="第一任指导员")
    second = make_instructor(world.county_a, name="第二任指导员")
    Assignment.objects.create(instructor=first, enterprise=world.ent_a, start_on=D(2024, 3, 1), end_on=D(2025, 3, 1))
    assign(second, world.ent_a, D(2025, 3, 1))
    page = client_for(world.viewer_a).get(world.ent_a.get_absolute_url())
    text = page.content.decode()
    assert "第一任指导员" in text and "第二任指导员" in text
    assert text.index("第二任指导员") < text.index("第一任指导员")  # newest first
    assert f"/instructors/assignments/?enterprise={world.ent_a.uscc}" in text
    listed = client_for(world.viewer_a).get(f"/instructors/assignments/?enterprise={world.ent_a.uscc}").content.decode()
    assert "第一任指导员" in listed and "第二任指导员" in listed


def test_editor_records_a_monthly_meeting_with_attendance_and_it_shows_on_the_instructor_page(world):
    from instructors.models import Meeting

    present = make_instructor(world.county_a, name="到会指导员")
    absent = make_instructor(world.county_a, name="缺席指导员")
    client = client_for(world.editor_a)
    form = client.get("/instructors/meetings/add/").content.decode()
    assert "到会指导员" in form
    response = client.post("/instructors/meetings/add/", {
        "region": world.county_a.code, "held_on": "2026-10-15", "topic": "十月指导员例会", "attendees": [present.pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get(topic="十月指导员例会")
    assert list(meeting.attendees.all()) == [present]
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert "到会指导员" in detail and "缺席指导员" not in detail
    assert "十月指导员例会" in client.get(f"/instructors/{present.pk}/").content.decode()
    assert "十月指导员例会" not in client.get(f"/instructors/{absent.pk}/").content.decode()
    listed = client.get("/instructors/meetings/?held_from=2026-10-01").content.decode()
    assert "十月指导员例会" in listed


def test_meeting_and_training_pages_refuse_other_countys_regions_and_instructors(world):
    from instructors.models import Meeting, Training

    theirs = make_instructor(world.county_b, name="鹤城指导员")
    meeting_b = Meeting.objects.create(region=world.county_b, held_on=D(2026, 10, 1), topic="鹤城例会")
    training_b = Training.objects.create(region=world.county_b, held_on=D(2026, 9, 1), title="鹤城培训")
    client = client_for(world.editor_a)
    for url in (meeting_b.get_absolute_url(), f"/instructors/meetings/{meeting_b.pk}/edit/",
                training_b.get_absolute_url(), f"/instructors/trainings/{training_b.pk}/edit/"):
        assert client.get(url).status_code == 404, url
    assert "鹤城例会" not in client.get("/instructors/meetings/").content.decode()
    assert "鹤城培训" not in client.get("/instructors/trainings/").content.decode()
    assert "鹤城指导员" not in client.get("/instructors/trainings/add/").content.decode()
    response = client.post("/instructors/trainings/add/", {
        "title": "越权培训", "region": world.county_b.code, "held_on": "2026-10-01", "attendees": [theirs.pk]})
    assert response.status_code == 200 and not Training.objects.filter(title="越权培训").exists()


def test_with_more_instructors_than_a_dropdown_holds_the_forms_pick_them_and_still_save(world, monkeypatch):
    """A province's 160,000 instructors made the visit and assignment forms 9 MB and the meeting form 36 MB (a
    dropdown, a checkbox each). Past MAX_LISTED_CHOICES in the user's scope they are pickers of the id."""
    import re  # noqa: PLC0415

    from core import views as core_views  # noqa: PLC0415
    from instructors.models import Meeting  # noqa: PLC0415

    one, two, three = (make_instructor(world.county_a, name=f"指导员{i}") for i in (1, 2, 3))
    outside = make_instructor(world.county_b, name="外县指导员")
    client = client_for(world.editor_a)
    assert '<select name="instructor"' in client.get("/instructors/visits/add/").content.decode()  # a few: a list
    monkeypatch.setattr(core_views, "MAX_LISTED_CHOICES", 2)
    for url in ("/instructors/visits/add/", "/instructors/assignments/add/"):
        form = client.get(url).content.decode()
        assert re.search(r'<input type="text" name="instructor"[^>]*data-picker="/pick/instructors.instructor.pk/"',
                         form), url
        assert "指导员1" not in form
    picked = client.get("/pick/instructors.instructor.pk/", {"q": "指导员"}).json()["results"]
    assert {item["key"] for item in picked} == {str(one.pk), str(two.pk), str(three.pk)}  # not the other county's
    form = client.get("/instructors/meetings/add/").content.decode()
    assert re.search(r'<input type="text" name="attendees"[^>]*data-picker-multiple="1"', form)
    response = client.post("/instructors/meetings/add/", {
        "region": world.county_a.code, "held_on": "2026-10-15", "topic": "十月例会",
        "attendees": f"{one.pk}, {three.pk}，"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(Meeting.objects.get(topic="十月例会").attendees.all()) == {one, three}
    refused = client.post("/instructors/meetings/add/", {
        "region": world.county_a.code, "held_on": "2026-10-16", "topic": "十一月例会", "attendees": f"{outside.pk}"})
    assert refused.status_code == 200 and not Meeting.objects.filter(topic="十一月例会").exists()
    assert f'value="{outside.pk}"' in refused.content.decode()  # the form is shown again with what was typed
