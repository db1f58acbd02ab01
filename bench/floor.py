"""The floor: ONE hand-written statement computing the coverage figures, which `compute_coverage` is measured
against as a ratio in the same run (issue 17).

Two renderings of the same statement (bench/coverage_floor.sql, a copy of shared/reference/coverage-floor.sql):
- on its own plain tables of the tier's shape, in a database of its own (`<bench db>_floor_<tier>`), set up
  by the file's own script (scaled for tier L: 1M enterprises, 3,311 regions, 1.2M members);
- adapted to our schema (FLOOR_ON_OUR_TABLES), on the bench database itself: the same joins and roll-up
  over the province's subtree, with our rules (members as they were on the day, from member spans; organizations' lives, instructor types
  that count). It computes the 16 figures the floor computes (not distinct instructors, demonstration
  sites or the by-kind breakdowns), so it is a lower bound for our job on the same rows.
"""

import time
from pathlib import Path

FLOOR_FILE = Path(__file__).with_name("coverage_floor.sql")

# tier L: the same script with every size multiplied by 10 (regions: 30 counties per city instead of 4).
SCALE_L = [
    ("generate_series(1, 4) k WHERE p.depth = 2", "generate_series(1, 30) k WHERE p.depth = 2"),
    ("SELECT 51 + row_number()", "SELECT 311 + row_number()"),
    ("52 + floor(random() * 400)::int,\n       floor(random() * 500)", "312 + floor(random() * 3000)::int,\n       floor(random() * 500)"),
    ("FROM generate_series(1, 100000) g;", "FROM generate_series(1, 1000000) g;"),
    ("SELECT g, 'O' || g, 52 + floor(random() * 400)::int,", "SELECT g, 'O' || g, 312 + floor(random() * 3000)::int,"),
    ("CASE WHEN g <= 5000 THEN 1", "CASE WHEN g <= 50000 THEN 1"),
    ("FROM generate_series(1, 15000) g;", "FROM generate_series(1, 150000) g;"),
    ("CASE WHEN e <= 5000 THEN e ELSE 5001 + floor(random() * 10000)::int END", "CASE WHEN e <= 50000 THEN e ELSE 50001 + floor(random() * 100000)::int END"),
    ("FROM generate_series(1, 30000) e;", "FROM generate_series(1, 300000) e;"),
    ("SELECT 5001 + floor(random() * 10000)::int, 1 + floor(random() * 100000)::int, date '2012-01-01', NULL\n  FROM generate_series(1, 1000);",
     "SELECT 50001 + floor(random() * 100000)::int, 1 + floor(random() * 1000000)::int, date '2012-01-01', NULL\n  FROM generate_series(1, 10000);"),
    ("SELECT 1 + floor(random() * 20000)::int, 25001 + floor(random() * 75000)::int,", "SELECT 1 + floor(random() * 200000)::int, 250001 + floor(random() * 750000)::int,"),
    ("FROM generate_series(1, 60000);", "FROM generate_series(1, 600000);"),
    ("SELECT 1 + floor(random() * 15000)::int, CASE WHEN random() < 0.9 THEN 1 + floor(random() * 100000)::int END,",
     "SELECT 1 + floor(random() * 150000)::int, CASE WHEN random() < 0.9 THEN 1 + floor(random() * 1000000)::int END,"),
    ("FROM generate_series(1, 150000);", "FROM generate_series(1, 1200000);"),
]


def floor_script(tier: str) -> tuple[str, str]:
    """(setup, statement) of the floor file for a tier (S uses M's shape: the floor exists at M and L)."""
    text = FLOOR_FILE.read_text()
    if tier == "L":
        for old, new in SCALE_L:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
    setup, statement = text.split("\\timing on", 1)
    return setup, statement.strip().rstrip(";")


def floor_database(url: str, tier: str, keep: bool):
    """Create (unless kept) the floor's database for a tier and load its tables; returns its URL."""
    import psycopg  # noqa: PLC0415

    base, name = url.rsplit("/", 1)
    name = f"{name.split('?')[0]}_floor_{tier.lower()}"
    floor_url = f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and keep:
            return floor_url
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    setup, _statement = floor_script(tier)
    started = time.perf_counter()
    with psycopg.connect(floor_url, autocommit=True) as conn:
        conn.execute(setup.replace("VACUUM ANALYZE;", ""))
        conn.execute("VACUUM ANALYZE")
    print(f"  floor tables ({tier}) set up in {time.perf_counter() - started:.1f} s: {name}")
    return floor_url


class FloorOnItsTables:
    """The floor statement on its own tables: DELETE the results, INSERT them again, commit (our job too
    replaces its snapshots), with the settings our snapshot transaction takes (work_mem, JIT off)."""

    def __init__(self, floor_url: str, tier: str):
        import psycopg  # noqa: PLC0415

        self.conn = psycopg.connect(floor_url, autocommit=False)
        self.statement = floor_script(tier)[1]

    def __call__(self):
        from reports.services import SETTINGS  # noqa: PLC0415 — the settings our computation takes

        with self.conn.cursor() as cursor:
            for name, value in SETTINGS.items():
                cursor.execute(f"SET LOCAL {name} = '{value}'")
            cursor.execute("DELETE FROM result")
            cursor.execute(self.statement)
            rows = cursor.rowcount
        self.conn.commit()
        return rows

    def close(self):
        self.conn.close()


