"""Referrals and disclosures, and the formal processes of a case (police, protective
orders, the student conduct process and its precautionary measures, civil routes).

Every write here: asks accounts.policy (Http404 when refused, as for a case that does not
exist), runs in one transaction, seals what people typed with the case's key, appends a
timeline entry (ids and choice values only) and an audit event (ids only).

A referral is the record that sharing outside the team was lawful. referral_create
refuses one without a lawful basis, or without either the person's consent (when and
how) or a named exemption; the CheckConstraints on Referral refuse the same rows if
anything bypasses this module. Referrals are never deleted or rewritten: only their
status and outcome change.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case, EntryKind
from waypoint.casework.services.timeline import timeline_add
from waypoint.hub.models import SupportService
from waypoint.institution.models import Department
from waypoint.privacy.services import audit_record
from waypoint.safety.models import (
    CivilKind,
    CivilRoute,
    ConductProcess,
    ConductStage,
    ConsentMethod,
    Exemption,
    LawfulBasis,
    OrderKind,
    PoliceProcess,
    PoliceStage,
    PrecautionaryMeasure,
    ProtectiveOrder,
    Referral,
    ReferralStatus,
)

REFERRAL_OBJECT_TYPE: Final = "safety.referral"
SHORT_TEXT_MAX_CHARS: Final = 200
LONG_TEXT_MAX_CHARS: Final = 4_000

# CivilRoute.status is stored in clear, so it is a fixed choice and never typed words.
CIVIL_STATUSES: Final = (
    ("considering", "Being considered"),
    ("advice", "Taking legal advice"),
    ("applied", "Application made"),
    ("hearing", "Hearing listed"),
    ("granted", "Granted"),
    ("refused", "Refused"),
    ("withdrawn", "Withdrawn"),
    ("closed", "Closed"),
)
CIVIL_STATUS_LABELS: Final = dict(CIVIL_STATUSES)


class ProcessKind(models.TextChoices):
    """The <kind> in /staff/cases/<id>/processes/<kind>/."""

    POLICE = "police", "Police"
    ORDER = "order", "Protective order"
    CONDUCT = "conduct", "Student conduct process"
    PRECAUTION = "precaution", "Precautionary measure"
    CIVIL = "civil", "Civil route"


class RecipientKind(models.TextChoices):
    SERVICE = "service", "A service in the support directory"
    DEPARTMENT = "department", "A university department"
    ORGANISATION = "organisation", "Another organisation"


NON_FIELD: Final = "__all__"


class SafetyFormError(ValueError):
    """A change Waypoint will not make. `errors` maps a form field name (or NON_FIELD) to
    a message that is safe to show to the person."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


class ReferralError(SafetyFormError):
    pass


class ProcessError(SafetyFormError):
    pass


def _text(value: object) -> str:
    return str(value or "").strip()


