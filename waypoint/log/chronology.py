"""The chronology: one incident log as it is exported, shown and verified (issue 14).

This is the contract between the log's records (models.py, services.py) and what is made
of them (export/: the signed PDF and the CSV; the team's chronology view). Everything here
is plaintext, already decrypted and already checked: build it only for someone allowed to
read the log, and never keep it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EvidenceItem:
    """One file kept with an entry (encrypted at rest; listed here by its digest)."""

    number: int  # 1, 2, ... across the whole chronology, for "see evidence 3"
    name: str
    content_type: str
    size: int  # bytes
    sha256: str  # hex digest of the file as kept (after any metadata was stripped)


@dataclass(frozen=True)
class Entry:
    """One incident as written, or one correction of an earlier one."""

    seq: int  # its place in the log's chain: 1, 2, 3, ...
    happened: str  # what the person said, in words: "3 December 2026, about 9pm"
    happened_sort: dt.datetime  # for ordering by when it happened
    recorded_at: dt.datetime  # the server's clock when it was saved (aware, UTC)
    where: str
    what: str  # behaviours in words, then the person's own words
    behaviours: tuple[str, ...]  # option labels, for counting
    who: tuple[str, ...]  # people as the person named them
    witnesses: str
    affected: str  # how it affected them
    police: str  # officer, crime reference
    evidence: tuple[int, ...]  # EvidenceItem.number values
    recorded_by: str  # "the person" or "staff, after a phone call"
    corrects: int | None = None  # seq of the entry this one corrects
    corrected_by: tuple[int, ...] = ()  # seqs of later corrections of this one
    digest: str = ""  # this entry's chain digest (hex)


@dataclass(frozen=True)
class Integrity:
    """Whether the chain still matches what was written."""

    intact: bool
    problem: str = ""  # plain words when not intact: "entry 4 was changed after it was written"
    first_bad_seq: int | None = None


@dataclass(frozen=True)
class Chronology:
    reference: str  # the log's public reference (WP-...)
    institution: str  # who keeps it and signs the export
    made_at: dt.datetime
    entries: tuple[Entry, ...]  # in seq order (the order they were recorded)
    evidence: tuple[EvidenceItem, ...]
    final_digest: str  # the chain's last digest (hex)
    integrity: Integrity
    made_by: str = ""  # staff exports: who made it and for what purpose (watermark)
    purpose: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def first_recorded(self) -> dt.datetime | None:
        return self.entries[0].recorded_at if self.entries else None

    @property
    def last_recorded(self) -> dt.datetime | None:
        return self.entries[-1].recorded_at if self.entries else None
