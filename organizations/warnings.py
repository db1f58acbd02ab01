"""Formation rules as data-quality warnings (DESIGN.md): each a queryset, so each count is its own list.

Members are read through the app registry at run time (members sits above organizations); the counts
use active members on the day, and only full members count towards the thresholds.
"""

from django.apps import apps
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .models import CoverageLink, FormationMode, OrganizationKind

SHOULD_FORM_MIN_FULL = 3
BRANCH_MAX = 50
COMMITTEE_MIN_FULL = 7
GRASSROOTS_COMMITTEE_ABOVE = 100
JOINT_MAX_UNITS = 5


def _members(day):
    """Members in the register on `day`, with the organization and employer they had then (members.MemberSpan)."""
    return apps.get_model("members", "MemberSpan").objects.active_on(day)


def _count(queryset, key):
    rows = queryset.filter(**{key: OuterRef("pk")}).order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def enterprises_should_form(queryset, day):
    """≥ 3 full members employed there and no individually formed organization of its own."""
    own = CoverageLink.objects.active_on(day).filter(organization__formation_mode=FormationMode.INDIVIDUAL)
    return (queryset.annotate(full_employed=_count(_members(day).full_on(day), "employer"))
            .filter(full_employed__gte=SHOULD_FORM_MIN_FULL).exclude(pk__in=own.values("enterprise_id")))


def _active_orgs(queryset, day):
    members = _members(day)
    return (queryset.filter(Q(established_on__lte=day), Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))
            .annotate(member_count=_count(members, "organization"),
                      full_count=_count(members.full_on(day), "organization")))


def organizations_branch_too_large(queryset, day):
    return _active_orgs(queryset, day).filter(kind=OrganizationKind.BRANCH, member_count__gt=BRANCH_MAX)


def organizations_kind_mismatch(queryset, day):
    """Committees with fewer than 7 full members; branches with fewer than 3; non-committees above 100."""
    return _active_orgs(queryset, day).filter(
        Q(kind=OrganizationKind.COMMITTEE, full_count__lt=COMMITTEE_MIN_FULL)
        | Q(kind__in=[OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH], full_count__lt=SHOULD_FORM_MIN_FULL)
        | (~Q(kind=OrganizationKind.COMMITTEE) & Q(member_count__gt=GRASSROOTS_COMMITTEE_ABOVE))
    )


def organizations_joint_units(queryset, day, *, too_many=True):
    units = _count(CoverageLink.objects.active_on(day), "organization")
    queryset = queryset.filter(formation_mode=FormationMode.JOINT, dissolved_on__isnull=True).annotate(units=units)
    return queryset.filter(units__gt=JOINT_MAX_UNITS) if too_many else queryset.filter(units__lt=2)


def orphan_links(queryset, day):
    """Links still open past their organization's dissolution or their enterprise's closure."""
    return queryset.filter(
        (Q(organization__dissolved_on__isnull=False) & (Q(valid_to__isnull=True) | Q(valid_to__gt=F("organization__dissolved_on"))))
        | (Q(enterprise__closed_on__isnull=False) & (Q(valid_to__isnull=True) | Q(valid_to__gt=F("enterprise__closed_on"))))
    )


ENTERPRISE_WARNINGS = {
    "should_form": (_("Should form its own organization (≥ 3 full members, none of its own)"), enterprises_should_form),
}
ORGANIZATION_WARNINGS = {
    "branch_over_50": (_("Branches above 50 members (consider a general branch)"), organizations_branch_too_large),
    "kind_mismatch": (_("Kind does not fit the member count"), organizations_kind_mismatch),
    "joint_over_5": (_("Joint branches covering more than 5 enterprises"),
                     lambda qs, day: organizations_joint_units(qs, day, too_many=True)),
    "joint_under_2": (_("Joint branches covering fewer than 2 enterprises"),
                      lambda qs, day: organizations_joint_units(qs, day, too_many=False)),
}
LINK_WARNINGS = {
    "orphan": (_("Links open after their organization was dissolved or their enterprise closed"), orphan_links),
}
