"""How long a staff session has left, for the warning before it ends (issue 12, ADR 0034).

The idle and absolute limits themselves are enforced by StaffSessionMiddleware
(sessions.session_expiry_reason); this only reads the same clocks to tell the page.
"""

from __future__ import annotations

from typing import Final

from django.conf import settings
from django.http import HttpRequest

from waypoint.accounts import sessions

# The warning shows this long before the session would end.
WARNING_SECONDS: Final = 120


def session_remaining_seconds(request: HttpRequest) -> int:
    """Seconds until this session ends if nothing else happens (idle or absolute limit)."""
    now = sessions.now_seconds()
    seen = request.session.get(sessions.SEEN_AT)
    started = request.session.get(sessions.STARTED_AT)
    seen_at = seen if isinstance(seen, int) else now
    started_at = started if isinstance(started, int) else now
    idle_left = settings.WAYPOINT_STAFF_IDLE_SECONDS - (now - seen_at)
    absolute_left = settings.WAYPOINT_STAFF_ABSOLUTE_SECONDS - (now - started_at)
    return max(0, min(idle_left, absolute_left))


def session_keep_alive(request: HttpRequest) -> int:
    """The person asked to stay signed in: the idle clock starts again now (the absolute
    limit stays). Returns the seconds now left."""
    request.session[sessions.SEEN_AT] = sessions.now_seconds()
    return session_remaining_seconds(request)