def _too_long(errors: dict[str, str], name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors[name] = (
            f"This is {len(value):,} characters long, and the limit is {limit:,}. "
            "Could you shorten it?"
        )


def _erased(case: Case) -> bool:
    return case.data_key_id is None


_ERASED_MESSAGE: Final = "This case has been erased, so nothing more can be recorded on it."


# --- Reads that are audited --------------------------------------------------------------------


def processes_record_read(
    *, user: User, case: Case, what: str, object_id: str = "", count: int | None = None
) -> None:
    """Audit that `user` read referrals or processes of `case` (ids only).

    `what`: "referral.list", "referral.view" or "process.list".
    """
    extra: dict[str, Any] = {"case_id": str(case.pk)}
    if count is not None:
        extra["count"] = count
    audit_record(
        actor=user,
        action=what,
        object_type=REFERRAL_OBJECT_TYPE if what.startswith("referral") else "safety.process",
        object_id=object_id or str(case.pk),
        extra=extra,
    )


# --- Referrals ----------------------------------------------------------------------------------


def _consent_errors(
    *,
    lawful_basis: str,
    consent_given: bool | None,
    consent_at: datetime.datetime | None,
    consent_method: str,
    exemption: str,
) -> dict[str, str]:
    """The lawful-basis rules (also CheckConstraints on Referral)."""
    errors: dict[str, str] = {}
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = (
            "Choose the lawful basis for sharing. Nothing can be shared outside the team "
            "without one."
        )
    if consent_given is None:
        errors["consent_given"] = "Say whether the person agreed to this being shared."
        return errors
    if consent_given:
        if consent_at is None:
            errors["consent_at"] = "Give the date and time the person agreed."
        elif consent_at > timezone.now():
            errors["consent_at"] = "The time the person agreed cannot be in the future."
        if consent_method not in ConsentMethod.values:
            errors["consent_method"] = "Say how the person agreed."
        if exemption:
            errors["exemption"] = (
                "An exemption is only for sharing without the person's agreement. Leave it "
                "empty when they agreed."
            )
        return errors
    if not exemption or exemption not in Exemption.values:
        errors["exemption"] = (
            "Without the person's agreement, choose the exemption that allows sharing."
        )
    if consent_at is not None or consent_method:
        errors["consent_given"] = (
            "You gave a time or a way the person agreed, but answered that they did not. "
            "Check the answer, or leave when and how empty."
        )
    if lawful_basis == LawfulBasis.CONSENT:
        errors["lawful_basis"] = (
            "Consent can be the lawful basis only when the person agreed. Choose another "
            "basis, or record their agreement."
        )
    return errors


def _content_errors(
    *,
    recipients: int,
    service: SupportService | None,
    organisation: str,
    purpose: str,
    shared: str,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if recipients != 1:
        errors["recipient"] = (
            "Choose who it goes to: one service from the directory, one department, or "
            "another organisation with its name."
        )
    elif service is not None and not service.is_published:
        errors["service"] = "That service is no longer in the directory. Choose another."
    _too_long(errors, "organisation", organisation, SHORT_TEXT_MAX_CHARS)
    if not purpose:
        errors["purpose"] = "Say what the referral is for."
    _too_long(errors, "purpose", purpose, LONG_TEXT_MAX_CHARS)
    if not shared:
        errors["shared"] = "Say what information is shared."
    _too_long(errors, "shared", shared, LONG_TEXT_MAX_CHARS)
    return errors


@transaction.atomic
def referral_create(
    *,
    case: Case,
    actor: User,
    purpose: str,
    shared: str,
    lawful_basis: str,
    consent_given: bool | None,
    consent_at: datetime.datetime | None = None,
    consent_method: str = "",
    exemption: str = "",
    service: SupportService | None = None,
    department: Department | None = None,
    organisation: str = "",
) -> Referral:
    """Record a referral or disclosure of `case`, sent now by `actor` ("safety.refer").

    Exactly one recipient: a published `service` from the support directory, a
    university `department`, or another `organisation` by name. Needs a lawful basis,
    and either consent (`consent_given` with `consent_at` and `consent_method`) or an
    `exemption`; consent as the basis needs consent. ReferralError (field -> message)
    when refused, and nothing is saved. Http404 if the actor may not refer this case.
    """
    policy.require(actor, "safety.refer", case)
    organisation_text = _text(organisation)
    purpose_text, shared_text = _text(purpose), _text(shared)
    method, exemption_value = _text(consent_method), _text(exemption)
    recipients = sum((service is not None, department is not None, bool(organisation_text)))
    errors = _content_errors(
        recipients=recipients,
        service=service,
        organisation=organisation_text,
        purpose=purpose_text,
        shared=shared_text,
    )
    errors |= _consent_errors(
        lawful_basis=_text(lawful_basis),
        consent_given=consent_given,
        consent_at=consent_at,
        consent_method=method,
        exemption=exemption_value,
    )
    if _erased(case):
        errors[NON_FIELD] = _ERASED_MESSAGE
    if errors:
        raise ReferralError(errors)
    referral = Referral(
        case=case,
        data_key_id=case.data_key_id,
        service=service,
        department=department,
        lawful_basis=_text(lawful_basis),
        consent_given=bool(consent_given),
        consent_at=consent_at if consent_given else None,
        consent_method=method if consent_given else "",
        exemption="" if consent_given else exemption_value,
        status=ReferralStatus.SENT,
        sent_by=actor,
    )
    referral.recipient = organisation_text or None
    referral.purpose = purpose_text
    referral.shared = shared_text
    referral.save(force_insert=True)
    recipient_kind = (
        RecipientKind.SERVICE
        if service is not None
        else RecipientKind.DEPARTMENT
        if department is not None
        else RecipientKind.ORGANISATION
    )
    detail = {
        "event": "created",
        "referral_id": str(referral.pk),
        "recipient": str(recipient_kind),
        "service_id": str(service.pk) if service is not None else None,
        "department_id": str(department.pk) if department is not None else None,
        "lawful_basis": referral.lawful_basis,
        "consent": referral.consent_given,
        "exemption": referral.exemption,
        "status": referral.status,
    }
    timeline_add(case=case, kind=EntryKind.REFERRAL, actor=actor, detail=detail)
    audit_record(
        actor=actor,
        action="referral.created",
        object_type=REFERRAL_OBJECT_TYPE,
        object_id=str(referral.pk),
        extra={"case_id": str(case.pk), **{k: v for k, v in detail.items() if k != "event"}},
    )
    return referral


@transaction.atomic
def referral_update(*, referral: Referral, actor: User, status: str, outcome: str = "") -> Referral:
    """Change a referral's status (sent, accepted, declined, closed) and outcome.

    Nothing else of a referral ever changes, and it is never deleted. ReferralError when
    refused; Http404 if the actor may not refer the referral's case.
    """
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "data_key")
        .get(pk=referral.pk)
    )
    policy.require(actor, "safety.refer", locked.case)
    errors: dict[str, str] = {}
    if status not in ReferralStatus.values:
        errors["status"] = "Choose a status from the list."
    outcome_text = _text(outcome)
    _too_long(errors, "outcome", outcome_text, LONG_TEXT_MAX_CHARS)
    if _erased(locked.case):
        errors[NON_FIELD] = _ERASED_MESSAGE
    if errors:
        raise ReferralError(errors)
    previous_status = locked.status
    previous_outcome = _text(locked.outcome)
    outcome_changed = outcome_text != previous_outcome
    if status == previous_status and not outcome_changed:
        raise ReferralError(
            {NON_FIELD: "Nothing has changed: choose a new status or write the outcome."}
        )
    locked.status = status
    if outcome_changed:
        locked.outcome = outcome_text or None
    locked.save(update_fields=["status", "outcome"])
    timeline_add(
        case=locked.case,
        kind=EntryKind.REFERRAL,
        actor=actor,
        detail={
            "event": "updated",
            "referral_id": str(locked.pk),
            "status": status,
            "previous": previous_status,
            "outcome_changed": outcome_changed,
        },
    )
    audit_record(
        actor=actor,
        action="referral.updated",
        object_type=REFERRAL_OBJECT_TYPE,
        object_id=str(locked.pk),
        extra={
            "case_id": str(locked.case_id),
            "status": status,
            "previous": previous_status,
            "outcome_changed": outcome_changed,
        },
    )
    referral.status = locked.status
    return locked


