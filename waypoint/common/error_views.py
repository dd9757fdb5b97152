"""Waypoint's own error pages, for any request however malformed (security.md, issue 13).

Django's default handlers are wrapped in `requires_csrf_token`, which reads `request.POST`
again: for a body Django refused to parse (a form posted with a non-UTF-8 charset, a broken
multipart body) that raises inside the handler, and Django falls back to a bare page without
our headers. These handlers never read the request body, so the page is always ours and the
response still goes back out through every middleware (CSP, no-store, ...).

405 ("method not allowed") gets the same treatment from MethodNotAllowedPageMiddleware:
Django's `require_http_methods` answers it with an empty body. 429 ("too many requests") is
allauth's answer to its rate limits, through `handler429` in the root URLconf. 413 ("too
large") comes two ways: Django refusing a form body over DATA_UPLOAD_MAX_MEMORY_SIZE (it
calls handler400 with RequestDataTooBig), and RequestTooLargeMiddleware refusing a request
whose Content-Length is over the cap before anything reads its body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template import loader
from django.template.exceptions import TemplateDoesNotExist

MiB: Final = 2**20
# allauth's windows are one and five minutes (ACCOUNT_RATE_LIMITS); the page says "a few".
RETRY_AFTER_SECONDS: Final = 300
# Content-Length is 1*DIGIT (RFC 9110); int() alone would also take "+5", " 5" or "5_0".
_DIGITS: Final = re.compile(r"[0-9]+")


def _page(
    request: HttpRequest, template: str, status: int, context: Mapping[str, Any] | None = None
) -> HttpResponse:
    body: str
    try:
        body = loader.render_to_string(template, context, request=request)
    except Exception:
        body = loader.render_to_string("500.html")
    return HttpResponse(body, status=status)


def request_too_large(request: HttpRequest) -> HttpResponse:
    """413, with the upload limits in plain numbers (the same ones the upload form states)."""
    limits = {
        "file_mb": max(1, settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES // MiB),
        "report_mb": max(1, settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES // MiB),
        "max_files": settings.WAYPOINT_UPLOAD_MAX_FILES,
    }
    return _page(request, "413.html", 413, limits)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request)
    return _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "404.html", 404)


def too_many_requests(request: HttpRequest) -> HttpResponse:
    response = _page(request, "429.html", 429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # The 500 page uses no request and no database: whatever failed may fail again.
    body: str
    try:
        body = loader.render_to_string("500.html")
    except TemplateDoesNotExist:  # pragma: no cover - the template ships with the project
        body = "<!DOCTYPE html><title>Server error</title><h1>Sorry, something went wrong</h1>"
    return HttpResponse(body, status=500)


class MethodNotAllowedPageMiddleware:
    """Gives Django's empty 405 answer Waypoint's page, keeping its Allow header."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            page = _page(request, "405.html", 405)
            page["Allow"] = response["Allow"]
            return page
        return response


def request_size_cap() -> int:
    """The largest body worth reading: the most files a person can pick for a report while
    keeping each within its limit, plus 1 MiB of form fields.

    Not the per-report limit alone: a selection between the two is still read, so the
    upload form can say in place which files were too many (reporting/uploads.py drains
    it); a bigger body cannot come from that form used as meant. Read at request time, so
    a changed upload limit (or a test's) takes effect at once.
    """
    most_files = settings.WAYPOINT_UPLOAD_MAX_FILES * settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES
    return max(settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES, most_files) + MiB


class RequestTooLargeMiddleware:
    """Answers 413 from the Content-Length alone, before anything reads the body.

    Without it a huge request would be read (and, for an upload, drained) before any
    refusal. Placed after the header middleware, so the page has every security header,
    and before CsrfViewMiddleware, the first thing that reads the body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        announced = request.META.get("CONTENT_LENGTH") or ""
        if announced:
            if not _DIGITS.fullmatch(announced):
                # Django would read a nonsense length as 0 and silently drop the body.
                return bad_request(request)
            if int(announced) > request_size_cap():
                return request_too_large(request)
        return self.get_response(request)
