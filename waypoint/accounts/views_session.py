"""The "Stay signed in" button of the warning before a staff session ends (issue 12).

Only that button calls this (static/js/session-warning.js): nothing on a page pings it on
a timer, so a session left alone still ends after the idle limit (ADR 0034).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from waypoint.accounts.policy import staff_view
from waypoint.accounts.session_clock import WARNING_SECONDS, session_keep_alive


@staff_view("staff.home")
@require_POST
def session_keep_alive_view(request: HttpRequest) -> JsonResponse:
    remaining = session_keep_alive(request)
    return JsonResponse({"remaining_seconds": remaining, "warning_seconds": WARNING_SECONDS})
