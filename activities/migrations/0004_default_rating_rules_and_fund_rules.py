"""Defaults as data: the rating rules of every scheme (thresholds of aspects met → rating, level), the 评星定格
scheme with its ten aspects (seed 004: 政治坚定、爱岗敬业 … 10 个方面) and the "five ones" as a scheme, and
the fiscal allocation rules (seed 000: a base by enterprise scale, e.g. 50 000 yuan a year for a small
enterprise, plus an amount per member). Idempotent; operators change them in the admin afterwards."""

from decimal import Decimal

from django.db import migrations

NEW_SCHEMES = {
    ("star_grading", "评星定格", "党员围绕政治坚定、爱岗敬业等十个方面评星定格，达到的方面越多星级越高。"): [
        ("political_firmness", "政治坚定"),
        ("dedication", "爱岗敬业"),
        ("learning", "学习进取"),
        ("discipline", "遵章守纪"),
        ("skill", "业务过硬"),
        ("innovation", "创新创效"),
        ("service", "服务群众"),
        ("unity", "团结协作"),
        ("integrity", "廉洁自律"),
        ("contribution", "奉献社会"),
    ],
    ("five_ones", "五个一", "非公企业党建“五个一”基本要求：一个党员活动室、一个党员公示栏、一块党组织标识牌、"
                          "一面党旗、一套制度。"): [
        ("activity_room", "一个党员活动室"),
        ("bulletin_board", "一个党员公示栏"),
        ("signboard", "一块党组织标识牌"),
        ("party_flag", "一面党旗"),
        ("rules", "一套制度"),
    ],
}

# (min aspects met, rating, level) per scheme code.
RULES = {
    "star_rating": [(0, "未评星", 0), (1, "★", 1), (2, "★★", 2), (3, "★★★", 3), (4, "★★★★", 4),
                    (5, "★★★★★", 5)],
    "star_grading": [(0, "未定星", 0), (2, "一星", 1), (4, "二星", 2), (6, "三星", 3), (8, "四星", 4),
                     (10, "五星", 5)],
    "two_strong_six_good": [(0, "未达标", 0), (8, "达标", 1)],
    "five_ones": [(0, "未达标", 0), (5, "达标", 1)],
}

FUND_RULES = [
    ("scale", "micro", Decimal("10000"), 2020),
    ("scale", "small", Decimal("50000"), 2020),
    ("scale", "medium", Decimal("80000"), 2020),
    ("scale", "large", Decimal("100000"), 2020),
    ("member", "", Decimal("500"), 2020),
]


def seed(apps, schema_editor):
    Scheme = apps.get_model("activities", "AssessmentScheme")
    Aspect = apps.get_model("activities", "AssessmentAspect")
    Rule = apps.get_model("activities", "AssessmentRatingRule")
    Result = apps.get_model("activities", "AssessmentResult")
    FundRule = apps.get_model("activities", "FundAllocationRule")
    for (code, name, description), aspects in NEW_SCHEMES.items():
        scheme, _ = Scheme.objects.get_or_create(code=code, defaults={"name": name, "description": description})
        for order, (aspect_code, aspect_name) in enumerate(aspects, start=1):
            Aspect.objects.get_or_create(scheme=scheme, code=aspect_code, defaults={"name": aspect_name,
                                                                                   "order": order})
    for code, rules in RULES.items():
        scheme = Scheme.objects.filter(code=code).first()
        if scheme is None:
            continue
        for min_met, rating, level in rules:
            Rule.objects.get_or_create(scheme=scheme, min_aspects_met=min_met,
                                       defaults={"rating": rating, "level": level})
        for rule in Rule.objects.filter(scheme=scheme):
            Result.objects.filter(scheme=scheme, rating=rule.rating).update(level=rule.level)
    for basis, scale, amount, year in FUND_RULES:
        FundRule.objects.get_or_create(basis=basis, scale=scale, from_year=year, defaults={"amount_yuan": amount})


class Migration(migrations.Migration):
    dependencies = [("activities", "0003_funds_pairing_rating_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
