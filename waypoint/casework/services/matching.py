"""Matches between cases whose reports name the same person, and links between cases.

A match is found from keyed hashes only (reporting.PersonIdentifier): two reports whose
named people share an identifier of the same kind (an email address, a phone number...)
give one CaseMatch for the pair of cases, lower case id first, listing the kinds that
matched and never the values. A case lead who may see both cases then links them or
says they are not the same person; leads may also link two cases by hand.

This module imports no reporting service and nothing from services.intake, so that the
receivers of reporting's events (services/receivers.py) can call matches_find_for_case
without an import cycle.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseLink, CaseMatch, EntryKind, MatchStatus
from waypoint.casework.services.timeline import timeline_add
from waypoint.privacy import identifiers
from waypoint.privacy.crypto import CryptoError
from waypoint.privacy.services import audit_record
from waypoint.reporting.models import PersonIdentifier, ReportedPerson

MATCH_OBJECT_TYPE: Final = "casework.match"
LINK_OBJECT_TYPE: Final = "casework.link"

# How a matched kind reads in a sentence ("the same email address").
KIND_LABELS: Final[dict[str, str]] = {
    identifiers.EMAIL: "email address",
    identifiers.PHONE: "phone number",
    identifiers.STUDENT_NUMBER: "student number",
    identifiers.STAFF_NUMBER: "staff number",
    identifiers.HANDLE: "social media account",
}

# The answers of the "who" step that hold identifiers, kept in ReportedPerson.details.
# The same fields reporting.services hashes when a report is made (a test keeps the two
# in step; importing it here would be an import cycle).
IDENTIFIER_FIELDS: Final[dict[str, str]] = {
    "student_number": identifiers.STUDENT_NUMBER,
    "staff_number": identifiers.STAFF_NUMBER,
    "person_email": identifiers.EMAIL,
    "person_phone": identifiers.PHONE,
}
HANDLES_FIELD: Final = "handles"


class LinkError(ValueError):
    """A link Waypoint will not make (the text is safe to show to the person)."""


class MatchDecidedError(ValueError):
    """Someone already linked or dismissed this match."""


def kind_labels(kinds: Iterable[str]) -> list[str]:
    """["email address", "phone number"] for ["email", "phone"], in the stored order."""
    return [KIND_LABELS.get(kind, "identifier") for kind in kinds]


def _ordered(first: Case, second: Case) -> tuple[Case, Case]:
    # Pairs are stored lower id first (a CHECK constraint), so each exists once. Python
    # orders UUIDs by their integer value, as PostgreSQL (bytes) and SQLite (hex) do.
    return (first, second) if first.pk < second.pk else (second, first)


# --- Finding matches -------------------------------------------------------------------------


def _values_in(details: Any) -> list[tuple[str, str]]:
    """(kind, value) for every identifier in a ReportedPerson's details."""
    if not isinstance(details, dict):
        return []
    found = [
        (kind, str(details[name])) for name, kind in IDENTIFIER_FIELDS.items() if details.get(name)
    ]
    handles = details.get(HANDLES_FIELD) or []
    if isinstance(handles, list):
        found += [(identifiers.HANDLE, str(handle)) for handle in handles if handle]
    return found


def _wanted_digests(case: Case) -> set[tuple[str, str]]:
    """Every (kind, digest) the case's named people can match on.

    The stored digests, plus each identifier re-hashed under every key of the identifier
    keyset (identifier_digest_candidates), read from the sealed details: so a report made
    after `rotate_keyset identifier` still matches reports hashed under an older key.
    """
    wanted = set(
        PersonIdentifier.objects.filter(person__report_id=case.report_id).values_list(
            "kind", "digest"
        )
    )
    people = ReportedPerson.objects.filter(report_id=case.report_id).select_related("data_key")
    for person in people:
        try:
            details = person.details
        except CryptoError:
            continue  # erased (its key shredded): only the stored digests remain
        for kind, value in _values_in(details):
            with suppress(ValueError):  # normalises to nothing: nothing to match on
                wanted.update(
                    (kind, digest)
                    for digest in identifiers.identifier_digest_candidates(kind, value)
                )
    return wanted


