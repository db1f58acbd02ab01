"""The coverage definitions of DESIGN.md ("Coverage definitions"), in one place.

Everything that counts or lists coverage — snapshots, the statistics API, drill-down lists, the dashboard,
reports, other apps' pages — goes through this module; nobody copies the logic.

How it works. Each enterprise operating on day D is described by three small facts, computed in SQL from
four sets of enterprises (linked, reached by an instructor, employing members, employing ≥ 3 full members):

- ``coverage_rank``: 0 when no coverage link is active on D, else the rank (1 = individual … 5 = attached,
  ``organizations.models.FORMATION_PRIORITY``) of its *primary* link — the active link whose organization's
  formation mode ranks first;
- ``instructor_reach``: an assignment of an instructor whose type counts towards work coverage is active on D;
- ``member_class``: 0 no active member employed there, 1 some but fewer than 3 full members, 2 ≥ 3 full;
- ``channel_reach``: a work coverage channel that is switched on (union, Youth League, liaison:
  ``organizations.WorkChannel``) reaches it on D (``organizations.ChannelReach``).

Every enterprise count is a predicate over those four facts (``CATEGORIES``). The snapshot counts
enterprises grouped by (region, rank, reach, class) in one query and applies the predicates in Python;
the drill-down list filters the enterprises with a ``Q`` derived mechanically from the *same* predicates
(``category_q``: the facts a predicate depends on, rendered as EXISTS conditions), so a list's length
equals its figure by construction (and the tests check it for every count).
"""

import datetime
import functools
import itertools
import re
from collections import defaultdict

from django.db import connection
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import (
    BooleanField, Case, CharField, Count, Exists, Expression, F, IntegerField, Min, OuterRef, Q, Subquery, Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.db.models.lookups import GreaterThanOrEqual, IsNull

from instructors.models import Assignment, DemonstrationSite, Instructor, InstructorType
from members.models import Member, MemberEvent, MemberSpan
from organizations.models import (
    FORMATION_PRIORITY, ChannelReach, CoverageLink, Enterprise, PartyOrganization, Region, WorkChannel,
)

from .models import COUNT_FIELDS, ENTERPRISE_COUNTS

# formation mode -> rank (1 = highest priority); 0 means "no active link".
MODE_RANK = {mode: rank for rank, mode in enumerate(FORMATION_PRIORITY, start=1)}
RANK_COUNT = {rank: f"org_{mode}" for mode, rank in MODE_RANK.items()}  # 1 -> "org_individual", ...
SHOULD_FORM_FULL_MEMBERS = 3  # DESIGN.md: ≥ 3 full members and no own organization → "should form"

MEMBERS_NONE, MEMBERS_FEW, MEMBERS_ENOUGH = 0, 1, 2

# The domains of the three facts (used to derive drill-down filters from the predicates).
DOMAINS = {
    "coverage_rank": tuple(range(0, len(FORMATION_PRIORITY) + 1)),
    "instructor_reach": (False, True),
    "member_class": (MEMBERS_NONE, MEMBERS_FEW, MEMBERS_ENOUGH),
    "channel_reach": (False, True),
}
FACTS = tuple(DOMAINS)


# --- the definitions ---------------------------------------------------------------------------

def _org_mode(rank):
    return lambda r, reach, members, channel: r == rank


CATEGORIES = {
    "enterprises": lambda r, reach, members, channel: True,
    **{RANK_COUNT[rank]: _org_mode(rank) for rank in RANK_COUNT},
    "org_covered": lambda r, reach, members, channel: r > 0,
    "instructor_covered": lambda r, reach, members, channel: r == 0 and reach,
    # reached only through another channel (counted once: not if an organization or instructor reaches it)
    "channel_covered": lambda r, reach, members, channel: r == 0 and not reach and channel,
    "work_covered": lambda r, reach, members, channel: r > 0 or reach or channel,
    "uncovered": lambda r, reach, members, channel: r == 0 and not reach and not channel,
    # As the official table counts them: without an organization, whether or not an instructor reaches them.
    "no_org": lambda r, reach, members, channel: r == 0,
    "should_form": lambda r, reach, members, channel: r == 0 and members == MEMBERS_ENOUGH,
    "few_members": lambda r, reach, members, channel: r == 0 and members == MEMBERS_FEW,
    "no_members": lambda r, reach, members, channel: r == 0 and members == MEMBERS_NONE,
}
assert list(CATEGORIES) == ENTERPRISE_COUNTS, "every enterprise count has exactly one definition"


def code_of(r, reach, members, channel) -> str:
    """An enterprise's coverage code (with_coverage's `coverage`) from its facts: the primary link's mode, else
    an instructor, else another channel, else none: coverage_expression's order, over the facts the counts use
    (a test compares the two on every row)."""
    if r:
        return RANK_COUNT[r]
    return "instructor" if reach else "channel" if channel else "none"


@functools.cache
def fixed_code(category: str) -> str | None:
    """The one coverage code every enterprise of this count has (e.g. "instructor" for instructor_covered), or
    None when its enterprises differ (enterprises, no_org, ...): a drill-down page then needs no per-row
    lookup of the code."""
    codes = {code_of(*facts) for facts in itertools.product(*DOMAINS.values()) if CATEGORIES[category](*facts)}
    return codes.pop() if len(codes) == 1 else None


def operating_q(day: datetime.date, prefix: str = "") -> Q:
    """Enterprises counted on `day`: founded on or before it (or unknown), not closed on or before it."""
    p = prefix
    return (Q(**{f"{p}founded_on__isnull": True}) | Q(**{f"{p}founded_on__lte": day})) & (
        Q(**{f"{p}closed_on__isnull": True}) | Q(**{f"{p}closed_on__gt": day})
    )


def active_links(day: datetime.date):
    """Links in force on `day` (link dates and the organization's life): organizations.CoverageLink.active_on."""
    return CoverageLink.objects.active_on(day)


def active_assignments(day: datetime.date):
    return Assignment.objects.active_on(day)


def active_members(day: datetime.date):
    """Members in the register on `day`, one row each, with the organization, employer and date of becoming
    full they had *that day* (members.MemberSpan): a later move or change of employer leaves `day` as it was."""
    return MemberSpan.objects.active_on(day)


def organization_active_q(day: datetime.date, prefix: str = "") -> Q:
    """An organization in existence on `day`: established on or before it, not dissolved on or before it."""
    p = prefix
    return Q(**{f"{p}established_on__lte": day}) & (
        Q(**{f"{p}dissolved_on__isnull": True}) | Q(**{f"{p}dissolved_on__gt": day}))


def site_active_q(day: datetime.date) -> Q:
    """A demonstration site designated on `day` (not revoked on or before it)."""
    return Q(designated_on__lte=day) & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=day))


