"""Writes for the report flow: drafts, submission, receipts, and the returning reporter.

Reporter actions are audited with actor_kind "reporter" and no actor id: a reporter has
no account, and the audit log never holds anything that could identify them.

Casework is told of each change through reporting/events.py, inside the same transaction
(ADR 0040): reporting never imports casework.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from waypoint.institution.models import Institution
from waypoint.privacy import identifiers
from waypoint.privacy.models import AuditEvent
from waypoint.privacy.services import audit_record, data_key_create, data_key_shred
from waypoint.reporting import events, receipts
from waypoint.reporting import evidence as evidence_services
from waypoint.reporting.models import (
    Draft,
    Evidence,
    OptionKind,
    PersonIdentifier,
    Report,
    ReportAddition,
    ReportedPerson,
    ReportOption,
    Route,
)
from waypoint.reporting.steps import EVIDENCE, REVIEW, steps_for

REPORTER = AuditEvent.ActorKind.REPORTER
SYSTEM = AuditEvent.ActorKind.SYSTEM

# Answers from the "who" step that identify a person: kept in ReportedPerson, not answers.
_PERSON_FIELDS = (
    "person_name",
    "student_number",
    "staff_number",
    "person_email",
    "person_phone",
    "handles",
    "description",
)
_IDENTIFIER_KINDS = {
    "student_number": identifiers.STUDENT_NUMBER,
    "staff_number": identifiers.STAFF_NUMBER,
    "person_email": identifiers.EMAIL,
    "person_phone": identifiers.PHONE,
}
# Which answers hold option slugs, and of which list.
_OPTION_ANSWERS = {
    ("what", "behaviours"): OptionKind.BEHAVIOUR,
    ("where", "locations"): OptionKind.LOCATION,
    ("where", "platforms"): OptionKind.PLATFORM,
    ("who", "relationship"): OptionKind.RELATIONSHIP,
    ("impact", "impact"): OptionKind.IMPACT,
    ("support", "support"): OptionKind.SUPPORT,
}


class ReportNotReadyError(Exception):
    """Submit was pressed before the questions that need an answer were answered."""

    def __init__(self, step: str) -> None:
        super().__init__(step)
        self.step = step


# --- Drafts ---------------------------------------------------------------------------------


def _draft_expiry(institution: Institution | None) -> datetime:
    hours = institution.draft_lifetime_hours if institution else 24
    return timezone.now() + timedelta(hours=hours)


@transaction.atomic
def draft_start(*, route: str, reporter_role: str, institution: Institution | None) -> Draft:
    draft = Draft(
        route=route,
        data_key=data_key_create(purpose="report"),
        expires_at=_draft_expiry(institution),
    )
    draft.answers = {"start": {"route": route, "reporter_role": reporter_role}, "steps": {}}
    draft.save()
    return draft


@transaction.atomic
def draft_save_step(
    *, draft: Draft, step: str, data: dict[str, Any], institution: Institution | None
) -> Draft:
    """Store one step's answers. The draft's clock restarts: working on it keeps it alive."""
    answers = dict(draft.answers or {})
    steps = dict(answers.get("steps") or {})
    steps[step] = data
    answers["steps"] = steps
    draft.answers = answers
    draft.expires_at = _draft_expiry(institution)
    draft.save(update_fields=["answers", "expires_at", "updated_at"])
    return draft


def draft_step_answers(draft: Draft, step: str) -> dict[str, Any] | None:
    steps = (draft.answers or {}).get("steps") or {}
    value = steps.get(step)
    return dict(value) if isinstance(value, dict) else None


def _draft_delete(draft: Draft) -> None:
    for item in draft.evidence.all():
        evidence_services.evidence_delete_files(item)
    key = draft.data_key
    owned_by_report = draft.report_id is not None
    draft.delete()
    if key is not None and not owned_by_report:
        data_key_shred(data_key=key)


@transaction.atomic
def draft_discard(*, draft: Draft) -> None:
    """The person chose to start again: everything they wrote so far is destroyed."""
    _draft_delete(draft)


def drafts_purge_expired(*, now: datetime | None = None) -> int:
    """Delete every expired draft, its evidence and its key. Safe to run at any time."""
    now = now or timezone.now()
    purged = 0
    for draft_id in Draft.objects.filter(expires_at__lte=now).values_list("id", flat=True):
        with transaction.atomic():
            draft = Draft.objects.select_for_update(of=("self",)).filter(id=draft_id).first()
            if draft is None or draft.expires_at > now:
                continue  # another run took it, or it was saved again meanwhile
            _draft_delete(draft)
            purged += 1
    if purged:
        audit_record(
            actor=None,
            action="report.drafts_purged",
            object_type="reporting.draft",
            extra={"count": purged},
            actor_kind=SYSTEM,
        )
    return purged


def draft_missing_steps(draft: Draft) -> list[str]:
    """Steps with a required question that has no answer yet (in order)."""
    required = {"danger", "contact", "replies"}
    steps = (draft.answers or {}).get("steps") or {}
    return [
        step.slug
        for step in steps_for(draft.route)
        if step.slug in required and step.slug not in steps
    ]


# --- Submission -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    report: Report
    created: bool
    # The passphrase, only when this call issued one (shown once, never stored).
    passphrase: str | None


def _option_labels() -> dict[tuple[str, str], str]:
    return {(o.kind, o.slug): o.label for o in ReportOption.objects.all()}


def _option_flags() -> dict[tuple[str, str], tuple[bool, bool]]:
    return {
        (o.kind, o.slug): (o.raises_urgency, o.is_threat_of_violence)
        for o in ReportOption.objects.filter(raises_urgency=True)
    }


def _labelled(steps: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Answers with each option slug kept beside its label as it read when chosen."""
    labels = _option_labels()
    result: dict[str, dict[str, Any]] = {}
    for step, values in steps.items():
        out = dict(values)
        for (option_step, name), kind in _OPTION_ANSWERS.items():
            if option_step != step or name not in out:
                continue
            value = out[name]
            slugs = value if isinstance(value, list) else ([value] if value else [])
            chosen = [{"slug": s, "label": labels.get((kind, s), s)} for s in slugs]
            out[name] = chosen if isinstance(value, list) else (chosen[0] if chosen else None)
        result[step] = out
    return result