def _kinds_by_other_case(case: Case, wanted: set[tuple[str, str]]) -> dict[uuid.UUID, set[str]]:
    if not wanted:
        return {}
    rows = (
        PersonIdentifier.objects.filter(digest__in={digest for _, digest in wanted})
        .exclude(person__report_id=case.report_id)
        .filter(person__report__case__isnull=False)
        .values_list("kind", "digest", "person__report__case__id")
    )
    kinds: dict[uuid.UUID, set[str]] = defaultdict(set)
    for kind, digest, other_case_id in rows:
        # The digest covers the kind, but compare it too: an email never matches a handle.
        if (kind, digest) in wanted and other_case_id != case.pk:
            kinds[other_case_id].add(kind)
    return kinds


def _linked(case_a: Case, case_b: Case) -> bool:
    return CaseLink.objects.filter(case_a=case_a, case_b=case_b).exists()


def _match_upsert(case_a: Case, case_b: Case, kinds: list[str]) -> tuple[CaseMatch, bool]:
    """(the pair's match, whether this call created it); kinds brought up to date."""
    match = (
        CaseMatch.objects.select_for_update(of=("self",))
        .filter(case_a=case_a, case_b=case_b)
        .first()
    )
    if match is None:
        status = MatchStatus.LINKED if _linked(case_a, case_b) else MatchStatus.NEW
        try:
            with transaction.atomic():
                match = CaseMatch.objects.create(
                    case_a=case_a, case_b=case_b, kinds=kinds, status=status
                )
            return match, True
        except IntegrityError:
            # Found at the same moment by another process: update that one.
            match = CaseMatch.objects.select_for_update(of=("self",)).get(
                case_a=case_a, case_b=case_b
            )
    if match.kinds != kinds:
        match.kinds = kinds
        match.save(update_fields=["kinds"])
    return match, False


@transaction.atomic
def matches_find_for_case(*, case: Case) -> list[CaseMatch]:
    """Find every other case whose report names someone with an identifier of this case's.

    One CaseMatch per pair of cases (lower id first), its `kinds` the sorted identifier
    kinds that matched. Safe to call again: an existing match keeps its status (a
    dismissed match stays dismissed) and only its kinds are brought up to date. A new
    match between cases that are already linked is recorded as linked, so no alert is
    raised for it. Audited as "case.match_found" (ids and kinds only) when created.
    """
    wanted = _wanted_digests(case)
    by_case = _kinds_by_other_case(case, wanted)
    if not by_case:
        return []
    others = Case.objects.in_bulk(list(by_case))
    matches = []
    for other_id in sorted(by_case):
        other = others.get(other_id)
        if other is None:
            continue
        case_a, case_b = _ordered(case, other)
        match, created = _match_upsert(case_a, case_b, sorted(by_case[other_id]))
        if created:
            audit_record(
                actor=None,
                action="case.match_found",
                object_type=MATCH_OBJECT_TYPE,
                object_id=str(match.pk),
                extra={
                    "case_a": str(case_a.pk),
                    "case_b": str(case_b.pk),
                    "kinds": list(match.kinds),
                },
            )
        matches.append(match)
    return matches


# --- Linking ---------------------------------------------------------------------------------


def _require_linkable(actor: User, case: Case, other: Case) -> None:
    # "case.match" with a case: a lead who may see it (the policy's rule for leads); a
    # conflict of interest on either case refuses, as a 404.
    policy.require(actor, "case.match", case)
    policy.require(actor, "case.match", other)
    policy.require(actor, "case.view", case)
    policy.require(actor, "case.view", other)


