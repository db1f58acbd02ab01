"""Today's register becomes dated facts: entry events carry the employer the member has now (nothing earlier
is known), and every member's spans are replayed from the events, so every figure for today is unchanged."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

ADDITIONS = ["admitted", "readmitted", "restored", "restored_after_suspension", "transferred_in",
             "transferred_in_unit"]


def forwards(apps, schema_editor):
    from members.spans import rebuild

    Member = apps.get_model("members", "Member")
    MemberEvent = apps.get_model("members", "MemberEvent")
    MemberEvent.objects.filter(kind__in=ADDITIONS, employer__isnull=True).update(
        employer_id=Subquery(Member.objects.filter(pk=OuterRef("member_id")).values("employer_id")[:1]))
    rebuild(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("members", "0004_register_through_time")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