def active_organizations(day: datetime.date):
    return PartyOrganization.objects.filter(organization_active_q(day)).order_by()


def active_demonstration_sites(day: datetime.date):
    return DemonstrationSite.objects.filter(site_active_q(day)).order_by()


# --- the facts, built from four sets of enterprises ---------------------------------------------
#
# Each fact is defined once, from "the enterprises that have X on day D" (uncorrelated subqueries):
# linked (optionally by formation mode), reached by an instructor, employing active members, employing
# ≥ 3 full members. Two renderings use them:
# - bulk (snapshot): `enterprise.id IN (subquery)` in the SELECT list — PostgreSQL builds each set once as
#   a hash table ("hashed SubPlan") and probes it per enterprise, instead of one lookup per row and fact;
# - filter (drill-down): EXISTS / NOT EXISTS in WHERE — planned as semi-/anti-joins.

def linked_enterprises(day: datetime.date, modes=None):
    links = active_links(day)
    if modes is not None:
        links = links.filter(organization__formation_mode__in=list(modes))
    return links


def reached_enterprises(day: datetime.date):
    return active_assignments(day).filter(instructor__type__counts_for_work_coverage=True)


def channel_reached_enterprises(day: datetime.date):
    """Reaches in force on `day` through an enabled channel (none while every channel is off: the default)."""
    return ChannelReach.objects.active_on(day)


def employing_enterprises(day: datetime.date):
    """Active members with an employer (whatever organization holds their relationship)."""
    return active_members(day).filter(employer__isnull=False)


def _full_q(day: datetime.date) -> Q:
    """A member (span) counted as full on `day`."""
    return Q(full_on__isnull=False, full_on__lte=day)


def _full_members(day: datetime.date):
    return employing_enterprises(day).filter(_full_q(day))


def _enough_full(queryset):
    return (queryset.order_by().values("employer_id").annotate(full=Count("pk"))
            .filter(full__gte=SHOULD_FORM_FULL_MEMBERS).values("employer_id"))


def _in(queryset, column):
    return Q(pk__in=queryset.order_by().values(column))


def _exists(queryset, column):
    return Exists(queryset.filter(**{column: OuterRef("pk")}))


