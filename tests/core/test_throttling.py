"""Issue 18 item 7: the token endpoint's limits hold across workers (shared cache), ignore a forged
X-Forwarded-For (a configured number of trusted proxies), and count per username as well as per address."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.conftest import require_service

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"login": "3/min", "login_username": "2/min"})


def _try(client, username, **headers):
    return client.post("/api/v1/auth/token/", {"username": username, "password": "wrong"}, format="json",
                       **headers).status_code


def test_a_forged_forwarded_for_does_not_reset_the_address_limit(world, low_rates):
    client = APIClient()
    codes = [_try(client, f"nobody-{i}", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}") for i in range(5)]
    assert codes[:3] == [400, 400, 400] and codes[3:] == [429, 429]


def test_behind_one_trusted_proxy_the_proxy_supplied_address_counts(world, low_rates, monkeypatch):
    from rest_framework.settings import api_settings

    monkeypatch.setattr(api_settings, "NUM_PROXIES", 1)
    client = APIClient()
    # the proxy appends the real client address: the left part is the client's own (forgeable) header
    codes = [_try(client, f"nobody-{i}", HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 203.0.113.7") for i in range(4)]
    assert codes == [400, 400, 400, 429]
    assert _try(client, "someone-else", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.8") == 400


def test_one_username_is_limited_whatever_the_address(world, low_rates, monkeypatch):
    from rest_framework.settings import api_settings

    monkeypatch.setattr(api_settings, "NUM_PROXIES", 1)
    client = APIClient()
    name = world.viewer_a.username
    codes = [_try(client, name if i % 2 else name.upper(), HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
             for i in range(3)]
    assert codes == [400, 400, 429]


def test_caches_come_from_redis_url_and_are_shared_between_processes():
    """Two separate processes (as two gunicorn workers) count in the same Redis cache."""
    import redis

    url = "redis://127.0.0.1:6379/3"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        require_service(False, "Redis")
    script = ("import django; django.setup(); from django.conf import settings; from django.core.cache import cache;"
              "assert settings.CACHES['default']['BACKEND'].endswith('RedisCache');"
              "cache.add('hardening-shared', 0, 60); print(cache.incr('hardening-shared'))")
    env = dict(os.environ, REDIS_URL=url, DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("CACHE_URL", None)
    redis.Redis.from_url(url).delete(*redis.Redis.from_url(url).keys("portal:*hardening-shared") or ["-"])
    counts = [int(subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout.strip()) for _ in range(2)]
    assert counts == [1, 2]
    plain = subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
                            "print(settings.CACHES['default']['BACKEND'])"],
                           env={k: v for k, v in env.items() if k not in ("REDIS_URL", "CACHE_URL")}, cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout
    assert "LocMemCache" in plain
