"""Two Waypoint servers behind one proxy behave as one (issue 13, item 11).

Two gunicorn processes, each with its own working directory and media folder, share one
PostgreSQL database, one Redis and the same keys, behind HAProxy (round robin). A report
is started on one and finished on the other, evidence uploaded through one is downloaded
through the other, a staff session signed in on one works on the other, and the receipt
rate limit counted on one blocks on the other.

Runs on PostgreSQL with Debian's haproxy (.ci/run installs it and sets
WAYPOINT_REQUIRE_MULTI_SERVER=1, so there it fails rather than skips).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from django.conf import settings

from tests.http_browser import (
    Browser,
    free_port,
    fresh_postgres_database,
    manage,
    server_env,
    start_gunicorn,
)
from waypoint.accounts.tests.support import code_for_secret
from waypoint.reporting.steps import steps_for
from waypoint.reporting.tests.flow import answers_for

ROOT = Path(__file__).resolve().parents[2]
LEAD_EMAIL = "lead@demo.waypoint.test"
LEAD_SECRET = "WAYPOINTCASELEADDEMOTOTPSECRET23"
DEMO_PASSWORD = "waypoint-demo-staff"
REDIS_DB = 7
WRONG_WORDS = "acorn acid acre acts afar affix aged agent"
EVIDENCE = b"Screenshot notes: the messages started again on Monday.\n" * 20


def _why_not() -> str | None:
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        return "needs PostgreSQL (two processes cannot share the SQLite test database)"
    if shutil.which("haproxy") is None:
        return "needs Debian's haproxy (apt-get install haproxy)"
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except redis.RedisError:
        return "needs Redis at 127.0.0.1:6379"
    return None


_REASON = _why_not()
if _REASON and os.environ.get("WAYPOINT_REQUIRE_MULTI_SERVER") == "1":
    raise RuntimeError(f"The two-server test cannot run: {_REASON}")
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


@dataclass
class Servers:
    a: str
    b: str
    proxy: str
    database_url: str


def _wait_ready(url: str, processes: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for process in processes:
            assert process.poll() is None, f"a server stopped: {process.args!r}"
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} never became ready")


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    database = ExitStack()
    database_url = database.enter_context(fresh_postgres_database("wp_two_servers"))
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    shared = tmp_path_factory.mktemp("shared-keys")
    env = server_env()
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "WAYPOINT_VAR_DIR": str(shared),  # the same keys and secret key on both servers
        "PYTHONPATH": str(ROOT),
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        manage(env, "migrate", "--no-input")
        manage(env, "load_demo", "--no-sign-in-table")
        ports = [free_port(), free_port()]
        for letter, port in zip("ab", ports, strict=True):
            workdir = tmp_path_factory.mktemp(f"server-{letter}")
            gunicorn_env = env | {
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "WAYPOINT_MEDIA_ROOT": str(workdir / "media"),  # not shared: unused by evidence
                "WAYPOINT_SITE_URL": f"http://127.0.0.1:{port}",
            }
            processes.append(start_gunicorn(gunicorn_env, workdir))
        proxy_port = free_port()
        config = tmp_path_factory.mktemp("proxy") / "haproxy.cfg"
        config.write_text(
            "defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n"
            "  timeout server 30s\n"
            f"frontend waypoint\n  bind 127.0.0.1:{proxy_port}\n  default_backend app\n"
            "backend app\n  balance roundrobin\n"
            f"  server a 127.0.0.1:{ports[0]}\n  server b 127.0.0.1:{ports[1]}\n"
        )
        processes.append(
            subprocess.Popen(  # noqa: S603
                ["haproxy", "-db", "-f", str(config)],  # noqa: S607 - Debian's haproxy
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        urls = [f"http://127.0.0.1:{port}" for port in (*ports, proxy_port)]
        for url in urls:
            _wait_ready(url, processes)
        yield Servers(a=urls[0], b=urls[1], proxy=urls[2], database_url=database_url)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
        database.close()


def _query(servers: Servers, sql: str, *params: object) -> Any:
    with psycopg.connect(servers.database_url) as connection:
        row = connection.execute(sql, params).fetchone()
    assert row is not None, sql
    return row[0]


def test_a_report_started_on_one_server_is_finished_on_the_other_with_its_evidence(
    servers: Servers,
) -> None:
    person = Browser()
    assert person.get(servers.a + "/report/")[0] == 200
    status, headers, _ = person.post(
        servers.a + "/report/", {"route": "support", "reporter_role": "student"}
    )
    assert status == 302, headers
    answers = answers_for("support", "TWO-SERVERS")
    for number, step in enumerate(s for s in steps_for("support") if s.form_class):
        server = (servers.a, servers.b)[number % 2]  # every other step on the other server
        status, headers, body = person.post(
            f"{server}/report/{step.slug}/", answers.get(step.slug, {})
        )
        assert status == 302, (step.slug, body[:500])
    # The file goes up through one server...
    assert (
        person.upload(servers.a + "/report/evidence/", {"action": "upload"}, "notes.txt", EVIDENCE)
        == 302
    )
    status, _, review = person.get(servers.b + "/report/review/")
    assert status == 200
    token = re.search(rb'name="token" value="([^"]+)"', review)
    assert token is not None
    status, headers, _ = person.post(servers.b + "/report/submit/", {"token": token[1].decode()})
    assert status == 302
    assert headers["Location"].endswith("/report/receipt/")
    status, _, receipt = person.get(servers.a + "/report/receipt/")
    assert status == 200
    reference = re.search(rb'id="receipt-reference">([^<]+)<', receipt)
    assert reference is not None

    # ...and comes down through the other, to a lead signed in on the first.
    case_id = _query(
        servers,
        "SELECT c.id FROM casework_case c JOIN reporting_report r ON r.id = c.report_id "
        "WHERE r.reference = %s",
        reference[1].decode(),
    )
    evidence_id = _query(
        servers,
        "SELECT e.id FROM reporting_evidence e JOIN reporting_report r ON r.id = e.report_id "
        "WHERE r.reference = %s",
        reference[1].decode(),
    )
    lead = Browser()
    lead.get(servers.a + "/accounts/login/")
    status, headers, _ = lead.post(
        servers.a + "/accounts/login/", {"login": LEAD_EMAIL, "password": DEMO_PASSWORD}
    )
    assert status == 302
    lead.get(servers.a + headers["Location"])
    status, _, _ = lead.post(
        servers.a + "/accounts/2fa/authenticate/", {"code": code_for_secret(LEAD_SECRET)}
    )
    assert status == 302
    status, _, _ = lead.get(f"{servers.b}/staff/cases/{case_id}/")
    assert status == 200  # the session moved with the person
    status, _, data = lead.get(f"{servers.b}/staff/cases/{case_id}/evidence/{evidence_id}/")
    assert status == 200
    assert data == EVIDENCE


def test_wrong_receipts_counted_on_one_server_block_on_the_other(servers: Servers) -> None:
    reference = _query(servers, "SELECT reference FROM reporting_report LIMIT 1")
    guesser = Browser()
    guesser.get(servers.a + "/my-report/")
    for _ in range(5):
        status, _, body = guesser.post(
            servers.a + "/my-report/", {"reference": reference, "passphrase": WRONG_WORDS}
        )
        assert status == 400  # "we could not find a report with that reference..."
        assert b"too many attempts" not in body
    status, _, body = guesser.post(
        servers.b + "/my-report/", {"reference": reference, "passphrase": WRONG_WORDS}
    )
    assert status == 429
    assert b"too many attempts" in body


def test_the_proxy_spreads_requests_over_both_servers_which_answer_alike(
    servers: Servers,
) -> None:
    person = Browser()
    answers = {person.get(servers.proxy + "/support/")[0] for _ in range(6)}
    assert answers == {200}
    assert person.get(servers.proxy + "/readyz")[0] == 200
