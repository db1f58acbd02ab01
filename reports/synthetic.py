"""Synthetic data at scale (API.md "Scale tiers"), for benchmarks and load tests.

A synthetic province of N enterprises: province → cities → counties → townships and zones (the leaves),
party organizations (a non-public-enterprise committee per county with its branches), coverage links,
members, instructors and their assignments, demonstration sites. Shape: ~31 % of enterprises
organization-covered (about a third individually, the rest jointly, regionally in zones and by industry),
instructors reaching ~60 % of the rest, a few percent closed.

Fast: rows are built as tuples with explicit primary keys and written with COPY on PostgreSQL (bulk_create
in large batches elsewhere); treebeard paths are built directly (`_get_path`), and sequences are reset
afterwards. This bypasses model `save()` and signals on purpose — in particular **django-simple-history
records no history for synthetic rows** (they are test data, and a million historical rows would only slow
the load down). Do not load synthetic data into a production register.

Deterministic for a seed on a given database: every random choice comes from `random.Random(seed)`, and all
dates are fixed relative to `ANCHOR` (not today). USCCs and ID numbers carry valid check characters and are
chosen so that they do not collide with rows already present.
"""

import datetime
import itertools
import math
import random
import time
from array import array

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import ric
from stdnum.cn import uscc as stdnum_uscc

from instructors.models import Assignment, DemonstrationSite, Instructor, InstructorType
from members.models import Member, MemberEvent
from members.spans import insert_select
from organizations.models import (
    CoverageLink, Enterprise, FormationMode, Industry, OrganizationKind, Ownership, PartyOrganization, Region,
    ScaleBand,
)

ANCHOR = datetime.date(2026, 1, 1)  # every synthetic date lies before this day; open periods have no end

# API.md "Scale tiers": exact figures for the named tiers, ratios of tier S otherwise.
TIERS = {
    "S": {"enterprises": 15_000, "leaves": 50, "organizations": 2_000, "links": 4_700, "members": 20_000,
          "assignments": 8_000},
    "M": {"enterprises": 100_000, "leaves": 400, "organizations": 15_000, "links": 31_000, "members": 150_000,
          "assignments": 60_000},
    "L": {"enterprises": 1_000_000, "leaves": 3_000, "organizations": 150_000, "links": 310_000,
          "members": 1_200_000, "assignments": 600_000},
}
LEAVES_PER_COUNTY = 15
COUNTIES_PER_CITY = 8
ZONE_SHARE = 0.10  # of leaves
CLOSED_SHARE = 0.03
# Plans for an enterprise outside a zone (cumulative thresholds) — with half of the zone enterprises covered
# regionally this gives ~31 % covered, a third of it individually.
P_INDIVIDUAL, P_JOINT, P_INDUSTRY = 0.115, 0.215, 0.285
P_REGIONAL_IN_ZONE = 0.5
P_INSTRUCTOR_REACH = 0.60
ID_AREAS = ["110101", "110102", "110105", "110106", "110108", "120101", "120102", "310101", "310104"]

PLAN_NONE, PLAN_INDIVIDUAL, PLAN_JOINT, PLAN_REGIONAL, PLAN_INDUSTRY = range(5)


def shape_for(enterprises: int) -> dict:
    for tier in TIERS.values():
        if tier["enterprises"] == enterprises:
            return dict(tier)
    base = TIERS["S"]
    factor = enterprises / base["enterprises"]
    return {key: max(1, round(value * factor)) for key, value in base.items()} | {"enterprises": enterprises}


def _day(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange(max(1, (end - start).days)))


class TableWriter:
    """Writes rows (dicts of attname → value, primary key included) of one model: COPY or bulk_create."""

    def __init__(self, model, batch_size=20_000):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.now = timezone.now()
        self.defaults = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = self.now
            elif f.has_default():
                self.defaults[f.attname] = f.get_default()
            else:
                self.defaults[f.attname] = None if f.null else ("" if f.empty_strings_allowed else None)
        self.batch_size = batch_size
        self.rows = 0

    def write(self, rows):
        attnames = [f.attname for f in self.fields]
        defaults = self.defaults
        tuples = (tuple(row.get(a, defaults[a]) for a in attnames) for row in rows)
        if connection.vendor == "postgresql":
            self._copy(tuples)
        else:
            for batch in _batched(tuples, self.batch_size):
                self.model.objects.bulk_create(
                    [self.model(**dict(zip(attnames, values))) for values in batch], batch_size=2000)
                self.rows += len(batch)

    def _copy(self, tuples):
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in tuples:
                    copy.write_row(values)
                    self.rows += 1


