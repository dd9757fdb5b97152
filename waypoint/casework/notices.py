"""The text of the emails casework sends, and who may receive the reporter's nudge.

Email is not a safe channel: inboxes are shared, read over shoulders, forwarded and
sometimes watched by the very person a report is about. So every notice here says only
that something happened and where to sign in. Never a reference (half of the reporter's
receipt), a route, a name, the institution's team name, or a word of what anyone wrote.
The tests plant a marker in a report and its messages and check that no email carries it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.template.loader import render_to_string

from waypoint.reporting.models import Report, Route

# Stable addresses (ARCHITECTURE.md, "Addresses people rely on").
STAFF_PATH: Final = "/staff/"
MY_REPORT_PATH: Final = "/my-report/"

_BLANK_LINES: Final = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str


def site_link(path: str) -> str:
    """`path` on this site: absolute when WAYPOINT_SITE_URL is set, else the bare path."""
    base = str(getattr(settings, "WAYPOINT_SITE_URL", "") or "").rstrip("/")
    return f"{base}{path}"


def _render(template: str, context: dict[str, Any]) -> str:
    text = render_to_string(f"casework/email/{template}", context)
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"


def triage_notice(*, is_urgent: bool) -> Notice:
    """To the triage inbox: a new report is waiting (and whether it is urgent)."""
    subject = "New report in the triage queue" + (" (urgent)" if is_urgent else "")
    body = _render(
        "triage_notice.txt", {"is_urgent": is_urgent, "staff_url": site_link(STAFF_PATH)}
    )
    return Notice(subject=subject, body=body)


def message_nudge() -> Notice:
    """To a reporter who asked for it: there is a new message; sign in to read it."""
    body = _render("message_nudge.txt", {"my_report_url": site_link(MY_REPORT_PATH)})
    return Notice(subject="You have a new message", body=body)


def reporter_nudge_address(report: Report) -> str | None:
    """Where to nudge the reporter about a new message, or None to stay silent.

    Only a named ("support") report whose reporter turned email nudges on, still wants
    messages and has not withdrawn. The safe address wins over the ordinary one. Reads
    the encrypted contact details, so call it only where they are needed (the task).
    """
    if report.route != Route.SUPPORT or report.withdrawn_at is not None:
        return None
    if not report.wants_messages:
        return None
    contact = report.contact
    if not isinstance(contact, dict) or contact.get("email_nudges") is not True:
        return None
    for key in ("safe_email", "email"):
        value = contact.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
