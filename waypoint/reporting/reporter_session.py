"""The returning reporter's session: signed in with a receipt, not a staff account.

It is an ordinary Django session for an anonymous user (request.user stays anonymous, so
the staff session middleware never looks at it). It holds only the report's id and two
clocks, as whole seconds since the epoch, under namespaced keys: never the reference,
the passphrase or anything from the report.

- sign_in() gives the browser a new session key (the old one stops working), so a
  session id planted or seen before sign-in is useless after it (security.md T8a).
- current_report_id() ends the session after settings.WAYPOINT_REPORTER_IDLE_SECONDS
  (30 minutes, as GlobaLeaks) without activity, and notes last-seen at most once a
  minute. After ending it, expired_reason() tells the view why, for this request only:
  "You were signed out after 30 minutes without activity".
- sign_out() deletes the session on the server as well as the cookie.

The "just submitted" marker lets the browser that sent a report (and only it) open the
receipt page for a short while afterwards.
"""

from __future__ import annotations

import time
import uuid
from typing import Final, Literal

from django.conf import settings
from django.http import HttpRequest

from waypoint.reporting.models import Report

REPORT_ID: Final = "waypoint.reporter.report_id"
STARTED_AT: Final = "waypoint.reporter.started_at"
SEEN_AT: Final = "waypoint.reporter.seen_at"
JUST_SUBMITTED: Final = "waypoint.reporter.just_submitted"
# Every session key this module writes.
SESSION_KEYS: Final = (REPORT_ID, STARTED_AT, SEEN_AT, JUST_SUBMITTED)

# last-seen is written at most this often, so that most requests do not save the session.
SEEN_RESOLUTION_SECONDS: Final = 60
# How long after submitting the same browser may open the receipt page.
JUST_SUBMITTED_SECONDS: Final = 15 * 60

ExpiryReason = Literal["idle"]
_EXPIRED_ATTR: Final = "_waypoint_reporter_expired"


def now_seconds() -> int:
    return int(time.time())


def sign_in(request: HttpRequest, report: Report) -> None:
    """Start a reporter session for `report` under a new session key."""
    request.session.cycle_key()
    now = now_seconds()
    request.session[REPORT_ID] = str(report.pk)
    request.session[STARTED_AT] = now
    request.session[SEEN_AT] = now
    setattr(request, _EXPIRED_ATTR, None)


def _expire(request: HttpRequest, reason: ExpiryReason) -> None:
    request.session.flush()
    setattr(request, _EXPIRED_ATTR, reason)


def current_report_id(request: HttpRequest) -> uuid.UUID | None:
    """The signed-in reporter's report id, or None (never signed in, signed out, expired).

    Ends the session (flush) once it has been idle for WAYPOINT_REPORTER_IDLE_SECONDS;
    otherwise records activity, at most once a minute.
    """
    raw = request.session.get(REPORT_ID)
    if raw is None:
        return None
    seen = request.session.get(SEEN_AT)
    try:
        report_id = uuid.UUID(str(raw))
    except ValueError:
        report_id = None
    if report_id is None or not isinstance(seen, int):
        # Not written by sign_in(): end it rather than trust it.
        request.session.flush()
        return None
    now = now_seconds()
    if now - seen >= settings.WAYPOINT_REPORTER_IDLE_SECONDS:
        _expire(request, "idle")
        return None
    if now - seen >= SEEN_RESOLUTION_SECONDS:
        request.session[SEEN_AT] = now
    return report_id


def expired_reason(request: HttpRequest) -> ExpiryReason | None:
    """Why current_report_id() ended this request's reporter session, if it did."""
    reason: ExpiryReason | None = getattr(request, _EXPIRED_ATTR, None)
    return reason


def expired_message(reason: ExpiryReason) -> str:
    """What to tell the person, in plain words."""
    minutes = settings.WAYPOINT_REPORTER_IDLE_SECONDS // 60
    return (
        f"You were signed out after {minutes} minutes without activity, to keep your "
        "report safe. Enter your reference and passphrase to carry on."
    )


def sign_out(request: HttpRequest) -> None:
    """End the session: the server-side row and the cookie both go."""
    request.session.flush()
    setattr(request, _EXPIRED_ATTR, None)


def mark_just_submitted(request: HttpRequest, report_id: uuid.UUID) -> None:
    """This browser just submitted `report_id`: it may open the receipt page for a while.

    The session now carries a new right, so it gets a new key.
    """
    request.session.cycle_key()
    request.session[JUST_SUBMITTED] = {"report_id": str(report_id), "at": now_seconds()}


def just_submitted_report_id(request: HttpRequest) -> uuid.UUID | None:
    """The report this browser submitted in the last JUST_SUBMITTED_SECONDS, or None."""
    marker = request.session.get(JUST_SUBMITTED)
    if not isinstance(marker, dict):
        return None
    at = marker.get("at")
    try:
        report_id = uuid.UUID(str(marker.get("report_id")))
    except ValueError:
        report_id = None
    if (
        report_id is None
        or not isinstance(at, int)
        or not 0 <= now_seconds() - at < JUST_SUBMITTED_SECONDS
    ):
        clear_just_submitted(request)
        return None
    return report_id


def clear_just_submitted(request: HttpRequest) -> None:
    request.session.pop(JUST_SUBMITTED, None)
