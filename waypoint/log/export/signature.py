"""The signature on an export, and the verification code printed on its last page.

A signed PDF is the PDF as WeasyPrint wrote it, then three comment lines after its %%EOF
(PDF readers ignore what follows %%EOF; the lines stay well under the 1 KiB Acrobat
looks back for the end marker):

    %WAYPOINT-SIGNED-EXPORT 1
    %summary {"entries":4,...,"pdf_sha256":"...","key_id":...}
    %signature <base64 of the Tink Ed25519 signature over DOMAIN_PDF + the summary JSON>

The summary carries the SHA-256 of every byte before the marker, so the signature covers
the whole PDF *and* the summary a verifier reports. (Signing the PDF alone would leave the
summary unauthenticated: anyone could change "4 entries" to "40" and still be told the
file was genuine.) The verification code signs a compact form of the same summary with
its own domain, so neither signature can stand in for the other. See ADR 0041.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import struct
from dataclasses import dataclass
from typing import Any, Final

from waypoint.log.chronology import Chronology
from waypoint.log.export.rows import counts
from waypoint.privacy import signing

MARKER: Final = b"%WAYPOINT-SIGNED-EXPORT 1\n"
DOMAIN_PDF: Final = b"waypoint:v1|log.export.pdf|"
DOMAIN_CODE: Final = b"waypoint:v1|log.export.code|"
KIND: Final = "waypoint.log.export"
_TRAILER: Final = re.compile(
    rb"%WAYPOINT-SIGNED-EXPORT 1\n%summary (\{[\x20-\x7e]{2,700}\})\n"
    rb"%signature ([A-Za-z0-9+/]{4,200}={0,2})\n"
)
_CODE_VERSION: Final = 1
# version, flags, entries, corrections, first and last recorded, made (Unix seconds)
_CODE_HEAD: Final = struct.Struct(">BBHHIII")
_CODE_DIGEST_BYTES: Final = 8
_FLAG_INTACT: Final = 0x01
_FLAG_STAFF_COPY: Final = 0x02
_BASE32_FIXES: Final = str.maketrans({"0": "O", "1": "I", "8": "B"})


@dataclass(frozen=True)
class Summary:
    """What a verifier is told about an export: all of it is covered by the signature."""

    reference: str
    entries: int
    incidents: int
    corrections: int
    first_recorded: dt.datetime | None
    last_recorded: dt.datetime | None
    made_at: dt.datetime
    final_digest: str  # hex; the code carries only its first 8 bytes
    intact: bool
    staff_copy: bool
    key_id: int | None = None


def summary_of(chronology: Chronology) -> Summary:
    made = counts(chronology)
    return Summary(
        reference=chronology.reference,
        entries=len(chronology.entries),
        incidents=made.incidents,
        corrections=made.corrections,
        first_recorded=chronology.first_recorded,
        last_recorded=chronology.last_recorded,
        made_at=chronology.made_at,
        final_digest=chronology.final_digest,
        intact=chronology.integrity.intact,
        staff_copy=bool(chronology.made_by),
    )


# --- The signed PDF -------------------------------------------------------------------------


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _parse_iso(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    return dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def _summary_json(summary: Summary, *, pdf_sha256: str, key_id: int) -> bytes:
    document = {
        "kind": KIND,
        "v": 1,
        "reference": summary.reference,
        "entries": summary.entries,
        "incidents": summary.incidents,
        "corrections": summary.corrections,
        "first_recorded": _iso(summary.first_recorded),
        "last_recorded": _iso(summary.last_recorded),
        "made_at": _iso(summary.made_at),
        "final_digest": summary.final_digest,
        "intact": summary.intact,
        "staff_copy": summary.staff_copy,
        "pdf_sha256": pdf_sha256,
        "key_id": key_id,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sign_pdf(pdf: bytes, summary: Summary, key: signing.Signer | None = None) -> bytes:
    """`pdf` with the signed summary appended after its %%EOF."""
    body = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    if not body.rstrip().endswith(b"%%EOF"):
        raise ValueError("Not a complete PDF: it does not end with %%EOF.")
    key = key or signing.signer()
    text = _summary_json(summary, pdf_sha256=hashlib.sha256(body).hexdigest(), key_id=key.key_id)
    made = key.sign(DOMAIN_PDF + text)
    return b"".join(
        [body, MARKER, b"%summary ", text, b"\n%signature ", base64.b64encode(made), b"\n"]
    )


@dataclass(frozen=True)
class Verdict:
    genuine: bool
    summary: Summary | None = None
    problem: str = ""  # plain words, for the person checking, when not genuine


NOT_A_PDF: Final = "This file is not a PDF."
NO_SIGNATURE: Final = (
    "This PDF does not carry our signature. It was not made by this service, or it was "
    "saved again by another program after it was made."
)
BAD_SIGNATURE: Final = (
    "The signature on this PDF does not match. It was not made by this service, or it "
    "has been changed."
)
CHANGED: Final = "This PDF has been changed since it was made, so its contents cannot be trusted."
BAD_CODE: Final = (
    "This code could not be read. Check that it was copied completely, with every group of "
    "letters and numbers."
)
CODE_NOT_OURS: Final = (
    "This code does not match our signature. It was not made by this service, or it was "
    "copied with a mistake."
)


def _signed_parts(data: bytes) -> tuple[bytes, bytes, bytes] | str:
    """(everything before the signature lines, the summary JSON, the signature), or the
    problem in plain words if the file does not carry our signature lines."""
    if not data.startswith(b"%PDF-"):
        return NOT_A_PDF
    at = data.rfind(b"\n" + MARKER)
    if at < 0:
        return NO_SIGNATURE
    body, trailer = data[: at + 1], data[at + 1 :]
    found = _TRAILER.fullmatch(trailer)
    if found is None or not body.rstrip().endswith(b"%%EOF"):
        return NO_SIGNATURE
    try:
        made = base64.b64decode(found.group(2), validate=True)
    except ValueError:
        return NO_SIGNATURE
    return body, found.group(1), made


def verify_pdf(data: bytes) -> Verdict:
    """Whether `data` is an export signed by a key in the signing keyset, unchanged."""
    parts = _signed_parts(data)
    if isinstance(parts, str):
        return Verdict(False, problem=parts)
    body, text, made = parts
    if not signing.verify(DOMAIN_PDF + text, made):
        return Verdict(False, problem=BAD_SIGNATURE)
    try:
        document = json.loads(text)
        summary = _summary_from(document)
        expected_hash = str(document["pdf_sha256"])
    except (ValueError, KeyError, TypeError):  # signed by us, yet unreadable: never genuine
        return Verdict(False, problem=BAD_SIGNATURE)
    if summary.key_id != signing.key_id_of(made):
        return Verdict(False, problem=BAD_SIGNATURE)
    if hashlib.sha256(body).hexdigest() != expected_hash:
        return Verdict(False, summary=summary, problem=CHANGED)
    return Verdict(True, summary=summary)


def _summary_from(document: dict[str, Any]) -> Summary:
    if document.get("kind") != KIND or document.get("v") != 1:
        raise ValueError("Not an export summary.")
    made_at = _parse_iso(document["made_at"])
    if made_at is None:
        raise ValueError("No date made.")
    return Summary(
        reference=str(document["reference"]),
        entries=int(document["entries"]),
        incidents=int(document["incidents"]),
        corrections=int(document["corrections"]),
        first_recorded=_parse_iso(document["first_recorded"]),
        last_recorded=_parse_iso(document["last_recorded"]),
        made_at=made_at,
        final_digest=str(document["final_digest"]),
        intact=bool(document["intact"]),
        staff_copy=bool(document["staff_copy"]),
        key_id=int(document["key_id"]),
    )


# --- The printed verification code ------------------------------------------------------------


def _seconds(value: dt.datetime | None) -> int:
    return int(value.timestamp()) if value else 0


def _moment(seconds: int) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC) if seconds else None


def make_code(summary: Summary, key: signing.Signer | None = None) -> str:
    """The summary and a signature over it, in base32 groups of four for typing."""
    reference = summary.reference.encode("utf-8")[:255]
    flags = (_FLAG_INTACT if summary.intact else 0) | (
        _FLAG_STAFF_COPY if summary.staff_copy else 0
    )
    payload = (
        _CODE_HEAD.pack(
            _CODE_VERSION,
            flags,
            min(summary.entries, 0xFFFF),
            min(summary.corrections, 0xFFFF),
            _seconds(summary.first_recorded),
            _seconds(summary.last_recorded),
            _seconds(summary.made_at),
        )
        + bytes.fromhex(summary.final_digest)[:_CODE_DIGEST_BYTES].ljust(_CODE_DIGEST_BYTES, b"\0")
        + bytes([len(reference)])
        + reference
    )
    made = (key or signing.signer()).sign(DOMAIN_CODE + payload)
    letters = base64.b32encode(payload + made).decode("ascii").rstrip("=")
    return " ".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def verify_code(text: str) -> Verdict:
    """Whether a typed or pasted verification code was made by a key in the keyset."""
    letters = re.sub(r"[\s\-]+", "", text).upper().translate(_BASE32_FIXES)
    if not letters or not re.fullmatch(r"[A-Z2-7]+", letters):
        return Verdict(False, problem=BAD_CODE)
    try:
        raw = base64.b32decode(letters + "=" * (-len(letters) % 8))
    except ValueError:
        return Verdict(False, problem=BAD_CODE)
    head_size = _CODE_HEAD.size + _CODE_DIGEST_BYTES + 1
    if len(raw) <= head_size:
        return Verdict(False, problem=BAD_CODE)
    version, flags, entries, corrections, first, last, made_at = _CODE_HEAD.unpack_from(raw)
    reference_size = raw[head_size - 1]
    payload_size = head_size + reference_size
    if version != _CODE_VERSION or len(raw) <= payload_size:
        return Verdict(False, problem=BAD_CODE)
    payload, made = raw[:payload_size], raw[payload_size:]
    if not signing.verify(DOMAIN_CODE + payload, made):
        return Verdict(False, problem=CODE_NOT_OURS)
    digest = raw[_CODE_HEAD.size : _CODE_HEAD.size + _CODE_DIGEST_BYTES].hex()
    return Verdict(
        True,
        summary=Summary(
            reference=raw[head_size:payload_size].decode("utf-8", errors="replace"),
            entries=entries,
            incidents=entries - corrections,
            corrections=corrections,
            first_recorded=_moment(first),
            last_recorded=_moment(last),
            made_at=_moment(made_at) or dt.datetime.fromtimestamp(0, tz=dt.UTC),
            final_digest=digest,
            intact=bool(flags & _FLAG_INTACT),
            staff_copy=bool(flags & _FLAG_STAFF_COPY),
            key_id=signing.key_id_of(made),
        ),
    )
