"""Reads for the police-ready bundle (issue 14, item 11): which files may go in it, and a
bundle already made (a Referral in the register, with what it sent on its timeline entry).

Only the report's files and files kept with *shared* log entries are offered; a bundle is
read back only by someone who may make bundles for its case ("case.police_bundle"), and
anyone else gets the 404 a missing bundle gets.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Final

from django.http import Http404

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case, EntryKind, TimelineEntry
from waypoint.casework.selectors import case_get_for_staff
from waypoint.log.chronology import Chronology, Integrity
from waypoint.log.export.rows import human_size
from waypoint.log.models import LogEvidence
from waypoint.privacy.crypto import CryptoError
from waypoint.reporting.models import Evidence
from waypoint.safety.models import LawfulBasis, Referral
from waypoint.safety.selectors.chronology import (
    file_name,
    institution_name,
    shared_evidence,
    shared_log_for_case,
    snapshot,
)

BUNDLE_EVENT: Final = "police_bundle"
REPORT_FILE: Final = "report"
LOG_FILE: Final = "log"


@dataclass(frozen=True)
class BundleFile:
    key: str  # "report:<uuid>" or "log:<uuid>": the form's value, never a name
    kind: str  # REPORT_FILE or LOG_FILE
    id: uuid.UUID
    name: str
    size: int
    content_type: str
    origin: str  # "From the report", "With entry 3 of their log"

    @property
    def label(self) -> str:
        return f"{self.name} ({human_size(self.size)}), {self.origin.lower()}"


def _report_files(case: Case) -> list[tuple[BundleFile, Evidence]]:
    files = (
        Evidence.objects.filter(report_id=case.report_id)
        .select_related("data_key")
        .order_by("uploaded_at", "id")
    )
    return [
        (
            BundleFile(
                key=f"{REPORT_FILE}:{item.pk}",
                kind=REPORT_FILE,
                id=item.pk,
                name=file_name(item, f"report-file-{n}"),
                size=item.clean_size or item.size,
                content_type=item.content_type,
                origin="From the report",
            ),
            item,
        )
        for n, item in enumerate(files, start=1)
    ]


def _log_files(case: Case) -> list[tuple[BundleFile, LogEvidence]]:
    shared = shared_log_for_case(case)
    if shared is None:
        return []
    return [
        (
            BundleFile(
                key=f"{LOG_FILE}:{item.pk}",
                kind=LOG_FILE,
                id=item.pk,
                name=file_name(item, f"log-file-{n}"),
                size=item.size,
                content_type=item.content_type,
                origin=f"With entry {getattr(item, 'entry_seq', '?')} of their log",
            ),
            item,
        )
        for n, item in enumerate(shared_evidence(shared), start=1)
    ]


def bundle_files_for_case(*, case: Case) -> list[BundleFile]:
    """Every file that may go in a bundle of `case`: the report's, then the shared log's."""
    return [file for file, _ in _report_files(case)] + [file for file, _ in _log_files(case)]


def bundle_sources_for_case(
    *, case: Case, keys: set[str]
) -> list[tuple[BundleFile, Evidence | LogEvidence]]:
    """The chosen files with their rows (for reading their bytes), in the offered order."""
    return [pair for pair in _report_files(case) + _log_files(case) if pair[0].key in keys]


@dataclass(frozen=True)
class Bundle:
    referral: Referral
    case: Case
    files: tuple[BundleFile, ...]  # what was chosen, as it was offered
    keys: frozenset[str]
    seqs: tuple[int, ...]  # the log entries the chronology holds (shared when it was made)
    made_by: str

    @property
    def purpose(self) -> str:
        try:
            return str(self.referral.purpose or "")
        except CryptoError:
            return ""

    @property
    def recipient(self) -> str:
        try:
            return str(self.referral.recipient or "")
        except CryptoError:
            return ""

    @property
    def lawful_basis(self) -> str:
        return str(dict(LawfulBasis.choices).get(self.referral.lawful_basis, ""))


def made_by_words(user: User | None) -> str:
    """ "Alex Adviser (Adviser)": who made a bundle, for its watermark."""
    if user is None:
        return "a member of staff who has since left"
    role = user.get_role_display() if user.role else "Staff"
    return f"{user.display_name or user.email} ({role})"


def bundle_get_for_staff(*, user: User, referral_id: uuid.UUID | str) -> Bundle:
    """A bundle made for a case `user` may make bundles for; otherwise Http404."""
    referral = (
        Referral.objects.select_related("data_key", "sent_by").filter(pk=str(referral_id)).first()
    )
    if referral is None:
        raise Http404
    case = case_get_for_staff(user=user, case_id=referral.case_id)
    policy.require(user, "case.police_bundle", case)
    entry = (
        TimelineEntry.objects.filter(
            case=case,
            kind=EntryKind.REFERRAL,
            detail__event=BUNDLE_EVENT,
            detail__referral_id=str(referral.pk),
        )
        .only("detail")
        .first()
    )
    if entry is None:  # a referral, but not a bundle
        raise Http404
    keys = frozenset(str(k) for k in entry.detail.get("files", []))
    files = tuple(file for file, _ in bundle_sources_for_case(case=case, keys=set(keys)))
    return Bundle(
        referral=referral,
        case=case,
        files=files,
        keys=keys,
        seqs=tuple(int(s) for s in entry.detail.get("seqs", [])),
        made_by=made_by_words(referral.sent_by),
    )


def bundle_chronology(bundle: Bundle) -> Chronology:
    """The chronology the bundle's PDF holds: the log's entries that were shared when it
    was made (shared_only, cut to those), made "at" the moment it was recorded, with the
    maker and purpose for the watermark. The same bundle makes the same PDF every time."""
    case = bundle.case
    notes = (
        f"Prepared for: {bundle.recipient}.",
        f"Lawful basis for sharing: {bundle.lawful_basis}.",
        "Only the entries the person chose to share with the team (and incidents staff "
        "recorded on their behalf) are included.",
        f"Files sent with it: {len(bundle.files)}. MANIFEST.txt in the bundle's ZIP lists "
        "each with its size and SHA-256 digest.",
    )
    shared = shared_log_for_case(
        case, made_by=bundle.made_by, purpose=bundle.purpose, now=bundle.referral.sent_at
    )
    if shared is None:
        return Chronology(
            reference=case.report.reference,
            institution=institution_name(),
            made_at=bundle.referral.sent_at,
            entries=(),
            evidence=(),
            final_digest="",
            integrity=Integrity(intact=True),
            made_by=bundle.made_by,
            purpose=bundle.purpose,
            notes=notes,
        )
    return replace(snapshot(shared.chronology, seqs=bundle.seqs), notes=notes)
