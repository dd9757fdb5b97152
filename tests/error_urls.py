"""Test-only URLconf: the real site plus addresses that fail, to show the error pages.

The 413 and 429 pages are answers, not routes: a browser test reaches them here directly
(the handlers are the ones config.urls names), the tests in test_error_pages.py and
test_malformed_requests.py reach them the real way.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler429, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns
from waypoint.common.error_views import request_too_large, too_many_requests

# Text that must never reach the visitor: it stands for an exception message that could
# carry personal data or internals.
SECRET_DETAIL = "boom-detail-/srv/waypoint/settings.py-SECRET_KEY"


@login_not_required
def failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET_DETAIL)


@login_not_required
def too_large_view(request: HttpRequest) -> HttpResponse:
    return request_too_large(request)


@login_not_required
def too_many_view(request: HttpRequest) -> HttpResponse:
    return too_many_requests(request)


urlpatterns = [
    *site_urlpatterns,
    path("test-failure/", failing_view),
    path("test-too-large/", too_large_view),
    path("test-too-many/", too_many_view),
]