# The floor statement on our tables, for the province (`root` path) on `day`; the same CTEs and roll-up
# (every region's own counts summed into each ancestor on its path), with our columns and rules.
FLOOR_ON_OUR_TABLES = r"""
WITH reg AS (
  SELECT id, path FROM organizations_region WHERE path LIKE %(root)s || '%%'
), ops AS (
  SELECT e.id, e.region_id FROM organizations_enterprise e JOIN reg ON reg.id = e.region_id
   WHERE (e.founded_on IS NULL OR e.founded_on <= %(day)s) AND (e.closed_on IS NULL OR e.closed_on > %(day)s)
), prim AS (
  SELECT l.enterprise_id, min(CASE o.formation_mode WHEN 'individual' THEN 1 WHEN 'joint' THEN 2
                                   WHEN 'regional' THEN 3 WHEN 'industry' THEN 4 WHEN 'attached' THEN 5 END) AS mode
    FROM organizations_coveragelink l JOIN organizations_partyorganization o ON o.id = l.organization_id
   WHERE l.valid_from <= %(day)s AND (l.valid_to IS NULL OR l.valid_to > %(day)s)
     AND o.established_on <= %(day)s AND (o.dissolved_on IS NULL OR o.dissolved_on > %(day)s)
   GROUP BY l.enterprise_id
), inst AS (
  SELECT DISTINCT a.enterprise_id FROM instructors_assignment a
    JOIN instructors_instructor i ON i.id = a.instructor_id
    JOIN instructors_instructortype t ON t.id = i.type_id AND t.counts_for_work_coverage
   WHERE a.start_on <= %(day)s AND (a.end_on IS NULL OR a.end_on > %(day)s)
), emp AS (
  SELECT employer_id, count(*) AS anym, count(*) FILTER (WHERE full_on <= %(day)s) AS fullm
    FROM members_memberspan WHERE employer_id IS NOT NULL AND start_on <= %(day)s
     AND (end_on IS NULL OR end_on > %(day)s) GROUP BY employer_id
), per_ent AS (
  SELECT ops.region_id, count(*) AS n,
         count(*) FILTER (WHERE p.mode = 1) AS m1, count(*) FILTER (WHERE p.mode = 2) AS m2,
         count(*) FILTER (WHERE p.mode = 3) AS m3, count(*) FILTER (WHERE p.mode = 4) AS m4,
         count(*) FILTER (WHERE p.mode = 5) AS m5, count(p.mode) AS oc,
         count(*) FILTER (WHERE p.mode IS NULL AND i.enterprise_id IS NOT NULL) AS ic,
         count(*) FILTER (WHERE p.mode IS NULL AND e.fullm >= 3) AS sf,
         count(*) FILTER (WHERE p.mode IS NULL AND e.anym IS NOT NULL AND e.fullm < 3) AS few,
         count(*) FILTER (WHERE p.mode IS NULL AND e.anym IS NULL) AS nom
    FROM ops LEFT JOIN prim p ON p.enterprise_id = ops.id LEFT JOIN inst i ON i.enterprise_id = ops.id
             LEFT JOIN emp e ON e.employer_id = ops.id
   GROUP BY ops.region_id
), orgc AS (
  SELECT o.region_id, count(*) AS orgs FROM organizations_partyorganization o JOIN reg ON reg.id = o.region_id
   WHERE o.established_on <= %(day)s AND (o.dissolved_on IS NULL OR o.dissolved_on > %(day)s) GROUP BY o.region_id
), memc AS (
  SELECT o.region_id, count(*) AS members FROM members_memberspan m
    JOIN organizations_partyorganization o ON o.id = m.organization_id JOIN reg ON reg.id = o.region_id
   WHERE m.start_on <= %(day)s AND (m.end_on IS NULL OR m.end_on > %(day)s)
     AND o.established_on <= %(day)s AND (o.dissolved_on IS NULL OR o.dissolved_on > %(day)s)
   GROUP BY o.region_id
), per_region AS (
  SELECT r.path, coalesce(e.n, 0) AS n, coalesce(e.m1, 0) AS m1, coalesce(e.m2, 0) AS m2, coalesce(e.m3, 0) AS m3,
         coalesce(e.m4, 0) AS m4, coalesce(e.m5, 0) AS m5, coalesce(e.oc, 0) AS oc, coalesce(e.ic, 0) AS ic,
         coalesce(e.sf, 0) AS sf, coalesce(e.few, 0) AS few, coalesce(e.nom, 0) AS nom,
         coalesce(g.orgs, 0) AS orgs, coalesce(mc.members, 0) AS members
    FROM reg r LEFT JOIN per_ent e ON e.region_id = r.id LEFT JOIN orgc g ON g.region_id = r.id
               LEFT JOIN memc mc ON mc.region_id = r.id
), up AS (
  SELECT a.id AS anc_id, pr.* FROM per_region pr
   CROSS JOIN LATERAL generate_series(length(%(root)s), length(pr.path), 4) k
    JOIN organizations_region a ON a.path = left(pr.path, k)
)
SELECT anc_id, sum(n) AS enterprises, sum(m1) AS org_individual, sum(m2) AS org_joint, sum(m3) AS org_regional,
       sum(m4) AS org_industry, sum(m5) AS org_attached, sum(oc) AS org_covered, sum(ic) AS instructor_covered,
       sum(oc + ic) AS work_covered, sum(n - oc - ic) AS uncovered, sum(n - oc) AS no_org, sum(sf) AS should_form,
       sum(few) AS few_members, sum(nom) AS no_members, sum(orgs) AS organizations, sum(members) AS members
  FROM up GROUP BY anc_id
"""
FLOOR_FIGURES = ["enterprises", "org_individual", "org_joint", "org_regional", "org_industry", "org_attached",
                 "org_covered", "instructor_covered", "work_covered", "uncovered", "no_org", "should_form",
                 "few_members", "no_members", "organizations", "members"]
