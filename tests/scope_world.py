"""A world of two counties with one object of every scoped model in each, for the scope matrix.

Each app adds its objects with `@builder`; a builder gets the county's pieces (region, enterprise,
organization, suffix) and creates that app's objects there.
"""

import datetime

from instructors.models import Assignment, DemonstrationSite, Instructor, InstructorType
from members.models import Member
from organizations.models import FormationMode, Region
from tests.factories import EnterpriseFactory, cover, make_organization, make_region, make_user

BUILDERS = []


def builder(func):
    BUILDERS.append(func)
    return func


def id_number(n: int) -> str:
    from stdnum.cn import ric

    body = f"43128119900101{n:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function expects a placeholder check character


@builder
def _members_and_instructors(county):
    member = Member.objects.create(name=f"党员{county.suffix}", gender="male", id_number=id_number(county.n),
                                   organization=county.organization, employer=county.enterprise,
                                   joined_on="2015-01-01", full_on="2016-01-01", phone="13900000000")
    county.member = member
    person = Instructor.objects.create(name=f"指导员{county.suffix}", id_number=id_number(county.n + 100),
                                       type=InstructorType.objects.order_by("id").first(), region=county.region,
                                       active_from="2024-01-01")
    Assignment.objects.create(instructor=person, enterprise=county.enterprise, start_on="2024-01-01")
    DemonstrationSite.objects.create(organization=county.organization, level="county", designated_on="2024-07-01")
    county.instructor = person
    Visit = Assignment._meta.apps.get_model("instructors", "Visit")
    Visit.objects.create(instructor=person, enterprise=county.enterprise, visited_on="2024-02-01",
                         work_done="宣讲政策")


@builder
def _report_runs(county):
    """A queued report run per county (reports.ReportRun is scoped by region)."""
    from reports.models import ReportDefinition, ReportRun  # noqa: PLC0415

    definition = ReportDefinition.objects.get(code="nonpublic_enterprises")
    ReportRun.objects.create(definition=definition, region=county.region, period="2025", period_start="2025-01-01",
                             period_end="2025-12-31", as_of="2025-12-31", version=1)


class County:
    pass


def build_county(city, code, n):
    county = County()
    county.n, county.suffix = n, code[-3:]
    county.region = make_region(code, f"县{code}", Region.Kind.COUNTY, parent=city)
    county.town = make_region(f"{code}001", f"镇{code}", Region.Kind.TOWNSHIP, parent=county.region)
    county.enterprise = EnterpriseFactory(region=county.town, name=f"企业{code}")
    county.organization = make_organization(f"D{code}", county.town, mode=FormationMode.INDIVIDUAL,
                                            established_on=datetime.date(2020, 1, 1))
    county.link = cover(county.organization, county.enterprise)
    from organizations.models import ChannelReach, WorkChannel  # noqa: PLC0415

    county.channel_reach = ChannelReach.objects.create(channel=WorkChannel.objects.get(code="union"),
                                                       enterprise=county.enterprise,
                                                       valid_from=datetime.date(2021, 1, 1))
    county.organization.elections.create(held_on="2023-01-01", term_years=3)
    for build in BUILDERS:
        build(county)
    county.viewer = make_user("region_viewer", region=county.region)
    county.editor = make_user("region_editor", region=county.region)
    county.secretary = make_user("branch_secretary", organization=county.organization)
    county.instructor_user = make_user("instructor", instructor=county.instructor)
    county.stats = make_user("stats_client", region=county.region)
    return county


def build_world():
    city = make_region("431200", "怀化市", Region.Kind.CITY)
    return build_county(city, "431281", 1), build_county(city, "431202", 2)


@builder
def _member_life_cycle(county):
    from decimal import Decimal

    from members.models import DuesPayment, FloatingRecord, IncomeBase, MemberEvent, Transfer

    member = county.member
    MemberEvent.objects.create(member=member, kind="admitted", occurred_on="2015-01-01",
                               organization=county.organization)
    Transfer.objects.create(member=member, letter_number=f"L{county.suffix}", from_organization=county.organization,
                            to_external="外省某支部", issued_on="2026-01-01", valid_until="2026-04-01",
                            status="withdrawn")
    FloatingRecord.objects.create(member=member, organization=county.organization, destination="深圳",
                                  left_on="2024-01-01", expected_return_on="2024-03-01", document_kind="proof_letter",
                                  returned_on="2024-03-01")
    IncomeBase.objects.create(member=member, effective_month="2026-01-01", monthly_income=Decimal("4000"))
    DuesPayment.objects.create(member=member, organization=county.organization, month="2026-01-01",
                               amount=Decimal("40"), paid_on="2026-01-05")
    from members.models import Applicant

    Applicant.objects.create(name=f"申请人{county.suffix}", id_number=id_number(county.n + 300), gender="male",
                             organization=county.organization, applied_on="2026-03-01")


@builder
def _activities(county):
    from activities.models import ActivityRecord, Suggestion

    ActivityRecord.objects.create(organization=county.organization, kind="committee_meeting",
                                  held_on="2026-07-10", topic=f"支委会{county.suffix}")
    Suggestion.objects.create(organization=county.organization, enterprise=county.enterprise, raised_by="党员",
                              raised_on="2026-03-01", content="节能降耗建议", accepted=True, benefit_yuan="1000.00")
    from activities.models import AssessmentResult, AssessmentScheme, ChecklistItem, ChecklistResult

    ChecklistResult.objects.create(organization=county.organization, item=ChecklistItem.objects.order_by("id").first(),
                                   year=2025, met=True)
    AssessmentResult.objects.create(organization=county.organization, scheme=AssessmentScheme.objects.order_by("id")
                                    .first(), year=2025, rating="★★★★")
