"""The case workflow: status, claiming and assignment, restriction and grants, conflicts of
interest, notes, the contact log, closing and reopening, and opening evidence files.

Every service here asks accounts.policy first (Http404 when refused, exactly as for a case
that does not exist), runs in one transaction, writes one audit event with ids and choice
values only, and appends one timeline entry. Words people typed (reasons, notes, contact
notes) go only into the entry's sealed `text`. Services that change the case lock its row
first, so two people acting at once are serialised and the second sees the first's change
(two claims end with one owner).

A refusal a person can act on (no reason given, a transition that is not allowed, an
assignee with a conflict of interest) raises WorkflowError, whose message is written to be
shown to them as it is.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.db import transaction
from django.db.models import TextChoices
from django.http import Http404
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.casework.models import (
    Case,
    CaseAssignment,
    CaseClock,
    CaseConflict,
    CaseGrant,
    CaseOutcome,
    CaseStatus,
    EntryKind,
    TimelineEntry,
)
from waypoint.casework.services.drafts import draft_discard_on_send
from waypoint.casework.services.intake import CASE_OBJECT_TYPE
from waypoint.casework.services.timeline import timeline_add
from waypoint.institution.selectors import institution_get_current
from waypoint.privacy import identifiers
from waypoint.privacy.services import audit_record
from waypoint.reporting import evidence as evidence_files
from waypoint.reporting.models import Evidence, PersonIdentifier

REASON_MAX_CHARS: Final = 2_000
NOTE_MAX_CHARS: Final = 10_000
DEFAULT_RETENTION_YEARS: Final = 6

# Forward along the workflow only; a step may be skipped (a walk-in is often triaged and in
# contact at once). Closing goes through case_close, and back out through case_reopen.
ALLOWED_TRANSITIONS: Final[Mapping[str, tuple[str, ...]]] = {
    CaseStatus.NEW: (CaseStatus.TRIAGED, CaseStatus.IN_CONTACT, CaseStatus.ACTIVE_SUPPORT),
    CaseStatus.TRIAGED: (CaseStatus.IN_CONTACT, CaseStatus.ACTIVE_SUPPORT),
    CaseStatus.IN_CONTACT: (CaseStatus.ACTIVE_SUPPORT,),
    CaseStatus.ACTIVE_SUPPORT: (),
    CaseStatus.CLOSED: (),
}
# Reaching one of these means the reporter has been reached: the response clock stops.
_CONTACTED: Final = frozenset({CaseStatus.IN_CONTACT, CaseStatus.ACTIVE_SUPPORT})
# What a reopened case may go back to.
_OPEN_STATUSES: Final = frozenset(set(CaseStatus.values) - {CaseStatus.CLOSED})


class ContactMethod(TextChoices):
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    TEXT_MESSAGE = "text_message", "Text message"
    IN_PERSON = "in_person", "In person"
    VIDEO_CALL = "video_call", "Video call"
    LETTER = "letter", "Letter"


class ContactOutcome(TextChoices):
    REACHED = "reached", "Reached them"
    NO_ANSWER = "no_answer", "No answer"
    LEFT_VOICEMAIL = "left_voicemail", "Left a voicemail"
    MESSAGE_SENT = "message_sent", "Message sent"
    WRONG_NUMBER = "wrong_number", "Wrong number or address"
    DECLINED = "declined", "They declined to talk"


class SupportGiven(TextChoices):
    """What the team did, recorded at closure (stable values: statistics count them)."""

    ONE_TO_ONE = "one_to_one", "1:1 support from an adviser"
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment"
    SAFETY_PLAN = "safety_plan", "Safety plan or safety measures on campus"
    ACADEMIC = "academic", "Academic adjustments (extensions, timetable, exams)"
    ACCOMMODATION = "accommodation", "Help with accommodation"
    WELLBEING = "wellbeing", "Wellbeing or counselling referral"
    POLICE = "police", "Support with reporting to the police"
    CONDUCT = "conduct", "Support through the student conduct process"
    EXTERNAL = "external", "Referral to an external service"
    INFORMATION = "information", "Information and signposting"
    OTHER = "other", "Other support"


class WorkflowError(ValueError):
    """A change Waypoint will not make; the message is safe to show to the person."""


class CaseAlreadyClaimedError(WorkflowError):
    """Someone else claimed (or was assigned) the case first."""


def next_statuses(status: str) -> tuple[str, ...]:
    """The statuses a case in `status` may move to with case_status_change."""
    return ALLOWED_TRANSITIONS.get(status, ())


# --- Helpers ------------------------------------------------------------------------------


def _name(user: User) -> str:
    return user.display_name or user.email


def _clean_text(text: str | None, *, limit: int, empty: str | None) -> str:
    """Stripped text; WorkflowError when empty (if `empty` says so) or too long."""
    value = (text or "").strip()
    if not value and empty is not None:
        raise WorkflowError(empty)
    if len(value) > limit:
        raise WorkflowError(
            f"This is {len(value):,} characters long, and the limit is {limit:,}. "
            "Please shorten it."
        )
    return value


def _reason(reason: str | None, *, missing: str = "Give a reason for this change.") -> str:
    return _clean_text(reason, limit=REASON_MAX_CHARS, empty=missing)


def _lock(case: Case) -> Case:
    """The case's row, locked until the transaction ends (Http404 if it was deleted)."""
    locked = Case.objects.select_for_update(of=("self",)).filter(pk=case.pk).first()
    if locked is None:
        raise Http404
    return locked