def _urgency(steps: dict[str, dict[str, Any]]) -> tuple[bool, bool, bool]:
    danger = (steps.get("danger") or {}).get("immediate_danger") == "yes"
    flags = _option_flags()
    chosen = [
        (OptionKind.BEHAVIOUR.value, s) for s in (steps.get("what") or {}).get("behaviours", [])
    ]
    chosen += [(OptionKind.IMPACT.value, s) for s in (steps.get("impact") or {}).get("impact", [])]
    high_risk = any(key in flags for key in chosen)
    threat = any(flags.get(key, (False, False))[1] for key in chosen)
    return danger, threat, high_risk


def _record_person(report: Report, who: dict[str, Any]) -> None:
    details = {name: who[name] for name in _PERSON_FIELDS if who.get(name)}
    if not details:
        return
    person = ReportedPerson(report=report, data_key=report.data_key)
    person.details = details
    person.save()
    digests: set[tuple[str, str]] = set()
    for name, kind in _IDENTIFIER_KINDS.items():
        if who.get(name):
            with suppress(ValueError):  # normalises to nothing: nothing to match on
                digests.add((kind, identifiers.identifier_digest(kind, str(who[name]))))
    for handle in who.get("handles") or []:
        with suppress(ValueError):
            digests.add(
                (identifiers.HANDLE, identifiers.identifier_digest(identifiers.HANDLE, handle))
            )
    PersonIdentifier.objects.bulk_create(
        [PersonIdentifier(person=person, kind=kind, digest=digest) for kind, digest in digests]
    )


