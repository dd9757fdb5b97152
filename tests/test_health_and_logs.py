"""/healthz, /readyz and the structured request log (issue 13, items 13 and 14)."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.mail import send_mail
from django.test import Client
from django.utils import timezone

from waypoint.common.logs import JsonFormatter
from waypoint.privacy import keysets
from waypoint.worker.services import emails_deliver_due, worker_heartbeat_record

pytestmark = pytest.mark.django_db

MARKER = "zq-marker-7731"
ADDRESS = "198.51.100.203"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Everything any logger writes during the test, as production writes it (JSON)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    request_logger = logging.getLogger("waypoint.request")
    level = request_logger.level
    request_logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        request_logger.setLevel(level)


def test_healthz_answers_ok_without_a_session(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert not response.cookies
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_readyz_is_ready_when_database_cache_keysets_and_migrations_are(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}
    assert not response.cookies


def test_readyz_names_only_the_failing_check(client: Client, settings, tmp_path: Path) -> None:
    settings.WAYPOINT_KEYSETS = {**settings.WAYPOINT_KEYSETS, "audit": tmp_path / "gone.json"}
    keysets.reset_keyset_cache()
    try:
        response = client.get("/readyz")
    finally:
        keysets.reset_keyset_cache()
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "failing": ["keysets"]}
    assert str(tmp_path) not in response.content.decode()


def test_readyz_asks_for_attention_while_no_worker_is_running_but_stays_ready(
    client: Client, settings
) -> None:
    # A stopped worker delays emails; it must not take every server out of the load
    # balancer (ADR 0039), so it is reported, not failed.
    settings.WAYPOINT_TASKS = "database"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "attention": ["worker"]}

    started = timezone.now()
    worker_heartbeat_record(worker_id="worker-1", started_at=started)
    assert client.get("/readyz").json() == {"status": "ready"}

    stale = timezone.now() + dt.timedelta(seconds=settings.WAYPOINT_WORKER_STALE_SECONDS + 1)
    worker_heartbeat_record(worker_id="worker-1", started_at=started, now=started)
    with time_machine.travel(stale, tick=False):
        assert client.get("/readyz").json() == {"status": "ready", "attention": ["worker"]}


def test_each_task_writes_one_json_line_with_its_name_never_its_arguments(
    log_lines: io.StringIO, settings, tmp_path: Path
) -> None:
    # A reporter's nudge whose first delivery fails with an error that quotes the address.
    settings.MAILERS = {
        "default": {"BACKEND": "waypoint.worker.mail.QueuedEmailBackend"},
        "delivery": {
            "BACKEND": "waypoint.worker.tests.mail_backends.FlakyEmailBackend",
            "OPTIONS": {"directory": str(tmp_path), "failures": 1},
        },
    }
    send_mail(f"Subject {MARKER}", f"Body {MARKER}", None, [f"{MARKER}@example.test"])
    emails_deliver_due(now=timezone.now() + dt.timedelta(hours=1))

    output = log_lines.getvalue()
    assert MARKER not in output
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    tasks = [line for line in lines if line["logger"] == "waypoint.task"]
    assert [line["task"] for line in tasks] == ["waypoint.worker.tasks.deliver_email"]
    for line in tasks:
        assert set(line) == {
            "time",
            "level",
            "logger",
            "message",
            "task",
            "task_id",
            "status",
            "duration_ms",
        }
    assert "smtplib.SMTPRecipientsRefused" in output  # the kind of failure, never its text


def test_each_request_writes_one_json_line_with_nothing_that_identifies_anyone(
    client: Client, log_lines: io.StringIO
) -> None:
    headers: dict[str, Any] = {
        "HTTP_USER_AGENT": f"Browser/{MARKER}",
        "HTTP_X_FORWARDED_FOR": ADDRESS,
        "REMOTE_ADDR": ADDRESS,
        "HTTP_REFERER": f"https://example.test/{MARKER}",
    }
    client.get(f"/support/?q={MARKER}&email={MARKER}%40example.test", **headers)
    client.post("/check/", {"answer": MARKER, "email": f"{MARKER}@example.test"}, **headers)
    client.get(f"/my-report/?ref={MARKER}", **headers)
    client.get(f"/no-such-page-{MARKER}/", **headers)
    output = log_lines.getvalue()
    for needle in (MARKER, ADDRESS, "198.51.100", "Browser/", "example.test"):
        assert needle not in output
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    requests = [line for line in lines if line["logger"] == "waypoint.request"]
    assert [line["route"] for line in requests][:2] == ["hub:support", "hub:check"]
    assert requests[-1]["route"] == "unresolved"
    assert len(requests) == 4
    for line in requests:
        assert set(line) == {
            "time",
            "level",
            "logger",
            "message",
            "request_id",
            "method",
            "route",
            "status",
            "duration_ms",
        }
        assert len(line["request_id"]) == 32


def test_a_reporters_visit_is_logged_to_the_hour_and_staff_pages_to_the_millisecond(
    client: Client, log_lines: io.StringIO
) -> None:
    client.get("/my-report/")
    client.get("/healthz")
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    by_route = {line["route"]: line for line in lines if line["logger"] == "waypoint.request"}
    reporter = next(line for route, line in by_route.items() if route.startswith("reporting:"))
    assert reporter["time"].endswith(":00Z")
    assert len(reporter["time"]) == len("2026-12-03T14:00Z")
    assert len(by_route["healthz"]["time"]) == len("2026-12-03T14:05:09.123Z")


def test_the_response_carries_the_request_id_from_the_log_line(
    client: Client, log_lines: io.StringIO
) -> None:
    response = client.get("/healthz")
    line = json.loads(log_lines.getvalue().splitlines()[-1])
    assert response["X-Request-ID"] == line["request_id"]


def test_an_exception_is_logged_by_where_it_happened_never_by_its_message() -> None:
    formatter = JsonFormatter()
    try:
        raise ValueError(f"duplicate key value ({MARKER}@example.test)")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), None
        )
        record.exc_info = sys.exc_info()
    line = json.loads(formatter.format(record))
    assert "ValueError" in line["exception"]
    assert MARKER not in line["exception"]
    assert "test_health_and_logs.py" in line["exception"]
