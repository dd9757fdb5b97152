"""Test-only URLconf: the real site plus one address that fails, to exercise the 500 page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns

# Text that must never reach the visitor: it stands for an exception message that could
# carry personal data or internals.
SECRET_DETAIL = "boom-detail-/srv/waypoint/settings.py-SECRET_KEY"


@login_not_required
def failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET_DETAIL)


urlpatterns = [*site_urlpatterns, path("test-failure/", failing_view)]
