"""The worker's tests run the real database task queue and the real worker loop
(`run_worker --batch`), with a stand-in mail server (mail_backends.py) behind the outbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
QUEUED = {"BACKEND": "waypoint.worker.mail.QueuedEmailBackend"}
FLAKY = "waypoint.worker.tests.mail_backends.FlakyEmailBackend"


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "mail-server"
    folder.mkdir()
    return folder


@pytest.fixture
def queue(settings: Settings) -> None:
    """Tasks wait in the database for a worker, as in production."""
    settings.WAYPOINT_TASKS = "database"
    settings.TASKS = DATABASE_TASKS


def use_mail_server(settings: Settings, mail_dir: Path, *, failures: int) -> None:
    """Emails go through the outbox to a mail server that refuses each `failures` times."""
    settings.MAILERS = {
        "default": QUEUED,
        "delivery": {
            "BACKEND": FLAKY,
            "OPTIONS": {"directory": str(mail_dir), "failures": failures},
        },
    }
