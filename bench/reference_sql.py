"""ONE hand-written SQL statement computing the coverage figures of every region of a subtree.

Written independently of reports.coverage (straight from DESIGN.md) so the benchmark can both time the ORM
against it and check that the two agree.
"""

REFERENCE_SQL = r"""
WITH
subtree AS (
    SELECT id, path, depth FROM organizations_region WHERE path LIKE %(root)s || '%%'
),
ent AS (
    SELECT e.id, e.region_id
    FROM organizations_enterprise e JOIN subtree r ON r.id = e.region_id
    WHERE (e.founded_on IS NULL OR e.founded_on <= %(day)s) AND (e.closed_on IS NULL OR e.closed_on > %(day)s)
),
active_org AS (
    SELECT id, region_id, kind, formation_mode FROM organizations_partyorganization
    WHERE established_on <= %(day)s AND (dissolved_on IS NULL OR dissolved_on > %(day)s)
),
link_rank AS (
    SELECT l.enterprise_id,
           MIN(CASE o.formation_mode WHEN 'individual' THEN 1 WHEN 'joint' THEN 2 WHEN 'regional' THEN 3
                                     WHEN 'industry' THEN 4 WHEN 'attached' THEN 5 END) AS rank
    FROM organizations_coveragelink l JOIN active_org o ON o.id = l.organization_id
    WHERE l.valid_from <= %(day)s AND (l.valid_to IS NULL OR l.valid_to > %(day)s)
    GROUP BY l.enterprise_id
),
reach AS (
    SELECT DISTINCT a.enterprise_id
    FROM instructors_assignment a
    JOIN instructors_instructor i ON i.id = a.instructor_id
    JOIN instructors_instructortype t ON t.id = i.type_id AND t.counts_for_work_coverage
    WHERE a.start_on <= %(day)s AND (a.end_on IS NULL OR a.end_on > %(day)s)
),
employed AS (
    SELECT employer_id, COUNT(*) FILTER (WHERE full_on IS NOT NULL AND full_on <= %(day)s) AS full
    FROM members_memberspan
    WHERE employer_id IS NOT NULL AND start_on <= %(day)s AND (end_on IS NULL OR end_on > %(day)s)
    GROUP BY employer_id
),
facts AS (
    SELECT ent.region_id, COALESCE(lr.rank, 0) AS rank, (rc.enterprise_id IS NOT NULL) AS reach,
           CASE WHEN m.employer_id IS NULL THEN 0 WHEN m.full >= 3 THEN 2 ELSE 1 END AS mclass
    FROM ent
    LEFT JOIN link_rank lr ON lr.enterprise_id = ent.id
    LEFT JOIN reach rc ON rc.enterprise_id = ent.id
    LEFT JOIN employed m ON m.employer_id = ent.id
),
own_ent AS (
    SELECT region_id,
           COUNT(*) AS enterprises,
           COUNT(*) FILTER (WHERE rank = 1) AS org_individual,
           COUNT(*) FILTER (WHERE rank = 2) AS org_joint,
           COUNT(*) FILTER (WHERE rank = 3) AS org_regional,
           COUNT(*) FILTER (WHERE rank = 4) AS org_industry,
           COUNT(*) FILTER (WHERE rank = 5) AS org_attached,
           COUNT(*) FILTER (WHERE rank > 0) AS org_covered,
           COUNT(*) FILTER (WHERE rank = 0 AND reach) AS instructor_covered,
           COUNT(*) FILTER (WHERE rank > 0 OR reach) AS work_covered,
           COUNT(*) FILTER (WHERE rank = 0 AND NOT reach) AS uncovered,
           COUNT(*) FILTER (WHERE rank = 0) AS no_org,
           COUNT(*) FILTER (WHERE rank = 0 AND mclass = 2) AS should_form,
           COUNT(*) FILTER (WHERE rank = 0 AND mclass = 1) AS few_members,
           COUNT(*) FILTER (WHERE rank = 0 AND mclass = 0) AS no_members
    FROM facts GROUP BY region_id
),
own_org AS (
    SELECT o.region_id, COUNT(*) AS organizations FROM active_org o JOIN subtree r ON r.id = o.region_id
    GROUP BY o.region_id
),
own_mem AS (
    SELECT o.region_id, COUNT(*) AS members
    FROM members_memberspan mm JOIN active_org o ON o.id = mm.organization_id JOIN subtree r ON r.id = o.region_id
    WHERE mm.start_on <= %(day)s AND (mm.end_on IS NULL OR mm.end_on > %(day)s)
    GROUP BY o.region_id
),
own_site AS (
    SELECT s.region_id, COUNT(*) AS demonstration_sites
    FROM instructors_demonstrationsite s JOIN subtree r ON r.id = s.region_id
    WHERE s.designated_on <= %(day)s AND (s.revoked_on IS NULL OR s.revoked_on > %(day)s)
    GROUP BY s.region_id
),
own AS (
    SELECT r.id AS region_id,
           COALESCE(e.enterprises, 0) AS enterprises, COALESCE(e.org_individual, 0) AS org_individual,
           COALESCE(e.org_joint, 0) AS org_joint, COALESCE(e.org_regional, 0) AS org_regional,
           COALESCE(e.org_industry, 0) AS org_industry, COALESCE(e.org_attached, 0) AS org_attached,
           COALESCE(e.org_covered, 0) AS org_covered, COALESCE(e.instructor_covered, 0) AS instructor_covered,
           COALESCE(e.work_covered, 0) AS work_covered, COALESCE(e.uncovered, 0) AS uncovered,
           COALESCE(e.no_org, 0) AS no_org, COALESCE(e.should_form, 0) AS should_form,
           COALESCE(e.few_members, 0) AS few_members, COALESCE(e.no_members, 0) AS no_members,
           COALESCE(o.organizations, 0) AS organizations, COALESCE(m.members, 0) AS members,
           COALESCE(s.demonstration_sites, 0) AS demonstration_sites
    FROM subtree r
    LEFT JOIN own_ent e ON e.region_id = r.id LEFT JOIN own_org o ON o.region_id = r.id
    LEFT JOIN own_mem m ON m.region_id = r.id LEFT JOIN own_site s ON s.region_id = r.id
),
rolled AS (
    SELECT anc.id AS region_id,
           SUM(own.enterprises) AS enterprises, SUM(own.org_individual) AS org_individual,
           SUM(own.org_joint) AS org_joint, SUM(own.org_regional) AS org_regional,
           SUM(own.org_industry) AS org_industry, SUM(own.org_attached) AS org_attached,
           SUM(own.org_covered) AS org_covered, SUM(own.instructor_covered) AS instructor_covered,
           SUM(own.work_covered) AS work_covered, SUM(own.uncovered) AS uncovered, SUM(own.no_org) AS no_org,
           SUM(own.should_form) AS should_form, SUM(own.few_members) AS few_members,
           SUM(own.no_members) AS no_members, SUM(own.organizations) AS organizations,
           SUM(own.members) AS members, SUM(own.demonstration_sites) AS demonstration_sites
    FROM subtree anc
    JOIN subtree r ON r.path LIKE anc.path || '%%'
    JOIN own ON own.region_id = r.id
    GROUP BY anc.id
),
instr AS (
    SELECT anc.id AS region_id, COUNT(DISTINCT a.instructor_id) AS instructors
    FROM instructors_assignment a
    JOIN organizations_enterprise e ON e.id = a.enterprise_id
    JOIN subtree r ON r.id = e.region_id
    JOIN subtree anc ON anc.path = SUBSTRING(r.path FROM 1 FOR LENGTH(anc.path))
    WHERE a.start_on <= %(day)s AND (a.end_on IS NULL OR a.end_on > %(day)s)
    GROUP BY anc.id
)
SELECT reg.code, rolled.*, COALESCE(instr.instructors, 0) AS instructors
FROM rolled JOIN organizations_region reg ON reg.id = rolled.region_id
LEFT JOIN instr ON instr.region_id = rolled.region_id
ORDER BY reg.path
"""
