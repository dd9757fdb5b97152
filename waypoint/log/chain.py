"""Each log's chain of entries: what makes the log a contemporaneous record.

    digest(n) = PRF_k("waypoint:v1|log-entry|" + canonical JSON of {log, seq, recorded_at,
                recorded_by, corrects (seq), content, prev (digest n-1), key_id})

with k a key of the audit PRF keyset (outside the database; the entry keeps its key id so
a rotated keyset still checks old entries). Someone who can write to the database but not
read the keys cannot make a digest that fits: changing an entry's content, its recorded
time (back-dating) or its place (reordering), or deleting one, breaks the chain from that
entry on. The log row keeps the head (last seq and digest), so deleting the newest entry
shows too, unless the head is rolled back with it; the person's exports carry the final
digest, signed, for that case.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, Final

from waypoint.log.chronology import Integrity
from waypoint.privacy import keysets
from waypoint.privacy.crypto import DecryptionError

DOMAIN: Final = "waypoint:v1|log-entry|"
DIGEST_BYTES: Final = 32


def canonical(
    *,
    log_id: str,
    seq: int,
    recorded_at: dt.datetime,
    recorded_by: str,
    corrects: int | None,
    content: Any,
    prev: str,
    key_id: int,
) -> bytes:
    document = {
        "log": log_id,
        "seq": seq,
        "recorded_at": recorded_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "recorded_by": recorded_by,
        "corrects": corrects,
        "content": content,
        "prev": prev,
        "key_id": key_id,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return (DOMAIN + text).encode("ascii")


def new_digest(**fields: Any) -> tuple[str, int]:
    """The digest for a new entry with the primary key, and that key's id."""
    loaded = keysets.load_keyset(keysets.AUDIT)
    key_id = loaded.primary_key_id
    data = canonical(**fields, key_id=key_id)
    return bytes(loaded.primitive.primary().compute(data, DIGEST_BYTES)).hex(), key_id


def _digest_with(key_id: int, **fields: Any) -> str | None:
    prfs = keysets.load_keyset(keysets.AUDIT).primitive.all()
    prf = prfs.get(key_id)
    if prf is None:
        return None
    return bytes(prf.compute(canonical(**fields, key_id=key_id), DIGEST_BYTES)).hex()


def check(*, log: Any, entries: Sequence[Any]) -> Integrity:
    """Check `entries` (every entry of `log`, in seq order) against their digests and the
    log's head. Reads each entry's content, so only for someone who may read the log."""
    prev = ""
    seq_of: dict[str, int] = {str(entry.pk): entry.seq for entry in entries}
    for expected, entry in enumerate(entries, start=1):
        problem = _entry_problem(log, entry, expected, prev, seq_of)
        if problem is not None:
            return problem
        prev = entry.digest
    return _head_problem(log, entries[-1].seq if entries else 0, prev) or Integrity(intact=True)


def _entry_problem(
    log: Any, entry: Any, expected: int, prev: str, seq_of: dict[str, int]
) -> Integrity | None:
    if entry.seq != expected:
        missing = min(expected, entry.seq)
        return Integrity(
            intact=False,
            problem=f"Entry {missing} is missing: it was removed after it was written.",
            first_bad_seq=missing,
        )
    corrects = seq_of.get(str(entry.corrects_id)) if entry.corrects_id else None
    try:
        content = entry.content
    except DecryptionError:
        return _changed(entry.seq)
    if entry.corrects_id and corrects is None:
        return _changed(entry.seq)
    digest = _digest_with(
        entry.key_id,
        log_id=str(log.pk),
        seq=entry.seq,
        recorded_at=entry.recorded_at,
        recorded_by=entry.recorded_by,
        corrects=corrects,
        content=content,
        prev=prev,
    )
    return None if digest == entry.digest else _changed(entry.seq)


def _head_problem(log: Any, last: int, last_digest: str) -> Integrity | None:
    if log.head_seq > last:
        return Integrity(
            intact=False,
            problem=f"The newest entries (from entry {last + 1}) were removed after they "
            "were written.",
            first_bad_seq=last + 1,
        )
    if log.head_seq != last or log.head_digest != last_digest:
        return _changed(last)
    return None


def _changed(seq: int) -> Integrity:
    return Integrity(
        intact=False,
        problem=f"Entry {seq} was changed after it was written (its words, its time or its "
        "place in the record).",
        first_bad_seq=seq,
    )
