"""Acting on several cases at once (case leads, "case.bulk"): assign or reassign them to
one person, or close them with one outcome and reason.

Each case goes through the same single-case service as on its own page (workflow.py), so
each asks the policy again ("case.assign", "case.close"), and gets its own timeline entry
and audit entry. Each case is changed in its own savepoint: a case that cannot be changed
(restricted, a conflict of interest, already closed...) is refused and named by its
reference, and the others are still done. One more audit entry records the bulk action
itself (ids only).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment
from waypoint.casework.selectors.inbox import CASE_OBJECT_TYPE
from waypoint.casework.services.workflow import (
    WorkflowError,
    case_assign,
    case_close,
    case_unassign,
)
from waypoint.privacy.services import audit_record

# The most cases one bulk action takes (a page of the inbox is 25).
BULK_LIMIT: Final = 100
NOT_ALLOWED: Final = (
    "You cannot change this case. It may have been restricted, or a conflict of interest "
    "recorded, since the list was shown."
)


@dataclass(frozen=True)
class Refusal:
    reference: str
    reason: str


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)  # references changed
    refused: list[Refusal] = field(default_factory=list)
    missing: int = 0  # selected ids that match no case at all


def _cases(case_ids: Iterable[uuid.UUID]) -> tuple[list[Case], int]:
    ids = list(dict.fromkeys(case_ids))[:BULK_LIMIT]
    cases = list(
        Case.objects.select_related("report").filter(pk__in=ids).order_by("report__reference")
    )
    return cases, len(ids) - len(cases)


def _each(
    *, actor: User, action: str, case_ids: Iterable[uuid.UUID], change: Callable[[Case], None]
) -> BulkResult:
    policy.require(actor, "case.bulk")
    cases, missing = _cases(case_ids)
    result = BulkResult(missing=missing)
    for case in cases:
        try:
            with transaction.atomic():
                policy.require(actor, "case.bulk", case)
                change(case)
        except WorkflowError as error:
            result.refused.append(Refusal(case.report.reference, str(error)))
        except (Http404, PermissionDenied):
            result.refused.append(Refusal(case.report.reference, NOT_ALLOWED))
        else:
            result.done.append(case.report.reference)
    done = {case.report.reference: str(case.pk) for case in cases}
    audit_record(
        actor=actor,
        action=action,
        object_type=CASE_OBJECT_TYPE,
        extra={
            "done": [done[reference] for reference in result.done],
            "refused": [done[refusal.reference] for refusal in result.refused],
            "missing": missing,
        },
    )
    return result


def cases_bulk_assign(
    *, actor: User, case_ids: Iterable[uuid.UUID], user: User, reassign: bool
) -> BulkResult:
    """Assign `user` to each case; with `reassign`, also take everyone else off it."""

    def change(case: Case) -> None:
        changed = False
        if not CaseAssignment.objects.filter(case=case, user=user).exists():
            case_assign(case=case, actor=actor, user=user)
            changed = True
        if reassign:
            for other in case.assignees.exclude(pk=user.pk).order_by("pk"):
                case_unassign(case=case, actor=actor, user=other)
                changed = True
        if not changed:
            name = user.display_name or user.email
            raise WorkflowError(f"{name} is already assigned to this case.")

    return _each(actor=actor, action="case.bulk_assign", case_ids=case_ids, change=change)


def cases_bulk_close(
    *,
    actor: User,
    case_ids: Iterable[uuid.UUID],
    outcome: str,
    support_given: list[str],
    reason: str,
) -> BulkResult:
    """Close each case with the same outcome, support given and closing summary."""

    def change(case: Case) -> None:
        case_close(
            case=case, actor=actor, outcome=outcome, support_given=support_given, reason=reason
        )

    return _each(actor=actor, action="case.bulk_close", case_ids=case_ids, change=change)
