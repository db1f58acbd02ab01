"""The coverage figures of several days in one pass (issue 17: a year's 12 month-ends at a few times the cost
of one day, not 12 times).

The SAME definitions as `reports.coverage` for one day, rendered for a list of days: one pass over each table
instead of one per day. Each row gets a *days mask* (bit i: the row is active on day i) built from the rules
themselves: the managers' `active_q(day)` (the `Q` behind each `active_on(day)`: CoverageLink, Assignment,
MemberSpan, ChannelReach), `coverage.operating_q`, `coverage.organization_active_q`, `coverage.site_active_q`,
`coverage._full_q` — nothing here restates a date rule (`days_mask`).

Enterprises: one statement. Per enterprise, from the four sets of `coverage.enterprise_cells`, each grouped
once by enterprise: the days a link of each formation mode is active (BIT_OR of the links' masks), the days an
instructor reaches it, the days it employs members, the days it employs ≥ 3 full members (a count per day),
the days a channel reaches it. Enterprises are grouped by (region, those masks): few groups, since most keep
their facts all year. A group's facts of a day are packed in one small code (rank·16 + reach·8 + member
class·2 + channel), and each count of `coverage.CATEGORIES` is summed per (day, region) over the codes its
predicate accepts (derived mechanically from the predicate, like the drill-down filters). A group that operates
on every day with each fact on every day or on none ("steady", most of them) has one code: it is counted once
per region and that count is each day's; the others are expanded over the days they operate.

Organizations, members (held in organizations of the region), demonstration sites: one pass each, grouped by
(region, days mask). Distinct instructors: the (region, instructor, mask) triples of one pass, OR-ed per
ancestor in Python (an instructor of two child regions is one instructor of the parent), counted per day.

`compute_figures_for_days(root, days)` returns {day: the list `coverage.compute_figures(root, day)` returns};
tests/reports/test_trends.py checks every count of every region of every day against it.
"""

import calendar
import datetime
import functools
import itertools
from collections import Counter, defaultdict
from functools import reduce
from operator import add, or_

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When

from instructors.models import Assignment, DemonstrationSite
from members.models import MemberSpan
from organizations.models import ChannelReach, CoverageLink, Enterprise, PartyOrganization, Region

from .coverage import (
    CATEGORIES, DOMAINS, MEMBERS_ENOUGH, MEMBERS_FEW, MEMBERS_NONE, MODE_RANK, RANK_COUNT, SHOULD_FORM_FULL_MEMBERS, _add,
    _compiled, _empty, _full_q, add_figures, operating_q, organization_active_q, site_active_q,
)
from .models import ENTERPRISE_COUNTS

# Days computed in one statement (the rest in further passes of the same size): a month's days at most.
MAX_DAYS_PER_PASS = 31
# Days one request (job, command) may ask for: a year's month-ends, a month's days, a few years of quarters.
MAX_TREND_DAYS = 62

# code of a day's facts: rank * RANK_STEP + reach * REACH_BIT + member class * CLASS_STEP + channel
RANK_STEP, REACH_BIT, CLASS_STEP, CHANNEL_BIT = 16, 8, 2, 1


def month_ends(year: int) -> list[datetime.date]:
    """The last day of each month of `year` (the trend's and the yearly tables' dates)."""
    return [datetime.date(year, month, calendar.monthrange(year, month)[1]) for month in range(1, 13)]


