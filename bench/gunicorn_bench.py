"""gunicorn for `make bench`: production's deploy/gunicorn.conf.py plus counters.

Run as `gunicorn -c bench/gunicorn_bench.py config.wsgi` (bench/run.py does).

Everything production sets is kept, except worker recycling (max_requests): the bench
reports how much each worker's memory grows over 10,000 requests, which recycling would
hide. Each worker counts requests, SQL queries and response body bytes into a small
memory-mapped file (BENCH_STATS_DIR/worker-PID.bin) that bench/run.py reads before and
after each scenario; no request pays more than a few additions for it.
"""

from __future__ import annotations

import mmap
import os
import struct
import threading
from pathlib import Path
from typing import Any

_deploy = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"
exec(compile(_deploy.read_text(), str(_deploy), "exec"))  # noqa: S102 - our own config file

max_requests = 0
max_requests_jitter = 0
pidfile = os.environ.get("BENCH_PIDFILE")

# requests, SQL queries, response body bytes (unsigned 64-bit each)
STATS_FORMAT = "<QQQ"
_stats: dict[str, Any] = {"queries": 0, "requests": 0, "bytes": 0}
_lock = threading.Lock()


def _count_query(execute: Any, sql: Any, params: Any, many: Any, context: Any) -> Any:
    with _lock:
        _stats["queries"] += 1
    return execute(sql, params, many, context)


def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    if _count_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count_query)


def post_fork(server: Any, worker: Any) -> None:
    from django.db.backends.signals import connection_created  # noqa: PLC0415 - in the worker

    connection_created.connect(_on_connection, weak=False)
    directory = Path(os.environ.get("BENCH_STATS_DIR", "/tmp"))  # noqa: S108
    path = directory / f"worker-{os.getpid()}.bin"
    size = struct.calcsize(STATS_FORMAT)
    with open(path, "wb") as handle:
        handle.write(b"\0" * size)
    shared = open(path, "r+b")  # noqa: SIM115 - kept open for the worker's life
    _stats["map"] = mmap.mmap(shared.fileno(), size)


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    with _lock:
        _stats["requests"] += 1
        _stats["bytes"] += int(getattr(resp, "sent", 0) or 0)
        shared = _stats.get("map")
        if shared is not None:
            struct.pack_into(
                STATS_FORMAT, shared, 0, _stats["requests"], _stats["queries"], _stats["bytes"]
            )
