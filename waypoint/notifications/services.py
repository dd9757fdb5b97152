"""Writes for notifications: who is told of what, marking read, the email choice, emails.

Feature services call one `notify_*` function per event, inside their own transaction, so
a write that rolls back leaves no notification behind. Who is told is decided here, and
only through accounts.policy: a person is told about a case only if the policy lets them
see it now (never someone with a conflict of interest, an adviser not assigned, or a
partner of another department). Each event gives each person at most one notification,
and never to the person who caused it.

Emails are content-free ("You have a new notification in Waypoint" and a link): the
reference, names and anything anyone wrote stay behind the sign-in. They go out once the
notification is committed, through a background task that takes an id only (the task
queue stores its arguments in clear). ADR 0033.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Final

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.casework.models import Case, CaseStatus, Message, Task
from waypoint.hub.models import ContentRevision
from waypoint.institution.selectors import institution_get_current
from waypoint.notifications.models import (
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from waypoint.privacy.models import AuditEvent
from waypoint.privacy.services import audit_record
from waypoint.safety.models import Assessment, MeasureStatus, ProtectiveOrder, SafetyMeasure

logger = logging.getLogger(__name__)

K = NotificationKind

# Kinds that already have an email of their own (casework's breach notice reaches the
# leads whatever they chose here), so the notification is not emailed a second time.
NOT_EMAILED: Final = frozenset({K.URGENT_TARGET_MISSED})
# How far ahead a protective order's end is announced (as the safety reminders do).
ORDER_NOTICE_DAYS: Final = 14

EMAIL_SUBJECT: Final = "You have a new notification in Waypoint"
DIGEST_SUBJECT: Final = "You have new notifications in Waypoint"


# --- Creating notifications ---------------------------------------------------------------------


def notify(
    *,
    kind: str,
    recipients: Iterable[User],
    case: Case | None = None,
    object_id: uuid.UUID | None = None,
    due_on: datetime.date | None = None,
    actor: User | None = None,
) -> list[Notification]:
    """One notification of `kind` for each distinct recipient (never `actor`).

    Callers decide recipients through the policy (the `notify_*` functions below). With
    `due_on`, a person already told about this item for this date is not told again.
    Emails go out after commit, per each person's choice.
    """
    seen: set[object] = set()
    created: list[Notification] = []
    for person in recipients:
        if person.pk in seen or not person.is_active or (actor is not None and person == actor):
            continue
        seen.add(person.pk)
        row = Notification(
            recipient=person, kind=kind, case=case, object_id=object_id, due_on=due_on
        )
        if due_on is None:
            row.save(force_insert=True)
        else:
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue  # told about this item for this date already
        created.append(row)
    for row in created:
        if row.kind not in NOT_EMAILED:
            transaction.on_commit(partial(_enqueue_email, str(row.pk)))
    return created


def _staff(*roles: str) -> Iterable[User]:
    return User.objects.filter(role__in=roles, is_active=True).order_by("pk")


def _case_team(case: Case) -> list[User]:
    """The people assigned to the case whom the policy still lets see it."""
    people = User.objects.filter(case_assignments__case=case, is_active=True).order_by("pk")
    return [person for person in people if policy.can(person, "case.view", case)]


def _leads(case: Case) -> list[User]:
    """Case leads (and administrators granted case access) the policy lets see the case."""
    people = User.objects.filter(is_active=True).filter(
        Q(role=Role.CASE_LEAD) | Q(role=Role.ADMINISTRATOR, case_access_granted=True)
    )
    return [person for person in people.order_by("pk") if policy.can(person, "case.view", case)]


def _department(department_id: object, action: str, obj: object) -> list[User]:
    """The partners of a department the policy lets act on `obj` (`action`)."""
    people = _staff(Role.PARTNER)
    return [
        person
        for person in people
        if person.department_id == department_id and policy.can(person, action, obj)
    ]


def _team_or_leads(case: Case) -> list[User]:
    return _case_team(case) or _leads(case)


def notify_reporter_message(*, message: Message) -> list[Notification]:
    """The reporter wrote: the case's team, or the leads when nobody is assigned yet."""
    case = message.case
    team = _case_team(case)
    if team or case.has_assignees():
        return notify(kind=K.REPORTER_MESSAGE, recipients=team, case=case, object_id=message.pk)
    # Nobody has taken the case: the leads who may see it (advisers not assigned may not),
    # and the triage inbox's own address gets a content-free email.
    transaction.on_commit(_enqueue_triage_email)
    return notify(
        kind=K.UNASSIGNED_MESSAGE, recipients=_leads(case), case=case, object_id=message.pk
    )


def notify_log_shared(*, case: Case, opened: bool) -> list[Notification]:
    """The reporter shared incidents from their record: the case's team, or the leads
    when nobody has taken it. A share that opened the case is told as a new case
    (notify_new_case), so nobody is told twice."""
    team = _case_team(case)
    if team or case.has_assignees():
        return notify(kind=K.LOG_SHARED, recipients=team, case=case)
    if opened:
        return []
    return notify(kind=K.LOG_SHARED, recipients=_leads(case), case=case)


