from django.db import migrations

DEFAULT_TYPES = [
    ("party_building", "党建工作指导员"),
    ("scientific_development", "科学发展指导员"),
    ("liaison", "联络员"),
    ("first_secretary", "第一书记"),
]


def add_types(apps, schema_editor):
    InstructorType = apps.get_model("instructors", "InstructorType")
    for code, name in DEFAULT_TYPES:
        InstructorType.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("instructors", "0001_initial")]
    operations = [migrations.RunPython(add_types, migrations.RunPython.noop)]