# --- Formal processes ------------------------------------------------------------------------

# Plain fields that are text (choices): never None.
_PLAIN_TEXT: Final = frozenset({"stage", "kind", "status"})

ProcessRow = PoliceProcess | ProtectiveOrder | ConductProcess | PrecautionaryMeasure | CivilRoute


@dataclass(frozen=True)
class _Spec:
    model: type[models.Model]
    plain: tuple[str, ...]  # stored in clear: dates, choices, a staff member
    sealed: tuple[str, ...]  # typed text, sealed with the case's key
    short: tuple[str, ...]  # sealed fields that are one line
    check: Callable[[Case, Any, dict[str, Any], dict[str, str]], None]
    stage: Callable[[dict[str, Any]], str]


def _today() -> datetime.date:
    return timezone.localdate()


def _not_after_today(values: dict[str, Any], errors: dict[str, str], name: str, what: str) -> None:
    value = values.get(name)
    if isinstance(value, datetime.date) and value > _today():
        errors[name] = f"The date {what} cannot be in the future."


def _not_before(
    values: dict[str, Any], errors: dict[str, str], name: str, start: str, message: str
) -> None:
    first, second = values.get(start), values.get(name)
    if isinstance(first, datetime.date) and isinstance(second, datetime.date) and second < first:
        errors[name] = message


def _choice_or_default(
    values: dict[str, Any], errors: dict[str, str], name: str, allowed: list[str], default: str
) -> None:
    value = _text(values.get(name))
    if not value:
        values[name] = default
    elif value not in allowed:
        errors[name] = "Choose one from the list."
    else:
        values[name] = value


def _check_police(case: Case, row: Any, values: dict[str, Any], errors: dict[str, str]) -> None:
    _choice_or_default(values, errors, "stage", PoliceStage.values, PoliceStage.REPORTED)
    _not_after_today(values, errors, "reported_on", "it was reported")
    if values.get("bail_until") and not values.get("bail_conditions"):
        errors["bail_conditions"] = "Write the bail conditions that apply until that date."


def _check_order(case: Case, row: Any, values: dict[str, Any], errors: dict[str, str]) -> None:
    kind = _text(values.get("kind"))
    if kind not in OrderKind.values:
        errors["kind"] = "Choose the kind of order."
    values["kind"] = kind
    _not_after_today(values, errors, "made_on", "the order was made")
    _not_before(values, errors, "expires_on", "made_on", "The order cannot end before it was made.")


