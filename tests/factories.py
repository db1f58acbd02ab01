"""Factories for the organizations core, shared by every app's tests."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from stdnum.cn import uscc as stdnum_uscc

from organizations.models import CoverageLink, Enterprise, FormationMode, OrganizationKind, PartyOrganization, Region

_counter = itertools.count(1)


def make_uscc(n: int | None = None) -> str:
    """A valid 18-character USCC, distinct for each n."""
    n = next(_counter) if n is None else n
    body = f"91430000{n:09d}"
    body = body.replace("I", "1")
    return body + stdnum_uscc.calc_check_digit(body)


def make_region(code, name=None, kind=Region.Kind.COUNTY, parent=None, **kw):
    fields = {"code": code, "name": name or f"Region {code}", "kind": kind, **kw}
    return Region.objects.add_child(parent, fields) if parent is not None else Region.objects.add_root(fields)


def make_organization(code, region, *, kind=OrganizationKind.BRANCH, mode=FormationMode.INDIVIDUAL,
                      established_on=datetime.date(2020, 1, 1), parent=None, name=None, **kw):
    fields = {"code": code, "name": name or f"Org {code}", "kind": kind, "formation_mode": mode,
              "region": region, "established_on": established_on, **kw}
    if parent is not None:
        return PartyOrganization.objects.add_child(parent, fields)
    return PartyOrganization.objects.add_root(fields)


def cover(organization, enterprise, valid_from=None, valid_to=None):
    return CoverageLink.objects.create(
        organization=organization, enterprise=enterprise,
        valid_from=valid_from or organization.established_on, valid_to=valid_to,
    )


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    uscc = factory.LazyFunction(make_uscc)
    name = factory.Sequence(lambda n: f"企业{n}有限公司")
    employees = 30
    founded_on = datetime.date(2015, 1, 1)


def make_user(role, *, region=None, organization=None, instructor=None, username=None, password="Pass-word-123",
              **kw):
    User = get_user_model()
    username = username or f"{role}-{next(_counter)}"
    user = User(username=username, role=role, scope_region=region, scope_organization=organization,
                scope_instructor=instructor, **kw)
    user.set_password(password)
    user.save()
    return user
