"""Reads for match alerts and linked cases, with the access rules applied.

A match never reaches anyone who may not open both of its cases: every list here asks
accounts.policy about each case ("case.match" and "case.view"), and a match or link that
fails either check is left out, or answers 404, exactly like one that does not exist.

Asking the policy about many cases would cost a few queries per case (conflicts,
assignments, grants). CaseAccess answers the policy's questions about one person from
rows loaded for all the cases at once, so a list costs the same number of queries
however long it is. The policy still decides; this only brings it the facts.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from django.db.models import Q
from django.http import Http404

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import (
    Case,
    CaseAssignment,
    CaseConflict,
    CaseGrant,
    CaseLink,
    CaseMatch,
    MatchStatus,
)
from waypoint.casework.services.matching import kind_labels
from waypoint.reporting import receipts

MATCH_ACTIONS: Final = ("case.match", "case.view")


class CaseAccess:
    """A case as accounts.policy sees it, with one person's answers loaded in bulk.

    It offers what the case rules ask (`restricted`, `has_conflict`, `is_named`,
    `has_assignee`, `has_assignees`). Asked about anyone else, it asks the case itself.
    """

    def __init__(
        self,
        case: Case,
        *,
        user_id: uuid.UUID,
        assignee_ids: frozenset[uuid.UUID],
        granted: bool,
        conflicted: bool,
    ) -> None:
        self.case = case
        self.pk = case.pk
        self.restricted = case.restricted
        self._user_id = user_id
        self._assignee_ids = assignee_ids
        self._granted = granted
        self._conflicted = conflicted

    def _is_user(self, user_id: uuid.UUID | str) -> bool:
        return str(user_id) == str(self._user_id)

    def has_conflict(self, user_id: uuid.UUID | str) -> bool:
        if not self._is_user(user_id):
            return self.case.has_conflict(user_id)
        return self._conflicted

    def has_assignee(self, user_id: uuid.UUID | str) -> bool:
        if not self._is_user(user_id):
            return self.case.has_assignee(user_id)
        return self._user_id in self._assignee_ids

    def is_named(self, user_id: uuid.UUID | str) -> bool:
        if not self._is_user(user_id):
            return self.case.is_named(user_id)
        return self.has_assignee(user_id) or self._granted

    def has_assignees(self) -> bool:
        return bool(self._assignee_ids)


def case_access_for(*, user: User, cases: Iterable[Case]) -> dict[uuid.UUID, CaseAccess]:
    """CaseAccess for each case, keyed by case id: three queries, whatever the number."""
    by_id = {case.pk: case for case in cases}
    if not by_id:
        return {}
    ids = list(by_id)
    assignees: dict[uuid.UUID, set[uuid.UUID]] = {pk: set() for pk in ids}
    for case_id, user_id in CaseAssignment.objects.filter(case_id__in=ids).values_list(
        "case_id", "user_id"
    ):
        assignees[case_id].add(user_id)
    granted = set(
        CaseGrant.objects.filter(case_id__in=ids, user=user).values_list("case_id", flat=True)
    )
    conflicted = set(
        CaseConflict.objects.filter(case_id__in=ids, user=user).values_list("case_id", flat=True)
    )
    return {
        pk: CaseAccess(
            case,
            user_id=user.pk,
            assignee_ids=frozenset(assignees[pk]),
            granted=pk in granted,
            conflicted=pk in conflicted,
        )
        for pk, case in by_id.items()
    }


def _may(user: User, action: str, access: CaseAccess | None) -> bool:
    # Never ask the policy with no object: without one it answers for the role only.
    return access is not None and policy.can(user, action, access)


def _may_match(user: User, access: CaseAccess | None) -> bool:
    return all(_may(user, action, access) for action in MATCH_ACTIONS)


# --- Match alerts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchAlert:
    """A new match shown to a lead who may open both cases: references, kinds, when."""

    match: CaseMatch
    case_a: Case
    case_b: Case
    kinds: list[str]  # "email address", "phone number"...
    found_at: datetime.datetime

    @property
    def pk(self) -> uuid.UUID:
        return self.match.pk

    @property
    def kinds_text(self) -> str:
        """ "email address", "email address and phone number", "a, b and c"."""
        if len(self.kinds) < 2:
            return "".join(self.kinds)
        return ", ".join(self.kinds[:-1]) + " and " + self.kinds[-1]

    def other_than(self, case: Case) -> Case:
        return self.case_b if case.pk == self.case_a.pk else self.case_a


def _cases_of(matches: list[CaseMatch]) -> list[Case]:
    return [case for match in matches for case in (match.case_a, match.case_b)]


def _alerts(
    user: User, matches: list[CaseMatch], access: dict[uuid.UUID, CaseAccess]
) -> list[MatchAlert]:
    return [
        MatchAlert(
            match=match,
            case_a=match.case_a,
            case_b=match.case_b,
            kinds=kind_labels(match.kinds),
            found_at=match.found_at,
        )
        for match in matches
        if _may_match(user, access.get(match.case_a_id))
        and _may_match(user, access.get(match.case_b_id))
    ]


def _new_matches() -> Q:
    return Q(status=MatchStatus.NEW)


def match_alerts_for_lead(*, user: User) -> list[MatchAlert]:
    """Every new match whose two cases `user` may both open ("case.match"), newest first.

    Four queries however many matches there are. New matches are a short work queue (a
    lead links or dismisses each), so they are filtered here and paged by the caller.
    """
    if not policy.can(user, "case.match"):
        return []
    matches = list(
        CaseMatch.objects.filter(_new_matches())
        .select_related("case_a__report", "case_b__report")
        .order_by("-found_at", "pk")
    )
    return _alerts(user, matches, case_access_for(user=user, cases=_cases_of(matches)))


def match_get_for_lead(*, user: User, match_id: uuid.UUID | str) -> CaseMatch:
    """The match, if `user` may open both of its cases; otherwise Http404.

    A missing match, a malformed id and a match with a case the user may not open all
    raise the same bare Http404. Decided matches are returned too (the caller says so).
    """
    try:
        pk = match_id if isinstance(match_id, uuid.UUID) else uuid.UUID(str(match_id))
    except ValueError:
        raise Http404 from None
    match = (
        CaseMatch.objects.select_related("case_a__report", "case_b__report").filter(pk=pk).first()
    )
    if match is None:
        raise Http404
    access = case_access_for(user=user, cases=[match.case_a, match.case_b])
    if not (
        _may_match(user, access.get(match.case_a_id))
        and _may_match(user, access.get(match.case_b_id))
    ):
        raise Http404
    return match


def case_get_by_reference_for_linking(*, user: User, reference: str) -> Case | None:
    """The case with this report reference if `user` may link it; None otherwise.

    An unknown reference and a case the user may not open both give None, so the person
    is told the same thing either way. The reference is read as the reporter's receipt
    reads it (lower case, spaces, a missing "WP-" are all fine).
    """
    normalised = receipts.normalise_reference(reference)
    if not normalised:
        return None
    case = Case.objects.select_related("report").filter(report__reference=normalised).first()
    if case is None:
        return None
    access = case_access_for(user=user, cases=[case])
    return case if _may_match(user, access.get(case.pk)) else None


# --- The case page's panel -------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedCase:
    case: Case
    linked_at: datetime.datetime
    from_match: bool


@dataclass(frozen=True)
class MatchesPanel:
    """What the case page shows about links and matches to `user`."""

    links: list[LinkedCase]  # only cases the viewer may open
    # New matches of this case with the other case, only for a lead who may open both.
    alerts: list[tuple[MatchAlert, Case]]
    can_link: bool  # may link this case to another by reference


def matches_panel_for(*, user: User, case: Case) -> MatchesPanel | None:
    """Links and new matches of `case` that `user` may see; None if they may not open it.

    A linked case the viewer may not open is left out entirely: no reference, no count.
    Five queries at most, however many links and matches the case has.
    """
    links = list(
        CaseLink.objects.filter(Q(case_a=case) | Q(case_b=case))
        .select_related("case_a__report", "case_b__report")
        .order_by("-linked_at", "pk")
    )
    lead = policy.can(user, "case.match")
    matches = (
        list(
            CaseMatch.objects.filter(_new_matches(), Q(case_a=case) | Q(case_b=case))
            .select_related("case_a__report", "case_b__report")
            .order_by("-found_at", "pk")
        )
        if lead
        else []
    )
    others = [link.case_b if link.case_a_id == case.pk else link.case_a for link in links]
    access = case_access_for(user=user, cases=[case, *others, *_cases_of(matches)])
    visible_links = [
        LinkedCase(case=other, linked_at=link.linked_at, from_match=link.from_match_id is not None)
        for link, other in zip(links, others, strict=True)
        if _may(user, "case.view", access.get(other.pk))
    ]
    if not _may(user, "case.view", access.get(case.pk)):
        return None
    alerts = _alerts(user, matches, access)
    return MatchesPanel(
        links=visible_links,
        alerts=[(alert, alert.other_than(case)) for alert in alerts],
        can_link=_may_match(user, access.get(case.pk)),
    )


__all__ = [
    "CaseAccess",
    "LinkedCase",
    "MatchAlert",
    "MatchesPanel",
    "case_access_for",
    "case_get_by_reference_for_linking",
    "match_alerts_for_lead",
    "match_get_for_lead",
    "matches_panel_for",
]