def _create_report(draft: Draft, receipt_hash: str, key_id: int) -> Report:
    answers = draft.answers or {}
    start = answers.get("start") or {}
    steps: dict[str, dict[str, Any]] = dict(answers.get("steps") or {})
    danger, threat, high_risk = _urgency(steps)
    who = dict(steps.pop("who", {}) or {})
    contact = steps.pop("contact", None) or steps.pop("contact-optional", None)
    replies = steps.get("replies") or {}
    steps["who"] = {k: v for k, v in who.items() if k not in _PERSON_FIELDS}
    for _ in range(5):
        report = Report(
            reference=receipts.new_reference(),
            draft_token=draft.id,
            data_key=draft.data_key,
            route=draft.route,
            reporter_role=start.get("reporter_role", ""),
            immediate_danger=danger,
            wants_messages=draft.route != "anonymous" or replies.get("wants_messages") == "yes",
            receipt_hash=receipt_hash,
            receipt_pepper_key_id=key_id,
        )
        report.answers = _labelled(steps)
        report.contact = contact if contact and any(contact.values()) else None
        try:
            with transaction.atomic():
                report.save()
            break
        except IntegrityError:
            # A reference collision (rare) or a racing submit of the same draft.
            if Report.objects.filter(draft_token=draft.id).exists():
                raise
    else:  # pragma: no cover - five collisions in a 40-bit space
        raise RuntimeError("Could not allocate a report reference.")
    _record_person(report, who)
    draft.evidence.update(report=report, draft=None)
    # Casework opens the case, records conflicts with staff the report names and finds
    # matches, all in this transaction (ADR 0040): a member of staff the report names
    # never sees the case, not even for a moment, and leads learn of matches at once.
    events.send(
        events.report_submitted,
        report=report,
        immediate_danger=danger,
        threat_of_violence=threat,
        high_risk_indicator=high_risk,
    )
    audit_record(
        actor=None,
        action="report.submitted",
        object_type="reporting.report",
        object_id=str(report.id),
        extra={"route": report.route},
        actor_kind=REPORTER,
    )
    return report


def report_submit(*, draft_id: uuid.UUID) -> Submission:
    """Turn the draft into a report, once. Replays return the same report.

    The passphrase is hashed before the transaction (Argon2id is slow, and a write lock
    should not wait on it); if the draft was submitted meanwhile, that hash is discarded.
    The caller shows the receipt only after this returns, that is after the commit.
    """
    existing = Report.objects.filter(draft_token=draft_id).first()
    if existing is not None:
        return Submission(report=existing, created=False, passphrase=None)
    passphrase = receipts.new_passphrase()
    receipt_hash, key_id = receipts.hash_passphrase(passphrase)
    try:
        with transaction.atomic():
            draft = Draft.objects.select_for_update(of=("self",)).filter(id=draft_id).first()
            if draft is None:
                raise Draft.DoesNotExist
            if draft.report_id is not None:
                report = Report.objects.get(pk=draft.report_id)
                return Submission(report=report, created=False, passphrase=None)
            missing = draft_missing_steps(draft)
            if missing:
                raise ReportNotReadyError(missing[0])
            report = _create_report(draft, receipt_hash, key_id)
            draft.report = report
            draft.answers = None  # the report holds them now
            draft.save(update_fields=["report", "answers", "updated_at"])
    except IntegrityError:
        # Two submits raced past the first check; the other one made the report.
        report = Report.objects.get(draft_token=draft_id)
        return Submission(report=report, created=False, passphrase=None)
    return Submission(report=report, created=True, passphrase=passphrase)


@transaction.atomic
def report_open_for_log(
    *,
    reference: str,
    receipt_hash: str,
    receipt_pepper_key_id: int | None,
    threat_of_violence: bool = False,
    high_risk_indicator: bool = False,
) -> Report:
    """The report a standalone incident log opens when it is first shared (issue 14).

    Same reference and receipt hash as the log, so the same receipt opens /my-report/ to
    read the team's messages; its own data key; answers that say only where it came from
    (the entries stay in the log, sealed with the log's key). Casework opens its case
    through `report_submitted`, exactly as for any report. The urgency flags come from
    the shared entries (log/sharing.py), never from their words.
    """
    report = Report(
        reference=reference,
        data_key=data_key_create(purpose="report"),
        route=Route.SUPPORT,
        wants_messages=True,
        receipt_hash=receipt_hash,
        receipt_pepper_key_id=receipt_pepper_key_id,
        receipt_confirmed_at=timezone.now(),
    )
    report.answers = {
        "source": "incident_log",
        "what": {"what_text": "Shared from an incident log kept on Waypoint."},
    }
    report.save(force_insert=True)
    events.send(
        events.report_submitted,
        report=report,
        immediate_danger=False,
        threat_of_violence=threat_of_violence,
        high_risk_indicator=high_risk_indicator or threat_of_violence,
    )
    audit_record(
        actor=None,
        action="report.submitted",
        object_type="reporting.report",
        object_id=str(report.id),
        extra={"route": report.route, "source": "incident_log"},
        actor_kind=REPORTER,
    )
    return report


