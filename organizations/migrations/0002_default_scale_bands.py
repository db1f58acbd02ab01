from django.db import migrations

# Default bands by employees (industrial enterprises, NBS classification simplified to headcount);
# editable in the admin afterwards.
DEFAULT_BANDS = [("micro", 0), ("small", 20), ("medium", 300), ("large", 1000)]


def add_bands(apps, schema_editor):
    ScaleBand = apps.get_model("organizations", "ScaleBand")
    for scale, minimum in DEFAULT_BANDS:
        ScaleBand.objects.get_or_create(scale=scale, defaults={"min_employees": minimum})


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]
    operations = [migrations.RunPython(add_bands, migrations.RunPython.noop)]