def _has(queryset, column):
    """Like `_exists`, but as a scalar subquery (`(SELECT id … LIMIT 1) IS NOT NULL`), which PostgreSQL
    never turns into a join: one index lookup per enterprise of the region. For small regions, where the
    planner otherwise drives from the linked side — badly when a few regional or industry organizations
    cover tens of thousands of enterprises (measured at tier L: 230 ms instead of ~20 ms for a county)."""
    first = queryset.filter(**{column: OuterRef("pk")}).order_by().values("pk")[:1]
    return IsNull(Subquery(first), False)


def _modes_before(rank):
    return FORMATION_PRIORITY[: rank - 1]


def bulk_fact_expressions(day: datetime.date):
    """The three facts for every enterprise at once (snapshot computation)."""
    rank = Case(
        *[When(_in(linked_enterprises(day, [mode]), "enterprise_id"), then=Value(r)) for mode, r in MODE_RANK.items()],
        default=Value(0), output_field=IntegerField(),
    )
    reach = Case(When(_in(reached_enterprises(day), "enterprise_id"), then=Value(True)), default=Value(False),
                 output_field=BooleanField())
    members = Case(
        When(Q(pk__in=_enough_full(_full_members(day))), then=Value(MEMBERS_ENOUGH)),
        When(_in(employing_enterprises(day), "employer_id"), then=Value(MEMBERS_FEW)),
        default=Value(MEMBERS_NONE), output_field=IntegerField(),
    )
    channel = Case(When(_in(channel_reached_enterprises(day), "enterprise_id"), then=Value(True)),
                   default=Value(False), output_field=BooleanField())
    return {"coverage_rank": rank, "instructor_reach": reach, "member_class": members, "channel_reach": channel}


def _compiled(queryset):
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def enterprise_cells(root: Region | None, day: datetime.date, *, own_only=False, own_regions=None):
    """(region_id, coverage_rank, instructor_reach, member_class, channel_reach, n) for the enterprises of
    `root`'s subtree operating on `day`: ONE statement joining the operating enterprises to four sets, each grouped once
    by enterprise (the shape a hand-written statement has: hash joins, no per-row lookup). The sets are the
    ORM querysets that define the facts above, compiled and composed; only the joining is written here.

    `own_only`: only what is registered at `root` itself; `own_regions` (ids): at each of those regions itself."""
    if own_only:
        own_regions = [root.id]
    rank = Case(*[When(organization__formation_mode=mode, then=Value(r)) for mode, r in MODE_RANK.items()],
                output_field=IntegerField())
    ops = (Enterprise.objects.filter(operating_q(day), region_id__in=own_regions) if own_regions is not None
           else operating_enterprises(root, day)).order_by().values("id", "region_id")
    primary = linked_enterprises(day).order_by().values("enterprise_id").annotate(rank=Min(rank)).values(
        "enterprise_id", "rank")
    reached = reached_enterprises(day).order_by().values("enterprise_id").distinct()
    # employing enterprises with their number of full members: one pass over the members on `day`
    employing = employing_enterprises(day)
    channels = channel_reached_enterprises(day)
    if own_regions is not None:
        # only what is registered at those regions themselves: the sets for their enterprises (index lookups)
        primary = primary.filter(enterprise__region_id__in=own_regions)
        reached = reached.filter(enterprise__region_id__in=own_regions)
        employing = employing.filter(employer__region_id__in=own_regions)
        channels = channels.filter(enterprise__region_id__in=own_regions)
    elif root.depth > 1:
        # a part of the province (a city, a county): the sets only for its enterprises, not the whole register
        primary = primary.filter(enterprise__region__path__startswith=root.path)
        reached = reached.filter(enterprise__region__path__startswith=root.path)
        employing = employing.filter(employer__region__path__startswith=root.path)
    employing = (employing.order_by().values("employer_id")
                 .annotate(full_members=Count("pk", filter=_full_q(day))).values("employer_id", "full_members"))
    # reached through a work coverage channel that is switched on (an empty set while all are off)
    channels = channels.order_by().values("enterprise_id").distinct()
    parts = [_compiled(q) for q in (ops, primary, reached, employing, channels)]
    (ops_sql, primary_sql, reached_sql, employing_sql, channels_sql) = [sql for sql, _params in parts]
    sql = (
        "SELECT e.region_id, COALESCE(p.rank, 0), (r.enterprise_id IS NOT NULL), "
        f"CASE WHEN m.full_members >= {SHOULD_FORM_FULL_MEMBERS} THEN {MEMBERS_ENOUGH} WHEN m.employer_id IS NOT NULL "
        f"THEN {MEMBERS_FEW} ELSE {MEMBERS_NONE} END, (c.enterprise_id IS NOT NULL), COUNT(*) "
        f"FROM ({ops_sql}) e LEFT JOIN ({primary_sql}) p ON p.enterprise_id = e.id "
        f"LEFT JOIN ({reached_sql}) r ON r.enterprise_id = e.id "
        f"LEFT JOIN ({employing_sql}) m ON m.employer_id = e.id "
        f"LEFT JOIN ({channels_sql}) c ON c.enterprise_id = e.id "
        "GROUP BY 1, 2, 3, 4, 5"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [param for _sql, params in parts for param in params])
        return cursor.fetchall()


