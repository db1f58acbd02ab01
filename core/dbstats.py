"""Planner statistics after bulk writes (PostgreSQL only; a no-op on other engines).

A bulk load (COPY, `bulk_create`, an import of thousands of rows) leaves PostgreSQL's statistics describing
the tables as they were before. With autovacuum off, or before its next round, the planner then sizes a
100 000-row table as empty and picks nested loops: the coverage computation right after
`generate_synthetic` ran 3–5× slower than after `ANALYZE` (docs/performance.md). So every bulk loader ends
with `analyze(models)`, and the snapshot job calls `analyze_stale(models)` first, which costs one catalogue
query when the statistics are current.
"""

import logging

from django.db import connection

logger = logging.getLogger(__name__)

# A table's statistics are stale when it was never analyzed, or when more rows changed since the last
# ANALYZE than this fraction of its size (plus a floor for small tables); autovacuum's default is 10 % + 50.
STALE_FRACTION = 0.1
STALE_MIN_ROWS = 500


def _tables(models) -> list[str]:
    """Table names of the models and of their simple-history tables (bulk loads write both)."""
    names = []
    for model in models:
        for m in (model, getattr(getattr(model, "history", None), "model", None)):
            if m is not None and m._meta.db_table not in names:
                names.append(m._meta.db_table)
    return names


def analyze(models, *, using=connection) -> list[str]:
    """ANALYZE the tables of `models` (and their history tables). Returns the tables analyzed."""
    if using.vendor != "postgresql":
        return []
    tables = _tables(models)
    with using.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {using.ops.quote_name(table)}")
    return tables


def stale_tables(models, *, using=connection) -> list[str]:
    """The tables of `models` whose statistics are missing or out of date (see STALE_FRACTION)."""
    if using.vendor != "postgresql":
        return []
    tables = _tables(models)
    with using.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.relname
              FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
             WHERE s.schemaname = current_schema() AND s.relname = ANY(%s)
               AND ((s.last_analyze IS NULL AND s.last_autoanalyze IS NULL AND pg_relation_size(c.oid) > 0)
                    OR s.n_mod_since_analyze > %s + %s * greatest(c.reltuples, 0))
            """,
            [tables, STALE_MIN_ROWS, STALE_FRACTION],
        )
        return [row[0] for row in cursor.fetchall()]


def analyze_stale(models, *, using=connection) -> list[str]:
    """ANALYZE those tables of `models` whose statistics are stale; returns them (usually none)."""
    tables = stale_tables(models, using=using)
    if tables:
        with using.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {using.ops.quote_name(table)}")
        logger.info("analyzed tables with stale statistics: %s", ", ".join(tables))
    return tables