def _decode(code: int):
    return (code // RANK_STEP, bool(code & REACH_BIT), (code % REACH_BIT) // CLASS_STEP, bool(code & CHANNEL_BIT))


def _codes() -> list[int]:
    """Every code a day's facts can have."""
    return [rank * RANK_STEP + reach * REACH_BIT + members * CLASS_STEP + channel
            for rank, reach, members, channel in itertools.product(*DOMAINS.values())]


@functools.cache
@functools.cache
def _category_codes() -> dict:
    """For each enterprise count, the codes whose facts its predicate accepts."""
    return {name: [code for code in _codes() if predicate(*_decode(code))] for name, predicate in CATEGORIES.items()}


def _any(q_of_day, days) -> Q:
    """Active on at least one of the days (a row active on none is left out before grouping)."""
    return reduce(or_, (q_of_day(day) for day in days))


def days_mask(q_of_day, days):
    """Per row, the days (ascending) on which `q_of_day(day)` holds, as a bit mask (bit i: days[i]).

    Every "active on D" rule is an interval of days (from a start, inclusive, to an end, exclusive, and
    conjunctions of such: tests/reports/test_trends.py checks each), so a row active on the first and the last
    day is active on every day between: most rows are decided by two conditions, the rest day by day."""
    every = (1 << len(days)) - 1
    by_day = reduce(add, [Case(When(q_of_day(day), then=Value(1 << i)), default=Value(0), output_field=IntegerField())
                          for i, day in enumerate(days)])
    return Case(When(q_of_day(days[0]) & q_of_day(days[-1]), then=Value(every)), default=by_day,
                output_field=IntegerField())


def _bit_or(expression: str, n: int) -> str:
    """The aggregate OR of `n`-bit masks (SQLite has no BIT_OR: the maximum of each bit)."""
    if connection.vendor == "postgresql":
        return f"BIT_OR({expression})"
    return "(" + " | ".join(f"MAX(({expression}) & {1 << i})" for i in range(n)) + ")"


def _bit(mask: str, bit: str = "t.b") -> str:
    return f"(({mask}) & {bit}) <> 0"


def enterprise_counts_for_days(root: Region, days) -> list[tuple]:
    """(day index, region id, count of each of ENTERPRISE_COUNTS …) for the enterprises of `root`'s subtree,
    by region, on each of `days` (ascending; rows only where some enterprise operates): one statement."""
    n = len(days)
    rank = Case(*[When(organization__formation_mode=mode, then=Value(r)) for mode, r in MODE_RANK.items()],
                output_field=IntegerField())
    operating = (Enterprise.objects.filter(_any(operating_q, days), region__path__startswith=root.path).order_by()
                 .annotate(om=days_mask(operating_q, days)).values("id", "region_id", "om"))
    link_q = CoverageLink.objects.active_q
    links = (CoverageLink.objects.filter(_any(link_q, days)).order_by()
             .annotate(lm=days_mask(link_q, days), mode_rank=rank).values("enterprise_id", "mode_rank", "lm"))
    reach_q = Assignment.objects.active_q
    reaches = (Assignment.objects.filter(_any(reach_q, days), instructor__type__counts_for_work_coverage=True)
               .order_by().annotate(am=days_mask(reach_q, days)).values("enterprise_id", "am"))
    span_q = MemberSpan.objects.active_q
    spans = (MemberSpan.objects.filter(_any(span_q, days), employer__isnull=False).order_by()
             .annotate(sm=days_mask(span_q, days), fm=days_mask(lambda d: span_q(d) & _full_q(d), days))
             .values("employer_id", "sm", "fm"))
    channel_q = ChannelReach.objects.active_q
    channels = (ChannelReach.objects.filter(_any(channel_q, days)).order_by()
                .annotate(cm=days_mask(channel_q, days)).values("enterprise_id", "cm"))
    if root.depth > 1:  # a part of the province: the sets only for its enterprises (as coverage.enterprise_cells)
        links = links.filter(enterprise__region__path__startswith=root.path)
        reaches = reaches.filter(enterprise__region__path__startswith=root.path)
        spans = spans.filter(employer__region__path__startswith=root.path)
    parts = [_compiled(q) for q in (operating, links, reaches, spans, channels)]
    ops_sql, links_sql, reaches_sql, spans_sql, channels_sql = [sql for sql, _params in parts]
    ranks = sorted(RANK_COUNT)
    # per enterprise: the days on which a link of each rank is active, it is reached, it employs members,
    # it employs enough full members (a count per day), a channel reaches it
    primary = (f"SELECT x.enterprise_id, "
               + ", ".join(f"{_bit_or(f'CASE WHEN x.mode_rank = {r} THEN x.lm ELSE 0 END', n)} AS b{r}" for r in ranks)
               + f" FROM ({links_sql}) x GROUP BY x.enterprise_id")
    reached = f"SELECT x.enterprise_id, {_bit_or('x.am', n)} AS h FROM ({reaches_sql}) x GROUP BY x.enterprise_id"
    enough = " + ".join(f"CASE WHEN SUM(CASE WHEN (x.fm & {1 << i}) <> 0 THEN 1 ELSE 0 END) >= "
                        f"{SHOULD_FORM_FULL_MEMBERS} THEN {1 << i} ELSE 0 END" for i in range(n))
    employing = (f"SELECT x.employer_id, {_bit_or('x.sm', n)} AS m, {enough} AS f FROM ({spans_sql}) x "
                 "GROUP BY x.employer_id")
    reached_by_channel = (f"SELECT x.enterprise_id, {_bit_or('x.cm', n)} AS h FROM ({channels_sql}) x "
                          "GROUP BY x.enterprise_id")
    masks = [f"COALESCE(p.b{r}, 0) AS b{r}" for r in ranks] + [
        "COALESCE(r.h, 0) AS h", "COALESCE(m.m, 0) AS m", "COALESCE(m.f, 0) AS f", "COALESCE(c.h, 0) AS ch"]
    groups = (
        f"SELECT e.region_id, e.om, {', '.join(masks)}, CAST(COUNT(*) AS INTEGER) AS n "
        f"FROM ({ops_sql}) e LEFT JOIN ({primary}) p ON p.enterprise_id = e.id "
        f"LEFT JOIN ({reached}) r ON r.enterprise_id = e.id "
        f"LEFT JOIN ({employing}) m ON m.employer_id = e.id "
        f"LEFT JOIN ({reached_by_channel}) c ON c.enterprise_id = e.id "
        f"GROUP BY {', '.join(str(k) for k in range(1, len(masks) + 3))}"
    )
    # each group on each day it operates: the four facts of that day as one code
    day_bits = " UNION ALL ".join(f"SELECT {i} AS i, {1 << i} AS b" for i in range(n))

    def code(bit):
        return (
            "CASE " + " ".join(f"WHEN {_bit(f'g.b{r}', bit)} THEN {r * RANK_STEP}" for r in ranks) + " ELSE 0 END"
            f" + CASE WHEN {_bit('g.h', bit)} THEN {REACH_BIT} ELSE 0 END"
            f" + CASE WHEN {_bit('g.f', bit)} THEN {MEMBERS_ENOUGH * CLASS_STEP} WHEN {_bit('g.m', bit)} "
            f"THEN {MEMBERS_FEW * CLASS_STEP} ELSE {MEMBERS_NONE * CLASS_STEP} END"
            f" + CASE WHEN {_bit('g.ch', bit)} THEN {CHANNEL_BIT} ELSE 0 END"
        )
    flags = [f"f{j}" for j in range(len(ENTERPRISE_COUNTS))]
    accepted = [sorted(_category_codes()[name]) for name in ENTERPRISE_COUNTS]
    # Most groups keep their facts through all the days (they operate on every day, and each of their masks is
    # every day or none): their code is the same on every day, so they are counted once per region, and that
    # count is each day's. The others are expanded day by day.
    every = (1 << n) - 1
    steady = " AND ".join([f"g.om = {every}"] + [f"g.{mask} IN (0, {every})" for mask in (
        *(f"b{r}" for r in ranks), "h", "m", "f", "ch")])
    # varying: each count the sum over the codes its predicate accepts, from a small table of the codes (one
    # 0/1 column per count) joined on the code of each group's day
    table = " UNION ALL ".join(
        f"SELECT {code} AS k, " + ", ".join(f"{int(code in accepted[j])} AS {flag}" for j, flag in enumerate(flags))
        for code in _codes())
    # (integers, not PostgreSQL's numeric sums of bigints: several times faster to add up)
    varying = (
        f"SELECT x.i, x.region_id, " + ", ".join(f"SUM(a.{flag} * x.n) AS {flag}" for flag in flags) + " FROM ("
        f"SELECT t.i, g.region_id, {code('t.b')} AS k, CAST(SUM(g.n) AS INTEGER) AS n FROM g "
        f"CROSS JOIN ({day_bits}) t WHERE NOT ({steady}) AND {_bit('g.om')} GROUP BY 1, 2, 3"
        f") x INNER JOIN ({table}) a ON a.k = x.k GROUP BY x.i, x.region_id"
    )
    # steady: a few rows a region; each count summed over its codes directly
    constant = (
        "SELECT x.region_id, " + ", ".join(
            f"CAST(SUM(CASE WHEN x.k IN ({', '.join(map(str, codes))}) THEN x.n ELSE 0 END) AS INTEGER) AS {flag}"
            if codes else f"0 AS {flag}" for flag, codes in zip(flags, accepted))
        + f" FROM (SELECT g.region_id, {code('1')} AS k, CAST(SUM(g.n) AS INTEGER) AS n FROM g WHERE {steady} "
        "GROUP BY 1, 2) x GROUP BY x.region_id"
    )
    sql = (
        f"WITH g AS ({groups}) "
        f"SELECT u.i, u.region_id, {', '.join(f'SUM(u.{flag})' for flag in flags)} FROM ({varying} UNION ALL "
        f"SELECT t.i, c.region_id, {', '.join(f'c.{flag}' for flag in flags)} FROM ({constant}) c "
        f"CROSS JOIN ({day_bits}) t) u GROUP BY u.i, u.region_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [param for _sql, params in parts for param in params])
        return cursor.fetchall()


def _expand(rows, n, key):
    """(…, mask, count) rows → yields (day index, key(row), count) for each day of the mask."""
    for row in rows:
        mask, number = row["mask"], row["n"]
        for i in range(n):
            if mask >> i & 1:
                yield i, key(row), number


def _other_counts(root: Region, days, own):
    """Organizations (by kind), members held in them, demonstration sites (by level): own[i][region] += …
    Each a pass grouped by (region, days mask): a few rows per region."""
    n = len(days)
    for model, active, key, count, breakdown in (
            (PartyOrganization, organization_active_q, "kind", "organizations", "organizations_by_kind"),
            (DemonstrationSite, site_active_q, "level", "demonstration_sites", "demonstration_sites_by_level")):
        rows = (model.objects.filter(_any(active, days), region__path__startswith=root.path).order_by()
                .annotate(mask=days_mask(active, days)).values("region_id", key, "mask").annotate(n=Count("pk")))
        for i, (region_id, value), number in _expand(rows, n, lambda row, key=key: (row["region_id"], row[key])):
            _add(own[i][region_id], count, number)
            _add(own[i][region_id], breakdown, number, value)

    def held(day):  # a span in force, in an organization in existence (as coverage.compute_figures counts)
        return MemberSpan.objects.active_q(day) & organization_active_q(day, "organization__")

    members = (MemberSpan.objects.filter(_any(held, days), organization__region__path__startswith=root.path)
               .order_by().annotate(mask=days_mask(held, days))
               .values("organization__region_id", "mask").annotate(n=Count("pk")))
    for i, region_id, number in _expand(members, n, lambda row: row["organization__region_id"]):
        _add(own[i][region_id], "members", number)


def _instructors(root: Region, days, ancestors) -> list[dict]:
    """Distinct instructors per region (its subtree) on each day: [{region id: n} for each day]."""
    active = Assignment.objects.active_q
    pairs = (Assignment.objects.filter(_any(active, days), enterprise__region__path__startswith=root.path)
             .order_by().annotate(mask=days_mask(active, days))
             .values_list("enterprise__region_id", "instructor_id", "mask").distinct())
    per_ancestor = defaultdict(dict)  # region id -> {instructor id: days mask}
    for region_id, instructor_id, mask in pairs:
        for ancestor in ancestors[region_id]:
            masks = per_ancestor[ancestor]
            masks[instructor_id] = masks.get(instructor_id, 0) | mask
    counts = [defaultdict(int) for _day in days]
    for region_id, masks in per_ancestor.items():
        for mask, number in Counter(masks.values()).items():
            for i in range(len(days)):
                if mask >> i & 1:
                    counts[i][region_id] += number
    return counts


def compute_figures_for_days(root: Region, days, *, concurrently=None) -> dict:
    """{day: figures of every region of `root`'s subtree on that day}, each value exactly what
    `coverage.compute_figures(root, day)` returns, for the distinct `days` (any order; none → {}).
    `concurrently`: as for compute_figures (the other counts beside the enterprise statement)."""
    days = sorted(set(days))
    if not days:
        return {}
    steplen = Region.steplen
    regions = list(Region.objects.filter(path__startswith=root.path).order_by("path")
                   .values("id", "code", "path", "depth"))
    by_path = {r["path"]: r for r in regions}
    parent = {r["id"]: by_path[r["path"][:-steplen]]["id"] for r in regions if r["depth"] > root.depth}
    ancestors = {r["id"]: [by_path[r["path"][: depth * steplen]]["id"] for depth in range(root.depth, r["depth"] + 1)]
                 for r in regions}
    deepest_first = sorted(regions, key=lambda r: -r["depth"])
    result = {}
    with transaction.atomic(savepoint=False):  # no savepoint: a snapshot is exported from the transaction itself
        _no_jit()
        for start in range(0, len(days), MAX_DAYS_PER_PASS):
            result.update(_pass(root, days[start:start + MAX_DAYS_PER_PASS], regions, parent, ancestors,
                                deepest_first, concurrently))
    return result


def _no_jit():
    """The computation's settings (reports.services.SETTINGS: JIT off, work_mem) for this transaction."""
    if connection.vendor == "postgresql":
        from .services import tune  # noqa: PLC0415

        with connection.cursor() as cursor:
            tune(cursor)


def _pass(root, days, regions, parent, ancestors, deepest_first, concurrently=None) -> dict:
    """The figures of up to MAX_DAYS_PER_PASS days (ascending): a constant number of statements."""
    def others():  # organizations, members, sites and instructors: their own figures, merged below
        other = [defaultdict(_empty) for _day in days]
        _other_counts(root, days, other)
        return other, _instructors(root, days, ancestors)

    pending = concurrently(others) if concurrently is not None else None
    own = [defaultdict(_empty) for _day in days]
    for i, region_id, *counts in enterprise_counts_for_days(root, days):
        own[i][region_id].update(zip(ENTERPRISE_COUNTS, map(int, counts)))  # PostgreSQL's SUM: numeric
    other, instructors = pending.result() if pending is not None else others()
    result = {}
    for i, day in enumerate(days):
        totals = {r["id"]: _empty() for r in regions}
        for part in (own[i], other[i]):
            for region_id, figures in part.items():
                add_figures(totals[region_id], figures)
        for region in deepest_first:  # each region's totals into its parent's, deepest first
            if region["id"] in parent:
                add_figures(totals[parent[region["id"]]], totals[region["id"]])
        for region_id, number in instructors[i].items():  # distinct people: not additive
            totals[region_id]["instructors"] = number
        result[day] = [(region, totals[region["id"]]) for region in regions]
    return result