def fact_condition(fact: str, values, day: datetime.date, large: bool = False) -> Q:
    """WHERE condition: the enterprise's `fact` on `day` is one of `values` (drill-down filters).

    `large`: the region holds a good part of the register, so whole-register passes beat per-row lookups.
    """
    values = set(values)
    exists = _exists if large else _has
    if values >= set(DOMAINS[fact]):
        return Q()
    parts = []
    if fact == "coverage_rank":
        ranks = values - {0}
        if ranks == set(RANK_COUNT):
            parts.append(Q(exists(linked_enterprises(day), "enterprise_id")))
        else:
            for r in sorted(ranks):
                part = Q(exists(linked_enterprises(day, [FORMATION_PRIORITY[r - 1]]), "enterprise_id"))
                if r > 1:
                    part &= ~Q(exists(linked_enterprises(day, _modes_before(r)), "enterprise_id"))
                parts.append(part)
        if 0 in values:
            parts.append(~Q(exists(linked_enterprises(day), "enterprise_id")))
    elif fact == "instructor_reach":
        reached = Q(exists(reached_enterprises(day), "enterprise_id"))
        parts.append(reached if True in values else ~reached)
    elif fact == "channel_reach":
        reached = Q(exists(channel_reached_enterprises(day), "enterprise_id"))
        parts.append(reached if True in values else ~reached)
    elif fact == "member_class":
        if large:  # one pass over the register's members, grouped (hash aggregate)
            enough = Q(pk__in=_enough_full(_full_members(day)))
        else:  # per enterprise of the region (index on employer): proportional to the region, not the register
            full_count = (_full_members(day).filter(employer_id=OuterRef("pk")).order_by().values("employer_id")
                          .annotate(n=Count("pk")).values("n"))
            enough = Q(GreaterThanOrEqual(Coalesce(Subquery(full_count, output_field=IntegerField()), Value(0)),
                                          SHOULD_FORM_FULL_MEMBERS))
        employing = Q(exists(employing_enterprises(day), "employer_id"))
        if MEMBERS_ENOUGH in values:
            parts.append(enough)
        if MEMBERS_FEW in values:
            parts.append(employing & ~enough)
        if MEMBERS_NONE in values:
            parts.append(~employing)
    else:
        raise KeyError(fact)
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    return condition


def coverage_expression(day: datetime.date):
    """An enterprise's coverage on `day` as a code (API `enterprises/` field `coverage`); per row, for lists.

    The primary link is looked up per row (ordered by formation priority, LIMIT 1: index lookups), which
    suits pages of a few dozen rows; whole-region figures use the bulk rendering above. That one subquery
    yields the code itself (org_individual …): a CASE over the mode would repeat the subquery in every branch,
    and PostgreSQL plans and runs each copy (five lookups a row, 3 ms of planning for a page).
    """
    rank = Case(*[When(organization__formation_mode=mode, then=Value(r)) for mode, r in MODE_RANK.items()],
                output_field=IntegerField())
    code = Case(*[When(organization__formation_mode=mode, then=Value(RANK_COUNT[r])) for mode, r in MODE_RANK.items()],
                output_field=CharField())
    primary = (linked_enterprises(day).filter(enterprise=OuterRef("pk")).annotate(rank=rank, code=code)
               .order_by("rank").values("code")[:1])
    return Coalesce(Subquery(primary), Case(
        When(instructor_reached=True, then=Value("instructor")),
        When(channel_reached=True, then=Value("channel")),
        default=Value("none"),
    ), output_field=CharField()), {
        "instructor_reached": _exists(reached_enterprises(day), "enterprise_id"),
        "channel_reached": _exists(channel_reached_enterprises(day), "enterprise_id")}


def with_coverage(queryset, day: datetime.date, category: str | None = None):
    """Annotate enterprises with `coverage` (a code: org_individual … org_attached, instructor, channel, none)
    on `day` (coverage_expression, compiled once: `Compiled`). With `category` (the rows are that count's), a
    count whose enterprises all have one code gets it as a constant (`fixed_code`)."""
    code = fixed_code(category) if category else None
    return queryset.annotate(coverage=Value(code) if code else coverage_code(day))