def _audit(actor: User | None, action: str, case: Case, **extra: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=CASE_OBJECT_TYPE,
        object_id=str(case.pk),
        extra=extra or None,
    )


def _first_contact_now(case: Case) -> None:
    CaseClock.objects.filter(case=case, first_contact_at__isnull=True).update(
        first_contact_at=timezone.now()
    )


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _may_work_on_cases(user: User) -> bool:
    # Role level: advisers, case leads and administrators granted case access.
    return user.is_active and policy.can(user, "case.list")


def _may_lead_cases(user: User) -> bool:
    # Role level: case leads and administrators granted case access.
    return user.is_active and policy.can(user, "case.assign")


# --- Status ---------------------------------------------------------------------------------


@transaction.atomic
def case_status_change(*, case: Case, actor: User, to_status: str, reason: str) -> Case:
    """Move the case forward in its workflow ("case.close"), with a reason.

    Allowed: new -> triaged -> in contact -> active support, forward only (a step may be
    skipped). Closing is case_close. Reaching "in contact" (or beyond) records the first
    contact on the response clock if it is not recorded yet. The reason is sealed in the
    timeline entry.
    """
    policy.require(actor, "case.close", case)
    text = _reason(reason)
    if to_status == CaseStatus.CLOSED:
        raise WorkflowError("To close a case, use “Close this case”, which records the outcome.")
    if to_status not in CaseStatus.values:
        raise WorkflowError("Choose the status to move the case to.")
    locked = _lock(case)
    from_status = locked.status
    if from_status == CaseStatus.CLOSED:
        raise WorkflowError("This case is closed. Reopen it first if there is more to do.")
    if to_status not in next_statuses(from_status):
        raise WorkflowError(
            f"A case that is “{CaseStatus(from_status).label}” cannot move to "
            f"“{CaseStatus(to_status).label}”. Cases move forward only."
        )
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    if to_status in _CONTACTED:
        _first_contact_now(locked)
    timeline_add(
        case=locked,
        kind=EntryKind.STATUS,
        actor=actor,
        text=text,
        detail={"from": from_status, "to": to_status},
    )
    _audit(actor, "case.status_changed", locked, **{"from": from_status, "to": to_status})
    case.status = to_status
    return locked


# --- Claiming and assignment ------------------------------------------------------------------


def _check_claiming_allowed(actor: User) -> None:
    institution = institution_get_current()
    if (
        actor.role == Role.ADVISER
        and institution is not None
        and not institution.advisers_may_claim
    ):
        # Only a lead assigns here: refused like any other case action (no hint it exists).
        raise Http404


