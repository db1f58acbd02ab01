"""The report definitions shipped with the portal (their columns live in reports/definitions.py).

Definitions added later in code are also created by the post_migrate hook in reports.apps, so a new report
needs no data migration; this one records the first set explicitly.
"""

from django.db import migrations

DEFINITIONS = [
    # code, title, period type, column schema version
    ("nonpublic_enterprises", "非公有经济控制的企业法人单位建立党的基层组织情况", "yearly", 1),
    ("instructor_roster", "党建工作指导员及选派情况", "quarterly", 1),
    ("demonstration_sites", "党建工作示范点情况", "yearly", 1),
    ("coverage_trend", "党的组织覆盖和工作覆盖趋势", "monthly", 1),
]


def seed(apps, schema_editor):
    ReportDefinition = apps.get_model("reports", "ReportDefinition")
    for code, title, period_type, schema_version in DEFINITIONS:
        ReportDefinition.objects.get_or_create(
            code=code, defaults={"title": title, "period_type": period_type, "schema_version": schema_version})


def deactivate(apps, schema_editor):
    # No hard deletes: runs point to these rows. Going back only stops offering them.
    apps.get_model("reports", "ReportDefinition").objects.filter(
        code__in=[d[0] for d in DEFINITIONS]).update(active=False)


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_report_definitions_and_runs")]

    operations = [migrations.RunPython(seed, deactivate)]
