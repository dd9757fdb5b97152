"""The session of a person keeping a record: signed in with the log's receipt.

It mirrors the returning reporter's session (reporting/reporter_session.py): an ordinary
Django session for an anonymous user, holding only the log's id and two clocks (whole
seconds since the epoch) under namespaced keys, never the reference, the passphrase or
anything written in the log.

- sign_in() gives the browser a new session key, so a session id planted or seen before
  is useless after it.
- current_log_id() ends the session after settings.WAYPOINT_REPORTER_IDLE_SECONDS
  without activity and notes last-seen at most once a minute; the sign-in page then says
  why (expired_message), once.
- sign_out() deletes the session on the server as well as the cookie.

The "just started" marker lets the browser that started a log (and only it) see its
receipt for a short while, until two of its words are retyped.

One-shot notices ("Incident saved") live here too, in the session: Django's messages
would put them in a cookie first, and nothing but the session cookie is kept in the
browser (issue 14, item 8).
"""

from __future__ import annotations

import time
import uuid
from typing import Final

from django.conf import settings
from django.http import HttpRequest

from waypoint.log.models import IncidentLog

LOG_ID: Final = "waypoint.log.log_id"
STARTED_AT: Final = "waypoint.log.started_at"
SEEN_AT: Final = "waypoint.log.seen_at"
JUST_STARTED: Final = "waypoint.log.just_started"
CHECK_POSITIONS: Final = "waypoint.log.check_positions"
NOTICE: Final = "waypoint.log.notice"
EXPIRED: Final = "waypoint.log.expired"
DELETED: Final = "waypoint.log.deleted"
SHARED: Final = "waypoint.log.shared"
# Every session key this module writes.
SESSION_KEYS: Final = (
    LOG_ID,
    STARTED_AT,
    SEEN_AT,
    JUST_STARTED,
    CHECK_POSITIONS,
    NOTICE,
    EXPIRED,
    DELETED,
    SHARED,
)

SEEN_RESOLUTION_SECONDS: Final = 60
# How long after starting a log the same browser may see its receipt.
JUST_STARTED_SECONDS: Final = 15 * 60
# How long the "your record was deleted" page stays meaningful after deleting.
DELETED_SECONDS: Final = 10 * 60
# How long the "shared with the team" page stays meaningful after sharing.
SHARED_SECONDS: Final = 10 * 60


def now_seconds() -> int:
    return int(time.time())


def sign_in(request: HttpRequest, log: IncidentLog) -> None:
    """Start a session for `log` under a new session key."""
    request.session.cycle_key()
    now = now_seconds()
    request.session[LOG_ID] = str(log.pk)
    request.session[STARTED_AT] = now
    request.session[SEEN_AT] = now
    request.session.pop(EXPIRED, None)


def sign_in_from_report(request: HttpRequest, log: IncidentLog) -> None:
    """Open the record kept under the report the person is signed in to (/my-report/).

    The report's session stays: the same receipt opened both. A new session key all the
    same, as for any sign-in."""
    if log.report_id is None:
        raise ValueError("Only a record kept under a report opens from the report.")
    sign_in(request, log)


def current_log_id(request: HttpRequest) -> uuid.UUID | None:
    """The signed-in log's id, or None (never signed in, signed out, expired).

    Ends the whole session once it has been idle for WAYPOINT_REPORTER_IDLE_SECONDS and
    leaves a one-shot note saying so; otherwise records activity, at most once a minute.
    """
    raw = request.session.get(LOG_ID)
    if raw is None:
        return None
    seen = request.session.get(SEEN_AT)
    try:
        log_id = uuid.UUID(str(raw))
    except ValueError:
        log_id = None
    if log_id is None or not isinstance(seen, int):
        # Not written by sign_in(): end it rather than trust it.
        request.session.flush()
        return None
    now = now_seconds()
    if now - seen >= settings.WAYPOINT_REPORTER_IDLE_SECONDS:
        request.session.flush()
        request.session[EXPIRED] = True
        return None
    if now - seen >= SEEN_RESOLUTION_SECONDS:
        request.session[SEEN_AT] = now
    return log_id


def pop_expired_message(request: HttpRequest) -> str:
    """Why the last session ended, once, in plain words ("" if it did not time out)."""
    if not request.session.pop(EXPIRED, False):
        return ""
    minutes = settings.WAYPOINT_REPORTER_IDLE_SECONDS // 60
    return (
        f"You were signed out after {minutes} minutes without activity, to keep your "
        "record safe. Enter your reference and passphrase to carry on."
    )


def sign_out(request: HttpRequest) -> None:
    """End the session: the server-side row and the cookie both go."""
    request.session.flush()


def mark_just_started(request: HttpRequest, log_id: uuid.UUID) -> None:
    """This browser just started `log_id`: it may see the receipt for a while (new key)."""
    request.session.cycle_key()
    request.session[JUST_STARTED] = {"log_id": str(log_id), "at": now_seconds()}
    request.session.pop(CHECK_POSITIONS, None)


def just_started_log_id(request: HttpRequest) -> uuid.UUID | None:
    marker = request.session.get(JUST_STARTED)
    if not isinstance(marker, dict):
        return None
    at = marker.get("at")
    try:
        log_id = uuid.UUID(str(marker.get("log_id")))
    except ValueError:
        log_id = None
    if (
        log_id is None
        or not isinstance(at, int)
        or not 0 <= now_seconds() - at < JUST_STARTED_SECONDS
    ):
        clear_just_started(request)
        return None
    return log_id


def clear_just_started(request: HttpRequest) -> None:
    request.session.pop(JUST_STARTED, None)
    request.session.pop(CHECK_POSITIONS, None)


def set_notice(request: HttpRequest, text: str) -> None:
    request.session[NOTICE] = text


def pop_notice(request: HttpRequest) -> str:
    notice = request.session.pop(NOTICE, "")
    return notice if isinstance(notice, str) else ""


def mark_deleted(request: HttpRequest) -> None:
    """After the log is erased and the session ended: the done page may say so, briefly."""
    request.session[DELETED] = now_seconds()


def recently_deleted(request: HttpRequest) -> bool:
    at = request.session.get(DELETED)
    return isinstance(at, int) and 0 <= now_seconds() - at < DELETED_SECONDS


def mark_shared(request: HttpRequest, *, incidents: int, opened: bool) -> None:
    """After a share: the confirmation page may say how many, briefly (no ids, no words)."""
    request.session[SHARED] = {"incidents": incidents, "opened": opened, "at": now_seconds()}


def recently_shared(request: HttpRequest) -> tuple[int, bool] | None:
    """(incidents, whether the share opened the case) of a share just made, or None."""
    marker = request.session.get(SHARED)
    if not isinstance(marker, dict):
        return None
    at, incidents = marker.get("at"), marker.get("incidents")
    if not isinstance(at, int) or not isinstance(incidents, int):
        return None
    if not 0 <= now_seconds() - at < SHARED_SECONDS:
        request.session.pop(SHARED, None)
        return None
    return incidents, bool(marker.get("opened"))