def _check_conduct(case: Case, row: Any, values: dict[str, Any], errors: dict[str, str]) -> None:
    _choice_or_default(values, errors, "stage", ConductStage.values, ConductStage.INVESTIGATION)
    if values.get("stage") == ConductStage.PAUSED:
        if not values.get("paused_on"):
            errors["paused_on"] = "Give the date the process was paused for the criminal case."
        if not values.get("pause_reason"):
            errors["pause_reason"] = "Say why it is paused, for example the police investigation."
    _not_after_today(values, errors, "paused_on", "it was paused")
    adviser = values.get("reporting_student_adviser")
    unchanged = (
        row is not None
        and adviser is not None
        and (getattr(adviser, "pk", None) == row.reporting_student_adviser_id)
    )
    # Asked only when the adviser changes: a save of other fields is never blocked by
    # an adviser recorded earlier who has since left the case.
    if (
        adviser is not None
        and not unchanged
        and not (isinstance(adviser, User) and policy.can(adviser, "case.view", case))
    ):
        errors["reporting_student_adviser"] = (
            "That person cannot see this case. Assign them to the case first, or choose "
            "someone else."
        )


def _check_precaution(case: Case, row: Any, values: dict[str, Any], errors: dict[str, str]) -> None:
    if not values.get("description"):
        errors["description"] = "Describe the measure."
    if not values.get("reason"):
        errors["reason"] = "Give the reason for the measure: it must be justified and reviewed."
    if not isinstance(values.get("imposed_on"), datetime.date):
        errors["imposed_on"] = "Give the date the measure was imposed."
    _not_before(
        values, errors, "review_on", "imposed_on", "The review cannot be before the measure began."
    )
    _not_before(values, errors, "ended_on", "imposed_on", "The measure cannot end before it began.")


def _check_civil(case: Case, row: Any, values: dict[str, Any], errors: dict[str, str]) -> None:
    kind = _text(values.get("kind"))
    if kind not in CivilKind.values:
        errors["kind"] = "Choose the civil route."
    values["kind"] = kind
    status = _text(values.get("status"))
    if status and status not in CIVIL_STATUS_LABELS:
        errors["status"] = "Choose one from the list."
    values["status"] = status


def _precaution_stage(values: dict[str, Any]) -> str:
    return "ended" if values.get("ended_on") else "in_place"


SPECS: Final[dict[str, _Spec]] = {
    ProcessKind.POLICE: _Spec(
        model=PoliceProcess,
        plain=("reported_on", "stage", "bail_until"),
        sealed=("crime_reference", "officer", "bail_conditions", "outcome"),
        short=("crime_reference", "officer"),
        check=_check_police,
        stage=lambda values: str(values["stage"]),
    ),
    ProcessKind.ORDER: _Spec(
        model=ProtectiveOrder,
        plain=("kind", "made_on", "expires_on"),
        sealed=("conditions",),
        short=(),
        check=_check_order,
        stage=lambda values: str(values["kind"]),
    ),
    ProcessKind.CONDUCT: _Spec(
        model=ConductProcess,
        plain=("stage", "hearing_on", "paused_on", "reporting_student_adviser"),
        sealed=("reference", "outcome", "appeal", "pause_reason", "responding_student_adviser"),
        short=("reference", "responding_student_adviser"),
        check=_check_conduct,
        stage=lambda values: str(values["stage"]),
    ),
    ProcessKind.PRECAUTION: _Spec(
        model=PrecautionaryMeasure,
        plain=("imposed_on", "review_on", "ended_on"),
        sealed=("description", "reason"),
        short=(),
        check=_check_precaution,
        stage=_precaution_stage,
    ),
    ProcessKind.CIVIL: _Spec(
        model=CivilRoute,
        plain=("kind", "status"),
        sealed=("notes",),
        short=(),
        check=_check_civil,
        stage=lambda values: str(values["status"]),
    ),
}


def _row_case_id(row: models.Model) -> object:
    if isinstance(row, PrecautionaryMeasure):
        return row.process.case_id
    return getattr(row, "case_id", None)


def _current(row: models.Model, name: str) -> Any:
    if name == "reporting_student_adviser":
        return getattr(row, "reporting_student_adviser_id", None)
    value = getattr(row, name)
    return value if value != "" else None


def _new_value(name: str, value: Any) -> Any:
    if name == "reporting_student_adviser":
        return value.pk if isinstance(value, User) else None
    return value if value != "" else None


