"""The claim preview: what an adviser may know of a case before taking it (ADR 0032).

A person who may claim a case but not yet open it ("case.preview", the claim rule) sees
only facts chosen from fixed lists: the route, who reported (student, staff, visitor),
the behaviour and place categories, the urgency flags and how long ago it came in. Never
free text, names or identifiers: the sealed answers are opened on the server only to read
option slugs, and each slug is shown by its label in today's option list (a slug that is
not in the list is left out), so nothing a reporter typed can reach the page.

Reading a preview is a read of case data: it is audited ("case.preview").
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any, Final

from django.http import Http404
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.casework.models import Case
from waypoint.casework.selectors.inbox import (
    CASE_OBJECT_TYPE,
    ROUTE_LABELS,
    URGENCY_LABELS,
    case_age,
    may_claim_listing,
)
from waypoint.institution.models import Institution
from waypoint.privacy.crypto import CryptoError
from waypoint.privacy.services import audit_record
from waypoint.reporting.models import OptionKind, ReporterRole, ReportOption

# Where in the report's answers the option slugs of each preview fact are kept.
_BEHAVIOURS: Final = (("what", "behaviours", OptionKind.BEHAVIOUR),)
_PLACES: Final = (
    ("where", "locations", OptionKind.LOCATION),
    ("where", "platforms", OptionKind.PLATFORM),
)
OFF_CAMPUS: Final = "Somewhere off campus"


@dataclass(frozen=True)
class CasePreview:
    case_id: uuid.UUID
    reference: str
    route: str
    reporter: str
    behaviours: tuple[str, ...]
    places: tuple[str, ...]
    urgency: tuple[str, ...]
    age: str
    opened_at: datetime.datetime


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Http404 from None


def _slugs(answers: Any, step: str, name: str) -> list[str]:
    """Option slugs only: answers keep {"slug", "label"} pairs, or bare slugs."""
    values = answers.get(step) if isinstance(answers, dict) else None
    chosen = values.get(name) if isinstance(values, dict) else None
    if not isinstance(chosen, list):
        return []
    slugs = [item.get("slug") if isinstance(item, dict) else item for item in chosen]
    return [slug for slug in slugs if isinstance(slug, str)]


def _labels(answers: Any, where: tuple[tuple[str, str, str], ...]) -> tuple[str, ...]:
    wanted = {(kind, slug) for step, name, kind in where for slug in _slugs(answers, step, name)}
    if not wanted:
        return ()
    options = ReportOption.objects.filter(
        kind__in={kind for kind, _ in wanted}, slug__in={slug for _, slug in wanted}
    ).order_by("kind", "label")
    return tuple(option.label for option in options if (option.kind, option.slug) in wanted)


def case_preview_for_staff(
    *,
    user: User,
    case_id: uuid.UUID | str,
    institution: Institution | None,
    now: datetime.datetime | None = None,
) -> CasePreview:
    """The preview of a case `user` may claim ("case.preview"), audited; else Http404.

    A missing case, a malformed id, a case already taken, restricted or conflicted, and
    (for an adviser) any case while the institution has claiming switched off all raise
    the same bare Http404.
    """
    case = Case.objects.select_related("report").filter(pk=_as_uuid(case_id)).first()
    if case is None:
        raise Http404
    if user.role == Role.ADVISER and not may_claim_listing(institution):
        raise Http404
    policy.require(user, "case.preview", case)
    report = case.report
    try:
        answers = report.answers or {}
    except CryptoError:
        answers = {}  # erased: the clear facts are all there is
    places = _labels(answers, _PLACES)
    where = answers.get("where") if isinstance(answers, dict) else None
    if isinstance(where, dict) and where.get("off_campus") is True:
        places = (*places, OFF_CAMPUS)
    audit_record(
        actor=user,
        action="case.preview",
        object_type=CASE_OBJECT_TYPE,
        object_id=str(case.pk),
    )
    return CasePreview(
        case_id=case.pk,
        reference=report.reference,
        route=ROUTE_LABELS.get(report.route, "Not recorded"),
        reporter=dict(ReporterRole.choices).get(report.reporter_role, "Not recorded"),
        behaviours=_labels(answers, _BEHAVIOURS),
        places=places,
        urgency=tuple(label for flag, label in URGENCY_LABELS if getattr(case, flag)),
        age=case_age(case.opened_at, now or timezone.now()),
        opened_at=case.opened_at,
    )
