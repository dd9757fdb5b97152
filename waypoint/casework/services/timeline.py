"""The case timeline: one append-only entry per thing that happened (TimelineEntry)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework.models import Case, EntryKind, Message, Task, TimelineEntry
from waypoint.reporting.models import Evidence, ReportAddition


def timeline_add(
    *,
    case: Case,
    kind: EntryKind | str,
    actor: User | None = None,
    text: str | None = None,
    detail: dict[str, Any] | None = None,
    corrects: TimelineEntry | None = None,
    message: Message | None = None,
    task: Task | None = None,
    addition: ReportAddition | None = None,
    evidence: Evidence | None = None,
) -> TimelineEntry:
    """Append one entry. `text` is sealed with the case's key; `detail` must hold only
    ids and choice values (it is stored in clear). Callers audit their own action."""
    entry = TimelineEntry(
        case=case,
        data_key_id=case.data_key_id,
        kind=str(kind),
        occurred_at=timezone.now(),
        actor=actor,
        detail=detail or {},
        corrects=corrects,
        message=message,
        task=task,
        addition=addition,
        evidence=evidence,
    )
    if text is not None:
        entry.text = text
    entry.save(force_insert=True)
    return entry
