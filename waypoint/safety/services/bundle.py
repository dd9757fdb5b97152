"""The police-ready bundle (issue 14, item 11): a disclosure, recorded before anything is made.

Making a bundle is sharing the case outside the team, so it is recorded first as a
Referral in the register (recipient: the police, with the lawful basis and either consent
or an exemption, exactly as any referral: ADR 0044). What it sent (the chosen files, the
log entries shared at that moment) is kept on its timeline entry as ids only, so its two
downloads can be made again, byte for byte, by anyone allowed to make bundles for the
case:

- the signed PDF chronology (log/export/pdf.py), watermarked on every page with who made
  it, when and for what purpose; only entries the person shared are ever in it;
- a ZIP of the chosen files, the same PDF and MANIFEST.txt, which lists every file in the
  ZIP with its size and SHA-256 (and the PDF's digest on its own line).

Every download is audited (ids and digests only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Final

from django.db import transaction
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case, EntryKind
from waypoint.casework.services.timeline import timeline_add
from waypoint.log.evidence import log_evidence_read
from waypoint.log.export.pdf import export_pdf
from waypoint.log.export.rows import format_moment
from waypoint.log.models import LogEvidence
from waypoint.privacy.services import audit_record
from waypoint.reporting.evidence import evidence_read
from waypoint.reporting.models import Evidence
from waypoint.safety.models import Referral, ReferralStatus
from waypoint.safety.selectors.bundle import (
    BUNDLE_EVENT,
    Bundle,
    bundle_chronology,
    bundle_files_for_case,
    bundle_sources_for_case,
)
from waypoint.safety.selectors.chronology import shared_log_for_case
from waypoint.safety.services.processes import (
    _ERASED_MESSAGE,
    NON_FIELD,
    REFERRAL_OBJECT_TYPE,
    SHORT_TEXT_MAX_CHARS,
    ReferralError,
    _consent_errors,
    _erased,
    _too_long,
)

PDF_NAME: Final = "chronology.pdf"
MANIFEST_NAME: Final = "MANIFEST.txt"
PURPOSE_MAX_CHARS: Final = SHORT_TEXT_MAX_CHARS  # it is printed on every page
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]+")


def _text(value: object) -> str:
    return str(value or "").strip()


def _bundle_errors(
    *, purpose: str, recipient: str, crime_reference: str, files: set[str], offered: set[str]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not purpose:
        errors["purpose"] = "Say what the bundle is for. It is printed on every page."
    _too_long(errors, "purpose", purpose, PURPOSE_MAX_CHARS)
    if not recipient:
        errors["recipient"] = "Enter the police force, and the officer if you know them."
    _too_long(errors, "recipient", recipient, SHORT_TEXT_MAX_CHARS)
    _too_long(errors, "crime_reference", crime_reference, SHORT_TEXT_MAX_CHARS)
    if files - offered:
        errors["evidence"] = "Choose files from the list. One of them is no longer there."
    return errors


@transaction.atomic
def bundle_create(
    *,
    case: Case,
    actor: User,
    purpose: str,
    recipient: str,
    lawful_basis: str,
    consent_given: bool | None,
    consent_at: dt.datetime | None = None,
    consent_method: str = "",
    exemption: str = "",
    crime_reference: str = "",
    files: set[str] | frozenset[str] = frozenset(),
) -> Referral:
    """Record the disclosure of a police-ready bundle of `case` and what goes in it.

    `files`: BundleFile keys from selectors.bundle.bundle_files_for_case. ReferralError
    (field -> message) when refused, and nothing is saved; Http404 when the actor may not
    make bundles for the case."""
    policy.require(actor, "case.police_bundle", case)
    purpose_text, recipient_text = _text(purpose), _text(recipient)
    reference_text = _text(crime_reference)
    method, exemption_value = _text(consent_method), _text(exemption)
    offered = bundle_files_for_case(case=case)
    errors = _bundle_errors(
        purpose=purpose_text,
        recipient=recipient_text,
        crime_reference=reference_text,
        files=set(files),
        offered={file.key for file in offered},
    )
    errors |= _consent_errors(
        lawful_basis=_text(lawful_basis),
        consent_given=consent_given,
        consent_at=consent_at,
        consent_method=method,
        exemption=exemption_value,
    )
    shared = shared_log_for_case(case)
    seqs = [entry.seq for entry in shared.chronology.entries] if shared is not None else []
    if not seqs and not files:
        errors[NON_FIELD] = (
            "There is nothing to send: the person has not shared anything from their "
            "incident log, and no file is chosen."
        )
    if _erased(case):
        errors[NON_FIELD] = _ERASED_MESSAGE
    if errors:
        raise ReferralError(errors)
    chosen = [file for file in offered if file.key in files]
    referral = Referral(
        case=case,
        data_key_id=case.data_key_id,
        lawful_basis=_text(lawful_basis),
        consent_given=bool(consent_given),
        consent_at=consent_at if consent_given else None,
        consent_method=method if consent_given else "",
        exemption="" if consent_given else exemption_value,
        status=ReferralStatus.SENT,
        sent_by=actor,
    )
    referral.recipient = f"Police: {recipient_text}" + (
        f" (crime reference {reference_text})" if reference_text else ""
    )
    referral.purpose = purpose_text
    listed = "".join(f"\n- {file.label}" for file in chosen)
    referral.shared = (
        f"Police-ready bundle: the signed chronology of {len(seqs)} shared "
        f"incident log entr{'y' if len(seqs) == 1 else 'ies'}, and {len(chosen)} "
        f"file{'' if len(chosen) == 1 else 's'}{':' if chosen else '.'}{listed}"
    )
    referral.save(force_insert=True)
    detail = {
        "event": BUNDLE_EVENT,
        "referral_id": str(referral.pk),
        "recipient": "police",
        "lawful_basis": referral.lawful_basis,
        "consent": referral.consent_given,
        "exemption": referral.exemption,
        "status": referral.status,
        # What it sent, as ids and places: the downloads are made from these.
        "files": [file.key for file in chosen],
        "seqs": seqs,
    }
    timeline_add(case=case, kind=EntryKind.REFERRAL, actor=actor, detail=detail)
    audit_record(
        actor=actor,
        action="bundle.created",
        object_type=REFERRAL_OBJECT_TYPE,
        object_id=str(referral.pk),
        extra={
            "case_id": str(case.pk),
            "lawful_basis": referral.lawful_basis,
            "consent": referral.consent_given,
            "exemption": referral.exemption,
            "files": len(chosen),
            "entries": len(seqs),
        },
    )
    return referral


# --- The downloads -----------------------------------------------------------------------------


def _audit(bundle: Bundle, actor: User, action: str, **extra: str | int) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=REFERRAL_OBJECT_TYPE,
        object_id=str(bundle.referral.pk),
        extra={"case_id": str(bundle.case.pk), **extra},
    )


def bundle_record_read(*, bundle: Bundle, actor: User) -> None:
    _audit(bundle, actor, "bundle.viewed", files=len(bundle.files))


def _pdf(bundle: Bundle) -> bytes:
    return export_pdf(bundle_chronology(bundle))


def bundle_pdf(*, bundle: Bundle, actor: User) -> bytes:
    """The signed, watermarked PDF chronology of the bundle (audited)."""
    pdf = _pdf(bundle)
    _audit(bundle, actor, "bundle.pdf_downloaded", sha256=hashlib.sha256(pdf).hexdigest())
    return pdf


@dataclass(frozen=True)
class ZipLine:
    name: str
    size: int
    sha256: str


def _safe_name(name: str) -> str:
    cleaned = _UNSAFE.sub("_", name).strip("._") or "file"
    return cleaned[-80:]


def _read(item: Evidence | LogEvidence) -> bytes:
    if isinstance(item, Evidence):
        return evidence_read(evidence=item)
    return log_evidence_read(evidence=item)  # the file as kept, its SHA-256 checked


def manifest_text(bundle: Bundle, lines: list[ZipLine], pdf_sha256: str) -> str:
    made = format_moment(bundle.referral.sent_at)
    out = [
        "Police-ready bundle: manifest",
        "",
        f"Made by: {bundle.made_by}",
        f"Made on: {made}",
        f"For: {bundle.purpose}",
        f"Sent to: {bundle.recipient}",
        f"Lawful basis: {bundle.lawful_basis}",
        f"Bundle: {bundle.referral.pk}",
        "",
        f"Signed chronology ({PDF_NAME}) SHA-256: {pdf_sha256}",
        "",
        "Every file in this ZIP (apart from this manifest): name, size in bytes, SHA-256.",
        "",
    ]
    out += [f"{line.name}\t{line.size}\t{line.sha256}" for line in lines]
    out += [
        "",
        "To check the files with sha256sum -c, use these lines:",
        "",
        *(f"{line.sha256}  {line.name}" for line in lines),
        "",
    ]
    return "\n".join(out)


def _stamp(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def bundle_zip(*, bundle: Bundle, actor: User) -> bytes:
    """The ZIP: the signed PDF, the chosen files, MANIFEST.txt (audited)."""
    pdf = _pdf(bundle)
    pdf_sha = hashlib.sha256(pdf).hexdigest()
    contents: list[tuple[str, bytes]] = [(PDF_NAME, pdf)]
    sources = bundle_sources_for_case(case=bundle.case, keys=set(bundle.keys))
    for number, (file, item) in enumerate(sources, start=1):
        contents.append((f"evidence/{number:02d}-{_safe_name(file.name)}", _read(item)))
    lines = [ZipLine(name, len(data), hashlib.sha256(data).hexdigest()) for name, data in contents]
    stamp = _stamp(bundle.referral.sent_at)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        manifest = manifest_text(bundle, lines, pdf_sha).encode("utf-8")
        for name, data in [*contents, (MANIFEST_NAME, manifest)]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    data = buffer.getvalue()
    _audit(
        bundle,
        actor,
        "bundle.zip_downloaded",
        files=len(sources),
        sha256=hashlib.sha256(data).hexdigest(),
        pdf_sha256=pdf_sha,
    )
    return data
