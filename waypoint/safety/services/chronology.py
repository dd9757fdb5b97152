"""Writes and audited reads of the case's chronology (issue 14, items 9 and 10).

Recording an incident on the person's behalf (after a phone call, say) puts it in *their*
log, under the case's report: it is their record, and they see it there, marked as
recorded by staff. It is shared with the team from the start (log.services.entry_add), goes
on the case's timeline as "Incident recorded by staff" ({"seq": n}: a place, never words)
and is audited with ids only.
"""

from __future__ import annotations

from typing import Any, Final

from django.db import transaction

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case, EntryKind
from waypoint.casework.services.timeline import timeline_add
from waypoint.log.models import LogEntry
from waypoint.log.services import entry_add, log_start_for_report, person_add
from waypoint.privacy.services import audit_record

CASE_OBJECT_TYPE: Final = "casework.case"
ENTRY_OBJECT_TYPE: Final = "log.entry"


def chronology_record_read(
    *, user: User, case: Case, shown: int, shared: int, filtered: bool
) -> None:
    """Audit one viewing of the chronology: ids and counts only (never what was filtered on)."""
    audit_record(
        actor=user,
        action="case.chronology_viewed",
        object_type=CASE_OBJECT_TYPE,
        object_id=str(case.pk),
        extra={"rows": shown, "shared_entries": shared, "filtered": filtered},
    )


def log_pattern_record_read(*, user: User, case: Case, incidents: int) -> None:
    """Audit that the risk page showed the counts of the shared log (ids and a count)."""
    audit_record(
        actor=user,
        action="case.log_pattern_viewed",
        object_type=CASE_OBJECT_TYPE,
        object_id=str(case.pk),
        extra={"incidents": incidents},
    )


@transaction.atomic
def incident_record(
    *,
    case: Case,
    actor: User,
    content: dict[str, Any],
    new_person: tuple[str, dict[str, str]] | None = None,
) -> LogEntry:
    """Record an incident told to `actor`, in the person's log under the case's report.

    `content` is IncidentForm.content() (content.py); `new_person`: someone not yet in the
    record (name, identifiers), added to the log and named in the entry. Http404 when the
    actor may not keep the case's chronology.
    """
    policy.require(actor, "case.chronology", case)
    log = log_start_for_report(report=case.report)
    content = dict(content)
    if new_person is not None:
        name, identifiers = new_person
        person = person_add(log=log, name=name, identifiers=identifiers)
        content["who"] = [*content.get("who", []), str(person.pk)]
    entry = entry_add(log=log, content=content, staff_member=actor)
    timeline_add(case=case, kind=EntryKind.LOG_RECORDED, actor=actor, detail={"seq": entry.seq})
    audit_record(
        actor=actor,
        action="case.chronology_recorded",
        object_type=ENTRY_OBJECT_TYPE,
        object_id=str(entry.pk),
        extra={"case_id": str(case.pk), "seq": entry.seq},
    )
    return entry
