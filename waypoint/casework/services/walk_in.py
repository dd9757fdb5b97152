"""Walk-in disclosure: an adviser records a report for someone who came to the office.

The report is made exactly as the online flow makes it (reporting.services: a draft
with the answers, then report_submit), so the answers, the named person's identifiers,
the urgency flags and the case are the same as for an online report. Then the report is
marked as made by staff, the case assigned to the adviser, and the receipt kept or not.

Import this module directly (not through services/__init__): it calls reporting's
services, whose events casework's receivers answer (services/receivers.py).
"""

from __future__ import annotations

from typing import Any, Final

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment, EntryKind
from waypoint.casework.services.intake import CASE_OBJECT_TYPE
from waypoint.casework.services.timeline import timeline_add
from waypoint.institution.selectors import institution_get_current
from waypoint.privacy.services import audit_record
from waypoint.reporting import services as reporting
from waypoint.reporting.models import Report, ReporterRole, Route
from waypoint.reporting.steps import get_step, steps_for

WALK_IN_NOTE: Final = "Recorded in person by an adviser."


class WalkInError(ValueError):
    """A walk-in report Waypoint will not record (the text is safe to show)."""


@sensitive_variables("submission")
@transaction.atomic
def walk_in_report_create(
    *,
    actor: User,
    route: str,
    reporter_role: str,
    answers: dict[str, dict[str, Any]],
    issue_receipt: bool,
) -> tuple[Report, str | None]:
    """Record a report on someone's behalf; returns (report, passphrase or None).

    `answers` holds each step's cleaned answers by step slug, as the report flow's forms
    give them (steps the route does not ask are ignored). Needs "case.walk_in"
    (PermissionDenied otherwise). WalkInError when a question the route needs is not
    answered. The case is assigned to `actor`, with a note on its timeline. Without
    `issue_receipt` the receipt is blanked, so nobody can ever sign in with it; with it,
    the passphrase is returned for the adviser to hand over, once (it is not stored).
    """
    policy.require(actor, "case.walk_in")
    if route not in Route.values or reporter_role not in ReporterRole.values:
        raise WalkInError("Choose how they want to report, and who is reporting.")
    institution = institution_get_current()
    draft = reporting.draft_start(route=route, reporter_role=reporter_role, institution=institution)
    for step in steps_for(route):
        if step.form_class is not None and step.slug in answers:
            reporting.draft_save_step(
                draft=draft, step=step.slug, data=answers[step.slug], institution=institution
            )
    try:
        submission = reporting.report_submit(draft_id=draft.id)
    except reporting.ReportNotReadyError as not_ready:
        missing = get_step(route, not_ready.step)
        title = missing.title if missing is not None else not_ready.step
        raise WalkInError(f"Answer the questions under “{title}” first.") from None
    report = submission.report
    report.made_by_staff = True
    fields = ["made_by_staff"]
    if not issue_receipt:
        # No hash, no pepper key: verify_passphrase refuses every passphrase for it.
        report.receipt_hash = ""
        report.receipt_pepper_key_id = None
        fields += ["receipt_hash", "receipt_pepper_key_id"]
    report.save(update_fields=fields)
    case = Case.objects.get(report=report)
    CaseAssignment.objects.create(case=case, user=actor, assigned_by=actor)
    timeline_add(case=case, kind=EntryKind.ASSIGNED, actor=actor, detail={"user_id": str(actor.pk)})
    timeline_add(
        case=case,
        kind=EntryKind.NOTE,
        actor=actor,
        text=WALK_IN_NOTE,
        detail={"walk_in": True},
    )
    audit_record(
        actor=actor,
        action="case.walk_in",
        object_type=CASE_OBJECT_TYPE,
        object_id=str(case.pk),
        extra={"report_id": str(report.pk), "route": route, "receipt": issue_receipt},
    )
    return report, submission.passphrase if issue_receipt else None
