"""One structured log line per request, with nothing that identifies anyone.

Each line (logger "waypoint.request", formatted as JSON by logs.JsonFormatter) holds the
time, the method, the route's name (never the path: paths carry ids), the status, the
duration in milliseconds and a random request id, which the response also carries as
X-Request-ID so a member of staff can quote it. Never a query string, form field, cookie,
IP address, user agent or user.

On the reporter's routes (the report, the return with a receipt, the incident log) the
time is kept to the hour: when someone visited those pages is itself something we
promise not to hold to the minute (ADR 0037).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Final

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger("waypoint.request")

# Namespaces whose visits are reporters' (the time is kept to the hour).
REPORTER_NAMESPACES: Final = frozenset({"reporting", "log"})


def route_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        # Static files are answered by WhiteNoise before any URL is resolved.
        return (
            "static" if request.path.startswith(settings.STATIC_URL or "/static/") else "unresolved"
        )
    return match.view_name or "unnamed"


def is_reporter_route(name: str) -> bool:
    return name.split(":", 1)[0] in REPORTER_NAMESPACES or name == "safety:reporter_plan"


class RequestLogMiddleware:
    """Outermost middleware: times the whole request, including the other middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        response = self.get_response(request)
        name = route_name(request)
        response["X-Request-ID"] = request_id
        logger.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method if request.method in _METHODS else "OTHER",
                "route": name,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "coarse_time": is_reporter_route(name),
            },
        )
        return response


_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
