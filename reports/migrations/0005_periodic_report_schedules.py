"""Celery beat: build the periodic reports for each root region when their period has just ended.

Monthly reports on the 1st of each month at 03:00, quarterly ones on the 1st of January, April, July and
October at 03:30, yearly ones on the 1st of January at 04:00 (portal time zone), after the nightly
coverage snapshots (02:00). The task (reports.build_periodic_reports) picks the active definitions of
that period type and the period that has just ended.
"""

import json

from django.conf import settings
from django.db import migrations

SCHEDULES = [
    # name, period type, minute, hour, day of month, months
    ("Monthly reports", "monthly", "0", "3", "1", "*"),
    ("Quarterly reports", "quarterly", "30", "3", "1", "1,4,7,10"),
    ("Yearly reports", "yearly", "0", "4", "1", "1"),
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, period_type, minute, hour, day, months in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month=day, month_of_year=months,
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={"task": "reports.build_periodic_reports", "crontab": crontab, "enabled": True,
                      "kwargs": json.dumps({"period_type": period_type})},
        )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_seed_report_definitions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
