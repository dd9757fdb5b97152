"""Writes for casework, one module per area; import them from here.

intake      opening a case from a report, recording who opened a case
messages    the two-way channel (reporter and staff sides)
receivers   reporting's events: open the case, add to its timeline (ADR 0040)
timeline    appending to a case's timeline
"""

from waypoint.casework.services.intake import (
    CASE_OBJECT_TYPE,
    MESSAGE_MAX_CHARS,
    MESSAGE_OBJECT_TYPE,
    case_open_from_report,
    case_record_opening,
)
from waypoint.casework.services.messages import (
    MessageError,
    message_send_from_reporter,
    message_send_from_staff,
    messages_for_reporter,
    messages_for_staff,
    messages_latest_for_staff,
)
from waypoint.casework.services.timeline import timeline_add

__all__ = [
    "CASE_OBJECT_TYPE",
    "MESSAGE_MAX_CHARS",
    "MESSAGE_OBJECT_TYPE",
    "MessageError",
    "case_open_from_report",
    "case_record_opening",
    "message_send_from_reporter",
    "message_send_from_staff",
    "messages_for_reporter",
    "messages_for_staff",
    "messages_latest_for_staff",
    "timeline_add",
]
