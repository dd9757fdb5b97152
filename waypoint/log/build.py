"""Turn a log's records into a Chronology (chronology.py): the one place its sealed
content is put into words, for the person's page, the export and (once shared) the team.

Call it only for someone allowed to read the whole log: it decrypts every entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from waypoint.log import content as words
from waypoint.log.chronology import Chronology, Entry
from waypoint.log.models import IncidentLog, LogEntry, LogPerson, RecordedBy
from waypoint.log.selectors import log_entries, log_integrity, log_people
from waypoint.privacy.crypto import DecryptionError

RECORDED_BY_WORDS = {
    RecordedBy.PERSON: "the person",
    RecordedBy.STAFF: "staff, on the person's behalf",
}


def _names(people: list[LogPerson]) -> dict[str, str]:
    names = {}
    for person in people:
        try:
            names[str(person.pk)] = person.name
        except DecryptionError:
            names[str(person.pk)] = "(cannot be read)"
    return names


def _entry(
    row: LogEntry, names: dict[str, str], seq_of: dict[str, int], corrected_by: list[int]
) -> Entry:
    try:
        data = row.content
    except DecryptionError:
        data = None
    if not isinstance(data, dict):
        return Entry(
            seq=row.seq,
            happened="(this entry can no longer be read)",
            happened_sort=row.recorded_at,
            recorded_at=row.recorded_at,
            where="",
            what="",
            behaviours=(),
            who=(),
            witnesses="",
            affected="",
            police="",
            evidence=(),
            recorded_by=RECORDED_BY_WORDS.get(RecordedBy(row.recorded_by), row.recorded_by),
            digest=row.digest,
        )
    when = data.get("when", {})
    return Entry(
        seq=row.seq,
        happened=words.describe_when(when),
        happened_sort=words.when_sort_key(when),
        recorded_at=row.recorded_at,
        where=words.describe_where(data.get("where", {})),
        what=words.describe_what(data.get("what", {})),
        behaviours=tuple(words.labels(data.get("what", {}).get("behaviours", []))),
        who=tuple(names.get(str(pid), "(someone removed)") for pid in data.get("who", [])),
        witnesses=str(data.get("witnesses", "")),
        affected=str(data.get("affected", "")),
        police=words.describe_police(data.get("police", {})),
        evidence=(),
        recorded_by=RECORDED_BY_WORDS.get(RecordedBy(row.recorded_by), row.recorded_by),
        corrects=seq_of.get(str(row.corrects_id)) if row.corrects_id else None,
        corrected_by=tuple(corrected_by),
        digest=row.digest,
    )


def chronology_for_log(
    log: IncidentLog,
    *,
    institution: str,
    made_by: str = "",
    purpose: str = "",
    now: dt.datetime | None = None,
    shared_only: bool = False,
) -> Chronology:
    """The whole log for the person; `shared_only` for the team (only what was shared).

    The chain is checked over every entry either way (a gap left by an unshared entry is
    not a break), but a shared-only chronology lists and counts only shared entries."""
    every = log_entries(log=log)
    rows = [row for row in every if row.shared_at is not None] if shared_only else every
    names = _names(log_people(log=log))
    seq_of = {str(row.pk): row.seq for row in rows}
    corrections: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.corrects_id:
            corrections[str(row.corrects_id)].append(row.seq)
    entries = tuple(_entry(row, names, seq_of, corrections[str(row.pk)]) for row in rows)
    return Chronology(
        reference=log.reference or (log.report.reference if log.report is not None else ""),
        institution=institution,
        made_at=now or timezone.now(),
        entries=entries,
        evidence=(),
        final_digest=rows[-1].digest if rows else "",
        integrity=log_integrity(log=log, entries=every),
        made_by=made_by,
        purpose=purpose,
    )
