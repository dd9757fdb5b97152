"""Reads of risk instruments and assessments, with the access rules applied.

Assessments belong to a case: who may read or record them is accounts.policy's
"safety.assess" on that case, and an assessment a person may not see answers 404, exactly
like one that does not exist. Every page reads an assessment with the wording of the
version it was made with, so the history reads as recorded after an instrument changes.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Final

from django.http import Http404
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.privacy.crypto import DecryptionError
from waypoint.privacy.services import audit_record
from waypoint.safety import instruments
from waypoint.safety.instruments import Band, Definition
from waypoint.safety.models import Assessment, InstrumentVersion
from waypoint.safety.services.risk import ASSESSMENT_OBJECT_TYPE

ACTION: Final = "safety.assess"


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Http404 from None


def _who(user: User | None) -> str:
    if user is None:
        return "A former member of staff"
    return user.display_name or user.email


# --- Instruments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InstrumentChoice:
    """An instrument one can start an assessment with (its current version)."""

    slug: str
    name: str
    description: str
    version: int
    item_count: int
    count_only: bool


def instruments_for_assessment() -> list[InstrumentChoice]:
    """Every active instrument with a current version, by name: one query."""
    versions = (
        InstrumentVersion.objects.filter(is_current=True, instrument__is_active=True)
        .select_related("instrument")
        .order_by("instrument__name", "instrument__slug")
    )
    choices = []
    for version in versions:
        definition = instruments.parse_definition(version.definition)
        choices.append(
            InstrumentChoice(
                slug=version.instrument.slug,
                name=version.instrument.name,
                description=definition.description,
                version=version.version,
                item_count=len(definition.items),
                count_only=definition.rule == "count_only",
            )
        )
    return choices


def instrument_version_current(*, slug: str) -> InstrumentVersion:
    """The current version of an active instrument; Http404 if there is none."""
    version = (
        InstrumentVersion.objects.filter(
            instrument__slug=slug, instrument__is_active=True, is_current=True
        )
        .select_related("instrument")
        .first()
    )
    if version is None:
        raise Http404
    return version


# --- Assessment history of a case ---------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentRow:
    """One line of a case's assessment history: facts in clear, nothing anyone wrote."""

    assessment_id: uuid.UUID
    instrument: str
    version: int
    score: int
    item_count: int
    computed_band: str  # the label, "" when the instrument has no cut-off
    band: str  # the label after judgement, "" when none was chosen
    band_key: str
    raised: bool
    assessed_by: str
    assessed_at: datetime.datetime
    next_review_on: datetime.date | None
    review_due: bool


def _label(definition: Definition, key: str) -> str:
    band = definition.band(key) if key else None
    return band.label if band is not None else key


def _row(assessment: Assessment, definition: Definition, *, today: datetime.date) -> AssessmentRow:
    version = assessment.version
    return AssessmentRow(
        assessment_id=assessment.pk,
        instrument=definition.name,
        version=version.version,
        score=assessment.score,
        item_count=len(definition.items),
        computed_band=_label(definition, assessment.computed_band),
        band=_label(definition, assessment.band),
        band_key=assessment.band,
        raised=assessment.band != assessment.computed_band,
        assessed_by=_who(assessment.assessed_by),
        assessed_at=assessment.assessed_at,
        next_review_on=assessment.next_review_on,
        review_due=assessment.next_review_on is not None and assessment.next_review_on <= today,
    )


def assessments_for_case(*, user: User, case: Case) -> list[AssessmentRow]:
    """The case's assessments, newest first; audited as a read of the case's history.

    Http404 unless `user` may assess the case. Two queries, however many assessments.
    """
    policy.require(user, ACTION, case)
    assessments = list(
        Assessment.objects.filter(case=case)
        .select_related("version", "assessed_by")
        .defer("answers", "judgement_reason")
        .order_by("-assessed_at", "-id")
    )
    today = timezone.localdate()
    definitions: dict[uuid.UUID, Definition] = {}
    rows = []
    for assessment in assessments:
        version = assessment.version
        if version.pk not in definitions:
            definitions[version.pk] = instruments.parse_definition(version.definition)
        rows.append(_row(assessment, definitions[version.pk], today=today))
    audit_record(
        actor=user,
        action="assessment.list",
        object_type=ASSESSMENT_OBJECT_TYPE,
        extra={"case": str(case.pk), "count": len(rows)},
    )
    return rows


# --- One assessment -----------------------------------------------------------------------------


