"""Opening a case from a report, and recording who opened a case."""

from __future__ import annotations

from functools import partial
from typing import Final

from django.db import IntegrityError, transaction
from django.db.models.functions import Greatest
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework import tasks
from waypoint.casework.calendar import first_contact_due
from waypoint.casework.models import Case, CaseClock, CaseOpening, EntryKind
from waypoint.casework.services.timeline import timeline_add
from waypoint.institution.selectors import institution_get_current
from waypoint.notifications import services as notifications
from waypoint.privacy.services import audit_record
from waypoint.reporting.models import Report

CASE_OBJECT_TYPE: Final = "casework.case"
MESSAGE_OBJECT_TYPE: Final = "casework.message"
MESSAGE_MAX_CHARS: Final = 10_000


# --- Cases ----------------------------------------------------------------------------------


def _enqueue_triage_notice(case_id: str) -> None:
    tasks.triage_notice_send.enqueue(case_id=case_id)


@transaction.atomic
def case_open_from_report(
    *,
    report: Report,
    immediate_danger: bool,
    threat_of_violence: bool,
    high_risk_indicator: bool,
) -> Case:
    """Open the report's case in the triage queue; it shares the report's data key.

    The case is urgent when any flag is set. Once committed, the triage inbox
    (Institution.triage_email) gets a notice with no detail of the report. Calling it
    again for the same report returns the existing case and sends nothing.
    """
    existing = Case.objects.filter(report=report).first()
    if existing is not None:
        return existing
    case = Case(
        report=report,
        data_key_id=report.data_key_id,
        immediate_danger=immediate_danger,
        threat_of_violence=threat_of_violence,
        high_risk_indicator=high_risk_indicator,
        is_urgent=immediate_danger or threat_of_violence or high_risk_indicator,
    )
    try:
        with transaction.atomic():
            case.save(force_insert=True)
    except IntegrityError:
        # Opened at the same moment by another request (report.case is unique).
        return Case.objects.get(report=report)
    # An urgent case gets its own, shorter target, in the same column (ADR 0028).
    due = first_contact_due(
        opened_at=case.opened_at, urgent=case.is_urgent, institution=institution_get_current()
    )
    CaseClock.objects.create(case=case, first_contact_due_at=due)
    timeline_add(
        case=case,
        kind=EntryKind.REPORTED,
        detail={"route": report.route, "urgent": case.is_urgent},
    )
    audit_record(
        actor=None,
        action="case.opened",
        object_type=CASE_OBJECT_TYPE,
        object_id=str(case.pk),
        extra={"report_id": str(report.pk)},
    )
    transaction.on_commit(partial(_enqueue_triage_notice, str(case.pk)))
    # After commit: conflicts from the report's answers are recorded later in the same
    # transaction (services/receivers.py), and a conflicted lead must not be told.
    transaction.on_commit(partial(notifications.notify_new_case, case_id=case.pk))
    return case


@transaction.atomic
def case_record_opening(*, case: Case, user: User) -> None:
    """Record that `user` opened the case: an audit event and the role's CaseOpening.

    The reporter is shown which roles opened their case and when last
    (selectors.case_openings_for_reporter). Safe when two people open it at once: one
    row per case and role, and the latest time only ever moves forward.
    """
    policy.require(user, "case.view", case)
    audit_record(
        actor=user,
        action="case.view",
        object_type=CASE_OBJECT_TYPE,
        object_id=str(case.pk),
    )
    now = timezone.now()
    opening, created = CaseOpening.objects.get_or_create(
        case=case,
        role=user.role,
        defaults={"first_opened_at": now, "last_opened_at": now},
    )
    if not created:
        CaseOpening.objects.filter(pk=opening.pk).update(
            last_opened_at=Greatest("last_opened_at", now)
        )
