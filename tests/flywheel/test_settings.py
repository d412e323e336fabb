"""Settings are read from the environment; each case runs in a fresh interpreter."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLEAN_ENV_KEYS = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CACHE_URL",
    "DEBUG",
    "FLYWHEEL_DEVELOPMENT",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "MODEL_ROOT",
    "MEDIA_ROOT",
    "SECURE_SSL_REDIRECT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests for this process only
)
PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "options": db.get("OPTIONS", {}), "conn_max_age": db["CONN_MAX_AGE"],
    "health_checks": db["CONN_HEALTH_CHECKS"], "broker": settings.CELERY_BROKER_URL,
    "transport_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "result_backend": settings.CELERY_RESULT_BACKEND, "debug": settings.DEBUG,
    "model_root": str(settings.MODEL_ROOT), "media_root": str(settings.MEDIA_ROOT),
    "cache": settings.CACHES["default"]["BACKEND"], "hsts": settings.SECURE_HSTS_SECONDS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT, "x_frame": settings.X_FRAME_OPTIONS,
}))
"""


def run_python(code: str, tmp_path, **env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV_KEYS}
    env.update(FLYWHEEL_VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="flywheel.settings")
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


def probe(tmp_path, **env) -> dict:
    env.setdefault("FLYWHEEL_DEVELOPMENT", "true")
    result = run_python(PROBE, tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def production_env(**extra) -> dict:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "flywheel.example",
        **extra,
    }


def test_embedded_defaults_use_sqlite_wal_and_the_filesystem_broker(tmp_path):
    conf = probe(tmp_path)
    assert conf["engine"] == "django.db.backends.sqlite3"
    assert conf["name"] == str(tmp_path / "var" / "flywheel.sqlite3")
    assert conf["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in conf["options"]["init_command"]
    assert conf["options"]["timeout"] >= 5
    assert conf["broker"] == "filesystem://"
    folders = conf["transport_options"]
    assert folders["data_folder_in"] == folders["data_folder_out"] == folders["control_folder"]
    assert Path(folders["data_folder_in"]).is_dir()
    assert conf["result_backend"].startswith("file://")
    assert conf["debug"] is True
    assert conf["model_root"] == str(tmp_path / "var" / "models")


def test_postgres_and_redis_from_the_environment(tmp_path):
    conf = probe(
        tmp_path,
        DATABASE_URL="postgres://flywheel:secret@db.internal:5433/flywheel_prod",
        CELERY_BROKER_URL="redis://cache.internal:6379/0",
        CACHE_URL="redis://cache.internal:6379/1",
        MODEL_ROOT="/srv/models",
        MEDIA_ROOT="/srv/media",
    )
    assert conf["engine"] == "django.db.backends.postgresql"
    assert (conf["host"], conf["name"]) == ("db.internal", "flywheel_prod")
    assert conf["broker"] == "redis://cache.internal:6379/0"
    assert conf["result_backend"] == "redis://cache.internal:6379/0"
    assert conf["transport_options"]["visibility_timeout"] > 2 * 3600
    assert conf["cache"] == "flywheel.resilient_cache.ResilientRedisCache"  # Django's, degrading
    assert (conf["model_root"], conf["media_root"]) == ("/srv/models", "/srv/media")


def test_connections_are_persistent_with_health_checks(tmp_path):
    conf = probe(tmp_path)
    assert conf["conn_max_age"] >= 60
    assert conf["health_checks"] is True


def test_production_settings_are_secure_by_default(tmp_path):
    conf = probe(tmp_path, **production_env(FLYWHEEL_DEVELOPMENT="false"))
    assert conf["debug"] is False
    assert conf["hsts"] >= 31_536_000
    assert conf["ssl_redirect"] is True
    assert conf["x_frame"] == "DENY"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DEBUG": "false", "ALLOWED_HOSTS": "flywheel.example"}, "SECRET_KEY"),
        (
            {"DEBUG": "false", "SECRET_KEY": "short", "ALLOWED_HOSTS": "flywheel.example"},
            "SECRET_KEY",
        ),
        ({"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(64)}, "ALLOWED_HOSTS"),
    ],
)
def test_site_refuses_to_start_without_real_secret_or_hosts_when_debug_is_off(
    tmp_path, env, message
):
    result = run_python(PROBE, tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        tmp_path,
        **production_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout
