"""Search across cases: by reference, by an identifier of a person a report names, by
adviser, status and the date a case opened.

Identifiers are never searched in clear: the text typed is normalised and hashed exactly as
the matching code hashes what reports name (privacy.identifiers, under every key of the
identifier keyset), and only those digests meet the database (reporting.PersonIdentifier).

Results are only cases the person may open ("case.view"): the SQL states the inbox's
rule without claimable cases (an adviser finds only the cases assigned to them), and each
case found is asked of accounts.policy again. A case the person may not see is never
counted, listed or hinted at: "nobody by that email" and "someone in a case you may not
open" give the same page from the same queries. Each search is audited with the case ids
found and the names of the criteria used, never what was typed.
"""

from __future__ import annotations

import datetime
import uuid
from contextlib import suppress
from dataclasses import dataclass
from typing import Final

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment, CaseStatus
from waypoint.casework.selectors.inbox import (
    CASE_OBJECT_TYPE,
    SORT_NEWEST,
    STATUS_OPEN,
    InboxRow,
    inbox_cases_for_staff,
    inbox_row_queryset,
    inbox_rows,
)
from waypoint.casework.selectors.matching import case_access_for
from waypoint.institution.models import Institution
from waypoint.privacy import identifiers
from waypoint.privacy.services import audit_record
from waypoint.reporting.models import PersonIdentifier
from waypoint.reporting.receipts import normalise_reference

SEARCH_LIMIT: Final = 50
KIND_ANY: Final = "any"
KIND_REFERENCE: Final = "reference"
IDENTIFIER_KINDS: Final = tuple(identifiers.NORMALISERS)


@dataclass(frozen=True)
class SearchCriteria:
    text: str = ""
    kind: str = KIND_ANY  # "any", "reference" or an identifier kind (privacy.identifiers)
    adviser_id: uuid.UUID | None = None
    status: str = ""  # "" for any, "open", or a CaseStatus value
    opened_from: datetime.date | None = None
    opened_to: datetime.date | None = None

    def names(self) -> list[str]:
        """Which criteria were used, by name only (for the audit log)."""
        used = {
            "text": bool(self.text),
            "adviser": self.adviser_id is not None,
            "status": bool(self.status),
            "opened_from": self.opened_from is not None,
            "opened_to": self.opened_to is not None,
        }
        return [name for name, on in used.items() if on]


@dataclass(frozen=True)
class SearchResults:
    rows: list[InboxRow]
    more: bool  # more cases matched than SEARCH_LIMIT


def identifier_kinds_for(kind: str) -> tuple[str, ...]:
    if kind == KIND_ANY:
        return IDENTIFIER_KINDS
    return (kind,) if kind in identifiers.NORMALISERS else ()


def _digest_pairs(kind: str, text: str) -> Q | None:
    """(kind, digest) pairs as one condition on PersonIdentifier, or None for none."""
    condition: Q | None = None
    for each in identifier_kinds_for(kind):
        with suppress(ValueError):  # normalises to nothing as this kind: cannot be one
            digests = identifiers.identifier_digest_candidates(each, text)
            pair = Q(kind=each, digest__in=digests)
            condition = pair if condition is None else condition | pair
    return condition


def _text_match(criteria: SearchCriteria) -> Q:
    text = criteria.text.strip()
    match = Q(pk__in=[])  # nothing, unless a reference or a digest below matches
    if criteria.kind in (KIND_ANY, KIND_REFERENCE):
        # As typed (upper case), and as a reference read aloud is normalised ("wp 7k3m...").
        references = {text.upper(), normalise_reference(text)} - {""}
        match |= Q(report__reference__in=sorted(references))
    pairs = _digest_pairs(criteria.kind, text)
    if pairs is not None:
        named = PersonIdentifier.objects.filter(pairs, person__report_id=OuterRef("report_id"))
        match |= Q(Exists(named))
    return match


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _matching(cases: QuerySet[Case], criteria: SearchCriteria) -> QuerySet[Case]:
    if criteria.text.strip():
        cases = cases.filter(_text_match(criteria))
    if criteria.adviser_id is not None:
        cases = cases.filter(
            Exists(CaseAssignment.objects.filter(case=OuterRef("pk"), user_id=criteria.adviser_id))
        )
    if criteria.status == STATUS_OPEN:
        cases = cases.exclude(status=CaseStatus.CLOSED)
    elif criteria.status in CaseStatus.values:
        cases = cases.filter(status=criteria.status)
    if criteria.opened_from is not None:
        cases = cases.filter(opened_at__gte=_day_start(criteria.opened_from))
    if criteria.opened_to is not None:
        next_day = criteria.opened_to + datetime.timedelta(days=1)
        cases = cases.filter(opened_at__lt=_day_start(next_day))
    return cases


def case_search_for_staff(
    *,
    user: User,
    criteria: SearchCriteria,
    institution: Institution | None,
    now: datetime.datetime | None = None,
) -> SearchResults:
    """The cases `user` may open that match, newest first (at most SEARCH_LIMIT), audited."""
    now = now or timezone.now()
    if not policy.can(user, "case.search"):
        found: list[Case] = []
    else:
        # advisers_may_claim=False: the "case.view" rule, without the claimable cases.
        visible = inbox_cases_for_staff(user=user, advisers_may_claim=False)
        matched = _matching(visible, criteria)
        found = list(inbox_row_queryset(matched, sort=SORT_NEWEST)[: SEARCH_LIMIT + 1])
    more = len(found) > SEARCH_LIMIT
    found = found[:SEARCH_LIMIT]
    # The policy decides, not only the SQL: each case is asked again (three queries).
    access = case_access_for(user=user, cases=found)
    allowed = [
        case
        for case in found
        if case.pk in access and policy.can(user, "case.view", access[case.pk])
    ]
    rows = inbox_rows(cases=allowed, user=user, institution=institution, now=now)
    audit_record(
        actor=user,
        action="case.search",
        object_type=CASE_OBJECT_TYPE,
        extra={
            "count": len(rows),
            "case_ids": [str(row.case_id) for row in rows],
            "criteria": criteria.names(),
        },
    )
    return SearchResults(rows=rows, more=more)
