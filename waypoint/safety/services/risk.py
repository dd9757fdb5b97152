"""Risk instruments (loading versions) and risk assessments on a case.

Instruments are data (waypoint/safety/instruments.py describes the file format). Loading
a file is idempotent: the same content changes nothing, a changed file with a higher
version becomes the current version, and a changed file that keeps a version number
already loaded is refused, because assessments made with that version must keep reading
exactly as they were recorded.

Assessments are never edited: there is no update service. Each one keeps the version it
was made with, its answers and the practitioner's reason (sealed with the case's key),
and the computed score and band in clear, so reminders and reports can sort on them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any, Final

from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.casework.models import Case, EntryKind
from waypoint.casework.notices import STAFF_PATH, site_link
from waypoint.casework.services.timeline import timeline_add
from waypoint.privacy.services import audit_record
from waypoint.safety import instruments
from waypoint.safety.instruments import Definition, InstrumentError
from waypoint.safety.models import Assessment, InstrumentVersion, RiskInstrument

logger = logging.getLogger(__name__)

INSTRUMENTS_DIR: Final = Path(__file__).resolve().parent.parent / "instruments"
INSTRUMENT_OBJECT_TYPE: Final = "safety.instrumentversion"
ASSESSMENT_OBJECT_TYPE: Final = "safety.assessment"
COMMENT_MAX_CHARS: Final = 2_000
REASON_MAX_CHARS: Final = 4_000

# What the alert to case leads says: that something needs them, and where to sign in.
# Never a reference, a band, a name or a word anyone wrote (email is not a safe channel).
ALERT_SUBJECT: Final = "A risk assessment needs a case lead"
ALERT_BODY: Final = (
    "A risk assessment has just been recorded in Waypoint that asks a case lead to act "
    "today.\n\n"
    "Sign in to the staff area to see it:\n{staff_url}\n\n"
    "This email does not say which case on purpose: email is not a safe place for "
    "case details.\n"
)


class AssessmentError(ValueError):
    """An assessment that cannot be recorded; `errors` maps a field to plain words.

    Keys are item keys of the instrument, or "version", "band", "judgement_reason" and
    "next_review_on".
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


# --- Loading instruments ---------------------------------------------------------------------