def _with_coverage_built(queryset, day: datetime.date):
    expression, helpers = coverage_expression(day)
    return queryset.annotate(**helpers).annotate(coverage=expression)


def operating_enterprises(region: Region, day: datetime.date, queryset=None, *, region_ids=None):
    """Enterprises registered in the region's subtree (at any level) and operating on `day`.

    `region_ids` (the subtree's region ids, when the caller has them) lets the planner estimate the
    region's size exactly and pick index lookups for a small region.
    """
    queryset = Enterprise.objects.all() if queryset is None else queryset
    if region_ids is not None:
        # Both: the ids size the region exactly for the planner; the path keeps the region side of a join
        # (ordering by region path) to the subtree instead of every region of the province.
        return queryset.filter(operating_q(day), region_id__in=region_ids, region__path__startswith=region.path)
    return queryset.filter(operating_q(day), region__path__startswith=region.path)


# --- drill-down ----------------------------------------------------------------------------------

def _relevant_facts(predicate):
    """The smallest set of facts the predicate depends on (so the SQL filter computes only those)."""
    combos = list(itertools.product(*DOMAINS.values()))
    for size in range(len(FACTS) + 1):
        for subset in itertools.combinations(range(len(FACTS)), size):
            seen = {}
            consistent = True
            for combo in combos:
                key = tuple(combo[i] for i in subset)
                value = bool(predicate(*combo))
                if seen.setdefault(key, value) != value:
                    consistent = False
                    break
            if consistent:
                allowed = {key for key, value in seen.items() if value}
                return [FACTS[i] for i in subset], allowed
    raise AssertionError("unreachable")  # the full set is always consistent


def _q_for(facts, allowed, day, large=False):
    if not facts:
        return Q() if allowed else Q(pk__in=[])
    first, rest = facts[0], facts[1:]
    if not rest:
        return fact_condition(first, {key[0] for key in allowed}, day, large)
    by_rest = defaultdict(set)
    for key in allowed:
        by_rest[key[0]].add(key[1:])
    full_rest = set(itertools.product(*(DOMAINS[f] for f in rest)))
    grouped = defaultdict(list)
    for value, rest_keys in by_rest.items():
        grouped[frozenset(rest_keys)].append(value)
    q = Q(pk__in=[])
    for rest_keys, values in grouped.items():
        part = fact_condition(first, values, day, large)
        if set(rest_keys) != full_rest:
            part &= _q_for(rest, rest_keys, day, large)
        q |= part
    return q


@functools.cache
def _category_facts(category: str):
    return _relevant_facts(CATEGORIES[category])


def category_q(category: str, day: datetime.date, large: bool = False) -> Q:
    """The WHERE condition selecting the enterprises of one count, derived from its predicate."""
    facts, allowed = _category_facts(category)
    return _q_for(facts, allowed, day, large)


OUTER = "\x00enterprise\x00"  # where the compiled text refers to the enterprise row


class Compiled(Expression):
    """A condition on (or a value of) an enterprise row, built by the ORM and compiled to SQL once per
    (key, database vendor), then reused. The drill-down's conditions are made of a dozen querysets (EXISTS
    subqueries): building and compiling them costs more time in Python (≈ 20 ms a request) than their SQL
    costs the database. The compiled text refers to the enterprise row through its id only, which stays this
    expression's source (an F("pk") resolved by the query): the condition follows the enterprise table
    wherever a query puts it (its alias, relabelled in a subquery)."""

    def __init__(self, key: tuple, output_field):
        super().__init__(output_field=output_field)
        self.key, self.outer = key, F("pk")

    def get_source_expressions(self):
        return [self.outer]

    def set_source_expressions(self, exprs):
        (self.outer,) = exprs

    def as_sql(self, compiler, connection):
        template, params = _compiled_text(self.key, connection.vendor)
        outer, outer_params = compiler.compile(self.outer)  # a column: no parameters
        return template.replace(OUTER, outer), [*outer_params, *params]


