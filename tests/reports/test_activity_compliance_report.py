"""The activity_compliance report shows what the compliance API answers, organization by organization."""

import datetime
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command

from tests.activities.helpers import accepted
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def test_report_rows_equal_the_compliance_api(world):
    accepted(world.org_a, "committee_meeting", datetime.date(2026, 7, 10))
    accepted(world.org_a, "general_meeting", datetime.date(2026, 8, 3))
    out = StringIO()
    call_command("build_report", "activity_compliance", "--region", world.county_a.code, "--period", "2026Q3",
                 stdout=out)
    path = out.getvalue().strip().splitlines()[-1]
    xlsx = path if path.endswith(".xlsx") else path.rsplit(".", 1)[0] + ".xlsx"
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(xlsx).active.iter_rows()]
    mine = next(row for row in rows if world.org_a.code in row)
    api = api_as(world.admin).get("/api/v1/statistics/activities/compliance/",
                                  {"region": world.county_a.code, "period": "2026Q3"}).json()
    results = api["results"] if isinstance(api, dict) else api
    expected = next(r for r in results if r["organization"] == world.org_a.code)
    numbers = [v for v in mine if isinstance(v, int)]
    from activities.models import FrequencyRule

    kinds = list(FrequencyRule.objects.order_by("id").values_list("kind", flat=True))
    assert numbers == [n for kind in kinds for n in (expected["required"][kind], expected["held"][kind])]
    assert mine[-1] == ("是" if expected["overdue"] else "否")
    assert not any(world.org_b.code in row for row in rows)