def _link_create(
    *, actor: User, case: Case, other: Case, from_match: CaseMatch | None
) -> tuple[CaseLink, bool]:
    case_a, case_b = _ordered(case, other)
    link = CaseLink.objects.filter(case_a=case_a, case_b=case_b).first()
    if link is not None:
        return link, False
    try:
        with transaction.atomic():
            link = CaseLink.objects.create(
                case_a=case_a, case_b=case_b, linked_by=actor, from_match=from_match
            )
    except IntegrityError:
        # Linked at the same moment by someone else.
        return CaseLink.objects.get(case_a=case_a, case_b=case_b), False
    for side in (case_a, case_b):
        # detail names the link, not the other case: the timeline never shows a case the
        # reader may not open (the matches panel lists the ones they may).
        timeline_add(
            case=side,
            kind=EntryKind.LINKED,
            actor=actor,
            detail={"link_id": link.pk, "from_match": from_match is not None},
        )
    audit_record(
        actor=actor,
        action="case.linked",
        object_type=LINK_OBJECT_TYPE,
        object_id=str(link.pk),
        extra={
            "case_a": str(case_a.pk),
            "case_b": str(case_b.pk),
            "match_id": str(from_match.pk) if from_match is not None else None,
        },
    )
    return link, True


@transaction.atomic
def case_link_create(*, actor: User, case: Case, other: Case) -> CaseLink:
    """Link two cases by hand ("case.match" and "case.view" on both; Http404 if not).

    LinkError for a case linked to itself. Linking cases that are already linked returns
    the existing link and changes nothing. An open match between the two is marked
    linked, so its alert goes away.
    """
    _require_linkable(actor, case, other)
    if case.pk == other.pk:
        raise LinkError("A case cannot be linked to itself.")
    case_a, case_b = _ordered(case, other)
    match = (
        CaseMatch.objects.select_for_update(of=("self",))
        .filter(case_a=case_a, case_b=case_b, status=MatchStatus.NEW)
        .first()
    )
    link, _ = _link_create(actor=actor, case=case, other=other, from_match=match)
    if match is not None:
        _decide(match, actor, MatchStatus.LINKED)
    return link


def _decide(match: CaseMatch, actor: User, status: MatchStatus) -> None:
    match.status = status
    match.decided_by = actor
    match.decided_at = timezone.now()
    match.save(update_fields=["status", "decided_by", "decided_at"])


def _match_for_decision(actor: User, match: CaseMatch) -> CaseMatch:
    """The match re-read under a row lock, if the actor may decide it and nobody has."""
    locked = (
        CaseMatch.objects.select_for_update(of=("self",))
        .select_related("case_a", "case_b")
        .get(pk=match.pk)
    )
    _require_linkable(actor, locked.case_a, locked.case_b)
    if locked.status != MatchStatus.NEW:
        raise MatchDecidedError("Someone has already decided about this match.")
    return locked


@transaction.atomic
def match_link(*, actor: User, match: CaseMatch) -> CaseLink:
    """Link the two cases of a new match and mark it linked.

    Needs "case.match" and "case.view" on both cases (Http404 if not). MatchDecidedError
    if the match was already linked or dismissed.
    """
    locked = _match_for_decision(actor, match)
    link, _ = _link_create(actor=actor, case=locked.case_a, other=locked.case_b, from_match=locked)
    _decide(locked, actor, MatchStatus.LINKED)
    audit_record(
        actor=actor,
        action="case.match_linked",
        object_type=MATCH_OBJECT_TYPE,
        object_id=str(locked.pk),
        extra={"link_id": str(link.pk)},
    )
    return link


@transaction.atomic
def match_dismiss(*, actor: User, match: CaseMatch) -> CaseMatch:
    """Record that a new match is not the same person; its alert goes away.

    Same rules as match_link. Nothing is written to either case's timeline: both cases
    carry on as if no match had been found.
    """
    locked = _match_for_decision(actor, match)
    _decide(locked, actor, MatchStatus.DISMISSED)
    audit_record(
        actor=actor,
        action="case.match_dismissed",
        object_type=MATCH_OBJECT_TYPE,
        object_id=str(locked.pk),
        extra={"case_a": str(locked.case_a_id), "case_b": str(locked.case_b_id)},
    )
    return locked


__all__ = [
    "KIND_LABELS",
    "LINK_OBJECT_TYPE",
    "MATCH_OBJECT_TYPE",
    "LinkError",
    "MatchDecidedError",
    "case_link_create",
    "kind_labels",
    "match_dismiss",
    "match_link",
    "matches_find_for_case",
]
