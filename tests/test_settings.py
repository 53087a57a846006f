"""Settings from the environment and production readiness."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from rectify import settings as project_settings

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "b8Kq2v-Zx0WmT7yN4pLr9sJd3hFg6cVb1nMa5eQw8uIo2tYz-Hs4Kx7Qp1Lm3Nr8",
    "ALLOWED_HOSTS": "rectify.example.gov.cn",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env,
        capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_with_production_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    env = dict(PRODUCTION, SECRET_KEY="")
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_bad_boolean_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        project_settings.env_bool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_FLAG", "off")
    assert project_settings.env_bool("SOME_FLAG", True) is False


def test_language_and_time_zone_defaults(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_database_url_selects_the_engine(monkeypatch):
    import dj_database_url

    cfg = dj_database_url.parse("postgres://postgres@127.0.0.1:5432/rectify")
    assert cfg["ENGINE"] == "django.db.backends.postgresql"
    assert cfg["NAME"] == "rectify"
