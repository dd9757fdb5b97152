"""Safety plans, their agreed actions, and university measures owned by departments.

A case has at most one plan, made with the survivor: agreed actions in five areas
(PlanArea). Actions are never edited: a change is a new action, and the old one is
retired (kept, marked inactive), so the plan's history stays as it was agreed. The
adviser decides when the reporter may read the plan (`plan_share`).

A university measure (SafetyMeasure) is owned by one department. The department's
partners see its kind, its `brief`, its status and dates, and may update the status and
dates; only the case team ("safety.plan" on the case) writes `brief` and `detail`.

Every write is atomic, checks accounts.policy itself (Http404 for someone who may not,
like a missing record), adds a case timeline entry (ids and choice values in `detail`;
anything typed only in the sealed `text`) and an audit event with ids only. Review dates
feed the scheduled reminders job: whenever a review date changes,
`review_notified_at` is cleared so that the new date gets its own reminder.
"""

from __future__ import annotations

import datetime
from typing import Final

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case, EntryKind
from waypoint.casework.services.drafts import draft_discard_on_send
from waypoint.casework.services.intake import CASE_OBJECT_TYPE
from waypoint.casework.services.timeline import timeline_add
from waypoint.institution.models import Department
from waypoint.notifications import services as notifications
from waypoint.privacy.services import audit_record
from waypoint.safety.models import (
    MeasureKind,
    MeasureStatus,
    PlanAction,
    PlanArea,
    SafetyMeasure,
    SafetyPlan,
)

PLAN_OBJECT_TYPE: Final = "safety.safetyplan"
ACTION_OBJECT_TYPE: Final = "safety.planaction"
MEASURE_OBJECT_TYPE: Final = "safety.safetymeasure"
ACTION_MAX_CHARS: Final = 1_000
BRIEF_MAX_CHARS: Final = 1_000
DETAIL_MAX_CHARS: Final = 5_000
NOTE_MAX_CHARS: Final = 2_000


class PlanError(ValueError):
    """A plan or measure change Waypoint will not make (the text is safe to show)."""


