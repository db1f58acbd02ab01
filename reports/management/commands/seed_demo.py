"""A small, realistic demo region with a login for each role (idempotent)."""

import datetime
import io
import random

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import transaction
from stdnum.cn import ric, uscc

from core.dbstats import analyze
from core.roles import Role
from instructors.models import (AssessmentScheme, Assignment, Batch, DemonstrationSite, Instructor, InstructorType,
                                ResponsibilityTarget, Visit)
from activities.demo import seed_activities
from members.demo import seed_member_life
from members.models import Member
from organizations.models import (CoverageLink, Election, Enterprise, FormationMode, OrganizationKind, Ownership,
                                  PartyOrganization, Region)
from reports.incremental import bulk_changed

DEMO_PASSWORD = "Demo-pass-2026"
ROOT_CODE = "430000"

TREE = {
    "431200": ("怀化市", "city", {
        "431202": ("鹤城区", "county", ["城中街道", "迎丰街道", "坨院街道", ("431202Z1", "怀化工业园", "industrial_park"),
                                        ("431202Z2", "万达商务楼宇", "commercial_building")]),
        "431281": ("洪江市", "county", ["黔城镇", "安江镇", "托口镇", ("431281Z1", "洪江工业集中区", "industrial_park")]),
        "431221": ("中方县", "county", ["中方镇", "铜湾镇", ("431221Z1", "湘西农产品市场", "market")]),
    }),
}
PREFIXES = "华湘鑫盛宏泰安康锦恒瑞达金通远顺丰利和兴德嘉荣祥博创新宇"
TRADES = [("C", "机械制造"), ("C", "食品加工"), ("F", "商贸"), ("G", "物流"), ("I", "信息技术"), ("E", "建筑工程"),
          ("H", "餐饮管理"), ("L", "商务咨询"), ("M", "科技研发"), ("A", "农业开发"), ("K", "物业管理"), ("O", "家政服务")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅志文"


def make_uscc(n):
    body = f"91431200{n:09d}"
    return body + uscc.calc_check_digit(body)


def make_id(rng, n, born):
    seq = f"{n % 1000:03d}"
    body = f"431202{born:%Y%m%d}{seq}"
    return body + ric.calc_check_digit(body + "0")  # the function expects a placeholder check character


class Command(BaseCommand):
    help = "Load a small demo region (Huaihua city) with enterprises, organizations, members, instructors and users."

    def handle(self, *args, **options):
        if Region.objects.filter(code=ROOT_CODE).exists():
            self.stdout.write("Demo data already present; users refreshed.")
        else:
            with transaction.atomic():
                self.load()
                bulk_changed()  # written in bulk (no signals): every snapshot stale (reports.incremental)
            analyze(apps.get_models())  # planner statistics for the tables just filled
        self.users()
        self.reporting_units()
        if "compute_coverage" in get_commands():
            # Quarter ends of the last two years too, so the dashboard's trend has a history.
            today = datetime.date.today()
            # the last day of the quarter before the current one, then seven more quarters back
            quarter_start = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
            ends = []
            for _ in range(8):
                quarter_end = quarter_start - datetime.timedelta(days=1)
                ends.append(quarter_end)
                quarter_start = datetime.date(quarter_end.year, (quarter_end.month - 1) // 3 * 3 + 1, 1)
            # all eight in one pass (reports.trends), not one computation each
            call_command("compute_coverage", "--days", ",".join(day.isoformat() for day in reversed(ends)),
                         stdout=io.StringIO())
            # compute_coverage's last line is JSON (README "Quick start"): how many regions got today's
            # snapshot, how many enterprises were counted, and how many seconds it took.
            self.stdout.write("Coverage computed for today (regions, enterprises counted, seconds):")
            call_command("compute_coverage", stdout=self.stdout)

    def load(self):
        rng = random.Random(2026)
        province = Region.objects.add_root({"code": ROOT_CODE, "name": "湖南省", "kind": Region.Kind.PROVINCE})
        leaves = []
        for city_code, (city_name, kind, counties) in TREE.items():
            city = Region.objects.add_child(province, {"code": city_code, "name": city_name, "kind": kind})
            for county_code, (county_name, county_kind, towns) in counties.items():
                county = Region.objects.add_child(city, {"code": county_code, "name": county_name, "kind": county_kind})
                for i, town in enumerate(towns, start=1):
                    if isinstance(town, tuple):
                        code, name, zone_type = town
                        leaves.append(Region.objects.add_child(county, {"code": code, "name": name, "kind": Region.Kind.ZONE,
                                                                  "zone_type": zone_type}))
                    else:
                        leaves.append(Region.objects.add_child(county, {"code": f"{county_code}{i:03d}", "name": town,
                                                                  "kind": Region.Kind.TOWNSHIP}))
        ownerships = [o.value for o in Ownership]
        enterprises = []
        for n in range(1, 301):
            region = leaves[n % len(leaves)]
            industry, trade = TRADES[n % len(TRADES)]
            employees = rng.choice([8, 15, 25, 40, 60, 90, 120, 260, 450, 1200])
            closed = n % 37 == 0
            ent = Enterprise(
                uscc=make_uscc(n), name=f"怀化{rng.choice(PREFIXES)}{rng.choice(PREFIXES)}{trade}有限公司{n:03d}",
                region=region, ownership=ownerships[0] if n % 5 else rng.choice(ownerships), industry=industry,
                employees=employees, is_above_designated_size=employees >= 100, founded_on=datetime.date(
                    2005 + n % 19, 1 + n % 12, 1 + n % 27),
                has_union=employees >= 25, has_youth_league=employees >= 100 and n % 2 == 0,
                legal_rep_is_member=n % 9 == 0, legal_rep_is_secretary=n % 18 == 0,
                status=Enterprise.Status.CLOSED if closed else Enterprise.Status.OPERATING,
                closed_on=datetime.date(2025, 6, 30) if closed else None,
            )
            ent.save()
            enterprises.append(ent)
        operating = [e for e in enterprises if not e.closed_on]
        counter = iter(range(1, 100000))
        orgs = []

        def org(code, name, region, kind, mode, established, parent=None, secretary=""):
            fields = dict(code=code, name=name, region=region, kind=kind, formation_mode=mode,
                          established_on=established, secretary_name=secretary,
                          secretary_source="owner" if mode == FormationMode.INDIVIDUAL else "instructor")
            node = (PartyOrganization.objects.add_child(parent, fields) if parent
                    else PartyOrganization.objects.add_root(fields))
            orgs.append(node)
            return node

        city = Region.objects.get(code="431200")
        committee = org("D431200", "怀化市非公有制经济组织党委", city, OrganizationKind.WORKING_COMMITTEE,
                        FormationMode.REGIONAL, datetime.date(2012, 7, 1), secretary="刘建国")
        # individual branches for the larger enterprises
        big = [e for e in operating if e.employees >= 260 and e.pk % 2 == 0]
        for i, ent in enumerate(big):
            kind = OrganizationKind.COMMITTEE if ent.employees >= 1000 else (
                OrganizationKind.GENERAL_BRANCH if ent.employees >= 400 else OrganizationKind.BRANCH)
            o = org(f"D{next(counter):06d}", f"{ent.name}党{ {'committee': '委', 'general_branch': '总支部', 'branch': '支部'}[kind]}",
                    ent.region, kind, FormationMode.INDIVIDUAL, datetime.date(2016 + i % 9, 3, 1), parent=committee,
                    secretary=rng.choice(SURNAMES) + rng.choice(GIVEN))
            CoverageLink.objects.create(organization=o, enterprise=ent, valid_from=max(o.established_on, ent.founded_on))
        # joint branches of small enterprises, 2–5 each, per leaf region
        small = [e for e in operating if e not in big]
        for leaf in leaves:
            pool = [e for e in small if e.region_id == leaf.pk][:7]
            if len(pool) < 4:
                continue
            o = org(f"D{next(counter):06d}", f"{leaf.name}非公企业联合党支部", leaf, OrganizationKind.BRANCH,
                    FormationMode.REGIONAL if leaf.kind == Region.Kind.ZONE else FormationMode.JOINT,
                    datetime.date(2019, 7, 1), parent=committee, secretary=rng.choice(SURNAMES) + rng.choice(GIVEN))
            for ent in pool[:5] if leaf.kind == Region.Kind.ZONE else pool[:4]:
                CoverageLink.objects.create(organization=o, enterprise=ent, valid_from=max(o.established_on, ent.founded_on))
        # an industry branch (logistics association) and an attached one
        logistics = [e for e in small if e.industry == "G"][:6]
        o = org(f"D{next(counter):06d}", "怀化市物流行业协会党支部", city, OrganizationKind.BRANCH, FormationMode.INDUSTRY,
                datetime.date(2020, 5, 1), parent=committee, secretary="唐志文")
        for ent in logistics:
            CoverageLink.objects.create(organization=o, enterprise=ent, valid_from=max(o.established_on, ent.founded_on))
        attached_host = org(f"D{next(counter):06d}", "迎丰街道社区党委", leaves[1], OrganizationKind.COMMITTEE,
                            FormationMode.ATTACHED, datetime.date(2015, 1, 1), secretary="周红梅")
        for ent in [e for e in small if e.region_id == leaves[1].pk][7:9]:
            CoverageLink.objects.create(organization=attached_host, enterprise=ent,
                                        valid_from=max(attached_host.established_on, ent.founded_on))
        # members: in covered enterprises, plus a few in uncovered ones (some should form their own branch)
        covered_ids = set(CoverageLink.objects.values_list("enterprise_id", flat=True))
        primary_org = dict(CoverageLink.objects.order_by("organization__formation_mode").values_list("enterprise_id",
                                                                                                      "organization_id"))
        n = 0
        today = datetime.date.today()
        members = []
        for ent in operating:
            if ent.pk in covered_ids:
                count, org_id = rng.randint(1, 6), primary_org[ent.pk]
            elif ent.pk % 4 == 0:
                count, org_id = rng.randint(1, 4), committee.pk
            else:
                continue
            for _k in range(count):
                n += 1
                born = datetime.date(1965 + rng.randint(0, 35), rng.randint(1, 12), rng.randint(1, 28))
                joined = datetime.date(max(born.year + 20, 2000) + rng.randint(0, 5), rng.randint(1, 12), 1)
                probationary = n % 11 == 0
                # probation (one year) mostly still running; a few probationary members are past it
                admitted = (today - datetime.timedelta(days=380 + n % 40) if n % 132 == 0
                            else today - datetime.timedelta(days=30 + (n * 37) % 300))
                members.append(Member(
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if n % 2 else ""),
                    gender="male" if n % 2 else "female", id_number=make_id(rng, n, born), birth_date=born,
                    ethnicity="侗" if n % 7 == 0 else "苗" if n % 13 == 0 else "汉",  # as in Huaihua
                    phone=f"139{n:08d}", education=rng.choice(["大专", "本科", "高中", "研究生"]),
                    organization_id=org_id, employer=ent, joined_on=admitted if probationary else joined,
                    standing="probationary" if probationary else "full",
                    full_on=None if probationary else joined.replace(year=joined.year + 1),
                ))
        Member.objects.bulk_create(members)
        seed_member_life(rng, orgs)  # entry events, transfers, floating members, dues, applicants
        seed_activities(rng, orgs, PartyOrganization.objects.filter(formation_mode=FormationMode.JOINT)
                        .order_by("path").first())  # this year's organization life; the secretary's open records
        # instructors reach about 60 % of the enterprises without an organization
        kind = InstructorType.objects.order_by("id").first()
        instructors = [Instructor.objects.create(
            name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), id_number=make_id(rng, 9000 + i,
                                                                                          datetime.date(1970 + i, 5, 5)),
            phone=f"137{i:08d}", type=kind, source_unit=rng.choice(["市委组织部", "区委组织部", "市工商联", "市场监管局"]),
            is_retired_cadre=i % 4 == 0,
            region=city if i < 4 else Region.objects.get_parent(leaves[i % len(leaves)]),
            active_from=datetime.date(2023, 3, 1)) for i in range(12)]
        batch = Batch.objects.create(name="第3批", region=city, dispatched_on=datetime.date(2024, 3, 1))
        uncovered = [e for e in operating if e.pk not in covered_ids]
        for i, ent in enumerate(uncovered):
            if i % 5 in (0, 1, 2):
                Assignment.objects.create(instructor=instructors[i % len(instructors)], enterprise=ent, batch=batch,
                                          start_on=datetime.date(2024, 3, 1))
        AssessmentScheme.objects.create(name="怀化市党建指导员目标责任考核办法（2026）")
        self.demonstration_sites(orgs[1:6])
        self.terms(rng, orgs, today)
        self.visits_and_targets(today)
        self.stdout.write(f"Loaded {len(leaves)} leaf regions, {len(enterprises)} enterprises, {len(orgs)} "
                          f"organizations, {len(members)} members, {len(instructors)} instructors.")

    def reporting_units(self):
        """The cover block's head and telephone of every city and county of the demo (idempotent)."""
        from reports.models import ReportingUnit  # noqa: PLC0415

        heads = "张李王刘陈杨赵黄周吴"
        units = Region.objects.filter(path__startswith=Region.objects.get(code=ROOT_CODE).path,
                                      kind__in=[Region.Kind.PROVINCE, Region.Kind.CITY, Region.Kind.COUNTY])
        for n, region in enumerate(units.order_by("path")):
            ReportingUnit.objects.get_or_create(region=region, defaults={
                "head": f"{heads[n % len(heads)]}部长", "phone": f"0745-{2231000 + n:07d}"})

    @staticmethod
    def demonstration_sites(organizations):
        """Each site named after the body of its level that designated it: the province's, the city's, or the
        organization's own county's organization department."""
        for i, o in enumerate(organizations):
            level = ["provincial", "city", "county"][i % 3]
            county = next((r for r in Region.objects.get_ancestors(o.region) if r.kind == Region.Kind.COUNTY), None)
            body, theme = {
                "provincial": ("中共湖南省委组织部", "湖南省非公企业党建工作示范点"),
                "city": ("中共怀化市委组织部", "怀化市非公企业党建工作示范点"),
                "county": (f"中共{county.name if county else o.region.name}委组织部",
                           f"{county.name if county else o.region.name}非公企业党建工作示范点"),
            }[level]
            DemonstrationSite.objects.create(organization=o, level=level, theme=theme, designating_body=body,
                                             designated_on=datetime.date(2024, 7, 1))

    @staticmethod
    def terms(rng, organizations, today):
        """A live region: most organizations elected within their term, two due within 90 days, two overdue
        (never re-elected since they were established long ago)."""
        for i, o in enumerate(organizations):
            years = o.effective_term_years or 3
            if i in (3, 9):
                continue  # overdue: the term counted from the establishment ran out years ago
            if i in (5, 12):  # due: the term ends within the next three months
                held = today.replace(year=today.year - years) + datetime.timedelta(days=30 + i)
            else:
                held = today - datetime.timedelta(days=60 + rng.randint(0, 365 * years - 200))
            held = max(held, o.established_on)
            Election.objects.create(organization=o, held_on=held, term_years=years, secretary_name=o.secretary_name,
                                    note="换届选举")

    @staticmethod
    def visits_and_targets(today):
        """Instructors' visits, mostly within the last month (a few enterprises due a visit), and open targets
        falling due over the coming months (one overdue)."""
        for i, assignment in enumerate(Assignment.objects.select_related("instructor").order_by("pk")):
            ago = 3 + (i * 11) % 50  # about one in three is more than 30 days ago: due a visit
            Visit.objects.create(instructor=assignment.instructor, enterprise=assignment.enterprise,
                                 visited_on=today - datetime.timedelta(days=ago),
                                 work_done="走访企业负责人，了解党员情况，宣讲组建党组织政策",
                                 outcome="企业同意推荐一名入党积极分子" if i % 4 == 0 else "")
            if i % 3 == 0:
                ResponsibilityTarget.objects.create(
                    assignment=assignment, description="推动企业建立党组织" if i % 2 else "发展一名入党积极分子",
                    due_on=today + datetime.timedelta(days=-15 if i == 0 else 30 + (i * 13) % 200))

    def users(self):
        User = get_user_model()
        secretary_org = PartyOrganization.objects.filter(formation_mode=FormationMode.JOINT).order_by("path").first()
        instructor = Instructor.objects.order_by("id").first()
        specs = [
            ("admin", Role.ADMIN, {}, True, ("", "")),
            ("city_editor", Role.REGION_EDITOR, {"scope_region": Region.objects.get(code="431200")}, True, ("王", "晓明")),
            ("county_viewer", Role.REGION_VIEWER, {"scope_region": Region.objects.get(code="431281")}, False,
             ("李", "芳")),
            ("secretary", Role.BRANCH_SECRETARY, {"scope_organization": secretary_org}, False, ("陈", "红梅")),
            ("instructor", Role.INSTRUCTOR, {"scope_instructor": instructor}, False,
             (instructor.name[:1], instructor.name[1:])),
            ("stats_api", Role.STATS_CLIENT, {"scope_region": Region.objects.get(code="431200")}, False, ("", "")),
        ]
        self.stdout.write("Demo logins (password for all: %s):" % DEMO_PASSWORD)
        for username, role, scope, sensitive, (family, given) in specs:
            user, _created = User.objects.get_or_create(username=username)
            user.last_name, user.first_name = family, given  # pages name people: 填报人 陈红梅, not "secretary"
            user.role = role
            user.scope_region = scope.get("scope_region")
            user.scope_organization = scope.get("scope_organization")
            user.scope_instructor = scope.get("scope_instructor")
            user.can_view_sensitive = sensitive
            user.is_staff = user.is_superuser = role == Role.ADMIN
            user.set_password(DEMO_PASSWORD)
            user.save()
            self.stdout.write(f"  {username:<14} {user.get_role_display()}  {user.scope_label}")