def document_sha256(document: Mapping[str, Any]) -> str:
    """A fingerprint of the document's content: key order and spacing do not count."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def instrument_file_read(path: Path | str) -> dict[str, Any]:
    """The JSON object in an instrument file, or InstrumentError saying what is wrong."""
    name = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InstrumentError(f"{name}: cannot be read ({error.strerror}).") from None
    except UnicodeDecodeError:
        raise InstrumentError(f"{name}: is not a UTF-8 text file.") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InstrumentError(
            f"{name}: is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        ) from None
    if not isinstance(document, dict):
        raise InstrumentError(f"{name}: must hold one JSON object.")
    return document


def shipped_instrument_files() -> list[Path]:
    """The instrument files that come with Waypoint, in name order."""
    return sorted(INSTRUMENTS_DIR.glob("*.json"))


def _existing_same(
    *, versions: Any, definition: Definition, sha256: str
) -> InstrumentVersion | None:
    """The loaded version with this content, None if new; InstrumentError if refused.

    `versions` is a queryset of the instrument's versions (real or historical models).
    """
    same = versions.filter(sha256=sha256).first()
    if same is not None:
        return same  # type: ignore[no-any-return]
    latest = versions.order_by("-version").values_list("version", flat=True).first()
    if latest is None:
        return None
    if versions.filter(version=definition.version).exists():
        raise InstrumentError(
            f"{definition.slug}: version {definition.version} is already loaded with "
            "different content, and assessments may use it. Nothing was changed. To load "
            f"the new content, give it version {latest + 1}."
        )
    if definition.version < latest:
        raise InstrumentError(
            f"{definition.slug}: version {definition.version} is older than the loaded "
            f"version {latest}. Nothing was changed. To load it, give it version "
            f"{latest + 1}."
        )
    return None


_SLUG: Final = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
_SLUG_MAX: Final = 60  # RiskInstrument.slug
_NAME_MAX: Final = 120  # RiskInstrument.name
_BAND_KEY_MAX: Final = 20  # Assessment.band and computed_band


def _parsed(document: Any) -> Definition:
    """parse_definition, plus what the database needs: a slug usable in an address,
    a name and band keys that fit their columns."""
    definition = instruments.parse_definition(document)
    if not _SLUG.fullmatch(definition.slug) or len(definition.slug) > _SLUG_MAX:
        raise InstrumentError(
            f"instrument: 'slug' must be up to {_SLUG_MAX} lower-case letters, digits and "
            "hyphens (it is used in addresses), for example 'dash-topics'."
        )
    if len(definition.name) > _NAME_MAX:
        raise InstrumentError(f"instrument: 'name' must be up to {_NAME_MAX} characters.")
    for index, band in enumerate(definition.bands, start=1):
        if len(band.key) > _BAND_KEY_MAX:
            raise InstrumentError(f"band {index}: 'key' must be up to {_BAND_KEY_MAX} characters.")
    return definition


def instrument_load_check(*, document: Any) -> InstrumentVersion | None:
    """What loading `document` would do, without changing anything.

    Returns the already-loaded version with the same content (loading changes nothing),
    or None (loading makes a new current version). Raises InstrumentError when the file
    is invalid or would be refused.
    """
    definition = _parsed(document)
    versions = InstrumentVersion.objects.filter(instrument__slug=definition.slug)
    return _existing_same(
        versions=versions, definition=definition, sha256=document_sha256(document)
    )


def _store(
    *,
    document: dict[str, Any],
    definition: Definition,
    instrument_model: Any,
    version_model: Any,
) -> Any:
    """Make `document` the instrument's current version; None if it is already loaded.

    Takes the model classes so that the data migration can pass its historical models.
    """
    instrument, _ = instrument_model.objects.get_or_create(
        slug=definition.slug,
        defaults={"name": definition.name, "description": definition.description},
    )
    # One loader at a time per instrument: the version checks below stay true until commit.
    instrument = instrument_model.objects.select_for_update(of=("self",)).get(pk=instrument.pk)
    sha256 = document_sha256(document)
    versions = version_model.objects.filter(instrument=instrument)
    if _existing_same(versions=versions, definition=definition, sha256=sha256) is not None:
        return None
    versions.filter(is_current=True).update(is_current=False)
    instrument.name = definition.name
    instrument.description = definition.description
    instrument.save(update_fields=["name", "description"])
    return version_model.objects.create(
        instrument=instrument,
        version=definition.version,
        definition=document,
        sha256=sha256,
        is_current=True,
    )


@transaction.atomic
def instrument_load(
    *, document: dict[str, Any], source: str, actor: User | None = None
) -> InstrumentVersion | None:
    """Validate an instrument document and make it the instrument's current version.

    Returns the new version, or None when exactly this content is already loaded.
    Raises InstrumentError, with the reason in plain words, for an invalid document, a
    changed document that keeps a loaded version number, or an older version number.
    `source` says where it came from ("file:dash-topics.json", "admin"); it is audited.
    """
    definition = _parsed(document)
    version: InstrumentVersion | None = _store(
        document=document,
        definition=definition,
        instrument_model=RiskInstrument,
        version_model=InstrumentVersion,
    )
    if version is None:
        return None
    audit_record(
        actor=actor,
        action="instrument.load",
        object_type=INSTRUMENT_OBJECT_TYPE,
        object_id=str(version.pk),
        extra={
            "instrument": definition.slug,
            "version": definition.version,
            "source": source[:200],
        },
    )
    return version


def shipped_instruments_load(*, apps: Any) -> int:
    """Load the shipped instrument files with a migration's historical models.

    For the data migration of a fresh install: nothing is audited (there is nobody to
    attribute it to, and the audit tables may not have their final shape yet); later
    loads go through instrument_load. Returns how many versions were made.
    """
    instrument_model = apps.get_model("safety", "RiskInstrument")
    version_model = apps.get_model("safety", "InstrumentVersion")
    made = 0
    for path in shipped_instrument_files():
        document = instrument_file_read(path)
        created = _store(
            document=document,
            definition=_parsed(document),
            instrument_model=instrument_model,
            version_model=version_model,
        )
        made += created is not None
    return made


# --- Assessments -----------------------------------------------------------------------------


def _validated_answers(
    definition: Definition, answers: Mapping[str, Any]
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """(clean answers, errors by item key): every item answered, comments short enough."""
    clean: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    known = {item.key for item in definition.items}
    for number, item in enumerate(definition.items, start=1):
        raw = answers.get(item.key)
        answer = raw.get("answer") if isinstance(raw, Mapping) else None
        comment = raw.get("comment", "") if isinstance(raw, Mapping) else ""
        if answer not in instruments.ANSWERS:
            errors[item.key] = f"Question {number}: choose yes, no or don't know."
            continue
        if comment is None:
            comment = ""
        if not isinstance(comment, str):
            errors[item.key] = f"Question {number}: the comment must be text."
            continue
        comment = comment.strip()
        if len(comment) > COMMENT_MAX_CHARS:
            errors[item.key] = (
                f"Question {number}: keep the comment to {COMMENT_MAX_CHARS:,} characters "
                f"(it has {len(comment):,})."
            )
            continue
        clean[item.key] = {"answer": str(answer), "comment": comment}
    unknown = sorted(set(answers) - known)
    if unknown:
        errors["version"] = (
            "Some answers are for questions this version of the checklist does not have. "
            "Start the assessment again."
        )
    return clean, errors


def _judged(
    definition: Definition, *, computed: str, judged_band: str, reason: str
) -> tuple[str, dict[str, str]]:
    """(the band to record, errors): judgement may raise the band, never lower it."""
    band = judged_band or computed
    errors: dict[str, str] = {}
    if band and definition.band(band) is None:
        return band, {"band": "Choose one of the bands listed."}
    if computed and not instruments.judgement_allowed(definition, computed=computed, judged=band):
        label = definition.band(computed)
        errors["band"] = (
            "Professional judgement can raise the band, never lower it: the answers give "
            f"{label.label if label else computed}. Choose that band or a higher one."
        )
    elif band != computed and not reason:
        errors["judgement_reason"] = (
            "Say why you chose this band: a reason is needed whenever it differs from "
            "the band the answers give."
            if computed
            else "Say why you chose this band: there is no cut-off, so your reason is "
            "the record of the judgement."
        )
    if len(reason) > REASON_MAX_CHARS:
        errors["judgement_reason"] = (
            f"Keep the reason to {REASON_MAX_CHARS:,} characters (it has {len(reason):,})."
        )
    return band, errors


def _review_date(
    definition: Definition,
    *,
    band: str,
    next_review_on: datetime.date | None,
    today: datetime.date,
) -> tuple[datetime.date | None, dict[str, str]]:
    """The next review: the band's interval by default, never later than it allows."""
    chosen = definition.band(band) if band else None
    latest = (
        today + datetime.timedelta(days=chosen.review_days)
        if chosen is not None and chosen.review_days
        else None
    )
    if next_review_on is None:
        return latest, {}
    if next_review_on < today:
        return next_review_on, {"next_review_on": "The next review must be today or later."}
    if latest is not None and next_review_on > latest and chosen is not None:
        return next_review_on, {
            "next_review_on": (
                f"A {chosen.label.lower()} band is reviewed within {chosen.review_days} "
                f"days: choose {latest.day} {latest:%B %Y} or earlier."
            )
        }
    return next_review_on, {}