def notify_new_case(*, case_id: uuid.UUID | str) -> list[Notification]:
    """A new case from a report: the leads who may see it.

    Called after the report's transaction commits, so that the conflicts of interest
    recorded from the report's answers are already in place.
    """
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return []
    with transaction.atomic():
        return notify(kind=K.NEW_CASE, recipients=_leads(case), case=case)


def notify_urgent_target_missed(*, case_ids: Iterable[str]) -> list[Notification]:
    """Urgent cases past their first-contact target: their team and the leads."""
    created: list[Notification] = []
    for case in Case.objects.filter(pk__in=list(case_ids), is_urgent=True).order_by("pk"):
        created += notify(
            kind=K.URGENT_TARGET_MISSED,
            recipients=[*_case_team(case), *_leads(case)],
            case=case,
        )
    return created


def notify_task_assigned(*, task: Task, actor: User | None) -> list[Notification]:
    """A task given to a person (who may see the case) or to a department's partners."""
    if task.assignee_id is not None:
        person = task.assignee
        recipients = [person] if person and policy.can(person, "case.view", task.case) else []
        kind = K.TASK_ASSIGNED
    elif task.department_id is not None:
        recipients = _department(task.department_id, "task.department", task)
        kind = K.DEPARTMENT_TASK
    else:
        return []
    return notify(kind=kind, recipients=recipients, case=task.case, object_id=task.pk, actor=actor)


def notify_measure_assigned(*, measure: SafetyMeasure, actor: User | None) -> list[Notification]:
    """A university measure given to a department: its partners (never another's)."""
    return notify(
        kind=K.DEPARTMENT_MEASURE,
        recipients=_department(measure.department_id, "measure.department", measure),
        case=measure.case,
        object_id=measure.pk,
        actor=actor,
    )


def notify_content_submitted(*, revision: ContentRevision) -> list[Notification]:
    """A revision waits for approval: every administrator who may review it (not its author)."""
    reviewers = [
        person
        for person in _staff(Role.ADMINISTRATOR)
        if policy.can(person, "content.review", revision)
    ]
    return notify(kind=K.CONTENT_TO_REVIEW, recipients=reviewers, object_id=revision.pk)


def notify_content_decided(*, revision: ContentRevision, reviewer: User) -> list[Notification]:
    """A revision was approved or sent back: its author."""
    author = revision.author
    if author is None or not policy.can(author, "content.edit", revision):
        return []
    approved = revision.status == ContentRevision.Status.APPROVED
    return notify(
        kind=K.CONTENT_APPROVED if approved else K.CONTENT_SENT_BACK,
        recipients=[author],
        object_id=revision.pk,
        actor=reviewer,
    )


# --- Reviews and orders falling due (the scheduled job) ----------------------------------------


@dataclass(frozen=True)
class DueRun:
    assessments: int
    orders: int
    measures: int


def notifications_send_due(*, today: datetime.date | None = None) -> DueRun:
    """Tell people about risk assessment reviews, measure reviews and protective orders
    that are due. Idempotent: one notification per person, item and due date, however
    often it runs (`manage.py send_due_notifications`, daily or more often)."""
    today = today or timezone.localdate()
    counts = {"assessments": 0, "orders": 0, "measures": 0}
    with transaction.atomic():
        newer = Assessment.objects.filter(
            case=OuterRef("case"), assessed_at__gt=OuterRef("assessed_at")
        )
        assessments = (
            Assessment.objects.filter(next_review_on__lte=today)
            .exclude(case__status=CaseStatus.CLOSED)
            .exclude(Exists(newer))  # only a case's latest assessment
            .select_related("case")
            .order_by("pk")
        )
        for assessment in assessments:
            counts["assessments"] += len(
                notify(
                    kind=K.ASSESSMENT_REVIEW_DUE,
                    recipients=_team_or_leads(assessment.case),
                    case=assessment.case,
                    object_id=assessment.pk,
                    due_on=assessment.next_review_on,
                )
            )
        orders = (
            ProtectiveOrder.objects.filter(
                expires_on__gte=today,
                expires_on__lte=today + datetime.timedelta(days=ORDER_NOTICE_DAYS),
            )
            .select_related("case")
            .order_by("pk")
        )
        for order in orders:
            counts["orders"] += len(
                notify(
                    kind=K.ORDER_EXPIRING,
                    recipients=_team_or_leads(order.case),
                    case=order.case,
                    object_id=order.pk,
                    due_on=order.expires_on,
                )
            )
        measures = (
            SafetyMeasure.objects.filter(review_on__lte=today)
            .exclude(status=MeasureStatus.ENDED)
            .exclude(case__status=CaseStatus.CLOSED)
            .select_related("case")
            .order_by("pk")
        )
        for measure in measures:
            counts["measures"] += len(
                notify(
                    kind=K.MEASURE_REVIEW_DUE,
                    recipients=_department(measure.department_id, "measure.department", measure),
                    case=measure.case,
                    object_id=measure.pk,
                    due_on=measure.review_on,
                )
            )
        audit_record(
            actor=None,
            action="notifications.due_sent",
            object_type="notifications.notification",
            extra=counts,
            actor_kind=AuditEvent.ActorKind.SYSTEM,
        )
    return DueRun(**counts)


