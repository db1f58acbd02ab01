"""Lost updates (issue 18.4): concurrent read-modify-writes of one object never undo each other; a page form
opened before someone else saved answers 409; transfer letters are numbered without a race."""

import datetime
import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client

import core.api
from core.api import ScopedModelViewSet
from members.models import Transfer
from organizations.models import Enterprise
from tests.conftest import api_as, require_service
from tests.members.helpers import new_member

# Ten fields of an enterprise, each PATCHed by two clients (to two different values, both unlike the start).
PATCHES = [
    ("name", lambda i: f"改名企业{i}"),
    ("address", lambda i: f"新地址{i}号"),
    ("employees", lambda i: 300 + i),
    ("founded_on", lambda i: f"2001-01-{i + 1:02d}"),
    ("industry", lambda i: "C" if i % 2 else "F"),
    ("ownership", lambda i: "private_sole" if i % 2 else "foreign_controlled"),
    ("is_above_designated_size", lambda i: True),
    ("legal_rep_is_member", lambda i: True),
    ("has_union", lambda i: True),
    ("has_youth_league", lambda i: True),
]


def _start_values(enterprise):
    Enterprise.objects.filter(pk=enterprise.pk).update(
        name="原名企业", address="", employees=10, founded_on=None, industry="", ownership="private_controlled",
        is_above_designated_size=False, legal_rep_is_member=False, has_union=False, has_youth_league=False)
    enterprise.refresh_from_db()
    return {name: getattr(enterprise, name) for name, _value in PATCHES}


def test_twenty_concurrent_patches_of_different_fields_all_stick(transactional_db, world):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    enterprise = world.ent_a
    start = _start_values(enterprise)
    barrier, errors, statuses = threading.Barrier(20), [], []

    def patch(i):
        field, value = PATCHES[i % len(PATCHES)]
        try:
            client = api_as(world.editor_a)
            barrier.wait()
            response = client.patch(f"/api/v1/enterprises/{enterprise.pk}/", {field: value(i)}, format="json")
            statuses.append(response.status_code)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=patch, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert statuses == [200] * 20
    enterprise.refresh_from_db()
    undone = [name for name, _value in PATCHES if getattr(enterprise, name) == start[name]]
    assert not undone, f"acknowledged changes undone: {undone}"
    # and no history row written after a field changed puts it back (no save from a stale copy)
    records = list(enterprise.history.order_by("history_date", "history_id"))[-20:]
    changed = set()
    for record in records:
        for name, _value in PATCHES:
            if getattr(record, name) != start[name]:
                changed.add(name)
            elif name in changed:
                pytest.fail(f"history row {record.history_id} undoes the change of {name}")


def test_the_api_reads_the_object_only_after_locking_its_row(db, world, monkeypatch):
    """Deterministic: PATCH locks the row (SELECT … FOR UPDATE) inside its transaction, then reads the object,
    so what it modifies is never a copy read before another writer committed."""
    order = []
    real_lock, real_get_object = core.api.lock_row, ScopedModelViewSet.get_object

    def lock_row(model, pk):
        assert connection.in_atomic_block
        order.append(("lock", model, int(pk)))
        return real_lock(model, pk)

    def get_object(self):
        order.append(("read", connection.in_atomic_block))
        return real_get_object(self)

    monkeypatch.setattr(core.api, "lock_row", lock_row)
    monkeypatch.setattr(ScopedModelViewSet, "get_object", get_object)
    response = api_as(world.editor_a).patch(f"/api/v1/enterprises/{world.ent_a.pk}/", {"address": "新地址"},
                                            format="json")
    assert response.status_code == 200
    assert order == [("lock", Enterprise, world.ent_a.pk), ("read", True)]


def _version(html):
    return re.search(r'name="_row_version" value="([0-9a-f]+)"', html).group(1)


def _form_data(enterprise, **changes):
    data = {"uscc": enterprise.uscc, "name": enterprise.name, "region": enterprise.region.code,
            "ownership": enterprise.ownership, "industry": enterprise.industry,
            "employees": enterprise.employees or "", "scale": enterprise.scale, "address": enterprise.address,
            "founded_on": enterprise.founded_on.isoformat() if enterprise.founded_on else ""}
    data.update(changes)
    return data


def test_an_edit_form_opened_before_another_save_is_refused_with_409_and_keeps_the_other_change(db, world):
    enterprise = world.ent_a
    client = Client()
    client.force_login(world.editor_a)
    url = f"/organizations/enterprises/{enterprise.pk}/edit/"
    opened = _version(client.get(url).content.decode())
    stale = _form_data(enterprise, address="我在表单里改的地址", _row_version=opened)
    # someone else saves the enterprise (page or API) after the form was opened
    assert api_as(world.editor_a).patch(f"/api/v1/enterprises/{enterprise.pk}/", {"employees": 777},
                                        format="json").status_code == 200
    response = client.post(url, stale)
    assert response.status_code == 409
    assert "保存" in response.content.decode()  # the conflict is explained in Chinese
    enterprise.refresh_from_db()
    assert enterprise.employees == 777 and enterprise.address != "我在表单里改的地址"
    # the form now carries the current version: saving again (after checking) is a knowing overwrite
    again = _version(response.content.decode())
    assert again != opened
    fresh = _form_data(enterprise, address="我在表单里改的地址", _row_version=again)
    assert client.post(url, fresh).status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.address == "我在表单里改的地址" and enterprise.employees == 777


def test_an_edit_form_saved_with_an_unchanged_version_saves(db, world):
    enterprise = world.ent_a
    client = Client()
    client.force_login(world.editor_a)
    url = f"/organizations/enterprises/{enterprise.pk}/edit/"
    opened = _version(client.get(url).content.decode())
    assert client.post(url, _form_data(enterprise, address="一号路", _row_version=opened)).status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.address == "一号路"


def test_twenty_parallel_transfers_of_one_organization_get_distinct_numbers(transactional_db, world):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    members = [new_member(world.org_a) for _ in range(20)]
    barrier, errors, statuses = threading.Barrier(20), [], []

    def transfer(member):
        try:
            client = api_as(world.editor_a)
            barrier.wait()
            response = client.post("/api/v1/transfers/", {"member": member.pk, "to_external": "外省某党支部",
                                                          "issued_on": "2026-03-01"}, format="json")
            statuses.append((response.status_code, response.content[:200]))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=transfer, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert [code for code, _body in statuses] == [201] * 20, statuses
    numbers = sorted(Transfer.objects.filter(member__in=members).values_list("letter_number", flat=True))
    assert numbers == [f"{world.org_a.code}-2026-{n:04d}" for n in range(1, 21)]


def test_letter_numbers_follow_the_highest_serial(db, world):
    from members.services import next_letter_number

    member = new_member(world.org_a)
    Transfer.objects.create(member=member, letter_number=f"{world.org_a.code}-2026-0007", from_organization=world.org_a,
                            to_external="外省", issued_on=datetime.date(2026, 3, 1),
                            valid_until=datetime.date(2026, 6, 1))
    assert next_letter_number(world.org_a, datetime.date(2026, 5, 1)) == f"{world.org_a.code}-2026-0008"
    assert next_letter_number(world.org_a, datetime.date(2027, 1, 1)) == f"{world.org_a.code}-2027-0001"