@functools.lru_cache(maxsize=512)
def _compiled_text(key: tuple, vendor: str):
    """(SQL with OUTER for the enterprise id, params) of `key`: ("category", name, day, large) or ("coverage", day).
    Compiled on the default connection (a replica's vendor is the same); `vendor` keys the cache."""
    if vendor != connection.vendor:
        raise ValueError(f"compiled for {connection.vendor}, asked for {vendor}")
    if key[0] == "category":
        query = Enterprise.objects.filter(category_q(*key[1:])).query
        node = query.where
    else:
        query = _with_coverage_built(Enterprise.objects.all(), key[1]).query
        node = query.annotations["coverage"]
    sql, params = query.get_compiler(connection=connection).compile(node)
    quote = connection.ops.quote_name
    column = f"{quote(Enterprise._meta.db_table)}.{quote(Enterprise._meta.pk.column)}"
    template = sql.replace(column, OUTER)
    if quote(Enterprise._meta.db_table) + "." in template:  # another column of the row: not compiled once
        raise ValueError(f"{key}: the compiled condition refers to the enterprise row beyond its id")
    # The subqueries' own aliases (U0, V1, …) get names of their own: a query using the condition inside a
    # subquery gives the enterprise table such an alias, which the text must not capture.
    aliases = set(re.findall(r'(?:FROM|JOIN) "[^"]+" ([A-Z]+[0-9]+)\b', template))
    if aliases:
        pattern = re.compile(r'(?<![\w"])(' + "|".join(sorted(aliases, key=len, reverse=True)) + r')(?![\w"])')
        template = pattern.sub(lambda match: quote(f"compiled_{match.group(1)}"), template)
    if re.search(r'(?<![\w"])[A-Z]+[0-9]+\."', template):  # an alias the renaming did not see
        raise ValueError(f"{key}: an alias of the compiled condition was not renamed")
    return template, tuple(params)


@functools.lru_cache(maxsize=512)
def category_condition(category: str, day: datetime.date, large: bool = False):
    """category_q, compiled once (`Compiled`): what the drill-down filters by."""
    q = category_q(category, day, large)
    if not q:
        return Q()
    try:
        _compiled_text(("category", category, day, large), connection.vendor)
    except EmptyResultSet:
        return Q(pk__in=[])
    except FullResultSet:
        return Q()
    return Compiled(("category", category, day, large), BooleanField())


def coverage_code(day: datetime.date):
    """An enterprise's coverage code on `day` (with_coverage's `coverage`), compiled once (`Compiled`)."""
    return Compiled(("coverage", day), CharField())


# A subtree of more regions than this is treated as "large" by the drill-down (a planner hint only: both
# renderings select exactly the same enterprises).
LARGE_SUBTREE_REGIONS = 40


def subtree_region_ids(region: Region) -> list:
    """The ids of the region's subtree (the region included)."""
    return list(Region.objects.filter(path__startswith=region.path).order_by().values_list("pk", flat=True))


def is_large_subtree(region_ids) -> bool:
    """Whether a drill-down over these regions is "large" (whole-register passes beat per-row lookups)."""
    return len(region_ids) > LARGE_SUBTREE_REGIONS


def enterprises_behind(region: Region, day: datetime.date, category: str, queryset=None, *,
                       annotate_coverage=False, region_ids=None):
    """The enterprises behind one count of the region's snapshot on `day` (live, same definitions).

    `queryset` is the caller's scoped enterprise queryset (``Enterprise.objects.visible_to(user)``).
    With `annotate_coverage`, each row also carries its `coverage` code on that day.
    """
    if category not in CATEGORIES:
        raise KeyError(category)
    if region_ids is None:
        region_ids = subtree_region_ids(region)
    large = is_large_subtree(region_ids)
    queryset = operating_enterprises(region, day, queryset, region_ids=region_ids).filter(
        category_condition(category, day, large))
    return with_coverage(queryset, day) if annotate_coverage else queryset


# --- the figures of a whole subtree --------------------------------------------------------------

@functools.cache
def _categories_of(*facts) -> tuple:
    """The enterprise counts an enterprise with these facts falls into (each predicate asked once per key)."""
    return tuple(name for name, predicate in CATEGORIES.items() if predicate(*facts))


ADDITIVE_COUNTS = [name for name in COUNT_FIELDS if name != "instructors"]  # distinct instructors do not add up
BREAKDOWNS = ("organizations_by_kind", "demonstration_sites_by_level")  # {key: n}, added key by key


def add_figures(target: dict, figures: dict, sign: int = 1):
    """Add one region's figures (or a stored snapshot's, as a dict) to `target`: the additive counts and the
    breakdowns (a parent's figures are what it holds itself plus its children's). `sign=-1` takes them away."""
    for name in ADDITIVE_COUNTS:
        target[name] += sign * figures[name]
    for name in BREAKDOWNS:
        for key, n in figures[name].items():
            _add(target, name, sign * n, key)


def _empty():
    return {name: 0 for name in COUNT_FIELDS} | {"organizations_by_kind": {}, "demonstration_sites_by_level": {}}


def _add(target: dict, name: str, n: int, key: str | None = None):
    if key is None:
        target[name] += n
    else:
        bucket = target[name]
        bucket[key] = bucket.get(key, 0) + n