# --- Reading and choices ------------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: uuid.UUID) -> bool:
    """Mark one of `user`'s own notifications read. False when there is no such one of theirs."""
    policy.require(user, "notifications.mine")
    found = Notification.objects.filter(pk=notification_id, recipient=user)
    if not found.exists():
        return False
    found.filter(read_at__isnull=True).update(read_at=timezone.now())
    return True


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of `user` read; returns how many."""
    policy.require(user, "notifications.mine")
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def email_choice_of(user: User) -> str:
    choice = (
        NotificationPreference.objects.filter(user=user).values_list("email", flat=True).first()
    )
    return choice or EmailChoice.IMMEDIATELY


def email_choice_set(*, user: User, choice: str) -> NotificationPreference:
    """Save how `user` wants to be emailed (audited: it decides what reaches their inbox)."""
    policy.require(user, "notifications.mine")
    if choice not in EmailChoice.values:
        raise ValueError("Choose one of the email options.")
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.update_or_create(
            user=user, defaults={"email": choice}
        )
        audit_record(
            actor=user,
            action="notifications.email_choice",
            object_type="notifications.preference",
            object_id=str(user.pk),
            extra={"email": choice},
        )
    return preference


# --- Emails ---------------------------------------------------------------------------------------


def _site_link(path: str) -> str:
    base = str(getattr(settings, "WAYPOINT_SITE_URL", "") or "").rstrip("/")
    return f"{base}{path}"


def email_body(*, summary: bool = False) -> str:
    """The only words a notification email ever carries: no reference, name or content."""
    opening = (
        "You have new notifications in Waypoint."
        if summary
        else "You have a new notification in Waypoint."
    )
    return (
        f"{opening}\n\n"
        "Please sign in to see it:\n"
        f"{_site_link(reverse('notifications:list'))}\n\n"
        "This email deliberately contains no details of any case or of the people "
        "involved. You can choose how you are emailed on the notifications page.\n"
    )


def _enqueue_email(notification_id: str) -> None:
    notification_email_send.enqueue(notification_id=notification_id)


def _enqueue_triage_email() -> None:
    triage_email_send.enqueue()


@task()
def notification_email_send(*, notification_id: str) -> int:
    """Email the recipient of one notification, if they chose to be emailed straight away
    and have not read it yet. Claimed with a conditional UPDATE: sent at most once."""
    row = (
        Notification.objects.filter(pk=notification_id, read_at__isnull=True, emailed_at=None)
        .select_related("recipient")
        .first()
    )
    if row is None or not row.recipient.is_active or row.kind in NOT_EMAILED:
        return 0
    if email_choice_of(row.recipient) != EmailChoice.IMMEDIATELY:
        return 0
    if not Notification.objects.filter(pk=row.pk, emailed_at=None).update(
        emailed_at=timezone.now()
    ):
        return 0
    return send_mail(EMAIL_SUBJECT, email_body(), None, [row.recipient.email])


@task()
def triage_email_send() -> int:
    """A content-free note to the triage inbox's address (Institution.triage_email)."""
    institution = institution_get_current()
    if institution is None or not institution.triage_email:
        return 0
    return send_mail(EMAIL_SUBJECT, email_body(), None, [institution.triage_email])


def digests_send(*, now: datetime.datetime | None = None) -> int:
    """One summary email to each person who chose a daily summary and has unread
    notifications not yet emailed. Each row is claimed once, so a second run the same day
    (or two at once) sends nothing new. Returns the number of emails sent."""
    now = now or timezone.now()
    daily = NotificationPreference.objects.filter(
        email=EmailChoice.DAILY, user__is_active=True
    ).select_related("user")
    sent = 0
    for preference in daily.order_by("pk"):
        with transaction.atomic():
            claimed = (
                Notification.objects.filter(
                    recipient=preference.user, read_at__isnull=True, emailed_at=None
                )
                .exclude(kind__in=NOT_EMAILED)
                .update(emailed_at=now)
            )
        if claimed:
            sent += send_mail(
                DIGEST_SUBJECT, email_body(summary=True), None, [preference.user.email]
            )
    audit_record(
        actor=None,
        action="notifications.digests_sent",
        object_type="notifications.notification",
        extra={"emails": sent},
        actor_kind=AuditEvent.ActorKind.SYSTEM,
    )
    return sent
