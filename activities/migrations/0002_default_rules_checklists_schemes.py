"""Defaults: frequency rules (the organizational-life rules for branches), the "five ones" checklist, and the
star-rating and 双强六好 assessment schemes. Idempotent (get_or_create); operators may change them later."""

from django.db import migrations

FREQUENCY_RULES = [
    ("general_meeting", "quarter", 1),
    ("committee_meeting", "month", 1),
    ("group_meeting", "month", 1),
    ("party_lecture", "quarter", 1),
    ("theme_day", "month", 1),
    ("life_meeting", "year", 1),
    ("democratic_appraisal", "year", 1),
]

# Names are data in the portal's working language (Chinese), as the official documents spell them.
CHECKLISTS = {
    ("five_ones", "五个一"): [
        ("activity_room", "一个活动室"),
        ("bulletin_board", "一个公示栏"),
        ("signboard", "一块标识牌"),
        ("party_flag", "一面党旗"),
        ("rules", "一套制度"),
    ],
}

SCHEMES = {
    ("star_rating", "星级评定", "按组织建设、队伍建设、活动开展、制度落实、作用发挥五个方面评定一至五星。"): [
        ("organization", "组织建设"),
        ("team", "队伍建设"),
        ("activities", "活动开展"),
        ("rules", "制度落实"),
        ("role", "作用发挥"),
    ],
    ("two_strong_six_good", "双强六好", "党组织政治引领力强、推动发展力强；领导班子好、党员队伍好、工作机制好、"
                                      "工作业绩好、企业文化好、群众反映好。"): [
        ("political_leadership", "政治引领力强"),
        ("development", "推动发展力强"),
        ("leadership_team", "领导班子好"),
        ("members", "党员队伍好"),
        ("mechanism", "工作机制好"),
        ("performance", "工作业绩好"),
        ("culture", "企业文化好"),
        ("public_opinion", "群众反映好"),
    ],
}


def seed(apps, schema_editor):
    FrequencyRule = apps.get_model("activities", "FrequencyRule")
    Checklist = apps.get_model("activities", "Checklist")
    ChecklistItem = apps.get_model("activities", "ChecklistItem")
    AssessmentScheme = apps.get_model("activities", "AssessmentScheme")
    AssessmentAspect = apps.get_model("activities", "AssessmentAspect")
    for kind, period, min_count in FREQUENCY_RULES:
        FrequencyRule.objects.get_or_create(kind=kind, defaults={"period": period, "min_count": min_count})
    for (code, name), items in CHECKLISTS.items():
        checklist, _ = Checklist.objects.get_or_create(code=code, defaults={"name": name})
        for order, (item_code, item_name) in enumerate(items, start=1):
            ChecklistItem.objects.get_or_create(checklist=checklist, code=item_code,
                                                defaults={"name": item_name, "order": order})
    for (code, name, description), aspects in SCHEMES.items():
        scheme, _ = AssessmentScheme.objects.get_or_create(code=code, defaults={"name": name,
                                                                                "description": description})
        for order, (aspect_code, aspect_name) in enumerate(aspects, start=1):
            AssessmentAspect.objects.get_or_create(scheme=scheme, code=aspect_code,
                                                   defaults={"name": aspect_name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
