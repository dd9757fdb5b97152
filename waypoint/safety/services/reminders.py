"""The safety reminders job: protective orders ending soon, and reviews that are due.

`manage.py safety_reminders` (daily; running it more often is harmless) calls
reminders_send_due. Each due reminder is first claimed with a conditional UPDATE
(`... SET reminded_at = now WHERE pk = %s AND reminded_at IS NULL`): of two runs at
once, or a run repeated, exactly one claims a row, so each reminder is sent once.
Emails go out once the claim commits, through a background task that takes an id and
nothing else, and they say only that something needs attention and where to sign in:
never a reference, a name, an order's conditions or anything anyone typed.

Changing an order's expiry date clears its `expiry_reminded_at` (process_save), so the
new date gets its own reminder; the same goes for a precautionary measure's review date.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Final

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework.models import CaseStatus
from waypoint.institution.selectors import institution_get_current
from waypoint.privacy.models import AuditEvent
from waypoint.privacy.services import audit_record
from waypoint.safety.models import (
    Assessment,
    MeasureStatus,
    PrecautionaryMeasure,
    ProtectiveOrder,
    SafetyMeasure,
    SafetyPlan,
)

logger = logging.getLogger(__name__)

# How long before an order's expiry date the case's staff are told.
ORDER_EXPIRY_NOTICE_DAYS: Final = 14
STAFF_PATH: Final = "/staff/"


@dataclass(frozen=True)
class ReminderRun:
    """How many reminders one run claimed (each is then sent once, after commit)."""

    orders: int
    measures: int
    plans: int
    assessments: int
    precautions: int

    @property
    def total(self) -> int:
        return self.orders + self.measures + self.plans + self.assessments + self.precautions


@dataclass(frozen=True)
class Reminder:
    subject: str
    body: str


# --- What is due ----------------------------------------------------------------------------


def _due_orders(today: datetime.date) -> Q:
    # Orders matter to the person's safety whatever the case's status, so a closed
    # case's order is still reminded.
    return Q(
        expires_on__gte=today,
        expires_on__lte=today + datetime.timedelta(days=ORDER_EXPIRY_NOTICE_DAYS),
        expiry_reminded_at__isnull=True,
    )


def _due_measures(today: datetime.date) -> Q:
    return (
        Q(review_on__lte=today, review_notified_at__isnull=True)
        & ~Q(status=MeasureStatus.ENDED)
        & ~Q(case__status=CaseStatus.CLOSED)
    )


def _due_plans(today: datetime.date) -> Q:
    return Q(next_review_on__lte=today, review_notified_at__isnull=True) & ~Q(
        case__status=CaseStatus.CLOSED
    )


def _due_assessments(today: datetime.date) -> Q:
    # Only the latest assessment of a case: a newer one set its own review date.
    newer = Assessment.objects.filter(
        case=OuterRef("case"), assessed_at__gt=OuterRef("assessed_at")
    )
    return (
        Q(next_review_on__lte=today, review_notified_at__isnull=True)
        & ~Q(case__status=CaseStatus.CLOSED)
        & ~Q(Exists(newer))
    )


def _due_precautions(today: datetime.date) -> Q:
    return (
        Q(review_on__lte=today, review_notified_at__isnull=True)
        & (Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        & ~Q(process__case__status=CaseStatus.CLOSED)
    )


def _candidates(model: type[Model], condition: Q) -> list[object]:
    """The ids of the rows due now (before any is claimed)."""
    return list(model._default_manager.filter(condition).values_list("pk", flat=True))


def _claim(model: type[Model], condition: Q, field: str, now: datetime.datetime) -> list[str]:
    """Mark each due row reminded, one conditional UPDATE per row, and return the ids
    this run claimed. A row another run claimed meanwhile is skipped.

    The UPDATE asks only about the row itself (`pk = %s AND field IS NULL`), never
    through a join or subquery: PostgreSQL re-checks such a condition on the latest
    version of a row it waited for, so of two runs at once exactly one updates it.
    """
    manager = model._default_manager
    claimed = []
    for pk in _candidates(model, condition):
        if manager.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: now}):
            claimed.append(str(pk))
    return claimed


def reminders_send_due(*, today: datetime.date | None = None) -> ReminderRun:
    """Claim every due reminder and send each once, after commit. Safe to run at any time.

    (a) A protective order whose expiry date is within ORDER_EXPIRY_NOTICE_DAYS: the
    case's assigned staff are told (the triage inbox when nobody is assigned). (b) A
    review date that has come: a university measure (its department's inbox and the
    case's staff), a safety plan, the latest risk assessment, a precautionary measure
    (the case's staff). Returns the counts; one "safety.reminders_sent" audit event.
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    with transaction.atomic():
        orders = _claim(ProtectiveOrder, _due_orders(today), "expiry_reminded_at", now)
        measures = _claim(SafetyMeasure, _due_measures(today), "review_notified_at", now)
        plans = _claim(SafetyPlan, _due_plans(today), "review_notified_at", now)
        assessments = _claim(Assessment, _due_assessments(today), "review_notified_at", now)
        precautions = _claim(
            PrecautionaryMeasure, _due_precautions(today), "review_notified_at", now
        )
        run = ReminderRun(
            orders=len(orders),
            measures=len(measures),
            plans=len(plans),
            assessments=len(assessments),
            precautions=len(precautions),
        )
        audit_record(
            actor=None,
            action="safety.reminders_sent",
            object_type="safety.reminders",
            extra={
                "orders": run.orders,
                "measures": run.measures,
                "plans": run.plans,
                "assessments": run.assessments,
                "precautions": run.precautions,
            },
            actor_kind=AuditEvent.ActorKind.SYSTEM,
        )
        for kind, ids in (
            ("order", orders),
            ("measure", measures),
            ("plan", plans),
            ("assessment", assessments),
            ("precaution", precautions),
        ):
            for row_id in ids:
                transaction.on_commit(partial(_enqueue, kind, row_id))
    return run


def _enqueue(kind: str, row_id: str) -> None:
    reminder_send.enqueue(kind=kind, row_id=row_id)


# --- The emails ----------------------------------------------------------------------------------


def _site_link(path: str) -> str:
    base = str(getattr(settings, "WAYPOINT_SITE_URL", "") or "").rstrip("/")
    return f"{base}{path}"


_NO_DETAIL: Final = (
    "This email deliberately contains no details of the case or of the people involved."
)

# kind -> (subject, what it is, in a sentence)
_REVIEWS: Final = {
    "measure": ("A safety measure is due for review", "A safety measure"),
    "plan": ("A safety plan is due for review", "A safety plan"),
    "assessment": ("A risk assessment is due for review", "A risk assessment"),
    "precaution": ("A precautionary measure is due for review", "A precautionary measure"),
}


def order_expiry_reminder() -> Reminder:
    """A protective order ends soon: where to sign in, and nothing about the order."""
    body = (
        "A protective order linked to a case you work on ends within the next "
        f"{ORDER_EXPIRY_NOTICE_DAYS} days.\n\n"
        "Please sign in to check the date, and talk with the person about what they "
        "would like to happen next:\n"
        f"{_site_link(STAFF_PATH)}\n\n"
        "This email deliberately contains no details of the order, the case or the "
        "people involved.\n"
    )
    return Reminder(subject="A protective order linked to a case ends soon", body=body)


def review_reminder(kind: str, *, for_department: bool = False) -> Reminder:
    """A review date has come: what kind of record, where to sign in, nothing else."""
    subject, what = _REVIEWS[kind]
    if for_department:
        intro = f"{what} your department looks after is due for review."
        link = _site_link(reverse("safety:department_measures"))
    else:
        intro = f"{what} linked to a case you work on is due for review."
        link = _site_link(STAFF_PATH)
    body = f"{intro}\n\nPlease sign in to see it and update it:\n{link}\n\n{_NO_DETAIL}\n"
    return Reminder(subject=subject, body=body)


def _unique(addresses: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for address in addresses:
        if address and address.strip():
            seen.setdefault(address.strip(), None)
    return list(seen)


def _case_staff(case_id: str) -> list[str]:
    return _unique(
        User.objects.filter(case_assignments__case_id=case_id, is_active=True).values_list(
            "email", flat=True
        )
    )


def _triage() -> list[str]:
    institution = institution_get_current()
    return _unique([institution.triage_email if institution else ""])


def _case_id_of(kind: str, row_id: str) -> str | None:
    model: type[Model] = {
        "order": ProtectiveOrder,
        "measure": SafetyMeasure,
        "plan": SafetyPlan,
        "assessment": Assessment,
    }.get(kind, PrecautionaryMeasure)
    path = "process__case_id" if model is PrecautionaryMeasure else "case_id"
    case_id = model._default_manager.filter(pk=row_id).values_list(path, flat=True).first()
    return None if case_id is None else str(case_id)


def _send(reminder: Reminder, recipients: list[str]) -> int:
    # One email per recipient: nobody learns who else was told.
    return sum(send_mail(reminder.subject, reminder.body, None, [to]) for to in recipients)


# Background tasks take an id only: the queue stores its arguments in clear.


@task()
def reminder_send(*, kind: str, row_id: str) -> int:
    """Send one claimed reminder. Returns the number of emails sent."""
    if kind not in {"order", *_REVIEWS}:
        return 0
    case_id = _case_id_of(kind, row_id)
    if case_id is None:
        return 0  # gone since it was claimed
    staff = _case_staff(case_id)
    sent = 0
    if kind == "measure":
        department = (
            SafetyMeasure.objects.filter(pk=row_id)
            .values_list("department__email", flat=True)
            .first()
        )
        departments = _unique([department or ""])
        sent += _send(review_reminder(kind, for_department=True), departments)
        if departments and not staff:
            return sent
    recipients = staff or _triage()
    if not recipients:
        logger.warning("A safety reminder had nobody to go to.")
        return sent
    reminder = order_expiry_reminder() if kind == "order" else review_reminder(kind)
    return sent + _send(reminder, recipients)
