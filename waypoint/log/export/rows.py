"""The rows of an export, in the order a reader needs them: shared by the PDF and the CSV.

Incidents are in the order they happened; each correction follows the entry it corrects,
so the original and what was corrected are read together. Nothing is left out: a
correction never hides what it corrects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from waypoint.log.chronology import Chronology, Entry, EvidenceItem


@dataclass(frozen=True)
class Row:
    seq: int
    happened: str
    recorded: str
    recorded_by: str
    where: str
    what: str
    who: str
    witnesses: str
    affected: str
    police: str
    evidence: tuple[str, ...]  # "Evidence 3: photo.jpg"
    evidence_numbers: tuple[int, ...]
    corrects: int | None
    corrected_by: tuple[int, ...]
    digest: str
    doubtful: bool  # at or after the first entry the chain check found altered

    @property
    def is_correction(self) -> bool:
        return self.corrects is not None


def format_moment(value: dt.datetime | None) -> str:
    """'3 December 2026, 21:14 GMT' in the site's time zone; '' for None."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    zone = local.strftime("%Z")
    return f"{local.day} {local:%B %Y, %H:%M}{' ' + zone if zone else ''}"


def format_day(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.day} {local:%B %Y}"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _sort_key(entry: Entry) -> tuple[dt.datetime, int]:
    when = entry.happened_sort
    if timezone.is_aware(when):
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when, entry.seq


def ordered_entries(chronology: Chronology) -> list[Entry]:
    """Originals by when they happened, each followed by its corrections (by seq)."""
    by_seq = {entry.seq: entry for entry in chronology.entries}
    corrections: dict[int, list[Entry]] = {}
    originals: list[Entry] = []
    for entry in chronology.entries:
        if entry.corrects is not None and entry.corrects in by_seq:
            corrections.setdefault(entry.corrects, []).append(entry)
        else:
            originals.append(entry)  # an original, or a correction whose original is gone

    def with_corrections(entry: Entry, seen: set[int]) -> Iterator[Entry]:
        if entry.seq in seen:  # a loop could only come from a damaged record
            return
        seen.add(entry.seq)
        yield entry
        for later in sorted(corrections.get(entry.seq, []), key=lambda e: e.seq):
            yield from with_corrections(later, seen)

    ordered: list[Entry] = []
    seen: set[int] = set()
    for entry in sorted(originals, key=_sort_key):
        ordered.extend(with_corrections(entry, seen))
    # Anything still unplaced (only possible in a damaged record) goes last, never missing.
    ordered.extend(e for e in chronology.entries if e.seq not in seen)
    return ordered


def rows(chronology: Chronology) -> list[Row]:
    evidence = {item.number: item for item in chronology.evidence}
    first_bad = chronology.integrity.first_bad_seq
    return [
        Row(
            seq=entry.seq,
            happened=entry.happened,
            recorded=format_moment(entry.recorded_at),
            recorded_by=entry.recorded_by,
            where=entry.where,
            what=entry.what,
            who="; ".join(entry.who),
            witnesses=entry.witnesses,
            affected=entry.affected,
            police=entry.police,
            evidence=tuple(_evidence_label(number, evidence) for number in entry.evidence),
            evidence_numbers=entry.evidence,
            corrects=entry.corrects,
            corrected_by=entry.corrected_by,
            digest=entry.digest,
            doubtful=first_bad is not None and entry.seq >= first_bad,
        )
        for entry in ordered_entries(chronology)
    ]


def _evidence_label(number: int, evidence: dict[int, EvidenceItem]) -> str:
    item = evidence.get(number)
    return f"Evidence {number}: {item.name}" if item else f"Evidence {number}"


@dataclass(frozen=True)
class Counts:
    incidents: int
    corrections: int


def counts(chronology: Chronology) -> Counts:
    corrections = sum(1 for entry in chronology.entries if entry.corrects is not None)
    return Counts(incidents=len(chronology.entries) - corrections, corrections=corrections)


def happened_range(chronology: Chronology) -> tuple[str, str]:
    """The first and last incident as the person described when they happened."""
    originals = [e for e in chronology.entries if e.corrects is None] or list(chronology.entries)
    if not originals:
        return "", ""
    ordered = sorted(originals, key=_sort_key)
    return ordered[0].happened, ordered[-1].happened