def _enqueue_alert(assessment_id: str) -> None:
    assessment_alert_send.enqueue(assessment_id=assessment_id)


@transaction.atomic
def assessment_create(
    *,
    case: Case,
    actor: User,
    version: InstrumentVersion,
    answers: Mapping[str, Any],
    judged_band: str,
    judgement_reason: str,
    next_review_on: datetime.date | None = None,
) -> Assessment:
    """Record a completed risk assessment on `case` with the instrument's `version`.

    `answers` is {item key: {"answer": "yes"|"no"|"dont_know", "comment": "..."}}, every
    item answered. `judged_band` "" keeps the band the answers give (with `count_only`
    instruments: no band). The recorded band may be higher than the computed one, never
    lower, and `judgement_reason` is required whenever they differ. `next_review_on`
    defaults to today plus the band's review interval and may not be later than that.

    Raises Http404 when `actor` may not assess the case ("safety.assess"), and
    AssessmentError (errors by field) when the assessment cannot be recorded. A band that
    alerts case leads emails them, on commit, with no detail of the case.
    """
    policy.require(actor, "safety.assess", case)
    if case.data_key_id is None:
        # Erased: its key was shredded, so nothing new can be sealed for it.
        raise AssessmentError(
            {"version": "This case has been erased, so no assessment can be added to it."}
        )
    # Read afresh: a new version may have been loaded since the caller fetched this one.
    version = InstrumentVersion.objects.select_related("instrument").get(pk=version.pk)
    if not version.is_current or not version.instrument.is_active:
        raise AssessmentError(
            {
                "version": "This checklist has changed or been retired since the page was "
                "opened. Start the assessment again."
            }
        )
    definition = instruments.parse_definition(version.definition)
    clean, errors = _validated_answers(definition, answers)
    result = instruments.score(definition, clean)
    reason = (judgement_reason or "").strip()
    band, band_errors = _judged(
        definition, computed=result.computed_band, judged_band=judged_band, reason=reason
    )
    review_on, review_errors = _review_date(
        definition, band=band, next_review_on=next_review_on, today=timezone.localdate()
    )
    errors.update(band_errors)
    errors.update(review_errors)
    if errors:
        raise AssessmentError(errors)

    assessment = Assessment(
        case=case,
        data_key_id=case.data_key_id,
        version=version,
        score=result.score,
        computed_band=result.computed_band,
        band=band,
        next_review_on=review_on,
        assessed_by=actor,
    )
    assessment.answers = clean
    assessment.judgement_reason = reason or None
    assessment.save(force_insert=True)

    chosen = definition.band(band) if band else None
    alerts_leads = chosen is not None and chosen.alert_leads
    audit_record(
        actor=actor,
        action="assessment.create",
        object_type=ASSESSMENT_OBJECT_TYPE,
        object_id=str(assessment.pk),
        extra={
            "case": str(case.pk),
            "instrument": definition.slug,
            "version": definition.version,
            "score": result.score,
            "computed_band": result.computed_band,
            "band": band,
            "alerts_leads": alerts_leads,
        },
    )
    timeline_add(
        case=case,
        kind=EntryKind.ASSESSMENT,
        actor=actor,
        detail={
            "instrument": definition.slug,
            "version": definition.version,
            "band": band,
            "assessment": str(assessment.pk),
        },
    )
    if alerts_leads:
        transaction.on_commit(partial(_enqueue_alert, str(assessment.pk)))
    return assessment


# --- Alerting case leads ---------------------------------------------------------------------


def alert_recipients(*, case: Case) -> list[str]:
    """Every active case lead who may see the case (never one with a conflict of interest)."""
    leads = User.objects.filter(role=Role.CASE_LEAD, is_active=True).exclude(email="")
    return sorted(lead.email for lead in leads if policy.can(lead, "case.view", case))


@task()
def assessment_alert_send(*, assessment_id: str) -> int:
    """Email the case leads that an assessment needs them. Returns the emails sent.

    One email per lead, so that no lead sees the others' addresses. The text names
    nothing: no case, reference, band or anything anyone wrote; only where to sign in.
    """
    assessment = Assessment.objects.select_related("case").filter(pk=assessment_id).first()
    if assessment is None:
        return 0
    body = ALERT_BODY.format(staff_url=site_link(STAFF_PATH))
    sent = 0
    for address in alert_recipients(case=assessment.case):
        sent += send_mail(ALERT_SUBJECT, body, None, [address])
    logger.info("Risk alert sent to %d case leads.", sent)
    return sent