@transaction.atomic
def case_claim(*, case: Case, actor: User) -> CaseAssignment:
    """Take an unassigned, unrestricted case ("case.claim" and the institution's setting).

    The row lock makes two claims at the same moment queue up: the second sees the first
    one's assignment and gets CaseAlreadyClaimedError. Claiming a case already yours
    changes nothing and returns your assignment.
    """
    _check_claiming_allowed(actor)
    locked = _lock(case)
    mine = CaseAssignment.objects.filter(case=locked, user=actor).first()
    if mine is not None:
        policy.require(actor, "case.view", locked)
        return mine
    if locked.has_assignees():
        raise CaseAlreadyClaimedError(
            "Someone else took this case a moment before you, so it is theirs now."
        )
    policy.require(actor, "case.claim", locked)
    assignment = CaseAssignment.objects.create(case=locked, user=actor, assigned_by=actor)
    timeline_add(
        case=locked,
        kind=EntryKind.ASSIGNED,
        actor=actor,
        detail={"user_id": str(actor.pk), "claimed": True},
    )
    _audit(actor, "case.claimed", locked, user_id=str(actor.pk))
    return assignment


def _check_assignable(case: Case, user: User) -> None:
    if not _may_work_on_cases(user):
        raise WorkflowError(
            f"{_name(user)} cannot be assigned: only active advisers and case leads can "
            "work on cases."
        )
    if case.has_conflict(user.pk):
        raise WorkflowError(
            f"{_name(user)} has a conflict of interest on this case, so they cannot be "
            "assigned to it."
        )


@transaction.atomic
def case_assign(*, case: Case, actor: User, user: User) -> CaseAssignment:
    """Assign a member of staff ("case.assign": case leads). Cases may have several.

    The assignee must be an active adviser or case lead (or an administrator granted case
    access) with no conflict of interest on the case.
    """
    policy.require(actor, "case.assign", case)
    locked = _lock(case)
    _check_assignable(locked, user)
    if CaseAssignment.objects.filter(case=locked, user=user).exists():
        raise WorkflowError(f"{_name(user)} is already assigned to this case.")
    assignment = CaseAssignment.objects.create(case=locked, user=user, assigned_by=actor)
    timeline_add(
        case=locked, kind=EntryKind.ASSIGNED, actor=actor, detail={"user_id": str(user.pk)}
    )
    _audit(actor, "case.assigned", locked, user_id=str(user.pk))
    return assignment


@transaction.atomic
def case_unassign(*, case: Case, actor: User, user: User) -> None:
    """Take a member of staff off the case ("case.assign": case leads)."""
    policy.require(actor, "case.assign", case)
    locked = _lock(case)
    deleted, _ = CaseAssignment.objects.filter(case=locked, user=user).delete()
    if not deleted:
        raise WorkflowError(f"{_name(user)} is not assigned to this case.")
    timeline_add(
        case=locked, kind=EntryKind.UNASSIGNED, actor=actor, detail={"user_id": str(user.pk)}
    )
    _audit(actor, "case.unassigned", locked, user_id=str(user.pk))


# --- Restriction and grants -----------------------------------------------------------------


@transaction.atomic
def case_set_restricted(*, case: Case, actor: User, restricted: bool, reason: str) -> Case:
    """Restrict the case to named staff, or lift the restriction (case leads), with a reason.

    A restricted case is seen only by the staff assigned to it and the leads granted it.
    The lead who restricts it is granted it, unless already named, so that they keep it.
    """
    policy.require(actor, "case.assign", case)
    text = _reason(reason)
    locked = _lock(case)
    if locked.restricted == restricted:
        raise WorkflowError(
            "This case is already restricted." if restricted else "This case is not restricted."
        )
    locked.restricted = restricted
    locked.save(update_fields=["restricted", "updated_at"])
    granted_self = False
    if restricted and not locked.is_named(actor.pk):
        CaseGrant.objects.create(case=locked, user=actor, granted_by=actor)
        granted_self = True
    change = "restricted" if restricted else "unrestricted"
    timeline_add(
        case=locked,
        kind=EntryKind.RESTRICTED,
        actor=actor,
        text=text,
        detail={"change": change, **({"user_id": str(actor.pk)} if granted_self else {})},
    )
    _audit(actor, f"case.{change}", locked, granted_self=granted_self)
    case.restricted = restricted
    return locked


