"""Casework's side of reporting's events (reporting/events.py, ADR 0040).

Reporting sits below casework and never imports it: it sends an event and these
receivers open the case or add to its timeline, in the sender's transaction. Each does
exactly what reporting.services once called directly. `connect` runs once, from
CaseworkConfig.ready.
"""

from __future__ import annotations

from typing import Any

from waypoint.casework.models import EntryKind
from waypoint.casework.services.intake import case_open_from_report
from waypoint.casework.services.matching import matches_find_for_case
from waypoint.casework.services.timeline import timeline_add
from waypoint.casework.services.workflow import conflicts_record_named
from waypoint.reporting import events
from waypoint.reporting.models import Evidence, Report, ReportAddition


def on_report_submitted(
    *,
    report: Report,
    immediate_danger: bool,
    threat_of_violence: bool,
    high_risk_indicator: bool,
    **_: Any,
) -> None:
    """Open the case; record conflicts with staff the report names; find matches."""
    case = case_open_from_report(
        report=report,
        immediate_danger=immediate_danger,
        threat_of_violence=threat_of_violence,
        high_risk_indicator=high_risk_indicator,
    )
    # Before the commit: a named member of staff never sees the case, even for a moment.
    conflicts_record_named(case=case)
    matches_find_for_case(case=case)


def on_report_information_added(*, report: Report, addition: ReportAddition, **_: Any) -> None:
    timeline_add(case=report.case, kind=EntryKind.ADDITION, addition=addition)


def on_report_evidence_added(*, report: Report, evidence: Evidence, **_: Any) -> None:
    timeline_add(case=report.case, kind=EntryKind.EVIDENCE, evidence=evidence)


def on_report_withdrawn(*, report: Report, **_: Any) -> None:
    timeline_add(case=report.case, kind=EntryKind.WITHDRAWN)


def on_report_deletion_requested(*, report: Report, **_: Any) -> None:
    timeline_add(case=report.case, kind=EntryKind.DELETION_REQUESTED)


def connect() -> None:
    """Listen to reporting's events (dispatch_uid: connecting twice keeps one receiver)."""
    pairs = (
        (events.report_submitted, on_report_submitted),
        (events.report_information_added, on_report_information_added),
        (events.report_evidence_added, on_report_evidence_added),
        (events.report_withdrawn, on_report_withdrawn),
        (events.report_deletion_requested, on_report_deletion_requested),
    )
    for signal, receiver in pairs:
        signal.connect(receiver, sender=Report, dispatch_uid=f"casework.{receiver.__name__}")
