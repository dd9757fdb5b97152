"""Turn a log's records into a Chronology (chronology.py): the one place its sealed
content is put into words, for the person's page, the export and (once shared) the team.

Call it only for someone allowed to read the whole log: it decrypts every entry.

Evidence is numbered 1, 2, ... in the order entries list their files (a correction that
keeps a file lists the same number again). What the index says of each file comes from
the entry's content, which the chain covers; the kept file's recorded digest is compared
with it, and a difference makes the chronology say the record was altered.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils import timezone

from waypoint.log import content as words
from waypoint.log.chronology import Chronology, Entry, EvidenceItem, Integrity
from waypoint.log.models import IncidentLog, LogEntry, LogEvidence, LogPerson, RecordedBy
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


class _Index:
    """Numbers files in the order entries list them; checks each against its kept row."""

    def __init__(self, kept: dict[str, LogEvidence]) -> None:
        self.kept = kept
        self.items: list[EvidenceItem] = []
        self.number_of: dict[str, int] = {}
        self.problems: list[str] = []

    def numbers(self, seq: int, listed: Any) -> tuple[int, ...]:
        numbers = []
        for item in listed if isinstance(listed, list) else []:
            if not isinstance(item, dict):
                continue
            key = str(item.get("id", ""))
            if key not in self.number_of:
                number = len(self.items) + 1
                self.number_of[key] = number
                self.items.append(
                    EvidenceItem(
                        number=number,
                        name=str(item.get("name") or "File"),
                        content_type=str(item.get("content_type", "")),
                        size=int(item.get("size") or 0),
                        sha256=str(item.get("sha256", "")),
                    )
                )
                row = self.kept.get(key)
                if row is None or row.sha256 != item.get("sha256") or row.size != item.get("size"):
                    self.problems.append(
                        f"The file kept as evidence {number} (listed in entry {seq}) does not "
                        "match the digest recorded with the entry."
                    )
            numbers.append(self.number_of[key])
        return tuple(numbers)


def _integrity(chain_check: Integrity, problems: list[str]) -> Integrity:
    if not problems:
        return chain_check
    problem = " ".join([chain_check.problem, *problems] if chain_check.problem else problems)
    return Integrity(intact=False, problem=problem, first_bad_seq=chain_check.first_bad_seq)


def _entry(
    row: LogEntry,
    names: dict[str, str],
    seq_of: dict[str, int],
    corrected_by: list[int],
    index: _Index,
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
        evidence=index.numbers(row.seq, data.get("evidence", [])),
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
    not a break), but a shared-only chronology lists and counts only shared entries, and
    only the files those entries list."""
    every = log_entries(log=log)
    rows = [row for row in every if row.shared_at is not None] if shared_only else every
    names = _names(log_people(log=log))
    seq_of = {str(row.pk): row.seq for row in rows}
    corrections: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.corrects_id:
            corrections[str(row.corrects_id)].append(row.seq)
    index = _Index({str(kept.pk): kept for kept in LogEvidence.objects.filter(log=log)})
    entries = tuple(_entry(row, names, seq_of, corrections[str(row.pk)], index) for row in rows)
    return Chronology(
        reference=log.reference or (log.report.reference if log.report is not None else ""),
        institution=institution,
        made_at=now or timezone.now(),
        entries=entries,
        evidence=tuple(index.items),
        final_digest=rows[-1].digest if rows else "",
        integrity=_integrity(log_integrity(log=log, entries=every), index.problems),
        made_by=made_by,
        purpose=purpose,
    )