def report_receipt_reissue(*, report: Report) -> str:
    """A new passphrase for a report whose receipt was never confirmed (lost in transit)."""
    passphrase = receipts.new_passphrase()
    receipt_hash, key_id = receipts.hash_passphrase(passphrase)
    with transaction.atomic():
        locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
        if locked.receipt_confirmed_at is not None:
            raise PermissionError("This receipt was already saved.")
        locked.receipt_hash = receipt_hash
        locked.receipt_pepper_key_id = key_id
        locked.save(update_fields=["receipt_hash", "receipt_pepper_key_id"])
    audit_record(
        actor=None,
        action="report.receipt_reissued",
        object_type="reporting.report",
        object_id=str(report.id),
        actor_kind=REPORTER,
    )
    return passphrase


def report_receipt_confirm(*, report: Report) -> None:
    Report.objects.filter(pk=report.pk, receipt_confirmed_at__isnull=True).update(
        receipt_confirmed_at=timezone.now()
    )


# --- Returning ------------------------------------------------------------------------------


def reporter_sign_in_check(
    *, request: HttpRequest, reference: str, passphrase: str
) -> receipts.ReceiptCheck:
    """Check a receipt (rate limited, constant work); audit a successful sign-in."""
    check = receipts.check_receipt(request, reference=reference, passphrase=passphrase)
    if check.report is not None:
        audit_record(
            actor=None,
            action="report.signed_in",
            object_type="reporting.report",
            object_id=str(check.report.id),
            actor_kind=REPORTER,
        )
    return check


@transaction.atomic
def report_add_information(*, report: Report, body: str) -> ReportAddition:
    text = body.strip()
    if not text:
        raise ValueError("Write something to add.")
    addition = ReportAddition(report=report, data_key=report.data_key)
    addition.body = text
    addition.save()
    events.send(events.report_information_added, report=report, addition=addition)
    audit_record(
        actor=None,
        action="report.information_added",
        object_type="reporting.report",
        object_id=str(report.id),
        extra={"addition": str(addition.id)},
        actor_kind=REPORTER,
    )
    return addition


@transaction.atomic
def report_evidence_add(*, report: Report, upload: UploadedFile[bytes]) -> Evidence:
    """A file the reporter added after sending the report: kept, and on the timeline."""
    item = evidence_services.evidence_add(upload=upload, report=report)
    events.send(events.report_evidence_added, report=report, evidence=item)
    return item


@transaction.atomic
def report_withdraw(*, report: Report) -> None:
    """The reporter no longer wants the team to act on this report. Nothing is deleted."""
    updated = Report.objects.filter(pk=report.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    if updated:
        events.send(events.report_withdrawn, report=report)
        audit_record(
            actor=None,
            action="report.withdrawn",
            object_type="reporting.report",
            object_id=str(report.id),
            actor_kind=REPORTER,
        )


@transaction.atomic
def report_request_deletion(*, report: Report) -> None:
    """Ask the team to delete the report. The team confirms (legal holds, safeguarding)."""
    updated = Report.objects.filter(pk=report.pk, deletion_requested_at__isnull=True).update(
        deletion_requested_at=timezone.now()
    )
    if updated:
        events.send(events.report_deletion_requested, report=report)
        audit_record(
            actor=None,
            action="report.deletion_requested",
            object_type="reporting.report",
            object_id=str(report.id),
            actor_kind=REPORTER,
        )


__all__ = [
    "EVIDENCE",
    "REVIEW",
    "ReportNotReadyError",
    "Submission",
    "draft_discard",
    "draft_missing_steps",
    "draft_save_step",
    "draft_start",
    "draft_step_answers",
    "drafts_purge_expired",
    "report_add_information",
    "report_evidence_add",
    "report_open_for_log",
    "report_receipt_confirm",
    "report_receipt_reissue",
    "report_request_deletion",
    "report_submit",
    "report_withdraw",
    "reporter_sign_in_check",
]