def _other_rows(day: datetime.date, where, instructors=None) -> dict:
    """Everything but the enterprise cells, as rows grouped by region: organizations (by kind), members held
    in them, demonstration sites (by level); `where(prefix)` is the Q choosing the regions (e.g.
    ``Q(region__path__startswith=…)`` for prefix ""), `instructors` a function giving the instructors' rows."""
    organizations = active_organizations(day).filter(where(""))
    members = active_members(day).filter(where("organization__"), organization_active_q(day, "organization__"))
    sites = active_demonstration_sites(day).filter(where(""))
    return {
        "organizations": list(organizations.values_list("region_id", "kind").annotate(n=Count("pk")).order_by()),
        "members": list(members.values_list("organization__region_id").annotate(n=Count("pk")).order_by()),
        "sites": list(sites.values_list("region_id", "level").annotate(n=Count("pk")).order_by()),
        "instructors": instructors() if instructors is not None else None,
    }


def _add_cells(own, cells):
    """Add the enterprise cells (region, rank, reach, member class, channel, n) to the regions' own figures."""
    for region_id, rank, reach, member_class, channel, n in cells:
        target = own[region_id]
        for name in _categories_of(rank, bool(reach), member_class, bool(channel)):
            target[name] += n


def _add_other_rows(own, rows):
    for region_id, kind, n in rows["organizations"]:
        _add(own[region_id], "organizations", n)
        _add(own[region_id], "organizations_by_kind", n, kind)
    for region_id, n in rows["members"]:
        _add(own[region_id], "members", n)
    for region_id, level, n in rows["sites"]:
        _add(own[region_id], "demonstration_sites", n)
        _add(own[region_id], "demonstration_sites_by_level", n, level)


def _instructor_pairs(root: Region, day: datetime.date):
    """The (region, instructor) pairs of the active assignments in the subtree (the sets deduplicate: an
    instructor working in two child regions is one instructor of the parent)."""
    return list(active_assignments(day).filter(enterprise__region__path__startswith=root.path).order_by()
                .values_list("enterprise__region_id", "instructor_id"))


def compute_figures(root: Region, day: datetime.date, *, own_only=False, concurrently=None) -> list[tuple[dict, dict]]:
    """Figures for every region of `root`'s subtree on `day`: a list of (region row, figures).

    `own_only`: only `root`'s row, counting only what is registered at `root` itself (not in its children),
    except distinct instructors, counted over the whole subtree (not additive): the partitioned computation
    adds the children's stored figures to it (reports.services.finish_partitioned).

    A constant number of queries whatever the number of regions and enterprises: the enterprise cells (one
    statement) and one query per other kind of thing counted, grouped by region; the additive counts are
    rolled up the tree in Python, distinct instructors from the (region, instructor) pairs.

    `concurrently(function)`: run `function` (the other queries) beside the cells statement and return a
    future — reports.services runs it on a second connection reading the same snapshot of the database.
    """
    steplen = Region.steplen
    lookup = "exact" if own_only else "startswith"
    regions = list(
        Region.objects.filter(**{f"path__{lookup}": root.path}).order_by("path").values("id", "code", "path", "depth")
    )
    by_path = {r["path"]: r for r in regions}
    own = defaultdict(_empty)
    if own_only:
        others = functools.partial(_other_rows, day, lambda p: Q(**{f"{p}region_id": root.id}),
                                   functools.partial(subtree_instructors, root, day))
    else:
        others = functools.partial(_other_rows, day, lambda p: Q(**{f"{p}region__path__startswith": root.path}),
                                   functools.partial(_instructor_pairs, root, day))
    pending = concurrently(others) if concurrently is not None else None

    # 1. enterprises: one row per (region, rank, reach, member class, channel)
    _add_cells(own, enterprise_cells(root, day, own_only=own_only))
    # 2. organizations (also by kind), 3. members held in them, 4. demonstration sites (also by level)
    rows = pending.result() if pending is not None else others()
    _add_other_rows(own, rows)

    # roll the additive counts up the tree: deepest regions first, each added once to its parent
    totals = {r["id"]: own[r["id"]] if r["id"] in own else _empty() for r in regions}
    for region in reversed(regions):  # ordered by path: every region comes after its parent
        if region["depth"] == root.depth:
            continue
        add_figures(totals[by_path[region["path"][: (region["depth"] - 1) * steplen]]["id"]], totals[region["id"]])

    # 5. distinct instructors per region: each instructor of a region's pairs is one instructor of the region
    # and of every ancestor; the sets are merged bottom-up (set unions, not one addition per pair and level)
    if own_only:
        totals[root.id]["instructors"] = rows["instructors"]
        return [(region, totals[region["id"]]) for region in regions]
    instructors = defaultdict(set)
    for region_id, instructor_id in rows["instructors"]:
        instructors[region_id].add(instructor_id)
    for region in reversed(regions):
        found = instructors.get(region["id"])
        if not found:
            continue
        totals[region["id"]]["instructors"] = len(found)
        if region["depth"] > root.depth:
            parent_id = by_path[region["path"][: (region["depth"] - 1) * steplen]]["id"]
            theirs = instructors.get(parent_id)
            if theirs is None or len(theirs) < len(found):  # the smaller set is merged into the larger
                found, theirs = theirs or set(), found
                instructors[parent_id] = theirs
            theirs |= found
        del instructors[region["id"]]

    return [(region, totals[region["id"]]) for region in regions]


