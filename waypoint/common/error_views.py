"""Waypoint's own error pages, for any request however malformed (security.md, issue 13).

Django's default handlers are wrapped in `requires_csrf_token`, which reads `request.POST`
again: for a body Django refused to parse (a form posted with a non-UTF-8 charset, a broken
multipart body) that raises inside the handler, and Django falls back to a bare page without
our headers. These handlers never read the request body, so the page is always ours and the
response still goes back out through every middleware (CSP, no-store, ...).

405 ("method not allowed") gets the same treatment from MethodNotAllowedPageMiddleware:
Django's `require_http_methods` answers it with an empty body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template import loader
from django.template.exceptions import TemplateDoesNotExist


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    body: str
    try:
        body = loader.render_to_string(template, request=request)
    except Exception:
        body = loader.render_to_string("500.html")
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "404.html", 404)


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