@transaction.atomic
def case_grant(*, case: Case, actor: User, user: User) -> CaseGrant:
    """Name a case lead on a restricted case, so they may see it (case leads).

    Only leads need a grant: an adviser sees a case by being assigned to it.
    """
    policy.require(actor, "case.assign", case)
    locked = _lock(case)
    if not locked.restricted:
        raise WorkflowError("This case is not restricted, so every case lead can already see it.")
    if not _may_lead_cases(user):
        raise WorkflowError(
            f"{_name(user)} is not a case lead. Advisers see a case when they are assigned to it."
        )
    if locked.has_conflict(user.pk):
        raise WorkflowError(
            f"{_name(user)} has a conflict of interest on this case, so they cannot be "
            "given access to it."
        )
    if CaseGrant.objects.filter(case=locked, user=user).exists():
        raise WorkflowError(f"{_name(user)} can already see this case.")
    grant = CaseGrant.objects.create(case=locked, user=user, granted_by=actor)
    timeline_add(
        case=locked,
        kind=EntryKind.RESTRICTED,
        actor=actor,
        detail={"change": "granted", "user_id": str(user.pk)},
    )
    _audit(actor, "case.access_granted", locked, user_id=str(user.pk))
    return grant


@transaction.atomic
def case_revoke_grant(*, case: Case, actor: User, user: User) -> None:
    """Take back a lead's access to a restricted case (case leads)."""
    policy.require(actor, "case.assign", case)
    locked = _lock(case)
    deleted, _ = CaseGrant.objects.filter(case=locked, user=user).delete()
    if not deleted:
        raise WorkflowError(f"{_name(user)} has no access of their own to take back.")
    timeline_add(
        case=locked,
        kind=EntryKind.RESTRICTED,
        actor=actor,
        detail={"change": "grant_revoked", "user_id": str(user.pk)},
    )
    _audit(actor, "case.access_revoked", locked, user_id=str(user.pk))


# --- Conflicts of interest --------------------------------------------------------------------


def _record_conflict(
    *, case: Case, user: User, source: str, actor: User | None
) -> tuple[CaseConflict, bool]:
    """Record the conflict (once) and take the person off the case at once."""
    conflict, created = CaseConflict.objects.get_or_create(
        case=case, user=user, defaults={"source": source}
    )
    if not created:
        return conflict, False
    unassigned, _ = CaseAssignment.objects.filter(case=case, user=user).delete()
    CaseGrant.objects.filter(case=case, user=user).delete()
    timeline_add(
        case=case,
        kind=EntryKind.RESTRICTED,
        actor=actor,
        detail={
            "change": "conflict",
            "user_id": str(user.pk),
            "source": source,
            "unassigned": bool(unassigned),
        },
    )
    _audit(
        actor,
        "case.conflict_recorded",
        case,
        user_id=str(user.pk),
        source=source,
        unassigned=bool(unassigned),
    )
    return conflict, True


@transaction.atomic
def case_declare_conflict(*, case: Case, actor: User, user: User | None = None) -> CaseConflict:
    """Record a conflict of interest: the actor's own, or (case leads) someone else's.

    A person declares their own from the case page ("case.view"); a lead records one for
    anyone ("case.assign"), who need not be able to see the case. From then on the person
    can never see or be assigned the case: their assignment and any grant are removed at
    once. Declaring twice changes nothing.
    """
    subject = user if user is not None else actor
    if subject.pk == actor.pk:
        policy.require(actor, "case.view", case)
    else:
        policy.require(actor, "case.assign", case)
    locked = _lock(case)
    conflict, _ = _record_conflict(
        case=locked, user=subject, source=CaseConflict.Source.DECLARED, actor=actor
    )
    return conflict


def _email_digests_named(case: Case) -> set[str]:
    return set(
        PersonIdentifier.objects.filter(
            person__report_id=case.report_id, kind=identifiers.EMAIL
        ).values_list("digest", flat=True)
    )