# The figures made of the enterprise cells, and those made of the other rows (organizations, members, sites).
ENTERPRISE_FIGURES = tuple(ENTERPRISE_COUNTS)
OTHER_FIGURES = ("organizations", "members", "demonstration_sites", *BREAKDOWNS)


def own_figures(region_ids, day: datetime.date, *, enterprises=True, others=True) -> dict:
    """{region id: figures} of what is registered at each region itself (not in its children) on `day`, for a
    few regions at once (reports.incremental: a path of regions, in 4 queries); distinct instructors left at 0.
    The same queries as compute_figures, restricted to those regions. Without `enterprises` (`others`) the
    ENTERPRISE_FIGURES (OTHER_FIGURES) are left at 0, their queries not run."""
    region_ids = list(region_ids)
    own = {region_id: _empty() for region_id in region_ids}
    if not own:
        return own
    if enterprises:
        _add_cells(own, enterprise_cells(None, day, own_regions=region_ids))
    if others:
        _add_other_rows(own, _other_rows(day, lambda p: Q(**{f"{p}region_id__in": region_ids})))
    return own


def subtree_instructors(region: Region, day: datetime.date) -> int:
    """Distinct instructors of the active assignments in the region's subtree on `day` (compute_figures' count).
    The only root's subtree is the whole register: no join to the regions (tier L: 0.2 s instead of 1.2–2.4 s)."""
    assignments = active_assignments(day)
    if region.depth > 1 or Region.objects.filter(depth=1).exclude(pk=region.pk).exists():
        assignments = assignments.filter(enterprise__region__path__startswith=region.path)
    return assignments.order_by().values("instructor_id").distinct().count()


# Every table the figures read (their planner statistics are refreshed before a computation when stale).
SOURCE_MODELS = (Region, Enterprise, PartyOrganization, CoverageLink, Member, MemberEvent, MemberSpan, Assignment,
                 Instructor, InstructorType, DemonstrationSite, ChannelReach, WorkChannel)

# The register's tables whose state a snapshot records (label -> model; each is historised).
STAMPED_MODELS = {
    "regions": Region, "enterprises": Enterprise, "organizations": PartyOrganization,
    "coverage_links": CoverageLink, "members": Member, "member_events": MemberEvent, "assignments": Assignment,
    "instructors": Instructor, "demonstration_sites": DemonstrationSite,
    "work_channels": WorkChannel, "channel_reaches": ChannelReach,
}


def source_state() -> dict:
    """Which state of the register the figures come from: per table, its highest id (`last`: rows added,
    also by bulk loaders that write no history) and the id of its latest history record (`latest`: every
    insert, update and end of a row saved through the models, e.g. editing a link's dates).

    Two index lookups per table in ONE statement (a stamp costs about a millisecond, not a count over a
    million rows), so "are these snapshots still current?" is cheap to ask on every read."""
    sql, labels = _source_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return {label: {"last": row[2 * i] or 0, "latest": row[2 * i + 1] or 0} for i, label in enumerate(labels)}


@functools.cache
def _source_sql():
    quote = connection.ops.quote_name
    columns = []
    for model in STAMPED_MODELS.values():
        history = model.history.model
        columns.append(f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})")
        columns.append(f"(SELECT MAX({quote(history._meta.pk.column)}) FROM {quote(history._meta.db_table)})")
    return "SELECT " + ", ".join(columns), list(STAMPED_MODELS)


def coverage_of_enterprise(enterprise_id: int, day: datetime.date) -> str:
    """One enterprise's coverage code on `day` (for detail pages)."""
    row = with_coverage(Enterprise.objects.filter(pk=enterprise_id), day).values("coverage").first()
    return row["coverage"] if row else "none"
