"""The worker, as `make run` and deploy/ start it, sends a report's notice (issue 13,
item 12): a web server (gunicorn) takes the report, nothing is emailed inside the request,
and `manage.py run_worker`, a process of its own, delivers the notice through a mail server
that refuses every email twice, on the third try.

Runs on the test run's database engine: a fresh PostgreSQL database beside the test
database, or a SQLite file in a temporary folder.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings

from tests.http_browser import (
    Browser,
    free_port,
    fresh_postgres_database,
    manage,
    server_env,
    start_gunicorn,
)
from waypoint.reporting.steps import steps_for
from waypoint.reporting.tests.flow import answers_for
from waypoint.worker.tests.mail_backends import delivered

ROOT = Path(__file__).resolve().parents[2]
TRIAGE_INBOX = "standing-together@demo.waypoint.test"  # the demo institution's
NEW_REPORT = "New report in the triage queue"


@dataclass
class Site:
    url: str
    env: dict[str, str]
    mail: Path
    query: Callable[[str], list[tuple[Any, ...]]]
    processes: list[subprocess.Popen[bytes]]


def _database(tmp: Path) -> Iterator[tuple[dict[str, str], Callable[[str], list[tuple[Any, ...]]]]]:
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        path = tmp / "waypoint.sqlite3"  # settings put it in WAYPOINT_VAR_DIR

        def query_sqlite(sql: str) -> list[tuple[Any, ...]]:
            with sqlite3.connect(path, timeout=20) as connection:
                return connection.execute(sql).fetchall()

        yield {}, query_sqlite
        return
    with fresh_postgres_database("wp_worker") as url:

        def query_postgres(sql: str) -> list[tuple[Any, ...]]:
            with psycopg.connect(url) as connection:
                return connection.execute(sql).fetchall()

        yield {"DATABASE_URL": url}, query_postgres


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    var = tmp_path_factory.mktemp("var")
    mail = tmp_path_factory.mktemp("mail-server")
    for database_env, query in _database(var):
        port = free_port()
        env = (
            server_env()
            | database_env
            | {
                "WAYPOINT_VAR_DIR": str(var),
                "PYTHONPATH": str(ROOT),
                "WAYPOINT_SITE_URL": f"http://127.0.0.1:{port}",
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": "1",
                "GUNICORN_THREADS": "2",
                # The mail server refuses each email twice; retries come after 1 s, then 4 s.
                "EMAIL_BACKEND": "waypoint.worker.tests.mail_backends.FlakyEmailBackend",
                "WAYPOINT_TEST_MAIL_DIR": str(mail),
                "WAYPOINT_TEST_MAIL_FAILURES": "2",
                "WAYPOINT_EMAIL_RETRY_SECONDS": "1",
                "WAYPOINT_WORKER_BEAT_SECONDS": "1",
                "WAYPOINT_WORKER_STALE_SECONDS": "5",
            }
        )
        manage(env, "migrate", "--no-input")
        manage(env, "createcachetable")
        manage(env, "load_demo", "--no-sign-in-table")
        web = start_gunicorn(env, var)
        found = Site(f"http://127.0.0.1:{port}", env, mail, query, [web])
        try:
            _wait_for(partial(_started, found), "the web server to start")
            yield found
        finally:
            for process in found.processes:
                process.terminate()
            for process in found.processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def _readyz(site: Site) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(site.url + "/readyz", timeout=2) as response:  # noqa: S310
            return dict(json.loads(response.read()))
    except OSError:
        return None


def _started(site: Site) -> bool:
    return _readyz(site) is not None


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"gave up waiting for {what}")


def _report(site: Site) -> str:
    """A student's report, start to receipt, as a browser sends it; its reference."""
    person = Browser()
    assert person.get(site.url + "/report/")[0] == 200
    status, _, _ = person.post(
        site.url + "/report/", {"route": "support", "reporter_role": "student"}
    )
    assert status == 302
    answers = answers_for("support", "WORKER-PROCESS")
    for step in steps_for("support"):
        if step.form_class is not None:
            status, _, body = person.post(
                f"{site.url}/report/{step.slug}/", answers.get(step.slug, {})
            )
            assert status == 302, (step.slug, body[:300])
    status, _, review = person.get(site.url + "/report/review/")
    token = re.search(rb'name="token" value="([^"]+)"', review)
    assert status == 200 and token is not None
    status, _, _ = person.post(site.url + "/report/submit/", {"token": token[1].decode()})
    assert status == 302
    status, _, receipt = person.get(site.url + "/report/receipt/")
    shown = re.search(rb'id="receipt-reference">([^<]+)<', receipt)
    assert status == 200 and shown is not None
    return shown[1].decode()


def _notices(site: Site) -> list[dict[str, Any]]:
    return [m for m in delivered(site.mail) if m["subject"].startswith(NEW_REPORT)]


def test_a_reports_notice_is_sent_by_the_worker_on_the_mail_servers_third_try(site: Site) -> None:
    reports_before = site.query("SELECT count(*) FROM reporting_report")[0][0]
    assert _readyz(site) == {"status": "ready", "attention": ["worker"]}  # no worker yet

    _report(site)
    time.sleep(2)
    assert delivered(site.mail) == []  # the request emailed nobody: the notice waits
    queued = "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'"
    assert site.query(queued)[0][0] > 0

    worker = subprocess.Popen(  # noqa: S603 - our own worker
        [sys.executable, str(ROOT / "manage.py"), "run_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=site.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    site.processes.append(worker)
    _wait_for(lambda: _readyz(site) == {"status": "ready"}, "the worker's heartbeat")
    _wait_for(lambda: len(_notices(site)) == reports_before + 1, "every report's notice")
    _wait_for(
        lambda: (
            site.query("SELECT count(*) FROM worker_outboundemail WHERE state <> 'sent'")[0][0] == 0
        ),
        "the outbox to empty",
    )

    notices = _notices(site)
    assert {m["pid"] for m in notices} == {worker.pid}  # sent by the worker process
    assert {m["attempt"] for m in notices} == {3}  # refused twice, delivered on the third
    assert all(m["to"] == [TRIAGE_INBOX] for m in notices)
    rows = site.query("SELECT state, attempts, message FROM worker_outboundemail")
    assert {(state, attempts, message) for state, attempts, message in rows} == {("sent", 3, None)}

    worker.send_signal(signal.SIGTERM)  # as systemd stops it: finishes, forgets its heartbeat
    assert worker.wait(timeout=30) == 0
    assert site.query("SELECT count(*) FROM worker_workerheartbeat")[0][0] == 0