def _staff_named(digests: set[str]) -> Iterable[User]:
    for user in User.objects.filter(is_active=True, role__in=Role.values).only("pk", "email"):
        try:
            candidates = identifiers.identifier_digest_candidates(identifiers.EMAIL, user.email)
        except ValueError:
            continue  # an address that normalises to nothing matches nobody
        if digests.intersection(candidates):
            yield user


@transaction.atomic
def conflicts_record_named(*, case: Case) -> int:
    """Record a conflict for every active member of staff the report names by email.

    The report's identifiers are keyed hashes, so each staff address is hashed the same
    way (under every key of the identifier keyset, so that digests made before a key
    rotation still match) and compared. Returns how many conflicts were newly recorded;
    calling it again records nothing new. Run by intake once the report is committed.
    """
    digests = _email_digests_named(case)
    if not digests:
        return 0
    named = list(_staff_named(digests))
    if not named:
        return 0
    locked = _lock(case)
    recorded = 0
    for user in named:
        _, created = _record_conflict(
            case=locked, user=user, source=CaseConflict.Source.NAMED, actor=None
        )
        recorded += created
    return recorded


# --- Notes and the contact log ------------------------------------------------------------------


@transaction.atomic
def note_add(
    *, case: Case, actor: User, text: str, corrects: TimelineEntry | None = None
) -> TimelineEntry:
    """Add a note ("case.note"). Notes are never edited: a correction is a new note that
    points at the note it corrects, which must be a note of the same case."""
    policy.require(actor, "case.note", case)
    body = _clean_text(text, limit=NOTE_MAX_CHARS, empty="Write the note before saving it.")
    if corrects is not None and (corrects.case_id != case.pk or corrects.kind != EntryKind.NOTE):
        raise WorkflowError("A correction must point at a note of this case.")
    entry = timeline_add(case=case, kind=EntryKind.NOTE, actor=actor, text=body, corrects=corrects)
    # The note is written: the draft kept of it has done its job (ADR 0034).
    draft_discard_on_send(case=case, user=actor, kind="note")
    _audit(
        actor,
        "case.note_added",
        case,
        entry_id=str(entry.pk),
        corrects=str(corrects.pk) if corrects is not None else None,
    )
    return entry


@transaction.atomic
def contact_record(
    *, case: Case, actor: User, method: str, outcome: str, text: str = ""
) -> TimelineEntry:
    """Log an attempt to reach the reporter ("case.note"): method, outcome, optional note.

    Reaching them records the first contact on the response clock if not recorded yet.
    """
    policy.require(actor, "case.note", case)
    if method not in ContactMethod.values:
        raise WorkflowError("Choose how you tried to reach them.")
    if outcome not in ContactOutcome.values:
        raise WorkflowError("Choose what happened.")
    note = _clean_text(text, limit=NOTE_MAX_CHARS, empty=None)
    entry = timeline_add(
        case=case,
        kind=EntryKind.CONTACT,
        actor=actor,
        text=note or None,
        detail={"method": method, "outcome": outcome},
    )
    if outcome == ContactOutcome.REACHED:
        _first_contact_now(case)
    _audit(
        actor, "case.contact_recorded", case, entry_id=str(entry.pk), method=method, outcome=outcome
    )
    return entry


# --- Closing and reopening ----------------------------------------------------------------------


def _support_values(support_given: Iterable[str]) -> list[str]:
    values: list[str] = []
    for value in support_given:
        if value not in SupportGiven.values:
            raise WorkflowError("Choose the support given from the list.")
        if value not in values:
            values.append(value)
    return values