def _checked_text(value: str | None, *, limit: int, what: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise PlanError(
            f"The {what} is {len(text):,} characters long, and the limit is {limit:,}. "
            "Could you shorten it?"
        )
    return text


def _require_key(case: Case) -> None:
    if case.data_key_id is None:
        raise PlanError("This case has been erased, so its safety plan can no longer change.")


def _check_future(day: datetime.date | None, *, what: str) -> None:
    if day is not None and day < timezone.localdate():
        raise PlanError(f"Choose a {what} from today onwards.")


def _check_order(
    starts_on: datetime.date | None,
    review_on: datetime.date | None,
    ends_on: datetime.date | None,
    *,
    status: str,
) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise PlanError("The end date is before the start date. Check both dates.")
    # An ended measure needs no review, whatever date was planned for it.
    ended = status == MeasureStatus.ENDED
    if not ended and review_on is not None and ends_on is not None and review_on > ends_on:
        raise PlanError(
            "The review date is after the end date. Choose a review date on or before "
            "the day the measure ends."
        )


# --- The plan ---------------------------------------------------------------------------------


@transaction.atomic
def plan_get_or_create(*, case: Case, actor: User) -> SafetyPlan:
    """The case's plan, made (empty, not shared) the first time anyone writes to it."""
    policy.require(actor, "safety.plan", case)
    _require_key(case)
    plan, created = SafetyPlan.objects.get_or_create(
        case=case, defaults={"data_key_id": case.data_key_id}
    )
    if created:
        timeline_add(
            case=case,
            kind=EntryKind.SAFETY_PLAN,
            actor=actor,
            detail={"event": "created", "plan_id": plan.pk},
        )
        audit_record(
            actor=actor,
            action="safety_plan.created",
            object_type=PLAN_OBJECT_TYPE,
            object_id=str(plan.pk),
            extra={"case_id": str(case.pk)},
        )
    return plan


@transaction.atomic
def plan_action_add(*, case: Case, actor: User, area: str, text: str) -> PlanAction:
    """Add an agreed action to one area of the plan (the plan is made if need be)."""
    if area not in PlanArea.values:
        raise PlanError("Choose one of the five areas of the plan.")
    action_text = _checked_text(text, limit=ACTION_MAX_CHARS, what="action")
    if not action_text:
        raise PlanError("Write the action that was agreed.")
    plan = plan_get_or_create(case=case, actor=actor)
    action = PlanAction(plan=plan, data_key_id=case.data_key_id, area=area, created_by=actor)
    action.text = action_text
    action.save(force_insert=True)
    timeline_add(
        case=case,
        kind=EntryKind.SAFETY_PLAN,
        actor=actor,
        text=action_text,
        detail={
            "event": "action_added",
            "plan_id": plan.pk,
            "action_id": str(action.pk),
            "area": area,
        },
    )
    audit_record(
        actor=actor,
        action="safety_plan.action_added",
        object_type=ACTION_OBJECT_TYPE,
        object_id=str(action.pk),
        extra={"case_id": str(case.pk), "area": area},
    )
    # The action is added: the draft kept of it has done its job (ADR 0034).
    draft_discard_on_send(case=case, user=actor, kind="plan_action")
    return action


@transaction.atomic
def plan_action_retire(*, action: PlanAction, actor: User) -> PlanAction:
    """Retire an action: it leaves the plan the reporter sees, and stays in its history.

    Retiring one that is already retired changes nothing (a second click, a replay).
    """
    locked = (
        PlanAction.objects.select_for_update(of=("self",))
        .select_related("plan__case")
        .filter(pk=action.pk)
        .first()
    )
    if locked is None:
        raise Http404
    case = locked.plan.case
    policy.require(actor, "safety.plan", case)
    if not locked.is_active:
        return locked
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    timeline_add(
        case=case,
        kind=EntryKind.SAFETY_PLAN,
        actor=actor,
        detail={
            "event": "action_retired",
            "plan_id": locked.plan_id,
            "action_id": str(locked.pk),
            "area": locked.area,
        },
    )
    audit_record(
        actor=actor,
        action="safety_plan.action_retired",
        object_type=ACTION_OBJECT_TYPE,
        object_id=str(locked.pk),
        extra={"case_id": str(case.pk), "area": locked.area},
    )
    action.is_active = False
    return locked


@transaction.atomic
def plan_set_review(*, case: Case, actor: User, next_review_on: datetime.date | None) -> SafetyPlan:
    """Set (or clear, with None) the date the plan is next reviewed with the survivor.

    A new date clears `review_notified_at`, so the reminders job reminds about it once.
    """
    plan = plan_get_or_create(case=case, actor=actor)
    locked = SafetyPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
    if locked.next_review_on == next_review_on:
        return locked
    _check_future(next_review_on, what="review date")
    previous = locked.next_review_on
    locked.next_review_on = next_review_on
    locked.review_notified_at = None
    locked.save(update_fields=["next_review_on", "review_notified_at", "updated_at"])
    timeline_add(
        case=case,
        kind=EntryKind.SAFETY_PLAN,
        actor=actor,
        detail={
            "event": "review_set",
            "plan_id": locked.pk,
            "next_review_on": next_review_on.isoformat() if next_review_on else None,
        },
    )
    audit_record(
        actor=actor,
        action="safety_plan.review_set",
        object_type=PLAN_OBJECT_TYPE,
        object_id=str(locked.pk),
        extra={
            "case_id": str(case.pk),
            "next_review_on": next_review_on.isoformat() if next_review_on else None,
            "previous": previous.isoformat() if previous else None,
        },
    )
    return locked


@transaction.atomic
def plan_share(*, case: Case, actor: User, shared: bool) -> SafetyPlan:
    """Share the plan with the reporter (`shared=True`), or stop sharing it.

    Once shared, a reporter signed in with their receipt reads the plan's active actions
    and the kinds and statuses of the case's measures; never a measure's brief or
    detail. Asking for what is already so changes nothing.
    """
    plan = plan_get_or_create(case=case, actor=actor)
    locked = SafetyPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
    if (locked.shared_with_reporter_at is not None) == shared:
        return locked
    locked.shared_with_reporter_at = timezone.now() if shared else None
    locked.save(update_fields=["shared_with_reporter_at", "updated_at"])
    event = "shared" if shared else "unshared"
    timeline_add(
        case=case,
        kind=EntryKind.SAFETY_PLAN,
        actor=actor,
        detail={"event": event, "plan_id": locked.pk},
    )
    audit_record(
        actor=actor,
        action=f"safety_plan.{event}",
        object_type=PLAN_OBJECT_TYPE,
        object_id=str(locked.pk),
        extra={"case_id": str(case.pk)},
    )
    return locked


def plan_record_view(*, case: Case, user: User) -> None:
    """Audit that `user` opened the case's safety plan page (ids only)."""
    audit_record(
        actor=user,
        action="safety_plan.viewed",
        object_type=CASE_OBJECT_TYPE,
        object_id=str(case.pk),
        extra={"case_id": str(case.pk)},
    )


def plan_record_reporter_view(*, case: Case, reference: str) -> None:
    """Audit that the reporter (by their report's reference) read their shared plan."""
    audit_record(
        actor=reference,
        action="safety_plan.reporter_viewed",
        object_type=CASE_OBJECT_TYPE,
        object_id=str(case.pk),
        extra={"case_id": str(case.pk)},
    )


# --- University measures -------------------------------------------------------------------


def measure_may_update(*, user: User, measure: SafetyMeasure) -> bool:
    """May `user` change this measure's status and dates?

    The case team ("safety.plan" on the case), or a partner of the owner department
    ("measure.department" with the measure) who has no conflict of interest on the case.
    """
    if policy.can(user, "safety.plan", measure.case):
        return True
    return policy.can(user, "measure.department", measure) and not measure.case.has_conflict(
        user.pk
    )


@transaction.atomic
def measure_create(
    *,
    case: Case,
    actor: User,
    kind: str,
    department: Department,
    brief: str,
    detail: str,
    status: str,
    starts_on: datetime.date | None,
    review_on: datetime.date | None,
    ends_on: datetime.date | None,
) -> SafetyMeasure:
    """Add a university measure to the case, owned by `department`.

    `brief` is all the department will see of the case, so it is required; `detail` is
    for the case team only.
    """
    policy.require(actor, "safety.plan", case)
    _require_key(case)
    if kind not in MeasureKind.values:
        raise PlanError("Choose the kind of measure from the list.")
    if status not in MeasureStatus.values:
        raise PlanError("Choose a status from the list.")
    brief_text = _checked_text(brief, limit=BRIEF_MAX_CHARS, what="brief")
    detail_text = _checked_text(detail, limit=DETAIL_MAX_CHARS, what="note for the team")
    if not brief_text:
        raise PlanError("Write a brief for the department: it is all they will see of this case.")
    _check_future(review_on, what="review date")
    _check_order(starts_on, review_on, ends_on, status=status)
    if status == MeasureStatus.IN_PLACE and starts_on is None:
        starts_on = timezone.localdate()
    if status == MeasureStatus.ENDED and ends_on is None:
        ends_on = timezone.localdate()
    measure = SafetyMeasure(
        case=case,
        data_key_id=case.data_key_id,
        kind=kind,
        department=department,
        status=status,
        starts_on=starts_on,
        review_on=review_on,
        ends_on=ends_on,
        created_by=actor,
    )
    measure.brief = brief_text
    measure.detail = detail_text or None
    measure.save(force_insert=True)
    timeline_add(
        case=case,
        kind=EntryKind.MEASURE,
        actor=actor,
        detail={
            "event": "created",
            "measure_id": str(measure.pk),
            "kind": kind,
            "department_id": str(department.pk),
            "status": status,
        },
    )
    audit_record(
        actor=actor,
        action="measure.created",
        object_type=MEASURE_OBJECT_TYPE,
        object_id=str(measure.pk),
        extra={
            "case_id": str(case.pk),
            "kind": kind,
            "department_id": str(department.pk),
            "status": status,
        },
    )
    notifications.notify_measure_assigned(measure=measure, actor=actor)
    return measure


@transaction.atomic
def measure_update(
    *,
    measure: SafetyMeasure,
    actor: User,
    status: str,
    review_on: datetime.date | None,
    ends_on: datetime.date | None,
    note: str | None = None,
) -> SafetyMeasure:
    """Change a measure's status and its review and end dates, with an optional note.

    Allowed to the case team and to a partner of the owner department
    (measure_may_update); Http404 for anyone else. The note goes to the case timeline
    (sealed): the department never reads the timeline. Starting a measure ("in place")
    without a start date sets it to today; ending one without an end date, likewise.
    Saving with nothing changed and no note changes nothing.
    """
    locked = (
        SafetyMeasure.objects.select_for_update(of=("self",))
        .select_related("case", "data_key")
        .filter(pk=measure.pk)
        .first()
    )
    if locked is None or not measure_may_update(user=actor, measure=locked):
        raise Http404
    if status not in MeasureStatus.values:
        raise PlanError("Choose a status from the list.")
    note_text = _checked_text(note, limit=NOTE_MAX_CHARS, what="note")
    if note_text:
        _require_key(locked.case)
    today = timezone.localdate()
    starts_on = locked.starts_on
    if status == MeasureStatus.IN_PLACE and starts_on is None:
        starts_on = today
    if status == MeasureStatus.ENDED and ends_on is None:
        ends_on = today
    if review_on != locked.review_on:
        _check_future(review_on, what="review date")
    _check_order(starts_on, review_on, ends_on, status=status)
    previous = locked.status
    changed = {
        name
        for name, value in (
            ("status", status),
            ("starts_on", starts_on),
            ("review_on", review_on),
            ("ends_on", ends_on),
        )
        if getattr(locked, name) != value
    }
    if not changed and not note_text:
        return locked
    if changed:
        if "review_on" in changed:
            locked.review_notified_at = None
            changed.add("review_notified_at")
        locked.status, locked.starts_on = status, starts_on
        locked.review_on, locked.ends_on = review_on, ends_on
        locked.save(update_fields=[*sorted(changed), "updated_at"])
    by_team = policy.can(actor, "safety.plan", locked.case)
    timeline_add(
        case=locked.case,
        kind=EntryKind.MEASURE,
        actor=actor,
        text=note_text or None,
        detail={
            "event": "updated",
            "measure_id": str(locked.pk),
            "status": status,
            "previous": previous,
            "changed": sorted(changed),
            "by": "team" if by_team else "department",
        },
    )
    audit_record(
        actor=actor,
        action="measure.updated",
        object_type=MEASURE_OBJECT_TYPE,
        object_id=str(locked.pk),
        extra={
            "case_id": str(locked.case_id),
            "status": status,
            "previous": previous,
            "changed": sorted(changed),
            "with_note": bool(note_text),
            "by": "team" if by_team else "department",
        },
    )
    measure.status, measure.starts_on = locked.status, locked.starts_on
    measure.review_on, measure.ends_on = locked.review_on, locked.ends_on
    measure.review_notified_at = locked.review_notified_at
    return locked


@transaction.atomic
def measure_revise(
    *, measure: SafetyMeasure, actor: User, brief: str, detail: str
) -> SafetyMeasure:
    """Rewrite a measure's brief (what the department reads) and detail (team only).

    Only the case team ("safety.plan" on the case; Http404 for anyone else): a
    department never changes what it is told.
    """
    locked = (
        SafetyMeasure.objects.select_for_update(of=("self",))
        .select_related("case", "data_key")
        .filter(pk=measure.pk)
        .first()
    )
    if locked is None:
        raise Http404
    policy.require(actor, "safety.plan", locked.case)
    _require_key(locked.case)
    brief_text = _checked_text(brief, limit=BRIEF_MAX_CHARS, what="brief")
    detail_text = _checked_text(detail, limit=DETAIL_MAX_CHARS, what="note for the team")
    if not brief_text:
        raise PlanError("Write a brief for the department: it is all they will see of this case.")
    changed = sorted(
        name
        for name, old, new in (
            ("brief", locked.brief or "", brief_text),
            ("detail", locked.detail or "", detail_text),
        )
        if old != new
    )
    if not changed:
        return locked
    locked.brief = brief_text
    locked.detail = detail_text or None
    locked.save(update_fields=["brief", "detail", "updated_at"])
    timeline_add(
        case=locked.case,
        kind=EntryKind.MEASURE,
        actor=actor,
        detail={"event": "revised", "measure_id": str(locked.pk), "changed": changed},
    )
    audit_record(
        actor=actor,
        action="measure.revised",
        object_type=MEASURE_OBJECT_TYPE,
        object_id=str(locked.pk),
        extra={"case_id": str(locked.case_id), "changed": changed},
    )
    measure.brief, measure.detail = locked.brief, locked.detail
    return locked


def measure_record_view(*, measure: SafetyMeasure, user: User, team: bool) -> None:
    """Audit that `user` opened a measure's page (`team`: with the case team's view)."""
    audit_record(
        actor=user,
        action="measure.viewed",
        object_type=MEASURE_OBJECT_TYPE,
        object_id=str(measure.pk),
        extra={"case_id": str(measure.case_id), "team": team},
    )
