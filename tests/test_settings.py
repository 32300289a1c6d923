"""Settings from the environment, production checks and the security headers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.urls import reverse

from thiduabloc.env import database_from_url, env_bool

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "thiduabloc.example.vn",
    "DATABASE_URL": "postgres://thiduabloc@127.0.0.1:5432/thiduabloc",
    "EMAIL_HOST": "smtp.example.vn",
}


def manage(*args, env):
    ours = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "EMAIL_HOST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in ours}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_catches_the_development_key():
    result = manage("check", "--deploy", env={**PRODUCTION_ENV, "SECRET_KEY": ""})
    assert "security.W009" in result.stderr + result.stdout


def test_a_bad_boolean_stops_start_up():
    result = manage("check", env={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_database_urls(tmp_path, monkeypatch):
    sqlite = database_from_url("sqlite:///var/db.sqlite3", base_dir=tmp_path)
    assert sqlite["NAME"] == tmp_path / "var" / "db.sqlite3"
    assert database_from_url("sqlite:////tmp/x.db", base_dir=tmp_path)["NAME"] == Path("/tmp/x.db")
    pg = database_from_url("postgres://u:p%40ss@db.local:6543/thidua", base_dir=tmp_path)
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "u",
        "p@ss",
        "db.local",
        "6543",
        "thidua",
    )
    assert pg["OPTIONS"] == {"options": "-c jit=off"}
    for bad in ("mysql://x/y", "postgres://host/", "sqlite://"):
        with pytest.raises(ImproperlyConfigured):
            database_from_url(bad, base_dir=tmp_path)
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG") is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_postgresql_sessions_run_without_jit(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_the_login_page_is_in_vietnamese(client, db):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    assert "Tên đăng nhập" in page
    assert "Mật khẩu" in page
    assert "<script>" not in page and "style=" not in page


def test_a_wrong_password_gets_a_vietnamese_message(client, db):
    response = client.post(reverse("login"), {"username": "ai", "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