@transaction.atomic
def case_close(
    *, case: Case, actor: User, outcome: str, support_given: list[str], reason: str
) -> Case:
    """Close the case ("case.close") with its outcome, the support given and a reason.

    The retention clock starts: the case is kept until the closing date plus the
    institution's case_retention_years, then purged.
    """
    policy.require(actor, "case.close", case)
    if outcome not in CaseOutcome.values:
        raise WorkflowError("Choose the outcome.")
    support = _support_values(support_given)
    text = _reason(reason, missing="Write a short closing summary.")
    locked = _lock(case)
    if locked.status == CaseStatus.CLOSED:
        raise WorkflowError("This case is already closed.")
    now = timezone.now()
    from_status = locked.status
    institution = institution_get_current()
    years = institution.case_retention_years if institution else DEFAULT_RETENTION_YEARS
    retain_until = _add_years(timezone.localdate(now), years)
    locked.status = CaseStatus.CLOSED
    locked.closed_at = now
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    CaseClock.objects.filter(case=locked).update(
        outcome=outcome, support_given=support, retain_until=retain_until
    )
    timeline_add(
        case=locked,
        kind=EntryKind.CLOSED,
        actor=actor,
        text=text,
        detail={"from": from_status, "outcome": outcome, "support_given": support},
    )
    _audit(actor, "case.closed", locked, outcome=outcome, retain_until=retain_until.isoformat())
    case.status, case.closed_at = locked.status, locked.closed_at
    return locked


@transaction.atomic
def case_reopen(*, case: Case, actor: User, reason: str) -> Case:
    """Reopen a closed case ("case.close"), with a reason.

    It goes back to the status it had when it was closed. The retention clock stops and
    the closure facts are cleared (the timeline keeps them in the "closed" entry).
    """
    policy.require(actor, "case.close", case)
    text = _reason(reason)
    locked = _lock(case)
    if locked.status != CaseStatus.CLOSED:
        raise WorkflowError("This case is not closed.")
    closing = (
        TimelineEntry.objects.filter(case=locked, kind=EntryKind.CLOSED)
        .order_by("-occurred_at", "-id")
        .only("detail")
        .first()
    )
    previous = (closing.detail if closing else {}).get("from")
    to_status = previous if previous in _OPEN_STATUSES else CaseStatus.TRIAGED
    locked.status = to_status
    locked.closed_at = None
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    CaseClock.objects.filter(case=locked).update(retain_until=None, outcome="", support_given=[])
    timeline_add(
        case=locked, kind=EntryKind.REOPENED, actor=actor, text=text, detail={"to": to_status}
    )
    _audit(actor, "case.reopened", locked, to=to_status)
    case.status, case.closed_at = locked.status, None
    return locked


# --- Evidence -----------------------------------------------------------------------------------

_EXTENSIONS: Final[Mapping[str, str]] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/rtf": "rtf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "text/plain": "txt",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/wav": "wav",
    "audio/ogg": "ogg",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
}


@dataclass(frozen=True)
class EvidenceFile:
    data: bytes
    content_type: str
    filename: str  # neutral: "evidence-<short id>.<ext>", never the reporter's file name


def _short_id(evidence_id: uuid.UUID) -> str:
    return evidence_id.hex[:8]


@transaction.atomic
def evidence_open(
    *, case: Case, actor: User, evidence: Evidence, original: bool = False
) -> EvidenceFile:
    """A file of the case's report, decrypted for download ("case.view"), audited.

    The clean copy (hidden details removed) unless `original` is asked for; files without
    a clean copy are served as kept. Evidence of another report is a 404.
    Raises privacy.crypto.DecryptionError if the file cannot be decrypted (erased).
    """
    policy.require(actor, "case.view", case)
    if evidence.report_id is None or evidence.report_id != case.report_id:
        raise Http404
    has_clean = bool(evidence.clean_storage_name) and evidence.clean_file_key is not None
    serve_clean = has_clean and not original
    data = evidence_files.evidence_read(evidence=evidence, clean=serve_clean)
    content_type = (
        evidence_files.clean_content_type(evidence.content_type)
        if serve_clean
        else evidence.content_type
    )
    audit_record(
        actor=actor,
        action="evidence.viewed",
        object_type=evidence_files.OBJECT_TYPE,
        object_id=str(evidence.pk),
        extra={"case_id": str(case.pk), "original": not serve_clean, "size": len(data)},
    )
    extension = _EXTENSIONS.get(content_type, "bin")
    return EvidenceFile(
        data=data,
        content_type=content_type,
        filename=f"evidence-{_short_id(evidence.pk)}.{extension}",
    )
