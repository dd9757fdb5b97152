"""Production mode refuses to start without what it needs, and is strict when it does."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from waypoint.privacy.keysets import new_keyset_json, write_private_file

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'demo': s.WAYPOINT_DEMO, "
    "'session_cookie': s.SESSION_COOKIE_NAME, 'csrf_cookie': s.CSRF_COOKIE_NAME, "
    "'secure': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT], "
    "'hsts': s.SECURE_HSTS_SECONDS, 'mailer': s.MAILERS['delivery']['BACKEND'], "
    "'queue': s.MAILERS['default']['BACKEND'], 'tasks': s.TASKS['default']['BACKEND']}))"
)


@pytest.fixture
def production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAYPOINT_", "DJANGO_"))}
    env.pop("SECRET_KEY", None)
    env.pop("ALLOWED_HOSTS", None)
    for kind in ("kek", "identifier", "audit", "receipt", "signing"):
        path = tmp_path / f"{kind}.json"
        write_private_file(path, new_keyset_json(kind), exclusive=True)
        env[f"WAYPOINT_{kind.upper()}_KEYSET_FILE"] = str(path)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "WAYPOINT_ENV": "production",
            "WAYPOINT_VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "waypoint.example.ac.uk",
        }
    )
    return env


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "-c", PROBE],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_it_starts_in_production_with_secure_cookies_and_https_only(production_env):
    result = _start(production_env)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["debug"] is False
    assert loaded["demo"] is False
    assert loaded["session_cookie"].startswith("__Host-")
    assert loaded["csrf_cookie"].startswith("__Host-")
    assert loaded["secure"] == [True, True, True]
    assert loaded["hsts"] >= 31536000
    assert loaded["mailer"] == "django.core.mail.backends.smtp.EmailBackend"
    # ...through the outbox and the database task queue, sent by the worker (ADR 0039).
    assert loaded["queue"] == "waypoint.worker.mail.QueuedEmailBackend"
    assert loaded["tasks"] == "django_tasks_db.DatabaseBackend"


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "WAYPOINT_KEK_KEYSET_FILE",
        "WAYPOINT_IDENTIFIER_KEYSET_FILE",
        "WAYPOINT_AUDIT_KEYSET_FILE",
        "WAYPOINT_RECEIPT_KEYSET_FILE",
        "WAYPOINT_SIGNING_KEYSET_FILE",
    ],
)
def test_it_refuses_to_start_in_production_without_a_secret_or_keyset(production_env, missing):
    del production_env[missing]
    result = _start(production_env)
    assert result.returncode != 0
    assert f"Production needs these environment variables: {missing}" in result.stderr


def test_it_refuses_to_start_in_production_without_allowed_hosts(production_env):
    del production_env["ALLOWED_HOSTS"]
    result = _start(production_env)
    assert result.returncode != 0
    assert "Production needs ALLOWED_HOSTS" in result.stderr


def test_it_refuses_demo_mode_in_production(production_env):
    production_env["WAYPOINT_DEMO"] = "true"
    result = _start(production_env)
    assert result.returncode != 0
    assert "WAYPOINT_DEMO cannot be used in production" in result.stderr


def test_it_refuses_debug_in_production(production_env):
    production_env["WAYPOINT_DEBUG"] = "true"
    result = _start(production_env)
    assert result.returncode != 0
    assert "WAYPOINT_DEBUG cannot be true in production" in result.stderr


def test_it_refuses_a_keyset_file_that_does_not_exist(production_env, tmp_path):
    production_env["WAYPOINT_KEK_KEYSET_FILE"] = str(tmp_path / "nowhere.json")
    result = _start(production_env)
    assert result.returncode != 0
    assert "does not exist" in result.stderr


def test_it_refuses_a_signing_keyset_file_that_does_not_exist(production_env, tmp_path):
    production_env["WAYPOINT_SIGNING_KEYSET_FILE"] = str(tmp_path / "nowhere.json")
    result = _start(production_env)
    assert result.returncode != 0
    assert "The signing keyset file" in result.stderr


def test_it_refuses_a_malformed_boolean_at_start_up(production_env):
    production_env["WAYPOINT_HTTPS"] = "sometimes"
    result = _start(production_env)
    assert result.returncode != 0
    assert "WAYPOINT_HTTPS must be true or false" in result.stderr
