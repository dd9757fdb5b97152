"""No acknowledged report is lost when workers or the database die (issue 13, item 10).

A private PostgreSQL cluster (initdb into a temporary folder, its own port, Debian's
server binaries: the machine's shared server is never touched) serves one gunicorn with
three workers. Reporters submit reports with a file, and a lead writes notes, while the
workers are killed (SIGKILL) and PostgreSQL is stopped in immediate mode and started
again, several times. Afterwards, in a separate process with the servers' keys:

- every report whose receipt page was shown exists, complete (its case, its file, its
  audit entry) and decrypts;
- no report exists that is not complete, and none came from a draft that was not
  submitted;
- the audit chain verifies.

The numbers are printed: tried, acknowledged, found.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from tests.fuzz.forms import Form, forms_on
from tests.http_browser import Browser, free_port, manage, server_env, start_gunicorn
from waypoint.accounts.tests.support import code_for_secret
from waypoint.reporting.steps import steps_for
from waypoint.reporting.tests.flow import answers_for

ROOT = Path(__file__).resolve().parents[2]
# The summary line is also left here; the root conftest prints it at the end of the run
# (pytest-xdist does not pass a worker's output on).
RESULTS = ROOT / "test-results"
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)
RUN_SECONDS = int(os.environ.get("WAYPOINT_CRASH_SECONDS", "35"))
REPORTERS = 3
LEAD = ("lead@demo.waypoint.test", "WAYPOINTCASELEADDEMOTOTPSECRET23")
DEMO_PASSWORD = "waypoint-demo-staff"


def _why_not() -> str | None:
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        return "runs with the PostgreSQL suite (CI)"
    if PG_BIN is None or not (PG_BIN / "initdb").exists():
        return "needs Debian's PostgreSQL server binaries (initdb, pg_ctl)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "needs runuser to start PostgreSQL as the postgres user"
    return None


_REASON = _why_not()
if _REASON and os.environ.get("WAYPOINT_REQUIRE_CRASH_TEST") == "1":
    raise RuntimeError(f"The crash test cannot run: {_REASON}")
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


class Cluster:
    """A PostgreSQL of our own: started, stopped hard, started again."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.data = folder / "data"

    def _run(self, *args: str) -> None:
        assert PG_BIN is not None
        command = [str(PG_BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "start",
        )

    def crash(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/waypoint"


@dataclass
class Tally:
    tried: int = 0
    submits: int = 0
    acknowledged: list[str] = field(default_factory=list)
    notes_acknowledged: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _report_once(base: str, marker: str, tally: Tally) -> str | None:  # noqa: PLR0911 - one exit per step
    """One report with a file, start to receipt; its reference if the receipt showed."""
    person = Browser()
    if person.get(base + "/report/")[0] != 200:
        return None
    status, _, _ = person.post(base + "/report/", {"route": "support", "reporter_role": "student"})
    if status != 302:
        return None
    answers = answers_for("support", marker)
    for step in steps_for("support"):
        if step.form_class is None:
            continue
        if person.post(f"{base}/report/{step.slug}/", answers.get(step.slug, {}))[0] != 302:
            return None
    upload = person.upload(
        base + "/report/evidence/", {"action": "upload"}, "note.txt", f"file {marker}\n".encode()
    )
    if upload != 302:
        return None
    status, _, review = person.get(base + "/report/review/")
    token = re.search(rb'name="token" value="([^"]+)"', review)
    if status != 200 or token is None:
        return None
    with tally.lock:
        tally.submits += 1
    if person.post(base + "/report/submit/", {"token": token[1].decode()})[0] != 302:
        return None
    status, _, receipt = person.get(base + "/report/receipt/")
    shown = re.search(rb'id="receipt-reference">([^<]+)<', receipt)
    return shown[1].decode() if status == 200 and shown else None


def _reporter(base: str, tally: Tally, until: float, number: int) -> None:
    attempt = 0
    while time.monotonic() < until:
        attempt += 1
        with tally.lock:
            tally.tried += 1
        try:
            reference = _report_once(base, f"CRASH-{number}-{attempt}", tally)
        except OSError:  # a worker died under the request, or the database was down
            reference = None
        if reference:
            with tally.lock:
                tally.acknowledged.append(reference)


def _note_form(lead: Browser, case_url: str) -> Form | None:
    """The note form as the case offers it (hidden fields included), from whichever of the
    case's pages holds it."""
    _, _, page = lead.get(case_url)
    path = urllib.parse.urlsplit(case_url).path
    pages = [path, *sorted(set(re.findall(rf'href="({re.escape(path)}[^"#?]*)"', page.decode())))]
    for candidate in pages:
        _, _, html = lead.get(case_url.removesuffix(path) + candidate)
        for form in forms_on(html.decode(), candidate):
            if form.action.endswith("/notes/"):
                return form
    return None


def _lead(base: str, case_id: str, tally: Tally, until: float) -> None:
    lead = Browser()
    while time.monotonic() < until:
        try:
            lead.get(base + "/accounts/login/")
            status, headers, _ = lead.post(
                base + "/accounts/login/", {"login": LEAD[0], "password": DEMO_PASSWORD}
            )
            if status != 302:
                time.sleep(0.5)
                continue
            lead.get(base + headers["Location"])
            lead.post(base + "/accounts/2fa/authenticate/", {"code": code_for_secret(LEAD[1])})
            while time.monotonic() < until:
                form = _note_form(lead, f"{base}/staff/cases/{case_id}/")
                if form is None:
                    break
                fields = {name: values[0] for name, values in form.fields.items() if values}
                fields.pop("csrfmiddlewaretoken", None)
                for name in [n for n in fields if n == "text" or n.endswith("-text")]:
                    fields[name] = "Called back, no answer."
                status, _, _ = lead.post(base + form.action, fields)
                if status != 302:
                    break  # signed out by a restart of the session store, or refused
                with tally.lock:
                    tally.notes_acknowledged += 1
        except OSError:
            time.sleep(0.3)
        time.sleep(0.1)


CHECK_SCRIPT = """
import json
from waypoint.casework.models import Case
from waypoint.privacy.audit import verify_audit_chain
from waypoint.privacy.models import AuditEvent
from waypoint.reporting.evidence import evidence_read
from waypoint.reporting.models import Evidence, Report
acknowledged = set(json.loads(ACKNOWLEDGED))
found, complete, problems = 0, 0, []
reports = list(Report.objects.all())
for report in reports:
    try:
        if not report.answers:
            raise ValueError("no answers")
        Case.objects.get(report=report)
        files = list(Evidence.objects.filter(report=report))
        for file in files:
            evidence_read(evidence=file)
        if not AuditEvent.objects.filter(action="report.submitted", object_id=str(report.pk)):
            raise ValueError("no audit entry")
        if report.reference in acknowledged:
            found += 1
            if not files:
                raise ValueError("its file is missing")
        complete += 1
    except Exception as error:
        problems.append(f"{report.reference}: {type(error).__name__} {error}")
from waypoint.casework.models import EntryKind, TimelineEntry
notes = TimelineEntry.objects.filter(case_id=CASE_ID, kind=EntryKind.NOTE).count()
chain = verify_audit_chain()
print(json.dumps({"notes": notes, "found": found, "reports": len(reports), "complete": complete,
                  "problems": problems, "audit_ok": chain.ok, "audit_reason": chain.reason}))
"""


def _wait_ready(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Browser().get(url + "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never became ready")


def _workers(master: subprocess.Popen[bytes]) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    assert PG_BIN is not None
    # Not under pytest's folder: the postgres user must be able to reach it.
    own = Cluster(Path(tempfile.mkdtemp(prefix="waypoint-crash-pg-")))
    own.create()
    try:
        subprocess.run(  # noqa: S603
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(own.port),
                "-U",
                "postgres",
                "waypoint",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield own
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            own.stop()
        shutil.rmtree(own.folder, ignore_errors=True)


def test_no_acknowledged_report_is_lost_when_workers_and_the_database_die(
    cluster: Cluster, tmp_path: Path
) -> None:
    env = server_env(drop=("DATABASE_URL", "REDIS_URL"))
    env |= {
        "DATABASE_URL": cluster.url,
        "WAYPOINT_VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": str(ROOT),
    }
    manage(env, "migrate", "--no-input")
    manage(env, "createcachetable")
    manage(env, "load_demo", "--no-sign-in-table")
    case_id = manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from waypoint.casework.models import Case; print(Case.objects.filter(restricted=False)"
        ".exclude(status='closed').order_by('opened_at').values_list('id', flat=True).first())",
    ).strip()
    demo_reports = int(
        manage(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from waypoint.reporting.models import Report; print(Report.objects.count())",
        )
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn_env = env | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "3",
        "GUNICORN_THREADS": "2",
    }
    master = start_gunicorn(gunicorn_env, tmp_path)
    tally = Tally()
    kills = restarts = 0
    try:
        _wait_ready(base)
        until = time.monotonic() + RUN_SECONDS
        threads = [
            threading.Thread(target=_reporter, args=(base, tally, until, n), daemon=True)
            for n in range(REPORTERS)
        ]
        threads.append(
            threading.Thread(target=_lead, args=(base, case_id, tally, until), daemon=True)
        )
        for thread in threads:
            thread.start()
        rng = secrets.SystemRandom()
        # Let the lead sign in and save a first note before anything is killed: on a busy
        # machine a crash during sign-in could otherwise leave staff writes untested.
        started = time.monotonic()
        while not tally.notes_acknowledged and time.monotonic() < started + 20:
            time.sleep(0.2)
        while time.monotonic() < until - 5:
            time.sleep(rng.uniform(2.0, 5.0))
            if restarts < 3 and rng.random() < 0.35:
                cluster.crash()  # every connection dies mid-transaction
                time.sleep(rng.uniform(0.2, 1.5))
                cluster.start()
                restarts += 1
            else:
                workers = _workers(master)
                if workers:
                    os.kill(rng.choice(workers), signal.SIGKILL)
                    kills += 1
        for thread in threads:
            thread.join(timeout=120)
        _wait_ready(base)
    finally:
        master.terminate()
        master.wait(timeout=30)

    script = CHECK_SCRIPT.replace("ACKNOWLEDGED", repr(json.dumps(tally.acknowledged)))
    script = script.replace("CASE_ID", repr(case_id))
    result = json.loads(manage(env, "shell", "--no-imports", "-c", script))
    summary = (
        f"crash test: {tally.tried} submissions tried ({tally.submits} reached submit), "
        f"{len(tally.acknowledged)} acknowledged, "
        f"{result['found']} found; {result['reports']} reports in all, {result['complete']} "
        f"complete; {kills} workers killed, {restarts} database crashes; "
        f"{tally.notes_acknowledged} notes acknowledged"
    )
    print(summary)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "crash-test.summary").write_text(summary + "\n")
    assert tally.acknowledged, "nothing was acknowledged: the test did not exercise anything"
    assert tally.notes_acknowledged, "the lead saved no note: staff writes were not exercised"
    assert kills + restarts >= 3
    assert result["found"] == len(tally.acknowledged)
    assert result["problems"] == []
    assert result["complete"] == result["reports"]
    assert result["audit_ok"], result["audit_reason"]
    assert result["notes"] >= tally.notes_acknowledged  # every note the lead saw saved is there
    # No draft became a report without its submit being sent.
    assert len(tally.acknowledged) <= result["reports"] - demo_reports <= tally.submits
