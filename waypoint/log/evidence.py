"""Files kept with an incident log's entries, by exactly the report's rules.

The generic steps are reporting/evidence.py's: the type comes from the bytes, the file is
encrypted with a fresh file key wrapped by the log's data key under a random storage
name, its SHA-256 and size are recorded, and images are inspected with Pillow, which also
makes a clean copy from the pixels alone.

One difference, by design: the person chooses what happens to a photo's hidden details
on the incident form, before the upload (`keep_metadata`), not afterwards. The choice is
applied as the file is stored, so a file never changes once its entry lists it: the
entry's content names each file with its SHA-256 (content.py), and the chain covers that.
When they choose to remove the details, only the clean copy is ever stored.

A file is stored with `entry` None and listed by the entry added in the same transaction
(services.entry_add_with_files), which then sets `entry`. Nothing here is audited: an
unshared log must not be visible or countable to staff (services.py).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from waypoint.log.models import IncidentLog, LogEvidence
from waypoint.privacy import crypto
from waypoint.reporting import evidence as files
from waypoint.reporting.evidence import EvidenceRejected

SCOPE: Final = "log.evidence"
FOLDER: Final = "log-evidence"
# The keys of one file as an entry's content lists it (content.py).
ITEM_KEYS: Final = ("id", "sha256", "name", "size", "content_type")

__all__ = [
    "EvidenceRejected",
    "content_item",
    "describe_metadata",
    "log_evidence_add",
    "log_evidence_delete_files",
    "log_evidence_discard",
    "log_evidence_read",
    "log_evidence_rows",
    "log_evidence_storage_names",
]


def _megabytes(size: int) -> int:
    return max(1, size // 2**20)


def too_many_message() -> str:
    limit = settings.WAYPOINT_UPLOAD_MAX_FILES
    return (
        f"You can keep up to {limit} files with one incident. Choose fewer files, or "
        "describe the rest in your own words."
    )


def total_message() -> str:
    limit = _megabytes(settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES)
    return (
        f"Together these files come to more than {limit} MB, which is the most one incident "
        "can hold. You could choose fewer files, or smaller copies."
    )


def check_entry_limits(*, count: int, total: int) -> None:
    """The report's limits, counted per entry: EvidenceRejected when over either."""
    if count > settings.WAYPOINT_UPLOAD_MAX_FILES:
        raise EvidenceRejected(too_many_message(), code="too_many")
    if total > settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES:
        raise EvidenceRejected(total_message(), code="total_too_big")


def log_evidence_add(
    *, log: IncidentLog, upload: UploadedFile[Any], keep_metadata: bool
) -> LogEvidence:
    """Check, encrypt and keep one file for `log` (its entry is None until attached).

    keep_metadata=False (the form's default) keeps only the clean copy of an image Pillow
    can read: the original, with its hidden details, never reaches storage. For anything
    else (documents, audio, video, HEIC) the file is kept as it was sent either way.
    Raises EvidenceRejected, with words for the person, as the report's upload does.
    """
    size = files.upload_size(upload)
    files.check_file_size(size)
    accepted = files.accept_upload(upload, size)
    inspected = files.inspect_accepted(accepted)
    evidence_id = uuid.uuid4()
    strip = not keep_metadata and inspected is not None and inspected.clean is not None
    stored: list[str] = []

    def store(source: Any) -> tuple[str, crypto.WrappedFileKey]:
        name, key = files.store_file(
            data_key=log.data_key, scope=SCOPE, file_id=evidence_id, source=source, folder=FOLDER
        )
        stored.append(name)
        return name, key

    try:
        clean_name, clean_key = "", None
        content_type = accepted.content_type
        if strip and inspected is not None and inspected.clean is not None:
            storage_name, file_key = store(io.BytesIO(inspected.clean))
            content_type = files.clean_content_type(accepted.content_type)
        else:
            storage_name, file_key = store(files.accepted_source(upload, accepted))
            # The upload's declared size may be wrong; what was actually read decides.
            files.check_file_size(file_key.size)
            if inspected is not None and inspected.clean is not None:
                # Kept for viewing beside the original, as for a report.
                clean_name, clean_key = store(io.BytesIO(inspected.clean))
        # None: nothing was checked, so there was nothing to choose.
        choice = None if inspected is None else not strip
        evidence = LogEvidence(
            id=evidence_id,
            log=log,
            entry=None,
            kind=accepted.kind,
            content_type=content_type,
            original_name=files.client_name(upload)[:255],
            size=file_key.size,
            sha256=file_key.sha256,
            storage_name=storage_name,
            file_key=bytes(file_key),
            clean_storage_name=clean_name,
            clean_file_key=bytes(clean_key) if clean_key is not None else None,
            clean_size=clean_key.size if clean_key is not None else None,
            # What was found is kept even when removed: the entry says what was removed.
            metadata_found=inspected.metadata_found if inspected is not None else None,
            keep_metadata=choice,
        )
        with transaction.atomic():
            evidence.save(force_insert=True)
    except BaseException:
        files.delete_files(stored)
        raise
    return evidence


