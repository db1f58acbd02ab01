"""The default dues table (DESIGN.md): configurable afterwards on the dues band page and in the admin."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    ("working", "3000", "0.5", None),
    ("working", "5000", "1.0", None),
    ("working", "10000", "1.5", None),
    ("working", None, "2.0", None),
    ("retired", "5000", "0.5", None),
    ("retired", None, "1.0", None),
    ("flat", None, None, "0.20"),
]


def seed(apps, schema_editor):
    DuesBand = apps.get_model("members", "DuesBand")
    if DuesBand.objects.exists():
        return
    DuesBand.objects.bulk_create([
        DuesBand(group=group, up_to=Decimal(up_to) if up_to else None,
                 rate_percent=Decimal(rate) if rate else None, amount=Decimal(amount) if amount else None)
        for group, up_to, rate, amount in DEFAULTS
    ])


class Migration(migrations.Migration):
    dependencies = [("members", "0002_lifecycle")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
