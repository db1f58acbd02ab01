"""The planner is never blind: bulk loaders leave their tables analyzed (PostgreSQL), and the snapshot job
refreshes statistics that are stale."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from core.dbstats import analyze, analyze_stale, stale_tables
from members.models import Member
from organizations.models import CoverageLink, Enterprise
from reports.coverage import SOURCE_MODELS

pytestmark = pytest.mark.django_db


def reltuples(model):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [model._meta.db_table])
        return cursor.fetchone()[0]


def test_on_other_engines_nothing_happens():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL analyzes")
    assert analyze([Enterprise]) == [] and analyze_stale([Enterprise]) == [] and stale_tables([Enterprise]) == []


def test_generate_synthetic_leaves_every_table_it_filled_analyzed():
    if connection.vendor != "postgresql":
        pytest.skip("statistics are PostgreSQL's")
    # tables filled by migrations alone (the work channels' three rows) may never have been analyzed, depending on
    # which tests ran before: start from analyzed tables, so what is stale afterwards is what the load filled
    analyze(SOURCE_MODELS)
    call_command("generate_synthetic", enterprises=600, seed=11, verbosity=0, stdout=io.StringIO())
    # ANALYZE counted the rows: the planner sizes the tables as they are, not as empty
    assert reltuples(Enterprise) == Enterprise.objects.count() == 600
    assert reltuples(Member) == Member.objects.count() > 0
    assert reltuples(CoverageLink) == CoverageLink.objects.count() > 0
    assert stale_tables(SOURCE_MODELS) == []


def test_analyze_names_the_tables_and_their_history_tables():
    if connection.vendor != "postgresql":
        pytest.skip("statistics are PostgreSQL's")
    assert analyze([Enterprise]) == ["organizations_enterprise", "organizations_historicalenterprise"]
