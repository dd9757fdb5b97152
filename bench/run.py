"""The benchmark suite: `make bench` runs this (bench/README.md says what it measures).

    python bench/run.py [--scale full|small] [--only floor,home,...] [--out FILE]

1. A PostgreSQL database of its own (waypoint_bench, or waypoint_bench_small), keysets and a
   secret key under var/bench/<scale>/, migrations, then `manage.py generate_load_data`.
   Generation is skipped when that database already holds data made with the same
   parameters (var/bench/<scale>/stamp.json).
2. gunicorn as production starts it (deploy/gunicorn.conf.py through bench/gunicorn_bench.py,
   WAYPOINT_ENV=production, DEBUG off, behind-a-proxy settings), on 127.0.0.1.
3. Each scenario at 16 and then 64 connections (the PDF export, whose one request takes
   seconds, at 2), driven from separate processes: wrk for the pages a GET fetches, locust
   for the flows that carry state from one page to the next. The first run of a scenario
   goes on for BENCH_REQUESTS requests (10,000; time-capped), and each worker's resident
   memory is read before and after; the next runs for a fixed time. The log scenarios get
   their logs and signed-in sessions from bench/logs.py.
4. JSON (machine, parameters, every number) and a markdown table, in bench/results/.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import json
import os
import platform
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
STATS_FORMAT = "<QQQ"  # as bench/gunicorn_bench.py writes them
REDIS_DB = 13  # the bench's own Redis database, emptied before each run
CONCURRENCIES = (16, 64)
SESSION_COOKIE = "__Host-waypoint-session"  # production's name (HTTPS)
# A slow scenario (one request takes seconds) runs until the server has answered this
# many, whatever the scale or --seconds says (fewer would measure nothing), capped at:
SLOW_REQUESTS = 12
SLOW_SECONDS = 300


@dataclass(frozen=True)
class Scale:
    name: str
    services: int
    cases: int
    entries: int
    big_case_entries: int
    requests: int  # per scenario at 16 connections (memory is compared over these)
    cap_seconds: int  # the most a 16-connection run may take
    seconds: int  # each 64-connection run

    def generate_args(self) -> list[str]:
        return [
            f"--services={self.services}",
            f"--cases={self.cases}",
            f"--entries={self.entries}",
            f"--big-case-entries={self.big_case_entries}",
        ]


SCALES = {
    "full": Scale("full", 500, 100_000, 1_000_000, 1000, 10_000, 90, 20),
    "small": Scale("small", 100, 2_000, 20_000, 1000, 2_000, 30, 15),
}


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    tool: str  # "wrk" or "locust"
    path: str = ""
    staff: bool = False
    locust_class: str = ""
    attachment: int = 0
    public: bool = False  # a public page: held to 0.7 of the floor
    log: bool = False  # signed in to the 200-incident log (bench/logs.py)
    insights: bool = False  # signed in as the insights viewer, facts made (bench/insights.py)
    # One request takes seconds: fewer connections, a longer client timeout, and a single
    # request to warm up (wrk would leave its requests running into the next scenario).
    slow: bool = False
    concurrencies: tuple[int, ...] = CONCURRENCIES


def scenarios(big_case: str) -> list[Scenario]:
    return [
        Scenario("floor", "Floor: bare view, same middleware", "wrk", "/bench/floor/"),
        Scenario("home", "Hub home page", "wrk", "/", public=True),
        Scenario(
            "support_search",
            "Support directory, search",
            "wrk",
            "/support/?q=counselling",
            public=True,
        ),
        Scenario("check", "Is this stalking? (/check/)", "wrk", "/check/", public=True),
        Scenario("report", "Report, every step", "locust", locust_class="ReportUser"),
        Scenario(
            "report_1mb",
            "Report, every step, 1 MB file",
            "locust",
            locust_class="ReportUser",
            attachment=1024 * 1024,
        ),
        Scenario("receipt_sign_in", "Receipt sign-in", "locust", locust_class="ReceiptUser"),
        Scenario("inbox", "Staff inbox (case lead)", "wrk", "/staff/cases/", staff=True),
        Scenario(
            "case_page",
            "Case page, 1,000 entries",
            "wrk",
            f"/staff/cases/{big_case}/",
            staff=True,
        ),
        Scenario("log_add", "Log: add an incident", "locust", locust_class="LogAddUser"),
        Scenario(
            "log_export_pdf",
            "Log: download 200 incidents, PDF",
            "wrk",
            "/log/record/download/pdf/",
            log=True,
            slow=True,
            concurrencies=(2,),
        ),
        Scenario(
            "log_export_csv",
            "Log: download 200 incidents, CSV",
            "wrk",
            "/log/record/download/csv/",
            log=True,
        ),
        Scenario(
            "insights_reports",
            "Insights: reports (insights viewer)",
            "wrk",
            "/staff/insights/reports/",
            insights=True,
        ),
        Scenario(
            "insights_handling",
            "Insights: handling (insights viewer)",
            "wrk",
            "/staff/insights/handling/",
            insights=True,
        ),
    ]


def choose(every: list[Scenario], only: str) -> list[Scenario]:
    """The scenarios named in `only` (comma-separated; all if empty), and the floor, at
    every concurrency any of them runs at."""
    wanted = set(only.split(",")) if only else {s.name for s in every}
    chosen = [s for s in every if s.name in wanted or s.name == "floor"]
    at = floor_concurrencies(chosen)
    return [dataclasses.replace(s, concurrencies=at) if s.name == "floor" else s for s in chosen]


def floor_concurrencies(chosen: list[Scenario]) -> tuple[int, ...]:
    """Every concurrency a chosen scenario runs at: the floor runs at each, so each ratio
    compares like with like."""
    return tuple(sorted({c for s in chosen for c in s.concurrencies}, key=_floor_order))


def _floor_order(connections: int) -> tuple[int, int]:
    # The usual ones first, in their order (the first is the run memory is compared over).
    if connections in CONCURRENCIES:
        return (0, CONCURRENCIES.index(connections))
    return (1, connections)


# --- Environment --------------------------------------------------------------------------


@dataclass
class Bench:
    scale: Scale
    port: int
    state: Path
    database: str
    env: dict[str, str] = field(default_factory=dict)
    master_pid: int = 0
    stats_dir: Path = Path()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _need(tool: str, how: str) -> None:
    if shutil.which(tool) is None:
        sys.exit(f"bench: {tool} is missing. Install it: {how}")


def _run(cmd: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, **kwargs)  # noqa: S603


def _psql(sql: str, database: str = "postgres") -> str:
    base = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    result = subprocess.run(  # noqa: S603
        ["psql", f"{base}/{database}", "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql],  # noqa: S607
        check=True,
        text=True,
        capture_output=True,
    )
    return result.stdout.strip()


def prepare_environment(bench: Bench) -> None:
    state = bench.state
    (state / "keys").mkdir(parents=True, exist_ok=True)
    (state / "media").mkdir(exist_ok=True)
    secret_file = state / "secret_key"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(64))
        secret_file.chmod(0o600)
    keys = state / "keys"
    if not (keys / "signing.json").exists():  # keeps existing keysets, adds missing ones
        _run([PYTHON, "scripts/generate_keysets.py", str(keys)], dict(os.environ))
    base = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    redis_base = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
    bench.env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("WAYPOINT_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        "WAYPOINT_ENV": "production",
        "WAYPOINT_DEBUG": "false",
        "WAYPOINT_VAR_DIR": str(state),
        "SECRET_KEY_FILE": str(secret_file),
        "WAYPOINT_KEK_KEYSET_FILE": str(keys / "kek.json"),
        "WAYPOINT_IDENTIFIER_KEYSET_FILE": str(keys / "identifier.json"),
        "WAYPOINT_AUDIT_KEYSET_FILE": str(keys / "audit.json"),
        "WAYPOINT_RECEIPT_KEYSET_FILE": str(keys / "receipt.json"),
        "WAYPOINT_SIGNING_KEYSET_FILE": str(keys / "signing.json"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": bench.url,
        "WAYPOINT_SITE_URL": "https://127.0.0.1",
        # Production behind its TLS proxy: the proxy says https and who the client is.
        "WAYPOINT_BEHIND_PROXY": "true",
        "WAYPOINT_TRUSTED_PROXY_COUNT": "1",
        "DATABASE_URL": f"{base}/{bench.database}",
        "REDIS_URL": f"{redis_base}/{REDIS_DB}",
        "WAYPOINT_MEDIA_ROOT": str(state / "media"),
        # Notices are queued for a worker (none runs here) and delivered, if ever, to
        # nowhere: the enqueue is part of what a request costs.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "WAYPOINT_BENCH_FLOOR": "true",
        "GUNICORN_BIND": f"127.0.0.1:{bench.port}",
    }
    for kind in ("kek", "identifier", "audit", "receipt", "signing"):
        if not (keys / f"{kind}.json").exists():
            sys.exit(f"bench: scripts/generate_keysets.py did not write {kind}.json")


def prepare_database(bench: Bench) -> dict[str, Any]:
    """Migrate and generate, unless the same data is already there. Returns credentials."""
    stamp_file = bench.state / "stamp.json"
    credentials_file = bench.state / "credentials.json"
    wanted = {"database": bench.database, "args": bench.scale.generate_args()}
    # The name is one of ours (SCALES), never from outside.
    exists = _psql(f"SELECT 1 FROM pg_database WHERE datname = '{bench.database}'") == "1"  # noqa: S608
    if (
        exists
        and stamp_file.exists()
        and credentials_file.exists()
        and json.loads(stamp_file.read_text()) == wanted
    ):
        print(f"bench: reusing {bench.database} (same parameters; delete {stamp_file} to redo)")
        # Migrations added since (new tables, such as the insights facts) still apply.
        _run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], bench.env)
        return dict(json.loads(credentials_file.read_text()))
    stamp_file.unlink(missing_ok=True)
    print(f"bench: creating database {bench.database}")
    _psql(f'DROP DATABASE IF EXISTS "{bench.database}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{bench.database}"')
    env = bench.env
    _run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    started = time.monotonic()
    _run(
        [
            PYTHON,
            "manage.py",
            "generate_load_data",
            *bench.scale.generate_args(),
            f"--credentials={credentials_file}",
        ],
        env,
    )
    print(f"bench: data generated in {time.monotonic() - started:.0f} s")
    stamp_file.write_text(json.dumps(wanted))
    return dict(json.loads(credentials_file.read_text()))


# --- The server ----------------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(bench: Bench) -> Iterator[None]:
    bench.stats_dir = bench.state / "stats"
    shutil.rmtree(bench.stats_dir, ignore_errors=True)
    bench.stats_dir.mkdir()
    pidfile = bench.state / "gunicorn.pid"
    env = {**bench.env, "BENCH_STATS_DIR": str(bench.stats_dir), "BENCH_PIDFILE": str(pidfile)}
    log = (bench.state / "gunicorn.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [str(Path(PYTHON).parent / "gunicorn"), "-c", "bench/gunicorn_bench.py", "config.wsgi"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    bench.master_pid = process.pid
    try:
        _wait_until_up(bench, process)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_until_up(bench: Bench, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"bench: gunicorn stopped; see {bench.state / 'gunicorn.log'}")
        try:
            request = urllib.request.Request(  # noqa: S310
                bench.url + "/bench/floor/", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                if response.status == 200 and len(workers(bench)) >= 1:
                    time.sleep(1)  # let every worker finish booting
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit("bench: gunicorn did not answer within 60 s")


def workers(bench: Bench) -> list[int]:
    path = Path(f"/proc/{bench.master_pid}/task/{bench.master_pid}/children")
    try:
        return sorted(int(pid) for pid in path.read_text().split())
    except OSError:
        return []


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def server_counters(bench: Bench) -> tuple[int, int, int]:
    size = struct.calcsize(STATS_FORMAT)
    totals = [0, 0, 0]
    for path in bench.stats_dir.glob("worker-*.bin"):
        data = path.read_bytes()
        if len(data) >= size:
            for i, value in enumerate(struct.unpack_from(STATS_FORMAT, data)):
                totals[i] += value
    return totals[0], totals[1], totals[2]


# --- Load generators -----------------------------------------------------------------------


def staff_cookie(bench: Bench, email: str) -> str:
    out = _run([PYTHON, "bench/sessions.py", email], bench.env, capture_output=True).stdout
    session = json.loads(out.strip().splitlines()[-1])[email]
    return f"{SESSION_COOKIE}={session}"


def prepare_logs(bench: Bench) -> dict[str, Any]:
    """The log scenarios' logs (bench/logs.py), made before gunicorn starts: Argon2 for
    each new log's receipt, as log_start does. Returns their ids and sizes."""
    state_file = bench.state / "logs.json"
    _run(
        [PYTHON, "bench/logs.py", "prepare", str(state_file), f"--users={max(CONCURRENCIES)}"],
        bench.env,
    )
    return dict(json.loads(state_file.read_text()))


