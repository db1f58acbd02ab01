"""Figures per region for secretaries (书记队伍), leadership bodies and two-way entry (双向进入、交叉任职).

Set-based: each figure is one grouped query over the region's subtree (`path LIKE 'prefix%'`), read
through `visible_to(user)`; rates are sums over sums (DHIS2), never averages of children's rates.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf, Substr

from .models import (CoverageLink, EnterprisePost, PartyOrganization, Secretary, SecretaryAppointment,
                     SecretarySource, SecretaryTraining)

NO_SECRETARY = "none"


def rate(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def active_organizations(queryset, day):
    return queryset.filter(established_on__lte=day).filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))


def annotate_secretary_source(queryset, day):
    """`current_secretary_source`: the source of the secretary serving on `day`, else the organization's own
    free-text source, else "none"."""
    current = (SecretaryAppointment.objects.filter(organization=OuterRef("pk"), role=SecretaryAppointment.Role.SECRETARY,
                                                   appointed_on__lte=day)
               .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day)).order_by("-appointed_on")
               .values("secretary__source")[:1])
    return queryset.annotate(current_secretary_source=Coalesce(Subquery(current), NullIf("secretary_source", Value("")),
                                                               Value(NO_SECRETARY)))


def secretary_figures(user, region, day: datetime.date):
    """Active organizations by their secretary's source, and secretaries trained in `day`'s year."""
    orgs = active_organizations(PartyOrganization.objects.visible_to(user).filter(region__path__startswith=region.path),
                                day)
    counts = {row["current_secretary_source"]: row["n"] for row in annotate_secretary_source(orgs, day).order_by()
              .values("current_secretary_source").annotate(n=Count("pk"))}
    labels = dict(SecretarySource.choices)
    by_source = [{"source": key, "label": labels[key], "count": counts.get(key, 0)} for key in SecretarySource.values]
    by_source.append({"source": NO_SECRETARY, "label": None, "count": counts.get(NO_SECRETARY, 0)})
    year = day.year
    trainings = SecretaryTraining.objects.visible_to(user).filter(secretary__region__path__startswith=region.path,
                                                                 held_on__year=year)
    trained = trainings.order_by().aggregate(people=Count("secretary", distinct=True), hours=Sum("hours"),
                                             sessions=Count("pk"))
    serving = (SecretaryAppointment.objects.visible_to(user).filter(organization__region__path__startswith=region.path,
                                                                    appointed_on__lte=day)
               .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day)))
    return {
        "region": region.code, "as_of": day.isoformat(), "year": year,
        "organizations": sum(counts.values()),
        "by_source": by_source,
        "secretaries_serving": serving.filter(role=SecretaryAppointment.Role.SECRETARY).values("secretary").distinct().count(),
        "deputies_serving": serving.filter(role=SecretaryAppointment.Role.DEPUTY).values("secretary").distinct().count(),
        "trained_this_year": trained["people"] or 0,
        "training_sessions": trained["sessions"] or 0,
        "training_hours": trained["hours"] or Decimal("0"),
        "secretaries": Secretary.objects.visible_to(user).filter(region__path__startswith=region.path).count(),
    }


def annotate_body_counts(queryset, day):
    """Per leadership body: active organizations it supervises, enterprises they cover on `day` (each
    once), and party members in the register of those organizations on `day`."""
    orgs = (active_organizations(PartyOrganization.objects.filter(supervising_body=OuterRef("pk")), day).order_by()
            .annotate(g=Value(1)).values("g").annotate(n=Count("pk")).values("n"))
    links = (CoverageLink.objects.active_on(day).filter(organization__supervising_body=OuterRef("pk")).order_by()
             .annotate(g=Value(1)).values("g").annotate(n=Count("enterprise", distinct=True)).values("n"))
    member_model = apps.get_model("members", "Member")  # a higher app, read at run time (layers: docs/architecture.md)
    members = (member_model.objects.active_on(day).filter(organization__supervising_body=OuterRef("pk")).order_by()
               .annotate(g=Value(1)).values("g").annotate(n=Count("pk")).values("n"))
    return queryset.annotate(
        organization_count=Coalesce(Subquery(orgs, output_field=IntegerField()), 0),
        enterprise_count=Coalesce(Subquery(links, output_field=IntegerField()), 0),
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0),
    )


def active_posts(queryset, day):
    return queryset.filter(Q(started_on__isnull=True) | Q(started_on__lte=day)).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def post_counts(queryset):
    """Counts of posts by level and membership over a queryset of posts (one grouped query)."""
    rows = queryset.order_by().values("level", "is_member").annotate(n=Count("pk"),
                                                                      cross=Count("pk", filter=Q(on_party_committee=True)))
    out = {"management": 0, "management_members": 0, "backbone": 0, "backbone_members": 0, "cross_appointed": 0}
    for row in rows:
        out[row["level"]] += row["n"]
        if row["is_member"]:
            out[f"{row['level']}_members"] += row["n"]
        out["cross_appointed"] += row["cross"]
    out["management_member_rate"] = rate(out["management_members"], out["management"])
    out["backbone_member_rate"] = rate(out["backbone_members"], out["backbone"])
    return out


def two_way_figures(user, region, day):
    """Members among management and backbone posts in the region, per child region, and the 双培双推 tracks."""
    from .models import DualTraining, Region  # noqa: PLC0415

    posts = active_posts(EnterprisePost.objects.visible_to(user), day)
    figures = post_counts(posts.filter(enterprise__region__path__startswith=region.path))
    figures["enterprises_with_posts"] = (posts.filter(enterprise__region__path__startswith=region.path)
                                         .values("enterprise").distinct().count())
    # Per child region in one grouped query: the child is the first depth+1 steps of the enterprise's path.
    width = len(region.path) + Region.steplen
    grouped = {}
    for row in (posts.filter(enterprise__region__path__startswith=region.path, enterprise__region__depth__gt=region.depth)
                .order_by().annotate(child_path=Substr("enterprise__region__path", 1, width))
                .values("child_path", "level", "is_member").annotate(n=Count("pk"))):
        counts = grouped.setdefault(row["child_path"], {"management": 0, "management_members": 0, "backbone": 0,
                                                        "backbone_members": 0})
        counts[row["level"]] += row["n"]
        if row["is_member"]:
            counts[f"{row['level']}_members"] += row["n"]
    children = []
    for child in Region.objects.visible_to(user).filter(path__startswith=region.path, depth=region.depth + 1):
        counts = grouped.get(child.path, {"management": 0, "management_members": 0, "backbone": 0,
                                          "backbone_members": 0})
        children.append({"region": child, **counts,
                         "management_member_rate": rate(counts["management_members"], counts["management"])})
    trainings = (DualTraining.objects.visible_to(user).filter(enterprise__region__path__startswith=region.path)
                 .order_by().values("track", "outcome").annotate(n=Count("pk")))
    tracks = {track: {outcome: 0 for outcome in DualTraining.Outcome.values} for track in DualTraining.Track.values}
    for row in trainings:
        tracks[row["track"]][row["outcome"]] = row["n"]
    figures.update({"region": region.code, "as_of": day.isoformat(), "children": children, "dual_training": tracks})
    return figures


def annotate_enterprise_posts(queryset, day):
    """Per enterprise: management posts, those held by members, and the share."""
    base = active_posts(EnterprisePost.objects.filter(enterprise=OuterRef("pk"), level=EnterprisePost.Level.MANAGEMENT),
                        day).order_by().annotate(g=Value(1)).values("g")
    total = base.annotate(n=Count("pk")).values("n")
    members = base.filter(is_member=True).annotate(n=Count("pk")).values("n")
    return queryset.annotate(management_posts=Coalesce(Subquery(total, output_field=IntegerField()), 0),
                             management_members=Coalesce(Subquery(members, output_field=IntegerField()), 0))