def assessment_get_for_staff(*, user: User, assessment_id: uuid.UUID | str) -> Assessment:
    """The assessment, if `user` may assess its case; otherwise Http404.

    A missing assessment, a malformed id and one on a case the user may not see all
    raise the same bare Http404.
    """
    assessment = (
        Assessment.objects.select_related("case__report", "version__instrument", "assessed_by")
        .filter(pk=_as_uuid(assessment_id))
        .first()
    )
    if assessment is None:
        raise Http404
    policy.require(user, "case.view", assessment.case)
    policy.require(user, ACTION, assessment.case)
    return assessment


@dataclass(frozen=True)
class AnswerRow:
    number: int
    label: str
    high_concern: bool
    answer: str  # "Yes", "No", "Don't know"
    answer_key: str
    comment: str


@dataclass(frozen=True)
class AssessmentDetail:
    """What the assessment page shows, in the wording of the version it was made with."""

    assessment: Assessment
    case: Case
    instrument: str
    version: int
    is_current_version: bool
    count_only: bool
    score: int
    item_count: int
    computed_band: Band | None
    band: Band | None
    raised: bool
    reason: str
    erased: bool  # the case's key was shredded: answers and reason can no longer be read
    high_concern_yes: tuple[str, ...]
    answers: tuple[AnswerRow, ...]
    assessed_by: str
    assessed_at: datetime.datetime
    next_review_on: datetime.date | None


def assessment_detail_for_staff(*, user: User, assessment_id: uuid.UUID | str) -> AssessmentDetail:
    """The assessment page's content (Http404 as assessment_get_for_staff); audited."""
    assessment = assessment_get_for_staff(user=user, assessment_id=assessment_id)
    version = assessment.version
    definition = instruments.parse_definition(version.definition)
    try:
        sealed_answers, reason = assessment.answers, assessment.judgement_reason or ""
        erased = False
    except DecryptionError:
        # The case was erased (its key shredded): the facts in clear are all that is left.
        sealed_answers, reason, erased = {}, "", True
    answers = sealed_answers if isinstance(sealed_answers, dict) else {}
    result = instruments.score(definition, answers)
    rows = []
    for number, item in enumerate(definition.items, start=1):
        given = answers.get(item.key) or {}
        key = str(given.get("answer", ""))
        rows.append(
            AnswerRow(
                number=number,
                label=item.label,
                high_concern=item.high_concern,
                answer=instruments.ANSWER_LABELS.get(key, "Not answered"),
                answer_key=key,
                comment=str(given.get("comment") or ""),
            )
        )
    audit_record(
        actor=user,
        action="assessment.view",
        object_type=ASSESSMENT_OBJECT_TYPE,
        object_id=str(assessment.pk),
        extra={"case": str(assessment.case_id)},
    )
    return AssessmentDetail(
        assessment=assessment,
        case=assessment.case,
        instrument=definition.name,
        version=version.version,
        is_current_version=version.is_current,
        count_only=definition.rule == "count_only",
        score=assessment.score,
        item_count=len(definition.items),
        computed_band=definition.band(assessment.computed_band)
        if assessment.computed_band
        else None,
        band=definition.band(assessment.band) if assessment.band else None,
        raised=assessment.band != assessment.computed_band,
        reason=reason,
        erased=erased,
        high_concern_yes=result.high_concern if not erased else (),
        answers=tuple(rows),
        assessed_by=_who(assessment.assessed_by),
        assessed_at=assessment.assessed_at,
        next_review_on=assessment.next_review_on,
    )


# --- The case page's panel ------------------------------------------------------------------


@dataclass(frozen=True)
class RiskPanel:
    """The latest assessment of a case, for the case page."""

    case: Case
    latest: AssessmentRow | None


def risk_panel_for(*, user: User, case: Case) -> RiskPanel | None:
    """The latest assessment of `case`, or None if `user` may not assess it.

    A fixed number of queries: the policy's questions about the case, and one for the
    latest assessment with its version. Not audited: the case page records the opening.
    """
    if not policy.can(user, ACTION, case):
        return None
    latest = (
        Assessment.objects.filter(case=case)
        .select_related("version", "assessed_by")
        .defer("answers", "judgement_reason")
        .order_by("-assessed_at", "-id")
        .first()
    )
    if latest is None:
        return RiskPanel(case=case, latest=None)
    definition = instruments.parse_definition(latest.version.definition)
    return RiskPanel(case=case, latest=_row(latest, definition, today=timezone.localdate()))
