"""Writes of the incident log: start one, add and correct entries, name people, delete it.

Nothing here is audited with the log's id: an unshared log must not be visible or countable
to staff, and the audit log is read by administrators. The log's own chain is its record
(chain.py). Sharing with the team (later) is audited like any case write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from waypoint.log import chain
from waypoint.log.models import IncidentLog, LogEntry, LogPerson, RecordedBy
from waypoint.privacy.services import data_key_create, data_key_shred
from waypoint.reporting import receipts
from waypoint.reporting.models import Report

DATA_KEY_PURPOSE: Final = "log"
# The keys every entry's content has (forms.py fills them); "when" and "what" must say
# something, the rest may be empty.
CONTENT_KEYS: Final = (
    "when",
    "where",
    "what",
    "who",
    "witnesses",
    "affected",
    "police",
    "evidence",
)


class EntryError(ValueError):
    """The entry cannot be saved as given (a programming error, not a person's)."""


@dataclass(frozen=True)
class StartedLog:
    log: IncidentLog
    passphrase: str  # shown once, never stored


def _free_reference() -> str:
    for _ in range(20):
        reference = receipts.new_reference()
        # One space of references: a log's never names a report, and the reverse.
        taken = (
            Report.objects.filter(reference=reference).exists()
            or IncidentLog.objects.filter(reference=reference).exists()
        )
        if not taken:
            return reference
    raise RuntimeError("Could not draw a free reference.")  # pragma: no cover - 40 bits


@transaction.atomic
def log_start() -> StartedLog:
    """A new log with its own receipt; the passphrase comes back once, to be shown."""
    passphrase = receipts.new_passphrase()
    encoded, key_id = receipts.hash_passphrase(passphrase)
    for _ in range(3):
        try:
            with transaction.atomic():
                log = IncidentLog.objects.create(
                    reference=_free_reference(),
                    receipt_hash=encoded,
                    receipt_pepper_key_id=key_id,
                    data_key=data_key_create(purpose=DATA_KEY_PURPOSE),
                )
            return StartedLog(log=log, passphrase=passphrase)
        except IntegrityError:  # pragma: no cover - a reference drawn twice at once
            continue
    raise RuntimeError("Could not start a log.")  # pragma: no cover


@transaction.atomic
def log_start_for_report(*, report: Report) -> IncidentLog:
    """The log kept under a report's receipt (one per report; returned if it exists)."""
    log, _ = IncidentLog.objects.get_or_create(
        report=report, defaults={"data_key": data_key_create(purpose=DATA_KEY_PURPOSE)}
    )
    return log


@sensitive_variables("passphrase")
def log_receipt_reissue(*, log: IncidentLog) -> str:
    """A new passphrase for a log whose receipt never reached the page; the old one stops
    working. Only offered to the browser that started the log, before it confirmed."""
    passphrase = receipts.new_passphrase()
    encoded, key_id = receipts.hash_passphrase(passphrase)
    IncidentLog.objects.filter(pk=log.pk).update(receipt_hash=encoded, receipt_pepper_key_id=key_id)
    return passphrase


@sensitive_variables("passphrase")
def log_receipt_rehash_if_needed(*, log: IncidentLog, passphrase: str) -> None:
    """After a successful sign-in, with the passphrase in hand: re-hash it if the hash's
    parameters or pepper key are out of date (reporting/receipts.py)."""
    if not receipts.needs_rehash(encoded=log.receipt_hash, key_id=log.receipt_pepper_key_id):
        return
    encoded, key_id = receipts.hash_passphrase(passphrase)
    IncidentLog.objects.filter(pk=log.pk).update(receipt_hash=encoded, receipt_pepper_key_id=key_id)


def _check_content(content: dict[str, Any]) -> dict[str, Any]:
    missing = [key for key in CONTENT_KEYS if key not in content]
    if missing:
        raise EntryError(f"Entry content lacks {', '.join(missing)}.")
    when, what = content["when"], content["what"]
    if not isinstance(when, dict) or not when.get("date"):
        raise EntryError("An entry needs to say when it happened.")
    if not isinstance(what, dict) or not (what.get("behaviours") or what.get("text")):
        raise EntryError("An entry needs to say what happened.")
    return {key: content[key] for key in CONTENT_KEYS}


@transaction.atomic
def entry_add(
    *,
    log: IncidentLog,
    content: dict[str, Any],
    corrects: LogEntry | None = None,
    staff_member: AbstractBaseUser | None = None,
) -> LogEntry:
    """Append an entry (or a correction of `corrects`) to the end of the log's chain."""
    content = _check_content(content)
    locked = IncidentLog.objects.select_for_update(of=("self",)).get(pk=log.pk)
    if corrects is not None and corrects.log_id != locked.pk:
        raise EntryError("A correction must be in the same log as the entry it corrects.")
    recorded_by = RecordedBy.STAFF if staff_member is not None else RecordedBy.PERSON
    now = timezone.now()
    # Shared from the start: what staff record is the team's already, and a correction
    # of a shared entry must reach the team with it (the person is told so).
    shared = staff_member is not None or (corrects is not None and corrects.shared_at is not None)
    entry = LogEntry(
        log=locked,
        seq=locked.head_seq + 1,
        recorded_at=now,
        shared_at=now if shared else None,
        recorded_by=recorded_by,
        staff_member=staff_member,  # type: ignore[misc]
        corrects=corrects,
        content=content,
    )
    entry.digest, entry.key_id = chain.new_digest(
        log_id=str(locked.pk),
        seq=entry.seq,
        recorded_at=entry.recorded_at,
        recorded_by=recorded_by,
        corrects=corrects.seq if corrects is not None else None,
        content=content,
        prev=locked.head_digest,
    )
    entry.save(force_insert=True)
    IncidentLog.objects.filter(pk=locked.pk).update(head_seq=entry.seq, head_digest=entry.digest)
    log.head_seq, log.head_digest = entry.seq, entry.digest
    return entry


def entry_correct(*, log: IncidentLog, entry: LogEntry, content: dict[str, Any]) -> LogEntry:
    """A correction: a new entry pointing at `entry`, which stays as it was written."""
    return entry_add(log=log, content=content, corrects=entry)


@transaction.atomic
def person_add(
    *, log: IncidentLog, name: str, identifiers: dict[str, str] | None = None
) -> LogPerson:
    cleaned = {k: v.strip() for k, v in (identifiers or {}).items() if v and v.strip()}
    person = LogPerson(log=log, name=name.strip(), identifiers=cleaned or None)
    person.save(force_insert=True)
    return person


@transaction.atomic
def log_delete(*, log: IncidentLog) -> None:
    """Erase the whole log: its key is shredded first (so every copy of its ciphertext,
    backups included, can no longer be read), then its rows go."""
    data_key = log.data_key
    IncidentLog.objects.filter(pk=log.pk).delete()
    if data_key is not None:
        data_key_shred(data_key=data_key)
