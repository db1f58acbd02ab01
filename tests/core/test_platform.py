import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def run_manage(*args, env=None):
    full_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "DEBUG",
                                                                "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=full_env, capture_output=True,
                          text=True, timeout=120)


SHOW = ("import json; from django.conf import settings as s; print(json.dumps({'engine': s.DATABASES['default']"
        "['ENGINE'], 'name': str(s.DATABASES['default']['NAME']), 'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': "
        "s.CELERY_BROKER_URL, 'lang': s.LANGUAGE_CODE, 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS}))")


def test_defaults_are_sqlite_eager_celery_and_chinese():
    out = run_manage("shell", "-c", SHOW)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["engine"].endswith("sqlite3") and data["eager"] is True and data["lang"] == "zh-hans"


def test_empty_database_and_redis_urls_mean_the_defaults():
    out = run_manage("shell", "-c", SHOW, env={"DATABASE_URL": "", "REDIS_URL": ""})
    assert out.returncode == 0, out.stderr[-500:]
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["engine"].endswith("sqlite3") and data["name"].endswith("db.sqlite3") and data["eager"] is True


def test_environment_switches_to_postgresql_and_a_real_broker():
    out = run_manage("shell", "-c", SHOW, env={"DATABASE_URL": "postgres://u@db.example:5432/portal",
                                               "REDIS_URL": "redis://cache:6379/2", "ALLOWED_HOSTS": "a.example,b"})
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["engine"].endswith("postgresql") and data["name"] == "portal"
    assert data["eager"] is False and data["broker"] == "redis://cache:6379/2"
    assert data["hosts"] == ["a.example", "b"]


def test_production_mode_refuses_to_start_without_a_secret_key():
    out = run_manage("check", env={"DJANGO_ENV": "production", "SECRET_KEY": ""})
    assert out.returncode != 0


def test_production_mode_passes_check_deploy_without_warnings():
    out = run_manage("check", "--deploy", "--fail-level", "WARNING", env={
        "DJANGO_ENV": "production", "SECRET_KEY": "x" * 30 + "Y7#kq2!pZ$9vLw0@rT5^mB8&nC3*hD6(jF1)gE4",
        "ALLOWED_HOSTS": "portal.example.org"})
    assert out.returncode == 0, out.stdout + out.stderr


def test_pages_send_a_content_security_policy_without_inline_scripts(client, world):
    client.force_login(world.viewer_a)
    response = client.get("/organizations/enterprises/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in response.content.decode()


def test_friendly_404_page(client, world):
    client.force_login(world.viewer_a)
    response = client.get("/organizations/enterprises/999999/")
    assert response.status_code == 404 and "404" in response.content.decode()


def test_pages_are_chinese_by_default_and_english_when_chosen(client, world):
    client.force_login(world.viewer_a)
    assert "企业" in client.get("/organizations/enterprises/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Enterprises" in client.get("/organizations/enterprises/").content.decode()


def test_login_is_locked_after_repeated_failures(client, world, settings):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": world.viewer_a.username, "password": "wrong"})
    world.viewer_a.set_password("Long-enough-pass-1")
    world.viewer_a.save()
    response = client.post("/login/", {"username": world.viewer_a.username, "password": "Long-enough-pass-1"})
    assert response.status_code == 429


def test_api_schema_and_docs_are_served_with_local_assets(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/enterprises/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "swagger-ui" in docs


def test_api_error_never_leaks_a_traceback(world):
    from tests.conftest import api_as

    response = api_as(world.admin).post("/api/v1/enterprises/", "not json", content_type="application/json")
    assert response.status_code == 400 and "Traceback" not in response.content.decode()


@pytest.mark.parametrize("path", ["/static/vendor/bootstrap/bootstrap.min.css", "/static/vendor/htmx/htmx.min.js",
                                  "/static/vendor/echarts/echarts.min.js"])
def test_vendored_assets_exist(path):
    assert (BASE_DIR / path.lstrip("/")).exists()


def test_manage_py_shell_imports_every_model_without_a_warning():
    out = run_manage("shell", "-v", "2", "-c", "print(HistoricalChannelReach.__name__)")
    assert out.returncode == 0, out.stderr[-500:]
    assert "could not be automatically imported" not in out.stdout + out.stderr
    assert out.stdout.strip().splitlines()[-1] == "HistoricalChannelReach"
