"""Writes of the incident log: start one, add and correct entries, name people, delete it.

Nothing here is audited with the log's id: an unshared log must not be visible or countable
to staff, and the audit log is read by administrators. The log's own chain is its record
(chain.py). Sharing with the team (later) is audited like any case write.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from waypoint.log import chain, evidence, sharing
from waypoint.log.models import IncidentLog, LogEntry, LogEvidence, LogPerson, RecordedBy
from waypoint.privacy.services import data_key_create, data_key_shred
from waypoint.reporting import receipts
from waypoint.reporting.evidence import client_name
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


_SHA256: Final = re.compile(r"[0-9a-f]{64}")


class EntryError(ValueError):
    """The entry cannot be saved as given (a programming error, not a person's)."""


class FilesRejected(Exception):  # noqa: N818 - a refusal, not an error
    """Files the person chose that we won't keep; nothing was saved.

    `problems` are (the file's name on their device, what to tell them) pairs; the name
    is for showing back to them on the page only, never for a log line."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(f"{len(problems)} file(s) refused.")
        self.problems = problems


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
    checked = {key: content[key] for key in CONTENT_KEYS}
    checked["evidence"] = _check_evidence(content["evidence"])
    return checked


def _check_evidence(items: Any) -> list[dict[str, Any]]:
    """Each file as content.py lists it: {"id", "sha256", "name", "size", "content_type"}."""
    if not isinstance(items, list):
        raise EntryError("An entry's evidence is a list of files.")
    checked, seen = [], set()
    for item in items:
        if not isinstance(item, dict) or set(item) != set(evidence.ITEM_KEYS):
            raise EntryError(
                "Each file an entry lists has exactly its id, digest, name, size and type."
            )
        try:
            file_id = str(uuid.UUID(str(item["id"])))
        except ValueError:
            raise EntryError("A file an entry lists needs its id.") from None
        if file_id in seen:
            raise EntryError("An entry lists each file once.")
        seen.add(file_id)
        if not isinstance(item["sha256"], str) or not _SHA256.fullmatch(item["sha256"]):
            raise EntryError("A file an entry lists needs its SHA-256, in lower-case hex.")
        size = item["size"]
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise EntryError("A file an entry lists needs its size in bytes.")
        if not isinstance(item["name"], str) or not isinstance(item["content_type"], str):
            raise EntryError("A file an entry lists needs its name and type as text.")
        checked.append({**{key: item[key] for key in evidence.ITEM_KEYS}, "id": file_id})
    return checked


def _check_files(
    *, log: IncidentLog, items: list[dict[str, Any]], corrects: LogEntry | None
) -> list[str]:
    """The files `items` lists are this log's, as recorded; returns the ids to attach.

    A file not yet in an entry is attached to the new one. A file already in an entry may
    only be carried by a correction of an entry that lists it."""
    if not items:
        return []
    rows = {
        str(row.pk): row
        for row in LogEvidence.objects.filter(log=log, pk__in=[i["id"] for i in items])
    }
    carried_by_corrected: set[str] = set()
    if corrects is not None:
        listed = corrects.content.get("evidence", []) if isinstance(corrects.content, dict) else []
        carried_by_corrected = {str(item.get("id")) for item in listed if isinstance(item, dict)}
    new = []
    for item in items:
        row = rows.get(item["id"])
        if row is None or row.sha256 != item["sha256"] or row.size != item["size"]:
            raise EntryError("An entry can only list files kept in its log, as they were kept.")
        if row.entry_id is None:
            new.append(item["id"])
        elif item["id"] not in carried_by_corrected:
            raise EntryError("Only a correction can list its entry's files again.")
    return new


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
    to_attach = _check_files(log=locked, items=content["evidence"], corrects=corrects)
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
    if to_attach:
        # Only now does a stored file belong to an entry: set in the entry's transaction.
        attached = LogEvidence.objects.filter(
            log=locked, pk__in=to_attach, entry__isnull=True
        ).update(entry=entry)
        if attached != len(to_attach):
            raise EntryError("A file was attached to another entry at the same time.")
    IncidentLog.objects.filter(pk=locked.pk).update(head_seq=entry.seq, head_digest=entry.digest)
    if shared and staff_member is None and locked.report_id is not None:
        # A correction of a shared entry reaches the team's timeline as any share does.
        sharing.log_correction_shared(log=locked, entry=entry)
    log.head_seq, log.head_digest = entry.seq, entry.digest
    return entry


def entry_add_with_files(
    *,
    log: IncidentLog,
    content: dict[str, Any],
    uploads: Sequence[UploadedFile[Any]] = (),
    keep_metadata: bool = False,
    corrects: LogEntry | None = None,
    carried: Sequence[dict[str, Any]] = (),
) -> LogEntry:
    """Store each uploaded file, then add the entry listing them (after `carried`: files
    of the corrected entry kept with a correction), all in one transaction.

    The entry's content lists every file with its SHA-256, so the chain covers the files.
    Raises FilesRejected (nothing saved, stored files deleted) when a file is refused or
    the entry would hold more files, or more bytes, than a report may.
    """
    declared = sum(int(upload.size or 0) for upload in uploads)
    kept_bytes = sum(int(item.get("size", 0)) for item in carried)
    try:
        evidence.check_entry_limits(count=len(carried) + len(uploads), total=kept_bytes + declared)
    except evidence.EvidenceRejected as rejected:
        raise FilesRejected([("", rejected.message)]) from None
    added: list[LogEvidence] = []
    try:
        with transaction.atomic():
            problems: list[tuple[str, str]] = []
            for upload in uploads:
                try:
                    added.append(
                        evidence.log_evidence_add(
                            log=log, upload=upload, keep_metadata=keep_metadata
                        )
                    )
                except evidence.EvidenceRejected as rejected:
                    problems.append((client_name(upload), rejected.message))
            if not problems:
                try:
                    total = kept_bytes + sum(item.size for item in added)
                    evidence.check_entry_limits(count=len(carried) + len(added), total=total)
                except evidence.EvidenceRejected as rejected:
                    problems.append(("", rejected.message))
            if problems:
                raise FilesRejected(problems)
            listed = [*carried, *(evidence.content_item(item) for item in added)]
            return entry_add(log=log, content={**content, "evidence": listed}, corrects=corrects)
    except BaseException:
        evidence.log_evidence_discard(added)
        raise


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
    backups included, can no longer be read), then its rows go, and once that commits
    its files are deleted from storage."""
    data_key = log.data_key
    names = evidence.log_evidence_storage_names(log=log)
    IncidentLog.objects.filter(pk=log.pk).delete()
    if data_key is not None:
        data_key_shred(data_key=data_key)
    # robust: a file left behind is ciphertext whose key is gone.
    transaction.on_commit(evidence.deleter(names), robust=True)
