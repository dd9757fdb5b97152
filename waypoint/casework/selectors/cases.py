"""Reads of cases and messages, with the access rules applied.

Staff reads go through accounts.policy: a case a person may not see is a 404, exactly as
if it did not exist. The reporter-side reads take a case the caller has already resolved
from a signed-in receipt (reporting owns that), and return plain words for the reporter.
Reads that also change something (marking messages read) are in services.py.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Final

from django.http import Http404

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.casework.models import Case, CaseStatus, Message, MessageDirection
from waypoint.reporting.models import ReportStatus

# How the reporter is told who opened their case: a role, never a person.
_OPENED_BY: Final[dict[str, str]] = {
    Role.ADVISER: "An adviser",
    Role.CASE_LEAD: "A case lead",
    Role.ADMINISTRATOR: "An administrator",
    Role.PARTNER: "A partner department",
    Role.INSIGHTS: "An insights viewer",
}
_OPENED_BY_SOMEONE: Final = "A member of the team"

_STATUS_FOR_REPORTER: Final[dict[str, tuple[str, str]]] = {
    CaseStatus.NEW: (
        ReportStatus.RECEIVED.label,
        "We have your report. Someone from the team will look at it soon.",
    ),
    CaseStatus.TRIAGED: (
        ReportStatus.IN_PROGRESS.label,
        "Someone from the team has read your report and is working out how best to help.",
    ),
    CaseStatus.IN_CONTACT: (
        ReportStatus.IN_PROGRESS.label,
        "Someone from the team is getting in touch with you, and you can message them here.",
    ),
    CaseStatus.ACTIVE_SUPPORT: (
        ReportStatus.IN_PROGRESS.label,
        "The team is supporting you, and you can message them here whenever you need to.",
    ),
    CaseStatus.CLOSED: (
        ReportStatus.CLOSED.label,
        "This report is now closed; thank you for telling us, and you can make a new "
        "report at any time if you need support again.",
    ),
}
_WITHDRAWN: Final = (
    ReportStatus.WITHDRAWN.label,
    "You withdrew this report, so we will not take it further; you can come back and "
    "make a new report whenever you want support.",
)


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Http404 from None


def case_get_for_staff(*, user: User, case_id: uuid.UUID | str) -> Case:
    """The case, if `user` may open it ("case.view"); otherwise Http404.

    A missing case, a malformed id and a case the user may not see all raise the same
    bare Http404, so a response never tells which. Opening it for reading should be
    recorded with services.case_record_opening.
    """
    case = Case.objects.select_related("report").filter(pk=_as_uuid(case_id)).first()
    if case is None:
        raise Http404
    policy.require(user, "case.view", case)
    return case


def case_openings_for_reporter(*, case: Case) -> list[tuple[str, datetime.datetime]]:
    """Which roles opened the case and when last, most recent first ("An adviser", ...)."""
    return [
        (_OPENED_BY.get(role, _OPENED_BY_SOMEONE), last_opened_at)
        for role, last_opened_at in case.openings.order_by("-last_opened_at").values_list(
            "role", "last_opened_at"
        )
    ]


def case_status_for_reporter(*, case: Case) -> tuple[str, str]:
    """(status label, one plain sentence explaining it) for the returning reporter."""
    if case.report.withdrawn_at is not None:
        return _WITHDRAWN
    return _STATUS_FOR_REPORTER.get(case.status, _STATUS_FOR_REPORTER[CaseStatus.NEW])


def unread_count_for_reporter(*, case: Case) -> int:
    """Messages from the team the reporter has not opened yet."""
    return Message.objects.filter(
        case=case, direction=MessageDirection.FROM_STAFF, read_at__isnull=True
    ).count()
