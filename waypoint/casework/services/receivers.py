"""Casework's side of reporting's and the log's events (reporting/events.py,
log/events.py, ADR 0040).

Reporting and the log sit below casework and never import it: they send an event and
these receivers open the case or add to its timeline, in the sender's transaction. Each
does exactly what reporting.services once called directly. `connect` runs once, from
CaseworkConfig.ready.
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from typing import Any

from waypoint.casework.models import Case, EntryKind
from waypoint.casework.selectors.cases import case_openings_for_reporter
from waypoint.casework.services.intake import case_open_from_report
from waypoint.casework.services.matching import matches_find_for_case
from waypoint.casework.services.timeline import timeline_add
from waypoint.casework.services.workflow import conflicts_record_named
from waypoint.log import events as log_events
from waypoint.log import sharing
from waypoint.log.models import IncidentLog, LogEntry, LogPerson
from waypoint.privacy import identifiers
from waypoint.privacy.crypto import DecryptionError
from waypoint.reporting import events
from waypoint.reporting.models import (
    Evidence,
    PersonIdentifier,
    Report,
    ReportAddition,
    ReportedPerson,
)


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


# --- The incident log (log/events.py, log/sharing.py) -------------------------------------

# A log person's identifiers, as the report's "who" answers name them (ReportedPerson
# details), so the case pages and matching read them exactly as a report's.
_LOG_DETAILS = {
    "email": "person_email",
    "phone": "person_phone",
    "student_number": "student_number",
}
# The digests each log identifier gives. The log asks for a "student or staff number" in
# one box, so it is hashed as both kinds: it matches a report that gave either.
_LOG_DIGESTS = {
    "email": (identifiers.EMAIL,),
    "phone": (identifiers.PHONE,),
    "handle": (identifiers.HANDLE,),
    "student_number": (identifiers.STUDENT_NUMBER, identifiers.STAFF_NUMBER),
}


def _person_from_log(report: Report, person: LogPerson) -> ReportedPerson | None:
    """The log's person on the case's report: details sealed with the report's key,
    marked as from the log, and their identifiers as keyed digests (reporting's way)."""
    try:
        name, found = person.name, dict(person.identifiers or {})
    except DecryptionError:
        return None  # its sealed words are damaged: nothing trustworthy to add
    details: dict[str, Any] = {"person_name": name, "from_log": True}
    for key, field in _LOG_DETAILS.items():
        if found.get(key):
            details[field] = str(found[key])
    if found.get("handle"):
        details["handles"] = [str(found["handle"])]
    reported = ReportedPerson(report=report, data_key_id=report.data_key_id)
    reported.details = details
    reported.save(force_insert=True)
    digests: set[tuple[str, str]] = set()
    for key, kinds in _LOG_DIGESTS.items():
        if not found.get(key):
            continue
        for kind in kinds:
            with suppress(ValueError):  # normalises to nothing: nothing to match on
                digests.add((kind, identifiers.identifier_digest(kind, str(found[key]))))
    PersonIdentifier.objects.bulk_create(
        [PersonIdentifier(person=reported, kind=kind, digest=digest) for kind, digest in digests]
    )
    return reported


def on_log_shared(
    *,
    log: IncidentLog,
    report: Report,
    entries: list[LogEntry],
    people: list[LogPerson],
    **_: Any,
) -> None:
    """On the timeline (places only, never words); the people named join the report,
    conflicts of interest and matching, as a report's would."""
    case = Case.objects.get(report=report)
    # A family comes whole: its first entry is the incident, the rest corrections of it
    # (a correction of an incident shared before comes on its own).
    incidents = sum(1 for entry in entries if entry.corrects_id is None)
    timeline_add(
        case=case,
        kind=EntryKind.LOG_SHARED,
        detail={
            "log_id": str(log.pk),
            "seqs": [entry.seq for entry in entries],
            "incidents": incidents,
            "corrections": len(entries) - incidents,
        },
    )
    added = False
    for person in people:
        reported = _person_from_log(report, person)
        if reported is not None:
            sharing.person_mark_shared(person=person, reported_person=reported)
            added = True
    if added:
        # A member of staff named by email never sees the case (in this transaction).
        conflicts_record_named(case=case)
        matches_find_for_case(case=case)


def _openings_for_report(report: Report) -> list[tuple[str, dt.datetime]]:
    case = Case.objects.filter(report=report).first()
    return case_openings_for_reporter(case=case) if case is not None else []


def connect() -> None:
    """Listen to reporting's and the log's events (dispatch_uid: connecting twice keeps
    one receiver), and tell the log how to say who opened its case."""
    pairs = (
        (events.report_submitted, on_report_submitted),
        (events.report_information_added, on_report_information_added),
        (events.report_evidence_added, on_report_evidence_added),
        (events.report_withdrawn, on_report_withdrawn),
        (events.report_deletion_requested, on_report_deletion_requested),
    )
    for signal, receiver in pairs:
        signal.connect(receiver, sender=Report, dispatch_uid=f"casework.{receiver.__name__}")
    log_events.log_shared.connect(
        on_log_shared, sender=IncidentLog, dispatch_uid="casework.on_log_shared"
    )
    sharing.openings_source_register(_openings_for_report)
