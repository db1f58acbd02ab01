"""The three channels DESIGN.md names, switched off; the enterprises' union and Youth League flags become dated
reaches (from founding, or 2000-01-01 when unknown, until closing) so switching a channel on has data to count."""

import datetime

from django.db import migrations

CHANNELS = [("union", "工会", 1), ("youth_league", "共青团", 2), ("liaison", "党建联络员", 3)]


def forwards(apps, schema_editor):
    WorkChannel = apps.get_model("organizations", "WorkChannel")
    ChannelReach = apps.get_model("organizations", "ChannelReach")
    Enterprise = apps.get_model("organizations", "Enterprise")
    channels = {}
    for code, name, position in CHANNELS:
        channels[code], _ = WorkChannel.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    for code, flag in (("union", "has_union"), ("youth_league", "has_youth_league")):
        rows = Enterprise.objects.filter(**{flag: True}).values_list("pk", "founded_on", "closed_on")
        ChannelReach.objects.bulk_create(
            [ChannelReach(channel=channels[code], enterprise_id=pk, valid_from=founded or datetime.date(2000, 1, 1),
                          valid_to=closed if closed and closed > (founded or datetime.date(2000, 1, 1)) else None)
             for pk, founded, closed in rows.iterator()], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("organizations", "0003_work_coverage_channels")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