def _batched(iterable, n):
    iterator = iter(iterable)
    while batch := list(itertools.islice(iterator, n)):
        yield batch


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


class SyntheticProvince:
    def __init__(self, enterprises: int, seed: int = 1, log=print):
        self.n = enterprises
        self.seed = seed
        self.rng = random.Random(seed)
        self.shape = shape_for(enterprises)
        self.log = log
        self.prefix = f"SYN{seed}"
        self.counts = {}

    # --- helpers -------------------------------------------------------------------------------

    def _uscc_source(self):
        """Valid USCCs: '91' + a registration area '9' + 5 digits of the seed + a 9-digit serial + check."""
        head = f"919{self.seed % 100_000:05d}"
        # read now, not lazily: no other query may run on the connection while a COPY is open
        taken = set(Enterprise.objects.filter(uscc__startswith=head).values_list("uscc", flat=True))
        return self._usccs(head, taken)

    @staticmethod
    def _usccs(head, taken):
        for serial in itertools.count(1):
            body = f"{head}{serial:09d}"
            code = body + stdnum_uscc.calc_check_digit(body)
            if code not in taken:
                yield code

    def _id_number_source(self):
        """Valid 18-digit ID numbers (GB 11643): real area codes, birth dates 1955–2003, serials per seed."""
        taken = set(Member.objects.values_list("id_number", flat=True).iterator()) | set(
            Instructor.objects.values_list("id_number", flat=True))
        return self._id_numbers(taken)

    def _id_numbers(self, taken):
        start = datetime.date(1955, 1, 1)
        days = (datetime.date(2003, 12, 31) - start).days
        offset = (self.seed * 7919) % days
        for serial, area, day in itertools.product(range(1, 1000), ID_AREAS, range(days)):
            birth = start + datetime.timedelta(days=(day + offset) % days)
            body = f"{area}{birth:%Y%m%d}{serial:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in taken:
                yield number, birth, ("male" if serial % 2 else "female")

    # --- the load --------------------------------------------------------------------------------

    def load(self) -> dict:
        if Region.objects.filter(code=self.prefix).exists():
            raise ValueError(f"Synthetic data for seed {self.seed} is already loaded (region {self.prefix}); "
                             "use another --seed or a fresh database.")
        started = time.monotonic()
        with transaction.atomic():
            self._regions()
            self._enterprises()
            self._organizations_and_links()
            self._members()
            self._instructors_and_assignments()
            self._demonstration_sites()
            self._reset_sequences()
        self.counts["seconds"] = round(time.monotonic() - started, 1)
        return self.counts

    def _regions(self):
        rng = self.rng
        leaves_n = self.shape["leaves"]
        counties_n = math.ceil(leaves_n / LEAVES_PER_COUNTY)
        cities_n = math.ceil(counties_n / COUNTIES_PER_CITY)
        last_root = Region.objects.get_last_root_node()
        root_path = last_root._inc_path() if last_root else Region._get_path(None, 1, 1)
        next_id = itertools.count(_next_id(Region))
        rows = []

        def node(path, depth, code, name, kind, numchild, zone_type=""):
            row = {"id": next(next_id), "path": path, "depth": depth, "numchild": numchild, "code": code,
                   "name": name, "kind": kind, "zone_type": zone_type}
            rows.append(row)
            return row

        root = node(root_path, 1, self.prefix, f"合成省{self.seed}", Region.Kind.PROVINCE, cities_n)
        self.root_id = root["id"]
        self.leaves, self.zone_leaf, self.counties, self.leaf_county = [], [], [], []
        county_index = 0
        leaves_left = leaves_n
        for c in range(cities_n):
            city_counties = min(COUNTIES_PER_CITY, counties_n - c * COUNTIES_PER_CITY)
            city_path = Region._get_path(root_path, 2, c + 1)
            city_code = f"{self.prefix}C{c + 1:03d}"
            node(city_path, 2, city_code, f"合成市{c + 1}", Region.Kind.CITY, city_counties)
            for k in range(city_counties):
                county_leaves = min(LEAVES_PER_COUNTY, leaves_left - (counties_n - county_index - 1))
                county_leaves = max(1, min(county_leaves, leaves_left))
                leaves_left -= county_leaves
                county_path = Region._get_path(city_path, 3, k + 1)
                county_code = f"{city_code}K{k + 1:02d}"
                county = node(county_path, 3, county_code, f"合成县{county_index + 1}", Region.Kind.COUNTY,
                              county_leaves)
                self.counties.append(county)
                for t in range(county_leaves):
                    is_zone = rng.random() < ZONE_SHARE
                    leaf = node(Region._get_path(county_path, 4, t + 1), 4, f"{county_code}T{t + 1:02d}",
                                f"合成园区{county_index + 1}-{t + 1}" if is_zone else f"合成街道{county_index + 1}-{t + 1}",
                                Region.Kind.ZONE if is_zone else Region.Kind.TOWNSHIP, 0,
                                Region.ZoneType.INDUSTRIAL_PARK if is_zone else "")
                    self.leaves.append(leaf)
                    self.zone_leaf.append(is_zone)
                    self.leaf_county.append(county_index)
                county_index += 1
        TableWriter(Region).write(rows)
        self.counts["regions"] = len(rows)
        self.log(f"regions: {len(rows)} ({len(self.leaves)} leaves)")

    def _enterprises(self):
        rng = self.rng
        n = self.n
        bands = list(ScaleBand.objects.order_by("-min_employees").values_list("min_employees", "scale"))
        ownerships = [o.value for o in Ownership]
        ownership_weights = [60, 25, 4, 3, 4, 4]
        industries = [i.value for i in Industry if i.value not in {"S", "T"}]
        first_id = _next_id(Enterprise)
        self.enterprise_first_id = first_id
        # compact per-enterprise facts kept for the later tables
        self.ent_leaf = array("i", [0]) * n  # leaf index, or -(county index)-1 when registered at the county
        self.ent_plan = bytearray(n)
        self.ent_industry = bytearray(n)
        self.ent_founded = array("i", [0]) * n  # ordinal
        usccs = self._uscc_source()
        leaves_n = len(self.leaves)
        closed = 0

        def rows():
            nonlocal closed
            for i in range(n):
                if rng.random() < 0.03:  # registered directly at a county (not a leaf)
                    county = rng.randrange(len(self.counties))
                    region_id, in_zone = self.counties[county]["id"], False
                    self.ent_leaf[i] = -county - 1
                else:
                    leaf = rng.randrange(leaves_n)
                    region_id, in_zone = self.leaves[leaf]["id"], self.zone_leaf[leaf]
                    self.ent_leaf[i] = leaf
                industry = rng.randrange(len(industries))
                self.ent_industry[i] = industry
                r = rng.random()
                if in_zone:
                    plan = PLAN_REGIONAL if r < P_REGIONAL_IN_ZONE else PLAN_NONE
                elif r < P_INDIVIDUAL:
                    plan = PLAN_INDIVIDUAL
                elif r < P_JOINT:
                    plan = PLAN_JOINT
                elif r < P_INDUSTRY:
                    plan = PLAN_INDUSTRY
                else:
                    plan = PLAN_NONE
                self.ent_plan[i] = plan
                founded = _day(rng, datetime.date(1995, 1, 1), datetime.date(2024, 12, 31))
                self.ent_founded[i] = founded.toordinal()
                closed_on = None
                if rng.random() < CLOSED_SHARE:
                    closed_on = _day(rng, max(founded + datetime.timedelta(days=30), datetime.date(2022, 1, 1)),
                                     ANCHOR)
                    closed += 1
                employees = int(rng.lognormvariate(3.2, 1.1)) + 1
                scale = next((s for m, s in bands if employees >= m), "")
                yield {
                    "id": first_id + i, "uscc": next(usccs), "name": f"合成企业{self.seed}-{i + 1}有限公司",
                    "region_id": region_id, "ownership": rng.choices(ownerships, ownership_weights)[0],
                    "industry": industries[industry], "employees": employees, "scale": scale,
                    "is_above_designated_size": employees >= 300, "has_union": rng.random() < 0.3,
                    "has_youth_league": rng.random() < 0.1, "founded_on": founded, "closed_on": closed_on,
                    "status": Enterprise.Status.CLOSED if closed_on else Enterprise.Status.OPERATING,
                }

        TableWriter(Enterprise).write(rows())
        self.industries = industries
        self.counts["enterprises"] = n
        self.counts["closed"] = closed
        self.log(f"enterprises: {n} ({closed} closed)")

    def _organizations_and_links(self):
        rng = self.rng
        n = self.n
        first_org = _next_id(PartyOrganization)
        org_ids = itertools.count(first_org)
        last_root = PartyOrganization.objects.get_last_root_node()
        root_path = last_root._inc_path() if last_root else PartyOrganization._get_path(None, 1, 1)
        step = PartyOrganization.steplen
        org_rows, link_rows = [], []
        self.ent_org = array("i", [0]) * n  # covering organization of each enterprise (0: none)
        county_orgs = []  # (id, path, children so far)
        codes = itertools.count(1)

        def new_org(region_id, county, kind, mode, established, name):
            committee = county_orgs[county]
            committee["numchild"] += 1
            row = {"id": next(org_ids), "path": PartyOrganization._get_path(committee["path"], 2,
                                                                          committee["numchild"]),
                   "depth": 2, "numchild": 0, "code": f"{self.prefix}O{next(codes)}", "name": name,
                   "kind": kind, "formation_mode": mode, "region_id": region_id, "established_on": established}
            org_rows.append(row)
            return row

        def link(org, i, valid_from=None, valid_to=None):
            founded = datetime.date.fromordinal(self.ent_founded[i])
            start = max(org["established_on"], founded, valid_from or datetime.date.min)
            if valid_to is not None and valid_to <= start:
                return
            link_rows.append({"organization_id": org["id"], "enterprise_id": self.enterprise_first_id + i,
                              "valid_from": start, "valid_to": valid_to})

        path = root_path
        for index, county in enumerate(self.counties):
            row = {"id": next(org_ids), "path": path, "depth": 1, "numchild": 0,
                   "code": f"{self.prefix}O{next(codes)}", "name": f"{county['name']}非公有制企业党委",
                   "kind": OrganizationKind.COMMITTEE, "formation_mode": FormationMode.REGIONAL,
                   "region_id": county["id"], "established_on": datetime.date(2005, 7, 1)}
            county_orgs.append(row)
            org_rows.append(row)
            path = PartyOrganization._get_path(None, 1, PartyOrganization._str2int(path[:step]) + 1)

        def county_of(i):
            leaf = self.ent_leaf[i]
            return -leaf - 1 if leaf < 0 else self.leaf_county[leaf]

        def region_of(i):
            leaf = self.ent_leaf[i]
            return self.counties[-leaf - 1]["id"] if leaf < 0 else self.leaves[leaf]["id"]

        joint_pending = {}  # leaf/county key -> [enterprise indices]
        industry_orgs = {}  # (county, industry) -> org
        zone_orgs = {}  # leaf -> org
        for i in range(n):
            plan = self.ent_plan[i]
            if plan == PLAN_NONE:
                if rng.random() < 0.02:  # a joint branch that covered it once, link ended
                    org = new_org(region_of(i), county_of(i), OrganizationKind.BRANCH, FormationMode.JOINT,
                                  _day(rng, datetime.date(2010, 1, 1), datetime.date(2018, 1, 1)),
                                  f"合成联合党支部{i}")
                    link(org, i, valid_to=_day(rng, datetime.date(2019, 1, 1), datetime.date(2025, 1, 1)))
                continue
            founded = datetime.date.fromordinal(self.ent_founded[i])
            if plan == PLAN_INDIVIDUAL:
                org = new_org(region_of(i), county_of(i),
                              OrganizationKind.COMMITTEE if rng.random() < 0.05 else OrganizationKind.BRANCH,
                              FormationMode.INDIVIDUAL, _day(rng, max(founded, datetime.date(2005, 1, 1)), ANCHOR),
                              f"合成企业{self.seed}-{i + 1}党支部")
                link(org, i)
                self.ent_org[i] = org["id"]
                if rng.random() < 0.05:  # also in an industry branch: counted once, as individual
                    plan = PLAN_INDUSTRY
                else:
                    continue
            if plan == PLAN_JOINT:
                key = self.ent_leaf[i]
                group = joint_pending.setdefault(key, [])
                group.append(i)
                if len(group) >= rng.randint(2, 5):
                    self._joint(group, new_org, link, region_of, county_of)
                    joint_pending[key] = []
            elif plan == PLAN_REGIONAL:
                leaf = self.ent_leaf[i]
                org = zone_orgs.get(leaf)
                if org is None:
                    org = zone_orgs[leaf] = new_org(
                        self.leaves[leaf]["id"], self.leaf_county[leaf], OrganizationKind.GENERAL_BRANCH,
                        FormationMode.REGIONAL, _day(rng, datetime.date(2008, 1, 1), datetime.date(2016, 1, 1)),
                        f"{self.leaves[leaf]['name']}区域党总支")
                link(org, i)
                self.ent_org[i] = org["id"]
            elif plan == PLAN_INDUSTRY:
                county = county_of(i)
                key = (county, self.ent_industry[i])
                org = industry_orgs.get(key)
                if org is None:
                    org = industry_orgs[key] = new_org(
                        self.counties[county]["id"], county, OrganizationKind.BRANCH, FormationMode.INDUSTRY,
                        _day(rng, datetime.date(2008, 1, 1), datetime.date(2016, 1, 1)),
                        f"{self.counties[county]['name']}{self.industries[self.ent_industry[i]]}行业党支部")
                link(org, i)
                if not self.ent_org[i]:
                    self.ent_org[i] = org["id"]
        for group in joint_pending.values():
            if group:
                self._joint(group, new_org, link, region_of, county_of)
        TableWriter(PartyOrganization).write(org_rows)
        first_link = _next_id(CoverageLink)
        TableWriter(CoverageLink).write({**row, "id": first_link + k} for k, row in enumerate(link_rows))
        self.county_org_ids = [row["id"] for row in county_orgs]
        self.org_rows_individual = [row for row in org_rows if row["formation_mode"] == FormationMode.INDIVIDUAL]
        self.counts["organizations"] = len(org_rows)
        self.counts["coverage_links"] = len(link_rows)
        self.log(f"organizations: {len(org_rows)}, coverage links: {len(link_rows)}")

    def _joint(self, group, new_org, link, region_of, county_of):
        rng = self.rng
        first = group[0]
        org = new_org(region_of(first), county_of(first), OrganizationKind.BRANCH, FormationMode.JOINT,
                      _day(rng, datetime.date(2010, 1, 1), ANCHOR), f"合成联合党支部{first}")
        for i in group:
            link(org, i)
            self.ent_org[i] = org["id"]

    def _members(self):
        rng = self.rng
        n = self.n
        target = self.shape["members"]
        ids = self.id_numbers = self._id_number_source()  # instructors continue from it
        first_id = _next_id(Member)
        counter = itertools.count(first_id)
        written = 0

        def member(org_id, employer_id):
            number, birth, gender = next(ids)
            joined = _day(rng, max(birth + datetime.timedelta(days=18 * 366), datetime.date(1975, 1, 1)), ANCHOR)
            full_on = joined + datetime.timedelta(days=365)
            if full_on >= ANCHOR:
                full_on = None
            left_on = _day(rng, joined + datetime.timedelta(days=1), ANCHOR + datetime.timedelta(days=1)) \
                if rng.random() < 0.02 else None
            return {
                "id": next(counter), "name": f"合成党员{self.seed}-{written + 1}", "gender": gender,
                "id_number": number, "birth_date": birth, "organization_id": org_id, "employer_id": employer_id,
                "standing": "full" if full_on else "probationary", "joined_on": joined, "full_on": full_on,
                "left_on": left_on, "status": "left" if left_on else "active",
            }

        def rows():
            nonlocal written
            for i in range(n):
                plan = self.ent_plan[i]
                if plan == PLAN_INDIVIDUAL:
                    k = rng.randint(3, 9)
                elif plan == PLAN_JOINT:
                    k = rng.randint(1, 4)
                elif plan != PLAN_NONE:
                    k = rng.randint(0, 3)
                else:
                    r = rng.random()
                    k = 0 if r < 0.70 else (rng.randint(1, 2) if r < 0.90 else rng.randint(3, 5))
                leaf = self.ent_leaf[i]
                county = -leaf - 1 if leaf < 0 else self.leaf_county[leaf]
                org_id = self.ent_org[i] or self.county_org_ids[county]
                for _ in range(k):
                    if written >= target:
                        return
                    yield member(org_id, self.enterprise_first_id + i)
                    written += 1
            while written < target:  # members not employed in a non-public enterprise (retired, …)
                yield member(self.county_org_ids[rng.randrange(len(self.county_org_ids))], None)
                written += 1

        TableWriter(Member).write(rows())
        self.counts["members"] = written
        self._member_events(first_id)
        self.log(f"members: {written}")

    def _member_events(self, first_id):
        """Every synthetic member enters the register with an `admitted` event (and those who left, with the
        event that took them out), so the member balance agrees with the register. One INSERT … SELECT each."""
        events, members = MemberEvent._meta.db_table, Member._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {events} (member_id, kind, occurred_on, organization_id, employer_id, counterpart, "
                f"reason, note, recorded_at) SELECT id, 'admitted', joined_on, organization_id, employer_id, '', '', "
                f"'', CURRENT_TIMESTAMP FROM {members} WHERE id >= %s", [first_id])
            cursor.execute(
                f"INSERT INTO {events} (member_id, kind, occurred_on, organization_id, counterpart, reason, note, "
                f"recorded_at) SELECT id, 'deceased', left_on, organization_id, '', '', '', CURRENT_TIMESTAMP "
                f"FROM {members} WHERE id >= %s AND left_on IS NOT NULL", [first_id])
        insert_select(first_id)  # and their days in the register, as those events say

    def _instructors_and_assignments(self):
        rng = self.rng
        n = self.n
        kind, _ = InstructorType.objects.get_or_create(code="party_building", defaults={"name": "党建工作指导员"})
        ids = self.id_numbers
        instructors_first = _next_id(Instructor)
        instructor_rows, assignment_rows = [], []
        per_county = {}  # county -> (instructor id, remaining slots)

        def instructor_for(county):
            current = per_county.get(county)
            if current is None or current[1] == 0:
                number, _birth, _gender = next(ids)
                row = {"id": instructors_first + len(instructor_rows), "name": f"合成指导员{len(instructor_rows) + 1}",
                       "id_number": number, "type_id": kind.pk, "source_unit": "县委组织部",
                       "region_id": self.counties[county]["id"], "active_from": datetime.date(2015, 1, 1)}
                instructor_rows.append(row)
                current = per_county[county] = [row["id"], rng.randint(1, 5)]
            current[1] -= 1
            return current[0]

        for i in range(n):
            plan = self.ent_plan[i]
            leaf = self.ent_leaf[i]
            county = -leaf - 1 if leaf < 0 else self.leaf_county[leaf]
            founded = datetime.date.fromordinal(self.ent_founded[i])
            r = rng.random()
            if (plan == PLAN_NONE and r < P_INSTRUCTOR_REACH) or (plan != PLAN_NONE and r < 0.15):
                start = _day(rng, max(founded, datetime.date(2018, 1, 1)), ANCHOR)
                assignment_rows.append({"instructor_id": instructor_for(county),
                                        "enterprise_id": self.enterprise_first_id + i, "start_on": start,
                                        "end_on": None})
            elif rng.random() < 0.05:  # an earlier assignment that has ended
                start = _day(rng, max(founded, datetime.date(2015, 1, 1)), datetime.date(2020, 1, 1))
                assignment_rows.append({"instructor_id": instructor_for(county),
                                        "enterprise_id": self.enterprise_first_id + i, "start_on": start,
                                        "end_on": start + datetime.timedelta(days=rng.randint(180, 900))})
        TableWriter(Instructor).write(instructor_rows)
        first = _next_id(Assignment)
        TableWriter(Assignment).write({**row, "id": first + k} for k, row in enumerate(assignment_rows))
        self.counts["instructors"] = len(instructor_rows)
        self.counts["assignments"] = len(assignment_rows)
        self.log(f"instructors: {len(instructor_rows)}, assignments: {len(assignment_rows)}")

    def _demonstration_sites(self):
        rng = self.rng
        rows = []
        first = _next_id(DemonstrationSite)
        levels = [DemonstrationSite.Level.PROVINCIAL, DemonstrationSite.Level.CITY, DemonstrationSite.Level.COUNTY]
        for org in self.org_rows_individual:
            if rng.random() < 0.03:
                rows.append({"id": first + len(rows), "organization_id": org["id"], "region_id": org["region_id"],
                             "level": rng.choices(levels, [1, 3, 6])[0],
                             "designated_on": _day(rng, max(org["established_on"], datetime.date(2015, 1, 1)),
                                                   ANCHOR + datetime.timedelta(days=1))})
        TableWriter(DemonstrationSite).write(rows)
        self.counts["demonstration_sites"] = len(rows)

    def _reset_sequences(self):
        models = [Region, Enterprise, PartyOrganization, CoverageLink, Member, Instructor, Assignment,
                  DemonstrationSite]
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
