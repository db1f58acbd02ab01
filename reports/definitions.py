"""The report definitions: what each periodic report's table looks like and where its figures come from.

A definition is one class registered with ``@register``: it names its code, title and period type, declares
its columns (``Column``; ``groups`` give the merged header cells above a column, outermost first) and turns
a region and a period into rows. Rendering (XLSX, CSV, the HTML preview) and running (job, API, command,
schedule) are shared, so adding a report — ``member_balance``, ``activity_compliance`` … — is one class:

    @register
    class MemberBalance(ReportSpec):
        code = "member_balance"
        title = gettext_lazy("Changes in the number of party members")
        period_type = YEARLY

        def columns(self, region, period):
            return [Column("item", gettext_lazy("Item")), Column("count", gettext_lazy("Count"), INTEGER)]

        def rows(self, region, period, as_of):
            return [["Opening", 12], ...]

Its ReportDefinition row is created by the post_migrate hook (reports.apps), no migration needed.

Coverage figures are never re-derived here: they come from reports.coverage (the engine behind the
snapshots and the statistics API) — its facts, its category predicates and ``compute_figures`` — so a
report's figures equal the statistics API's for the same region and day (tests/reports/test_report_runs.py).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField, Case, CharField, Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value, When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy

from instructors.models import Assignment, DemonstrationSite
from organizations.models import FormationMode, Ownership, OrganizationKind, Region

from . import coverage
from .models import rate
from core.periods import MONTHLY, QUARTERLY, YEARLY, Period, last_periods

TEXT, INTEGER, PERCENT, DATE = "text", "integer", "percent", "date"

_ = gettext_lazy


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT
    groups: tuple = ()  # merged header labels above this column, outermost first
    width: int = 0  # XLSX column width in characters (0: by kind)

    @property
    def path(self):
        return (*self.groups, self.label)


@dataclass
class Table:
    columns: list
    rows: list
    notes: list = field(default_factory=list)

    @property
    def header_depth(self):
        return max(len(c.path) for c in self.columns)

    def header_cells(self):
        """The header as cells (row, column, rowspan, colspan, text), 0-based, merged where grouped.

        Columns sharing a group label at the same level next to each other share one cell; a column's own
        label reaches down to the last header row.
        """
        depth = self.header_depth
        paths = [tuple(str(p) for p in c.path) for c in self.columns]
        cells = []
        for level in range(depth):
            j = 0
            while j < len(paths):
                path = paths[j]
                if level < len(path) - 1:  # a group label: merge with the neighbours in the same group
                    end = j + 1
                    while end < len(paths) and level < len(paths[end]) - 1 and paths[end][:level + 1] == path[:level + 1]:
                        end += 1
                    cells.append((level, j, 1, end - j, path[level]))
                    j = end
                    continue
                if level == len(path) - 1:
                    cells.append((level, j, depth - level, 1, path[level]))
                j += 1
        return cells

    def header_grid(self):
        """Header rows as lists of strings (a merged cell's text in its first position), for CSV."""
        depth = self.header_depth
        grid = [[""] * len(self.columns) for _ in range(depth)]
        for row, col, _rowspan, _colspan, text in self.header_cells():
            grid[row][col] = text
        return grid

    def header_html_rows(self):
        """Header rows for a <thead>: [[{"text", "rowspan", "colspan"}]]."""
        rows = [[] for _ in range(self.header_depth)]
        for row, _col, rowspan, colspan, text in self.header_cells():
            rows[row].append({"text": text, "rowspan": rowspan, "colspan": colspan})
        return rows


class ReportSpec:
    code: str = ""
    title = ""
    period_type = YEARLY
    schema_version = 1
    description = ""

    def columns(self, region: Region, period: Period) -> list:
        raise NotImplementedError

    def rows(self, region: Region, period: Period, as_of: datetime.date) -> list:
        raise NotImplementedError

    def notes(self, region: Region, period: Period, as_of: datetime.date) -> list:
        return []

    # --- the run's figures (frozen with the run; `figures_changed` compares them with a rebuild) -----

    def figures(self, table: Table, region: Region) -> dict:
        """The counts a run was built from, {name: value}, read off its table.

        Default: for a per-region table (first column "region"), the region's own row's integer cells by
        column key; otherwise the number of rows and the totals of the integer columns."""
        integer = [(j, c) for j, c in enumerate(table.columns) if c.kind == INTEGER and c.key not in {"line", "number"}]
        if table.columns and table.columns[0].key == "region":
            first = table.rows[0] if table.rows else [None] * len(table.columns)
            return {c.key: first[j] or 0 for j, c in integer}
        totals = {"rows": len(table.rows)}
        for j, c in integer:
            totals[c.key] = sum(row[j] or 0 for row in table.rows)
        return totals

    def figure_labels(self, table: Table) -> dict:
        """{figure name: label} for the names `figures` gives."""
        labels = {"rows": str(_("Rows"))}
        for c in table.columns:
            labels[c.key] = " · ".join(str(p) for p in c.path)
        return labels

    def build(self, region: Region, period: Period, as_of: datetime.date) -> Table:
        columns = self.columns(region, period)
        rows = self.rows(region, period, as_of)
        for row in rows:
            assert len(row) == len(columns), f"{self.code}: a row has {len(row)} cells for {len(columns)} columns"
        return Table(columns=columns, rows=rows, notes=[str(n) for n in self.notes(region, period, as_of)])


REGISTRY: dict[str, ReportSpec] = {}


def register(cls):
    spec = cls()
    if not spec.code or spec.code in REGISTRY:
        raise ValueError(f"report definition code missing or taken: {spec.code!r}")
    REGISTRY[spec.code] = spec
    return cls


def get_spec(code: str) -> ReportSpec:
    return REGISTRY[code]


# --- shared pieces ---------------------------------------------------------------------------------

REGION_COLUMNS = [
    Column("region", _("Region"), TEXT, width=16),
    Column("region_code", _("Region code"), TEXT, width=12),
]


def region_and_children(region: Region) -> list:
    """The region itself, then its children in tree order (the rows of a per-region report)."""
    children = list(Region.objects.filter(path__startswith=region.path, depth=region.depth + 1).order_by("path"))
    return [region, *children]


def child_prefix(region: Region) -> int:
    """The length of a child's path: a row's region path cut to it names the child of `region` the row lies
    under (or `region` itself, for rows registered on `region`)."""
    return region.steplen * (region.depth + 1)


def _figures_by_region(region: Region, day: datetime.date, source: dict | None = None) -> dict:
    """compute_figures (the statistics engine) for the region and its children: {region id: figures}.

    With `source` (the register's current `coverage.source_state()`), stored snapshots of that day computed
    from exactly this state are read instead of recomputing: the same figures, without scanning a province
    again (the coverage trend reads 12 days)."""
    wanted = {r.pk for r in region_and_children(region)}
    if source is not None:
        stored = _stored_figures(wanted, day, source)
        if stored is not None:
            return stored
    return {row["id"]: figures for row, figures in coverage.compute_figures(region, day) if row["id"] in wanted}


def _stored_figures(wanted: set, day: datetime.date, source: dict) -> dict | None:
    """The stored snapshots of the regions `wanted` on `day`, if all exist and come from the register's state
    `source`: {region id: figures}; else None."""
    from .models import CoverageSnapshot  # noqa: PLC0415

    snapshots = list(CoverageSnapshot.objects.filter(region_id__in=wanted, as_of=day))
    if len(snapshots) == len(wanted) and all(s.source == source for s in snapshots):
        return {s.region_id: {name: getattr(s, name) for name in SNAPSHOT_COUNTS} for s in snapshots}
    return None


SNAPSHOT_COUNTS = ["enterprises", "org_individual", "org_joint", "org_regional", "org_industry", "org_attached",
                   "org_covered", "instructor_covered", "work_covered", "uncovered", "no_org", "should_form",
                   "few_members", "no_members", "organizations", "members", "instructors", "demonstration_sites"]


# --- Table 27: non-public enterprises --------------------------------------------------------------

# Individually formed organizations by kind, as Table 27 counts them (a working committee counts with
# committees; temporary branches and party groups with branches).
KIND_BUCKET = {
    OrganizationKind.COMMITTEE: "committee", OrganizationKind.WORKING_COMMITTEE: "committee",
    OrganizationKind.GENERAL_BRANCH: "general_branch",
    OrganizationKind.BRANCH: "branch", OrganizationKind.TEMPORARY_BRANCH: "branch",
    OrganizationKind.PARTY_GROUP: "branch",
}
KIND_ORDER = [OrganizationKind.COMMITTEE, OrganizationKind.WORKING_COMMITTEE, OrganizationKind.GENERAL_BRANCH,
              OrganizationKind.BRANCH, OrganizationKind.TEMPORARY_BRANCH, OrganizationKind.PARTY_GROUP]

RANK_INDIVIDUAL = coverage.MODE_RANK[FormationMode.INDIVIDUAL]
RANK_JOINT = coverage.MODE_RANK[FormationMode.JOINT]


def _category(name):
    predicate = coverage.CATEGORIES[name]
    return lambda cell: predicate(*(cell[fact] for fact in coverage.FACTS))


# (key, label, indentation, what a cell adds up: ("count", predicate) | ("employees"/"members", predicate) |
#  ("region", figure name) for per-region figures without a column breakdown)
T27_ITEMS = [
    ("enterprises", _("Enterprises (operating)"), 0, "count", _category("enterprises")),
    ("instructor_reached", _("of which reached by a party-building instructor"), 1, "count",
     lambda c: c["instructor_reach"]),
    ("org_individual", _("Individually formed a party organization"), 0, "count", _category("org_individual")),
    ("individual_committee", _("formed a party committee"), 1, "count",
     lambda c: c["coverage_rank"] == RANK_INDIVIDUAL and c["kind_bucket"] == "committee"),
    ("individual_general_branch", _("formed a general branch"), 1, "count",
     lambda c: c["coverage_rank"] == RANK_INDIVIDUAL and c["kind_bucket"] == "general_branch"),
    ("individual_branch", _("formed a branch"), 1, "count",
     lambda c: c["coverage_rank"] == RANK_INDIVIDUAL and c["kind_bucket"] == "branch"),
    ("org_joint", _("Covered by a joint branch"), 0, "count", _category("org_joint")),
    ("joint_three_members", _("of which with 3 or more full members"), 1, "count",
     lambda c: c["coverage_rank"] == RANK_JOINT and c["member_class"] == coverage.MEMBERS_ENOUGH),
    ("joint_branches", _("number of joint branches"), 1, "region", "joint_branches"),
    ("org_other", _("Covered regionally, by industry or attached"), 0, "count",
     lambda c: c["coverage_rank"] > RANK_JOINT),
    ("no_org", _("No party organization"), 0, "count", _category("no_org")),
    ("should_form", _("should form one but has not"), 1, "count", _category("should_form")),
    ("few_members", _("only one or two full members"), 1, "count", _category("few_members")),
    ("no_members", _("no party members"), 1, "count", _category("no_members")),
    ("instructors", _("Supplement: party-building instructors (people)"), 0, "region", "instructors"),
    ("employees", _("Employees"), 0, "employees", lambda c: True),
    ("members_employed", _("of whom party members"), 1, "members", lambda c: True),
    ("employees_org", _("Employees of enterprises with a party organization"), 0, "employees",
     lambda c: c["coverage_rank"] > 0),
    ("members_org", _("of whom party members"), 1, "members", lambda c: c["coverage_rank"] > 0),
    ("employees_instructor", _("Employees of enterprises without an organization but with an instructor"), 0,
     "employees", lambda c: c["coverage_rank"] == 0 and c["instructor_reach"]),
    ("members_instructor", _("of whom party members"), 1, "members",
     lambda c: c["coverage_rank"] == 0 and c["instructor_reach"]),
    # work coverage through other channels (off unless switched on: organizations.WorkChannel); one row of
    # "of which" per channel that is on follows this one (`channel_items`)
    ("channel_covered", _("Supplement: reached only through other channels (union, Youth League, liaison)"), 0,
     "count", _category("channel_covered")),
]


def enabled_channels():
    from organizations.models import WorkChannel  # noqa: PLC0415

    return list(WorkChannel.objects.filter(enabled=True).values_list("code", "name"))


def channel_items(channels):
    """The "of which through <channel>" rows, one per channel that is switched on (an enterprise reached by
    two channels appears in both; the row above counts it once)."""
    def through(code):
        return lambda c: c["coverage_rank"] == 0 and not c["instructor_reach"] and c[f"channel_{code}"]

    return [(f"channel_{code}", _("of which through: %(channel)s") % {"channel": name}, 1, "count", through(code))
            for code, name in channels]

HMT = _("HK/Macao/Taiwan invested")
FOREIGN = _("Foreign invested")
T27_BREAKDOWNS = [
    ("total", _("Total"), (), lambda c: True),
    ("employees_50", _("Enterprises with 50+ employees"), (), lambda c: c["employees_50"]),
    ("employees_100", _("Enterprises with 100+ employees"), (), lambda c: c["employees_100"]),
    ("legal_rep_member", _("Legal representative is a party member"), (), lambda c: c["legal_rep_is_member"]),
    ("legal_rep_secretary", _("of whom also secretary of the enterprise's organization"), (),
     lambda c: c["legal_rep_is_member"] and c["legal_rep_is_secretary"]),
    (Ownership.PRIVATE_CONTROLLED, _("Private-controlled"), (),
     lambda c: c["ownership"] == Ownership.PRIVATE_CONTROLLED),
    (Ownership.PRIVATE_SOLE, _("Private sole proprietorship"), (), lambda c: c["ownership"] == Ownership.PRIVATE_SOLE),
    (Ownership.HMT_CONTROLLED, _("HK/Macao/Taiwan-controlled"), (HMT,),
     lambda c: c["ownership"] == Ownership.HMT_CONTROLLED),
    (Ownership.HMT_WHOLLY_OWNED, _("HK/Macao/Taiwan wholly owned"), (HMT,),
     lambda c: c["ownership"] == Ownership.HMT_WHOLLY_OWNED),
    (Ownership.FOREIGN_CONTROLLED, _("Foreign-controlled"), (FOREIGN,),
     lambda c: c["ownership"] == Ownership.FOREIGN_CONTROLLED),
    (Ownership.FOREIGN_WHOLLY_OWNED, _("Foreign wholly owned"), (FOREIGN,),
     lambda c: c["ownership"] == Ownership.FOREIGN_WHOLLY_OWNED),
]


def nonpublic_enterprise_cells(region: Region, day: datetime.date, channels=()) -> list:
    """Operating enterprises of the region on `day`, counted by (child region, the engine's three coverage
    facts, kind of the individual organization, size bands, legal-representative flags, ownership), with
    their employees and the party members employed there. One grouped query."""
    kind_rank = Case(*[When(organization__kind=kind, then=Value(i)) for i, kind in enumerate(KIND_ORDER)],
                     default=Value(len(KIND_ORDER)), output_field=IntegerField())
    individual_kind = (coverage.linked_enterprises(day, [FormationMode.INDIVIDUAL])
                       .filter(enterprise_id=OuterRef("pk")).annotate(kind_rank=kind_rank)
                       .order_by("kind_rank").values("organization__kind")[:1])
    members_employed = (coverage.employing_enterprises(day).filter(employer_id=OuterRef("pk")).order_by()
                        .values("employer_id").annotate(n=Count("pk")).values("n"))
    queryset = (
        coverage.operating_enterprises(region, day).order_by()
        .annotate(**coverage.bulk_fact_expressions(day))
        .annotate(
            under=Substr("region__path", 1, child_prefix(region)),
            individual_kind=Subquery(individual_kind, output_field=CharField()),
            employees_50=Case(When(employees__gte=50, then=Value(True)), default=Value(False),
                              output_field=BooleanField()),
            employees_100=Case(When(employees__gte=100, then=Value(True)), default=Value(False),
                               output_field=BooleanField()),
            members_here=Coalesce(Subquery(members_employed, output_field=IntegerField()), Value(0)),
            **{f"channel_{code}": Exists(coverage.channel_reached_enterprises(day)
                                         .filter(channel__code=code, enterprise_id=OuterRef("pk")))
               for code, _name in channels},
        )
        .values("under", *coverage.FACTS, *[f"channel_{code}" for code, _name in channels], "individual_kind",
                "employees_50", "employees_100",
                "legal_rep_is_member", "legal_rep_is_secretary", "ownership")
        .annotate(n=Count("pk"), employees_sum=Coalesce(Sum("employees"), Value(0)),
                  members_sum=Coalesce(Sum("members_here"), Value(0)))
        .order_by()
    )
    cells = []
    for row in queryset:
        row["instructor_reach"] = bool(row["instructor_reach"])
        row["channel_reach"] = bool(row["channel_reach"])
        row["kind_bucket"] = KIND_BUCKET.get(row["individual_kind"], "branch") if row["individual_kind"] else ""
        cells.append(row)
    return cells


@register
class NonPublicEnterprises(ReportSpec):
    """Table 27 (reference/official-tables.md): per region, the region and each child region."""

    code = "nonpublic_enterprises"
    title = _("Party organizations in enterprises controlled by the non-public economy")
    period_type = YEARLY
    description = _("Official Table 27: enterprises, how they are covered, instructors, employees and members; "
                    "by size, legal representative and ownership.")

    def columns(self, region, period):
        return [
            *REGION_COLUMNS,
            Column("line", _("Line"), INTEGER, width=5),
            Column("item", _("Statistics item"), TEXT, width=44),
            *[Column(key, label, INTEGER, groups=groups, width=12) for key, label, groups, _p in T27_BREAKDOWNS],
        ]

    def rows(self, region, period, as_of):
        regions = region_and_children(region)
        channels = enabled_channels()
        items = T27_ITEMS + channel_items(channels)
        cells = nonpublic_enterprise_cells(region, as_of, channels)
        figures = _figures_by_region(region, as_of)  # instructors: distinct people, as the statistics API
        joint = (coverage.active_organizations(as_of)
                 .filter(region__path__startswith=region.path, formation_mode=FormationMode.JOINT)
                 .annotate(under=Substr("region__path", 1, child_prefix(region)))
                 .values("under").annotate(n=Count("pk")).order_by())
        joint_branches = {row["under"]: row["n"] for row in joint}
        by_child = defaultdict(list)
        for cell in cells:
            by_child[cell["under"]].append(cell)
        rows = []
        for target in regions:
            mine = cells if target.pk == region.pk else by_child[target.path]
            per_region = {
                "instructors": figures.get(target.pk, {}).get("instructors", 0),
                "joint_branches": (sum(joint_branches.values()) if target.pk == region.pk
                                   else joint_branches.get(target.path, 0)),
            }
            for line, (key, label, indent, what, selector) in enumerate(items, start=1):
                values = []
                for column_key, _label, _groups, in_column in T27_BREAKDOWNS:
                    if what == "region":
                        values.append(per_region[selector] if column_key == "total" else None)
                        continue
                    measure = {"count": "n", "employees": "employees_sum", "members": "members_sum"}[what]
                    values.append(sum(c[measure] for c in mine if selector(c) and in_column(c)))
                rows.append([target.name, target.code, line, "　" * indent + str(label), *values])
        return rows

    def figures(self, table, region):
        """The region's own block (its first len(T27_ITEMS) rows), total column: {item key: value}."""
        return {key: row[4] or 0 for (key, *_rest), row in zip(T27_ITEMS, table.rows[:len(T27_ITEMS)])}

    def figure_labels(self, table):
        return {key: str(label) for key, label, *_rest in T27_ITEMS}

    def notes(self, region, period, as_of):
        return [_("Figures as of %(day)s, by the portal's coverage definitions (the same as the statistics API).")
                % {"day": as_of.isoformat()},
                _("Blank cells: the figure has no breakdown by that column.")]


def item_keys():
    """Table 27's items in line order (line n is item_keys()[n - 1])."""
    return [item[0] for item in T27_ITEMS]


# --- instructor roster -----------------------------------------------------------------------------

INSTRUCTOR = _("Instructor")
ENTERPRISE = _("Enterprise")
ASSIGNMENT = _("Assignment")


@register
class InstructorRoster(ReportSpec):
    code = "instructor_roster"
    title = _("Party-building instructors and their assignments")
    period_type = QUARTERLY
    description = _("Every assignment to an enterprise of the region that was active during the period.")

    def columns(self, region, period):
        return [
            Column("number", _("No."), INTEGER, width=6),
            Column("name", _("Name"), TEXT, (INSTRUCTOR,), width=10),
            Column("type", _("Type"), TEXT, (INSTRUCTOR,), width=18),
            Column("source_unit", _("Source unit"), TEXT, (INSTRUCTOR,), width=20),
            Column("retired_cadre", _("Retired cadre"), TEXT, (INSTRUCTOR,), width=8),
            Column("enterprise", _("Name"), TEXT, (ENTERPRISE,), width=28),
            Column("uscc", _("Unified social credit code"), TEXT, (ENTERPRISE,), width=20),
            Column("enterprise_region", _("Region"), TEXT, (ENTERPRISE,), width=14),
            Column("batch", _("Batch"), TEXT, (ASSIGNMENT,), width=12),
            Column("start_on", _("Start"), DATE, (ASSIGNMENT,), width=12),
            Column("end_on", _("End"), DATE, (ASSIGNMENT,), width=12),
        ]

    def rows(self, region, period, as_of):
        # active at some time in the period: started by its last day, not ended before its first
        assignments = (
            Assignment.objects.filter(enterprise__region__path__startswith=region.path, start_on__lte=period.end)
            .filter(Q(end_on__isnull=True) | Q(end_on__gt=period.start))
            .select_related("instructor__type", "enterprise__region", "batch")
            .order_by("instructor__name", "instructor_id", "start_on", "enterprise__name", "pk")
        )
        yes, no = str(_("Yes")), str(_("No"))
        return [
            [n, a.instructor.name, a.instructor.type.name, a.instructor.source_unit,
             yes if a.instructor.is_retired_cadre else no, a.enterprise.name, a.enterprise.uscc,
             a.enterprise.region.name, a.batch.name if a.batch else "", a.start_on, a.end_on]
            for n, a in enumerate(assignments.iterator(chunk_size=2000), start=1)
        ]

    def notes(self, region, period, as_of):
        return [_("Assignments active at any time from %(start)s to %(end)s; ID and phone numbers are left out.")
                % {"start": period.start.isoformat(), "end": period.end.isoformat()}]


# --- demonstration sites ---------------------------------------------------------------------------

BY_LEVEL = _("By level")
IN_PERIOD = _("During the period")


@register
class DemonstrationSites(ReportSpec):
    code = "demonstration_sites"
    title = _("Party-building demonstration sites")
    period_type = YEARLY
    description = _("Demonstration sites in force at the end of the period, by level, per region.")

    def columns(self, region, period):
        return [
            *REGION_COLUMNS,
            Column("total", _("Total"), INTEGER, width=10),
            *[Column(level, label, INTEGER, (BY_LEVEL,), width=10) for level, label in DemonstrationSite.Level.choices],
            Column("designated", _("Newly designated"), INTEGER, (IN_PERIOD,), width=10),
            Column("revoked", _("Revoked"), INTEGER, (IN_PERIOD,), width=10),
        ]

    def rows(self, region, period, as_of):
        prefix = child_prefix(region)

        def grouped(queryset, *fields):
            queryset = (queryset.filter(region__path__startswith=region.path)
                        .annotate(under=Substr("region__path", 1, prefix))
                        .values("under", *fields).annotate(n=Count("pk")).order_by())
            return list(queryset)

        in_force = grouped(coverage.active_demonstration_sites(as_of), "level")
        designated = grouped(DemonstrationSite.objects.filter(designated_on__range=(period.start, as_of)))
        revoked = grouped(DemonstrationSite.objects.filter(revoked_on__range=(period.start, as_of)))
        rows = []
        levels = [level for level, _label in DemonstrationSite.Level.choices]
        for target in region_and_children(region):
            def mine(rows_):
                return [r for r in rows_ if target.pk == region.pk or r["under"] == target.path]

            by_level = defaultdict(int)
            for r in mine(in_force):
                by_level[r["level"]] += r["n"]
            rows.append([target.name, target.code, sum(by_level.values()), *[by_level[lv] for lv in levels],
                         sum(r["n"] for r in mine(designated)), sum(r["n"] for r in mine(revoked))])
        return rows


# --- coverage trend --------------------------------------------------------------------------------

TREND_PERIODS = 12


@register
class CoverageTrend(ReportSpec):
    code = "coverage_trend"
    title = _("Organization and work coverage over the last 12 periods")
    period_type = MONTHLY
    description = _("Per region and child region: enterprises, organization and work coverage rates, "
                    "for the period and the 11 before it.")

    def periods(self, period):
        return last_periods(period, TREND_PERIODS)

    def columns(self, region, period):
        columns = list(REGION_COLUMNS)
        for p in self.periods(period):
            group = (p.label,)
            columns += [
                Column(f"{p.code}_enterprises", _("Enterprises"), INTEGER, group, width=9),
                Column(f"{p.code}_org_rate", _("Organization coverage"), PERCENT, group, width=9),
                Column(f"{p.code}_work_rate", _("Work coverage"), PERCENT, group, width=9),
            ]
        return columns

    def rows(self, region, period, as_of):
        today = timezone.localdate()
        regions = region_and_children(region)
        rows = {r.pk: [r.name, r.code] for r in regions}
        periods = self.periods(period)
        by_day = self.figures_by_day(region, [min(p.as_of(today), as_of) for p in periods])
        for p in periods:
            figures = by_day[min(p.as_of(today), as_of)]
            for target in regions:
                f = figures.get(target.pk, {"enterprises": 0, "org_covered": 0, "work_covered": 0})
                rows[target.pk] += [f["enterprises"], rate(f["org_covered"], f["enterprises"]),
                                    rate(f["work_covered"], f["enterprises"])]
        return [rows[r.pk] for r in regions]

    def notes(self, region, period, as_of):
        return [_("Each period as of its last day; rates are covered enterprises ÷ operating enterprises.")]

    @staticmethod
    def figures_by_day(region, days) -> dict:
        """{day: {region id: figures}} for the region and its children: the stored snapshots of a day where they
        are current (computed from the register as it stands), the other days computed together in one pass
        (reports.trends), not one computation per period."""
        from .trends import compute_figures_for_days  # noqa: PLC0415

        wanted = {r.pk for r in region_and_children(region)}
        source = coverage.source_state()
        by_day = {day: _stored_figures(wanted, day, source) for day in set(days)}
        missing = [day for day, figures in by_day.items() if figures is None]
        for day, rows in compute_figures_for_days(region, missing).items():
            by_day[day] = {row["id"]: figures for row, figures in rows if row["id"] in wanted}
        return by_day



# --- member balance (official Table 1) -------------------------------------------------------------------

@register
class MemberBalance(ReportSpec):
    """党员数量变化情况: the 17 lines of Table 1 for the region and each child, from the member events
    (members.balance, the same computation as the member balance page); line 17 must be 0."""

    code = "member_balance"
    title = _("Changes in the number of party members")
    period_type = YEARLY
    description = _("Opening, additions and reductions by type, expected and actual closing (official Table 1).")

    def columns(self, region, period):
        return [
            Column("line", _("Line"), INTEGER, width=6),
            Column("item", _("Balance item"), TEXT, width=30),
            *[Column(f"r{target.code}", target.name, INTEGER, (_("Members"),), width=12)
              for target in region_and_children(region)],
        ]

    def rows(self, region, period, as_of):
        from members.balance import LINES, total_balance
        from organizations.models import PartyOrganization

        tables = [total_balance(PartyOrganization.objects.filter(region__path__startswith=target.path),
                                period.start, as_of) for target in region_and_children(region)]
        return [[number, str(label), *[table[key] for table in tables]] for key, number, label, _kinds in LINES]

    def figures(self, table, region):
        """The region's own column, by balance line: {line key: value}."""
        from members.balance import LINES

        return {key: row[2] or 0 for (key, *_rest), row in zip(LINES, table.rows)}

    def figure_labels(self, table):
        from members.balance import LINES

        return {key: f"{number}. {label}" for key, number, label, _kinds in LINES}


# --- organization life compliance ------------------------------------------------------------------------

@register
class ActivityCompliance(ReportSpec):
    """组织生活落实情况: per organization of the region, required and held (accepted) records of every kind
    with a frequency rule, the kinds missing and whether any is overdue — activities.compliance, the same
    computation as `GET statistics/activities/compliance/`."""

    code = "activity_compliance"
    title = _("Organization life compliance")
    period_type = QUARTERLY
    description = _("Required and held meetings per organization and kind, missing kinds, overdue.")

    def _rules(self):
        from activities.models import FrequencyRule

        return list(FrequencyRule.objects.order_by("id"))

    def columns(self, region, period):
        from activities.models import ActivityKind

        labels = dict(ActivityKind.choices)
        kinds = []
        for rule in self._rules():
            label = labels.get(rule.kind, rule.kind)
            kinds += [Column(f"{rule.kind}_required", _("Required"), INTEGER, (label,), width=8),
                      Column(f"{rule.kind}_held", _("Held"), INTEGER, (label,), width=8)]
        return [
            Column("organization", _("Organization"), TEXT, width=28),
            Column("code", _("Organization code"), TEXT, width=12),
            Column("region", _("Region"), TEXT, width=12),
            *kinds,
            Column("missing", _("Missing"), TEXT, width=30),
            Column("overdue", _("Overdue"), TEXT, width=8),
        ]

    def rows(self, region, period, as_of):
        from activities.compliance import compliance_rows, parse_period
        from activities.models import ActivityKind
        from organizations.models import PartyOrganization

        labels = dict(ActivityKind.choices)
        kinds = [rule.kind for rule in self._rules()]
        organizations = PartyOrganization.objects.filter(region__path__startswith=region.path)
        rows = []
        for row in compliance_rows(organizations, parse_period(period.code), today=as_of):
            cells = [row["name"], row["organization"], row["region"]]
            for kind in kinds:
                cells += [row["required"].get(kind, 0), row["held"].get(kind, 0)]
            cells += ["、".join(str(labels.get(k, k)) for k in row["missing"]), "是" if row["overdue"] else "否"]
            rows.append(cells)
        return rows