def prepare_insights(bench: Bench) -> dict[str, Any]:
    """Facts for every case and about as many fact events as timeline entries, and the
    insights viewer (bench/insights.py), made before gunicorn starts."""
    state_file = bench.state / "insights.json"
    _run(
        [
            PYTHON,
            "bench/insights.py",
            "prepare",
            str(state_file),
            f"--events={bench.scale.entries}",
        ],
        bench.env,
    )
    return dict(json.loads(state_file.read_text()))


def log_sessions(bench: Bench) -> dict[str, Any]:
    """New sessions for the logs bench/logs.py prepared (a log session ends after 30
    minutes idle); the add scenario's go to a file for locust."""
    out = _run(
        [PYTHON, "bench/logs.py", "sessions", str(bench.state / "logs.json")],
        bench.env,
        capture_output=True,
    ).stdout
    sessions = dict(json.loads(out.strip().splitlines()[-1]))
    path = bench.state / "log-sessions.json"
    path.write_text(json.dumps({"add": sessions["add"]}))
    path.chmod(0o600)
    return sessions


def run_wrk(
    bench: Bench, scenario: Scenario, connections: int, *, requests: int, seconds: int, cookie: str
) -> dict[str, Any]:
    """wrk for `seconds`, or until the server has answered `requests` (then SIGINT: wrk
    stops and reports its real running time)."""
    env = {**os.environ, "BENCH_PATH": scenario.path, "BENCH_COOKIE": cookie}
    started_at = server_counters(bench)[0]
    process = subprocess.Popen(  # noqa: S603
        [  # noqa: S607 - wrk from PATH, checked at start
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "120s" if scenario.slow else "30s",
            "-s",
            str(BENCH / "wrk" / "get.lua"),
            bench.url + scenario.path,
        ],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    while process.poll() is None:
        time.sleep(0.1)
        if requests and server_counters(bench)[0] - started_at >= requests:
            process.send_signal(signal.SIGINT)
            break
    stdout, _ = process.communicate(timeout=seconds + 60)
    line = next(x for x in stdout.splitlines() if x.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(data["errors"].values())
    seconds_taken = data["duration_us"] / 1e6
    if scenario.slow:
        # Requests wrk left running still hold the workers: wait for them, so they are
        # neither counted nor slowing the next run (at most one per connection).
        _drain(bench, started_at + data["requests"] + connections, timeout=120)
    return {
        "requests": data["requests"],
        "seconds": round(seconds_taken, 2),
        "rps": figure(data["requests"] / seconds_taken, 1),
        "p50_ms": round(data["latency_us"]["p50"] / 1000, 1),
        "p95_ms": round(data["latency_us"]["p95"] / 1000, 1),
        "p99_ms": round(data["latency_us"]["p99"] / 1000, 1),
        "errors": errors,
        "wire_bytes_per_response": round(data["bytes"] / max(1, data["requests"])),
    }


def _drain(bench: Bench, served: int, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while server_counters(bench)[0] < served and time.monotonic() < deadline:
        time.sleep(0.2)


def run_locust(
    bench: Bench,
    scenario: Scenario,
    connections: int,
    *,
    requests: int,
    seconds: int,
    credentials: Path,
) -> dict[str, Any]:
    prefix = bench.state / f"locust-{scenario.name}-{connections}"
    env = {
        **os.environ,
        "BENCH_ATTACHMENT_BYTES": str(scenario.attachment),
        "BENCH_MAX_REQUESTS": str(requests),
        "BENCH_CREDENTIALS": str(credentials),
        "BENCH_LOG_SESSIONS": str(bench.state / "log-sessions.json"),
    }
    started = time.monotonic()
    subprocess.run(  # noqa: S603
        [
            str(Path(PYTHON).parent / "locust"),
            "-f",
            str(BENCH / "locustfile.py"),
            "--headless",
            "--only-summary",
            "--skip-log-setup",
            "-u",
            str(connections),
            "-r",
            str(connections),
            "-t",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            bench.url,
            "--csv",
            str(prefix),
            scenario.locust_class,
        ],
        env=env,
        check=False,
        text=True,
        capture_output=True,
        cwd=ROOT,
    )
    elapsed = time.monotonic() - started
    with open(f"{prefix}_stats.csv") as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    flows = sum(
        int(r["Request Count"])
        for r in rows
        if r["Name"] in ("report: submit", "receipt: sign in", "log: add incident")
    )
    count = int(total["Request Count"])
    return {
        "requests": count,
        "seconds": round(elapsed, 2),
        "rps": figure(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "errors": int(total["Failure Count"]),
        "flows": flows,
        "flows_per_second": round(flows * float(total["Requests/s"]) / max(1, count), 2),
        "steps": {
            r["Name"]: {
                "requests": int(r["Request Count"]),
                "p50_ms": float(r["50%"]),
                "p95_ms": float(r["95%"]),
                "failures": int(r["Failure Count"]),
            }
            for r in rows
            if r["Name"] != "Aggregated"
        },
    }


def run_scenario(
    bench: Bench,
    scenario: Scenario,
    connections: int,
    *,
    cookie: str,
    credentials: Path,
) -> dict[str, Any]:
    scale = bench.scale
    measured_memory = connections == scenario.concurrencies[0]
    requests = scale.requests if measured_memory else 0
    seconds = scale.cap_seconds if measured_memory else scale.seconds
    if scenario.slow:
        requests, seconds = SLOW_REQUESTS, SLOW_SECONDS
    before_rss = {pid: rss_kib(pid) for pid in workers(bench)}
    before = server_counters(bench)
    if scenario.tool == "wrk":
        result = run_wrk(
            bench, scenario, connections, requests=requests, seconds=seconds, cookie=cookie
        )
    else:
        result = run_locust(
            bench,
            scenario,
            connections,
            requests=requests,
            seconds=seconds,
            credentials=credentials,
        )
    time.sleep(0.5)
    after = server_counters(bench)
    served = max(1, after[0] - before[0])
    result["server_requests"] = after[0] - before[0]
    result["queries_per_request"] = round((after[1] - before[1]) / served, 2)
    result["body_bytes_per_response"] = round((after[2] - before[2]) / served)
    if measured_memory:
        after_rss = {pid: rss_kib(pid) for pid in workers(bench)}
        result["worker_rss_kib"] = [
            {
                "pid": pid,
                "before": before_rss.get(pid),
                "after": after_rss.get(pid),
                "growth_pct": (
                    round(100 * (after_rss[pid] - before_rss[pid]) / before_rss[pid], 1)
                    if before_rss.get(pid) and pid in after_rss
                    else None
                ),
            }
            for pid in sorted(set(before_rss) | set(after_rss))
        ]
    return result


def warm_up(
    bench: Bench, chosen: list[Scenario], cookie: str, log_cookie: str, insights_cookie: str = ""
) -> None:
    """Every page a few times per worker, so imports and first connections are not timed."""
    for scenario in chosen:
        if scenario.tool != "wrk":
            continue
        chosen_cookie = _cookie_for(scenario, cookie, log_cookie, insights_cookie)
        if scenario.slow:
            # About one request per worker, waiting for each to finish.
            count = len(workers(bench)) or 1
            with ThreadPoolExecutor(max_workers=count) as pool:
                done = [
                    pool.submit(_fetch, bench, scenario.path, chosen_cookie) for _ in range(count)
                ]
                for future in done:
                    future.result()
            continue
        env = {**os.environ, "BENCH_PATH": scenario.path, "BENCH_COOKIE": chosen_cookie}
        subprocess.run(  # noqa: S603
            [  # noqa: S607
                "wrk",
                "-t1",
                "-c4",
                "-d2s",
                "-s",
                str(BENCH / "wrk" / "get.lua"),
                bench.url + scenario.path,
            ],
            env=env,
            check=False,
            capture_output=True,
        )


def _fetch(bench: Bench, path: str, cookie: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - our own server
        bench.url + path, headers={"X-Forwarded-Proto": "https", "Cookie": cookie}
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        response.read()


def _cookie_for(
    scenario: Scenario, staff_cookie: str, log_cookie: str, insights_cookie: str = ""
) -> str:
    if scenario.insights:
        return insights_cookie
    if scenario.staff:
        return staff_cookie
    return log_cookie if scenario.log else ""


def fresh_cookie(
    bench: Bench, scenario: Scenario, credentials: dict[str, Any], insights: dict[str, Any]
) -> str:
    """New sessions for each run of `scenario`: staff sessions end after 15 idle minutes,
    log sessions after 30 (log_add's go to a file for locust)."""
    staff = ""
    if scenario.insights:
        staff = staff_cookie(bench, insights["viewer"])
    elif scenario.staff:
        staff = staff_cookie(bench, credentials["lead"])
    log = ""
    if scenario.name.startswith("log_"):
        log = f"{SESSION_COOKIE}={log_sessions(bench)['export']}"
    return _cookie_for(scenario, staff, log, staff)


# --- Argon2 and the machine ------------------------------------------------------------------


def argon2_ceiling(bench: Bench) -> dict[str, Any]:
    out = _run([PYTHON, "bench/argon2_cost.py"], bench.env, capture_output=True).stdout
    data = json.loads(out)
    seconds = data["waypoint_argon2id"]["median_ms"] / 1000
    cores = os.cpu_count() or 1
    return {
        "hash_ms": data["waypoint_argon2id"]["median_ms"],
        "parameters": {
            k: data["waypoint_argon2id"][k] for k in ("memory_kib", "time_cost", "parallelism")
        },
        "ceiling_per_second": round(cores / seconds, 2),
    }


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_kib = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    wrk_version = subprocess.run(
        ["wrk", "-v"],  # noqa: S607
        check=False,
        capture_output=True,
        text=True,
    ).stdout.split("\n")[0]
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": _psql("SHOW server_version"),
        "wrk": wrk_version.strip(),
        "locust": subprocess.run(  # noqa: S603
            [str(Path(PYTHON).parent / "locust"), "--version"],
            check=False,
            capture_output=True,
            text=True,
        ).stdout.strip(),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- Report ---------------------------------------------------------------------------------


def figure(value: float, places: int) -> float:
    """`value` to `places` decimals, or to two significant figures when that would show
    nothing (a PDF a minute is 0.02 req/s, not 0.0)."""
    rounded = round(value, places)
    if rounded or not value:
        return rounded
    return float(f"{value:.2g}")


def summarise(results: dict[str, Any]) -> None:
    """Ratios to the floor, the argon2 fraction, and where each target stands."""
    runs = results["scenarios"]
    ceiling = results["argon2"]["ceiling_per_second"]
    for name, by_connections in runs.items():
        for connections, run in by_connections.items():
            floor = runs.get("floor", {}).get(connections)
            if floor:
                run["ratio_to_floor"] = figure(run["rps"] / floor["rps"], 3)
            if "flows_per_second" in run and name.startswith("report"):
                run["fraction_of_argon2_ceiling"] = round(run["flows_per_second"] / ceiling, 3)
    results["targets"] = targets(results)


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    runs = results["scenarios"]
    found = []

    def add(target: str, where: str, value: Any, met: bool | None) -> None:
        found.append({"target": target, "where": where, "value": value, "met": met})

    for scenario in results["scenario_list"]:
        name = scenario["name"]
        for connections, run in runs.get(name, {}).items():
            if scenario["public"]:
                ratio = run.get("ratio_to_floor")
                add(
                    "public page >= 0.7 x floor rps",
                    f"{name}@{connections}",
                    ratio,
                    (ratio or 0) >= 0.7,
                )
            if connections == "16" and name != "floor":
                add("p99 < 100 ms at 16 connections", name, run["p99_ms"], run["p99_ms"] < 100)
            if scenario["staff"]:
                add("staff p95 < 50 ms", f"{name}@{connections}", run["p95_ms"], run["p95_ms"] < 50)
            if scenario.get("insights") and connections == "16":
                # Issue 15: every insights page under 200 ms of server time at full scale.
                add("insights p95 < 200 ms", name, run["p95_ms"], run["p95_ms"] < 200)
            if name.startswith("report"):
                fraction = run.get("fraction_of_argon2_ceiling")
                add(
                    "submissions >= 0.8 x argon2 ceiling",
                    f"{name}@{connections}",
                    fraction,
                    (fraction or 0) >= 0.8,
                )
            for worker in run.get("worker_rss_kib", []):
                growth = worker["growth_pct"]
                if growth is not None:
                    add(
                        "worker RSS growth <= 10% over the run",
                        f"{name} pid {worker['pid']}",
                        growth,
                        growth <= 10,
                    )
    return found


def _log_summary(state: dict[str, Any]) -> dict[str, Any]:
    if not state:
        return {}
    return {
        "logs": {
            "add_logs": len(state["add"]),
            "add_incidents": state["add_incidents"],
            "export_incidents": state["export"]["incidents"],
            "export_entries": state["export"]["entries"],
        }
    }


def _insights_summary(state: dict[str, Any]) -> dict[str, Any]:
    if not state:
        return {}
    return {"insights": state.get("totals", {})}


def _insights_data_line(results: dict[str, Any]) -> list[str]:
    totals = results.get("insights")
    if not totals:
        return []
    return [
        f"Insights: facts of {totals['facts']} cases, {totals['tags']} tags and "
        f"{totals['events']} fact events (bench/insights.py)."
    ]


def _log_data_line(results: dict[str, Any]) -> list[str]:
    logs = results.get("logs")
    if not logs:
        return []
    return [
        f"Logs: {logs['add_logs']} logs of {logs['add_incidents']} incidents, one per "
        f"`log_add` user (each add grows its own); one of {logs['export_incidents']} "
        f"incidents ({logs['export_entries']} entries with corrections) for the downloads."
    ]


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"# Waypoint benchmark ({results['scale']['name']} scale, {results['finished_at']})",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}, "
        f"PostgreSQL {m['postgresql']}; load average before {results['load_average_before']}, "
        f"after {results['load_average_after']}. gunicorn: {results['gunicorn']}.",
        f"Data: {results['scale']['services']} services, {results['scale']['cases']} cases, "
        f"{results['scale']['entries']} timeline entries. Argon2id: one hash "
        f"{results['argon2']['hash_ms']} ms, so at most {results['argon2']['ceiling_per_second']}"
        " submissions or sign-ins a second on this machine (cores / hash time).",
        *_log_data_line(results),
        *_insights_data_line(results),
        "",
        "| Scenario | Conns | req/s | p50 ms | p95 ms | p99 ms | x floor | SQL/req | "
        "bytes/resp | errors | flows/s | RSS growth % (first run) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scenario in results["scenario_list"]:
        for connections, run in results["scenarios"].get(scenario["name"], {}).items():
            growth = ", ".join(
                f"{w['growth_pct']}"
                for w in run.get("worker_rss_kib", [])
                if w["growth_pct"] is not None
            )
            flows = run.get("flows_per_second", "")
            if "fraction_of_argon2_ceiling" in run:
                flows = f"{flows} ({run['fraction_of_argon2_ceiling']} of ceiling)"
            lines.append(
                f"| {scenario['title']} | {connections} | {run['rps']} | {run['p50_ms']} | "
                f"{run['p95_ms']} | {run['p99_ms']} | {run.get('ratio_to_floor', '')} | "
                f"{run['queries_per_request']} | {run['body_bytes_per_response']} | "
                f"{run['errors']} | {flows} | {growth} |"
            )
    lines += ["", "| Target | Where | Value | Met |", "|---|---|---|---|"]
    for t in results["targets"]:
        lines.append(
            f"| {t['target']} | {t['where']} | {t['value']} | {'yes' if t['met'] else 'no'} |"
        )
    return "\n".join(lines) + "\n"


# --- Main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8765")))
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument(
        "--seconds",
        type=int,
        default=0,
        help="cap every run at this many seconds (quick comparisons; memory is then "
        "compared over fewer requests)",
    )
    parser.add_argument(
        "--out", type=Path, help="JSON file (default var/bench/<scale>/results.json)"
    )
    args = parser.parse_args()
    # Stopped from outside: still stop gunicorn (the `finally` in gunicorn()).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: stopped"))
    _need("wrk", "apt-get install wrk")
    _need("psql", "apt-get install postgresql-client")
    if shutil.which(str(Path(PYTHON).parent / "locust")) is None:
        sys.exit("bench: locust is missing: make install (requirements/dev.txt pins it)")
    scale = SCALES[args.scale]
    if args.seconds:
        scale = dataclasses.replace(scale, cap_seconds=args.seconds, seconds=args.seconds)
    database = "waypoint_bench" if scale.name == "full" else f"waypoint_bench_{scale.name}"
    bench = Bench(
        scale=scale, port=args.port, state=ROOT / "var" / "bench" / scale.name, database=database
    )
    prepare_environment(bench)
    credentials = prepare_database(bench)
    credentials_file = bench.state / "credentials.json"
    _run(["redis-cli", "-u", bench.env["REDIS_URL"], "FLUSHDB"], bench.env, capture_output=True)
    _run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"], bench.env)
    chosen = choose(scenarios(credentials["big_case"]), args.only)
    uses_logs = any(s.name.startswith("log_") for s in chosen)
    log_state = prepare_logs(bench) if uses_logs else {}
    insights_state = prepare_insights(bench) if any(s.insights for s in chosen) else {}
    results: dict[str, Any] = {
        "machine": machine(),
        "scale": {**scale.__dict__},
        "load_average_before": load_average(),
        "scenario_list": [s.__dict__ for s in chosen],
        "scenarios": {},
    }
    results.update(_log_summary(log_state))
    results.update(_insights_summary(insights_state))
    results["argon2"] = argon2_ceiling(bench)
    with gunicorn(bench):
        results["gunicorn"] = {
            "workers": len(workers(bench)),
            "threads": int(bench.env.get("GUNICORN_THREADS", "2")),
        }
        lead_cookie = staff_cookie(bench, credentials["lead"])
        log_cookie = f"{SESSION_COOKIE}={log_sessions(bench)['export']}" if uses_logs else ""
        insights_cookie = staff_cookie(bench, insights_state["viewer"]) if insights_state else ""
        warm_up(bench, chosen, lead_cookie, log_cookie, insights_cookie)
        for scenario in chosen:
            for connections in scenario.concurrencies:
                cookie = fresh_cookie(bench, scenario, credentials, insights_state)
                print(f"bench: {scenario.name} at {connections} connections", flush=True)
                run = run_scenario(
                    bench,
                    scenario,
                    connections,
                    cookie=cookie,
                    credentials=credentials_file,
                )
                results["scenarios"].setdefault(scenario.name, {})[str(connections)] = run
                print(
                    f"       {run['rps']} req/s, p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms, "
                    f"{run['queries_per_request']} queries, {run['errors']} errors",
                    flush=True,
                )
    results["load_average_after"] = load_average()
    results["finished_at"] = time.strftime("%Y-%m-%d %H:%M", time.localtime())
    summarise(results)
    out = args.out or bench.state / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    out.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))
    print(f"bench: results in {out} and {out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
