"""Demo organization life for `seed_demo`: this year's accepted records for most organizations (a few miss
some, so the compliance page has something to show), attendance at general meetings, and a draft, a
submitted and a returned record for the demo secretary's organization."""

import datetime

from django.utils import timezone

from members.models import Member

from .models import ActivityKind, ActivityRecord, Attendance

MONTHLY = [ActivityKind.COMMITTEE_MEETING, ActivityKind.GROUP_MEETING, ActivityKind.THEME_DAY]
QUARTERLY = [ActivityKind.GENERAL_MEETING, ActivityKind.PARTY_LECTURE]
YEARLY = [ActivityKind.LIFE_MEETING, ActivityKind.DEMOCRATIC_APPRAISAL]
TOPICS = {
    ActivityKind.COMMITTEE_MEETING: "研究本月党建和生产经营重点工作",
    ActivityKind.GROUP_MEETING: "学习党的创新理论",
    ActivityKind.THEME_DAY: "“党员先锋岗”志愿服务",
    ActivityKind.GENERAL_MEETING: "通报支部工作、讨论发展党员",
    ActivityKind.PARTY_LECTURE: "书记讲党课：党建引领企业高质量发展",
    ActivityKind.LIFE_MEETING: "年度组织生活会",
    ActivityKind.DEMOCRATIC_APPRAISAL: "年度民主评议党员",
}


def seed_activities(rng, organizations, secretary_org=None):
    today = timezone.localdate()
    now = timezone.now()
    records = []
    for index, organization in enumerate(organizations):
        if index % 7 == 3:
            continue  # an organization that files nothing at all
        for month in range(1, today.month):
            held = lambda day: max(datetime.date(today.year, month, day), organization.established_on)  # noqa: E731
            kinds = list(MONTHLY)
            if month % 3 == 2:
                kinds += QUARTERLY
            if month == 1:
                kinds += YEARLY
            for kind in kinds:
                if rng.random() < 0.08:
                    continue  # the occasional missed meeting
                records.append(ActivityRecord(organization=organization, kind=kind, held_on=held(rng.randint(5, 25)),
                                              place="党员活动室", topic=TOPICS[kind], host="书记", recorder="组织委员",
                                              status=ActivityRecord.Status.ACCEPTED, submitted_at=now, decided_at=now))
    ActivityRecord.objects.bulk_create(records, batch_size=2000)
    members = {}
    for member in Member.objects.filter(left_on__isnull=True).only("pk", "organization_id"):
        members.setdefault(member.organization_id, []).append(member.pk)
    attendance = [Attendance(record=record, member_id=pk, present=(i % 6 != 5),
                             absence_reason="" if i % 6 != 5 else "出差")
                  for record in ActivityRecord.objects.filter(kind=ActivityKind.GENERAL_MEETING)
                  for i, pk in enumerate(members.get(record.organization_id, []))]
    Attendance.objects.bulk_create(attendance, batch_size=2000)
    if secretary_org is not None:
        day = today.replace(day=1)
        ActivityRecord.objects.create(organization=secretary_org, kind=ActivityKind.COMMITTEE_MEETING, held_on=day,
                                      topic="研究年底党员发展计划", status=ActivityRecord.Status.SUBMITTED,
                                      submitted_at=now)
        returned = ActivityRecord.objects.create(organization=secretary_org, kind=ActivityKind.THEME_DAY, held_on=day,
                                                 topic="主题党日", status=ActivityRecord.Status.RETURNED,
                                                 submitted_at=now, decided_at=now)
        ActivityRecord.objects.filter(pk=returned.pk).update(return_reason="请补充活动内容和出席情况。")
        ActivityRecord.objects.create(organization=secretary_org, kind=ActivityKind.PARTY_LECTURE, held_on=today,
                                      topic="党课（草稿）")
    return len(records)
