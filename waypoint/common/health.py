"""/healthz and /readyz for load balancers (deploy/README.md).

/healthz answers 200 while the process can serve a request at all: no database, no
session, nothing read. /readyz answers 200 only when this server can do real work: the
database answers, the shared cache stores and returns a value, every keyset loads, and
no migration is waiting. It says which checks failed by name and nothing else (no
versions, hosts, counts or error text), reads no session and sets no cookie.

The task worker's heartbeat is reported too (the worker app registers it), but it does
not make a server unready: a web server with a stopped worker still takes reports, whose
emails wait in the outbox, and taking every server out of the load balancer because of the
worker would turn the site away from someone in danger. It answers 200 with
"attention": ["worker"] instead, for monitoring to alert on (ADR 0039).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Final

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from waypoint.privacy import keysets

_CACHE_PROBE_SECONDS: Final = 10
# Once every migration has been applied in this process's lifetime it stays so (a
# deployment migrates before it starts servers); until then the plan is computed again.
_migrated = threading.Event()


def _database() -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return bool(cursor.fetchone() == (1,))


def _cache() -> bool:
    cache = caches["default"]
    key, value = f"wp-ready:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=_CACHE_PROBE_SECONDS)
    try:
        return bool(cache.get(key) == value)
    finally:
        cache.delete(key)


def _keysets() -> bool:
    for kind in settings.WAYPOINT_KEYSETS:
        keysets.load_keyset(kind)
    return True


def _migrations() -> bool:
    if _migrated.is_set():
        return True
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    _migrated.set()
    return True


CHECKS: Final[dict[str, Callable[[], bool]]] = {
    "database": _database,
    "cache": _cache,
    "keysets": _keysets,
    "migrations": _migrations,
}
# Checks registered by other apps; they are reported but do not make the server unready.
ATTENTION_CHECKS: Final[dict[str, Callable[[], bool]]] = {}


def register_check(name: str, check: Callable[[], bool]) -> None:
    """Report `check` in /readyz as needing attention when it fails (worker.apps)."""
    ATTENTION_CHECKS[name] = check


def _passes(check: Callable[[], bool]) -> bool:
    try:
        return check()
    except Exception:  # any failure means "not ready"; nothing is echoed
        return False


@login_not_required
@never_cache
@require_safe
def healthz_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok\n", content_type="text/plain; charset=utf-8")


@login_not_required
@never_cache
@require_safe
def readyz_view(request: HttpRequest) -> JsonResponse:
    failing = [name for name, check in CHECKS.items() if not _passes(check)]
    attention = [name for name, check in ATTENTION_CHECKS.items() if not _passes(check)]
    body: dict[str, object] = {"status": "not ready", "failing": failing}
    if not failing:
        body = {"status": "ready"}
    if attention:
        body["attention"] = attention
    return JsonResponse(body, status=503 if failing else 200)