def _locked_target(
    *, case: Case, kind: str, spec: _Spec, row: ProcessRow | None, conduct: ConductProcess | None
) -> Any:
    """The row to change, locked; or a new one of `case` (or of `conduct`). Http404 for a
    row or conduct process of another case."""
    if row is not None:
        if not isinstance(row, spec.model) or _row_case_id(row) != case.pk:
            raise Http404
        # Locked, so that two saves at once apply one after the other.
        return spec.model._default_manager.select_for_update(of=("self",)).get(pk=row.pk)
    if kind == ProcessKind.PRECAUTION:
        if conduct is None or conduct.case_id != case.pk:
            raise Http404
        return spec.model(data_key_id=case.data_key_id, process=conduct)
    return spec.model(data_key_id=case.data_key_id, case=case)


def _cleaned(*, case: Case, spec: _Spec, row: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in spec.sealed:
        text = _text(values.get(name))
        limit = SHORT_TEXT_MAX_CHARS if name in spec.short else LONG_TEXT_MAX_CHARS
        _too_long(errors, name, text, limit)
        cleaned[name] = text
    for name in spec.plain:
        cleaned[name] = values.get(name)
    spec.check(case, row, cleaned, errors)
    if _erased(case):
        errors[NON_FIELD] = _ERASED_MESSAGE
    if errors:
        raise ProcessError(errors)
    return cleaned


def _apply(*, spec: _Spec, target: Any, cleaned: dict[str, Any]) -> None:
    for name in spec.plain:
        value = cleaned[name]
        if name == "reporting_student_adviser":
            target.reporting_student_adviser = value if isinstance(value, User) else None
        elif name in _PLAIN_TEXT:
            setattr(target, name, _text(value))
        else:
            setattr(target, name, value or None)
    for name in spec.sealed:
        setattr(target, name, cleaned[name] or None)


def _reset_reminder(target: Any, changed: list[str]) -> bool:
    """A new date is a new reminder: the one already sent was about the old date."""
    reset = False
    if isinstance(target, ProtectiveOrder) and "expires_on" in changed:
        reset = target.expiry_reminded_at is not None
        target.expiry_reminded_at = None
    if isinstance(target, PrecautionaryMeasure) and "review_on" in changed:
        reset = target.review_notified_at is not None
        target.review_notified_at = None
    return reset


@transaction.atomic
def process_save(
    *,
    case: Case,
    actor: User,
    kind: str,
    values: Mapping[str, Any],
    row: ProcessRow | None = None,
    conduct: ConductProcess | None = None,
) -> ProcessRow:
    """Record (or, with `row`, update) one formal process record of `case`.

    `kind`: police | order | conduct | precaution | civil (ProcessKind); `values`: the
    form's fields (forms_processes.py). A precautionary measure belongs to a conduct
    process of the same case (`conduct`, when recording a new one). A row or conduct
    process of another case is an Http404, exactly like one that does not exist; so is
    an actor without "safety.process" on the case. Changing an order's expiry date (or
    a precautionary measure's review date) sets its reminder going again.
    ProcessError (field -> message) when refused; nothing is saved.
    """
    policy.require(actor, "safety.process", case)
    spec = SPECS.get(kind)
    if spec is None:
        raise Http404
    creating = row is None
    target = _locked_target(case=case, kind=kind, spec=spec, row=row, conduct=conduct)
    cleaned = _cleaned(case=case, spec=spec, row=None if creating else target, values=values)
    changed = [
        name
        for name in (*spec.plain, *spec.sealed)
        if creating or _current(target, name) != _new_value(name, cleaned[name])
    ]
    if not changed:
        raise ProcessError({NON_FIELD: "Nothing has changed, so there was nothing to save."})
    _apply(spec=spec, target=target, cleaned=cleaned)
    reminder_reset = False if creating else _reset_reminder(target, changed)
    if creating:
        target.save(force_insert=True)
    else:
        target.save()
    stage = spec.stage(cleaned)
    event = "created" if creating else "updated"
    timeline_add(
        case=case,
        kind=EntryKind.PROCESS,
        actor=actor,
        detail={"kind": kind, "stage": stage, "event": event, "id": str(target.pk)},
    )
    audit_record(
        actor=actor,
        action=f"process.{event}",
        object_type=f"safety.{kind}",
        object_id=str(target.pk),
        extra={
            "case_id": str(case.pk),
            "kind": kind,
            "stage": stage,
            "changed": sorted(changed),
            "reminder_reset": reminder_reset,
        },
    )
    result: ProcessRow = target
    return result
