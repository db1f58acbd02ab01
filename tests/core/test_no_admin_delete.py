"""Issue 18 item 11: no hard delete is reachable from the admin (nor from the dues band page): job records,
the login audit trail, scale and dues bands, beat schedules are kept; a band is taken out of use instead."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from core.models import Job
from members.models import DuesBand
from organizations.models import ScaleBand
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client():
    user = make_user("admin", username="root-admin", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(user)
    return client, user


def _objects(user):
    interval = IntervalSchedule.objects.create(every=5, period="minutes")
    return [
        Job.objects.create(kind="coverage", created_by=user),
        AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", user_agent="t", failures_since_start=1),
        AccessLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="t"),
        AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="t"),
        ScaleBand.objects.order_by("pk").first(),
        PeriodicTask.objects.create(name="probe", task="core.tasks.noop", interval=interval),
        interval,
        CrontabSchedule.objects.create(minute="5"),
    ]


def test_the_admin_offers_no_delete_page_nor_bulk_delete(superuser_client):
    client, user = superuser_client
    for obj in _objects(user):
        meta = obj._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        model_admin = admin.site._registry[type(obj)]
        assert not model_admin.has_delete_permission(None, obj)
        assert client.get(f"{base}{obj.pk}/delete/").status_code in (403, 302)
        changelist = client.get(base)
        assert changelist.status_code == 200, base
        assert 'value="delete_selected"' not in changelist.content.decode(), base
        response = client.post(base, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
        assert type(obj)._default_manager.filter(pk=obj.pk).exists(), base
        assert response.status_code in (200, 302)


def test_bands_refuse_delete_and_dues_bands_are_taken_out_of_use(superuser_client):
    client, user = superuser_client
    band = DuesBand.objects.in_use().first()
    with pytest.raises(ValidationError):
        band.delete()
    with pytest.raises(ValidationError):
        DuesBand.objects.all().delete()
    with pytest.raises(ValidationError):
        ScaleBand.objects.first().delete()
    response = client.post("/members/dues/bands/", {"deactivate": band.pk}, follow=True)
    assert response.status_code == 200
    band.refresh_from_db()
    assert band.active is False and band not in DuesBand.objects.in_use()
    client.post("/members/dues/bands/", {"activate": band.pk})
    band.refresh_from_db()
    assert band.active is True
    assert DuesBand.objects.filter(pk=band.pk).exists()
