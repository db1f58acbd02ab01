import datetime

import pytest

from instructors.models import AssessmentScheme, Meeting, ResponsibilityTarget, Visit
from instructors.services import assess

from .helpers import assign, make_instructor

pytestmark = pytest.mark.django_db
D = datetime.date


def test_yearly_assessment_scores_targets_visits_and_meetings_of_that_year_only(world):
    person = make_instructor(world.county_a)
    assignment = assign(person, world.ent_a, D(2026, 1, 1))
    ResponsibilityTarget.objects.create(assignment=assignment, description="组建党组织", due_on=D(2026, 12, 31),
                                        outcome="met")
    ResponsibilityTarget.objects.create(assignment=assignment, description="发展党员", due_on=D(2026, 6, 30),
                                        outcome="missed")
    for month in (2, 3, 4):
        Visit.objects.create(instructor=person, enterprise=world.ent_a, visited_on=D(2026, month, 1), work_done="x")
    Meeting.objects.create(region=world.county_a, held_on=D(2026, 5, 1), topic="例会").attendees.add(person)
    Meeting.objects.create(region=world.county_a, held_on=D(2025, 5, 1), topic="去年例会").attendees.add(person)
    scheme = AssessmentScheme.objects.create(name="2026方案", points_per_target_met=50, points_per_visit=5,
                                             points_per_meeting=10, excellent_from=90, good_from=70, pass_from=60)
    result = assess(person, 2026, scheme)
    assert (result.targets_met, result.visits, result.meetings) == (1, 3, 1)
    assert result.score == 50 + 15 + 10 and result.grade == "good"
    # recomputing updates the one record of that year
    assert assess(person, 2026, scheme).pk == result.pk