def content_item(evidence: LogEvidence) -> dict[str, Any]:
    """How an entry's content lists a file (content.py): the chain covers its SHA-256."""
    return {
        "id": str(evidence.pk),
        "sha256": evidence.sha256,
        "name": evidence.original_name or "",
        "size": evidence.size,
        "content_type": evidence.content_type,
    }


def log_evidence_read(*, evidence: LogEvidence) -> bytes:
    """The file as kept (its SHA-256 is `evidence.sha256`), for someone allowed to read it.

    Raises privacy.crypto.DecryptionError if it does not decrypt or does not match."""
    data, digest = files.read_stored(
        data_key=evidence.log.data_key,
        scope=SCOPE,
        file_id=evidence.pk,
        name=evidence.storage_name,
        wrapped_key=bytes(evidence.file_key),
    )
    if digest != evidence.sha256:
        raise crypto.DecryptionError("The file does not match its recorded SHA-256.")
    return data


def log_evidence_rows(*, log: IncidentLog) -> dict[str, LogEvidence]:
    """The log's files by id (str), each with the log (and its key) attached."""
    rows = {}
    for row in LogEvidence.objects.filter(log=log):
        row.log = log
        rows[str(row.pk)] = row
    return rows


def _names(rows: Iterable[LogEvidence]) -> list[str]:
    return [name for row in rows for name in (row.storage_name, row.clean_storage_name) if name]


def log_evidence_storage_names(*, log: IncidentLog) -> list[str]:
    """Every stored file of the log (originals and clean copies)."""
    return _names(LogEvidence.objects.filter(log=log).only("storage_name", "clean_storage_name"))


def log_evidence_delete_files(*, log: IncidentLog) -> None:
    """Delete the log's files from storage now (the rows go with the log). Files already
    gone are not an error; without the log's key what is left could not be read anyway."""
    files.delete_files(log_evidence_storage_names(log=log))


def log_evidence_discard(evidence: Iterable[LogEvidence]) -> None:
    """Delete the stored files of rows whose transaction was rolled back."""
    files.delete_files(_names(evidence))


def deleter(names: list[str]) -> Callable[[], None]:
    def delete() -> None:
        files.delete_files(names)

    return delete


# --- In words, for the person ---------------------------------------------------------------


@dataclass(frozen=True)
class MetadataWords:
    found: tuple[str, ...]  # what was found, in plain words ("location (GPS coordinates)")
    summary: str  # what happened to them


def describe_metadata(evidence: LogEvidence) -> MetadataWords:
    """What was found in a file and what was done with it, in plain words."""
    try:
        raw = evidence.metadata_found
    except crypto.DecryptionError:
        return MetadataWords((), "What we found in this file can no longer be read.")
    if raw is None:
        return MetadataWords(
            (),
            "We cannot check this kind of file for hidden details, so it is kept as you added it.",
        )
    found = tuple(str(label) for label in raw)
    if not found:
        if evidence.keep_metadata is False:
            return MetadataWords((), "We found no hidden details. It is kept as a clean copy.")
        return MetadataWords((), "We found no hidden details in it.")
    if evidence.keep_metadata is False:
        return MetadataWords(found, "We found these hidden details and removed them:")
    return MetadataWords(found, "It holds these hidden details, which you chose to keep:")
