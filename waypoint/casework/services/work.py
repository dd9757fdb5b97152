"""Tasks on a case, and the scheduled notices job (response-time breaches, overdue tasks).

A task belongs to exactly one owner: a member of staff who may see the case, or a
partner department. Its title and brief are sealed with the case's key; the timeline
and the audit log get ids and choice values only.

The notices job (`manage.py casework_notices`, every few minutes) claims each due notice
with a conditional UPDATE (`... WHERE notified_at IS NULL`): of two runs at once, or a
run repeated, exactly one claims a row, so each notice is sent once. Emails go out once
the claim commits, through a background task that takes an id and nothing else, and
they say only that something needs attention and where to sign in (notices.py).
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Final

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Model, Q
from django.http import Http404
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.casework import notices
from waypoint.casework.models import (
    Case,
    CaseClock,
    CaseStatus,
    EntryKind,
    Task,
    TaskStatus,
)
from waypoint.casework.services.timeline import timeline_add
from waypoint.institution.models import Department
from waypoint.institution.selectors import institution_get_current
from waypoint.notifications import services as notifications
from waypoint.privacy.models import AuditEvent
from waypoint.privacy.services import audit_record

logger = logging.getLogger(__name__)

TASK_OBJECT_TYPE: Final = "casework.task"
TASK_TITLE_MAX_CHARS: Final = 200
TASK_BRIEF_MAX_CHARS: Final = 2_000
TASK_NOTE_MAX_CHARS: Final = 2_000
OPEN_TASK_STATUSES: Final = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
# Statuses a partner department or the task's own assignee may set; cancelling a task
# is the case team's decision.
OWNER_TASK_STATUSES: Final = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.DONE)


class TaskError(ValueError):
    """A task change Waypoint will not make (the text is safe to show to the person)."""


# --- Tasks ----------------------------------------------------------------------------------


def _checked_text(value: str | None, *, limit: int, what: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise TaskError(
            f"The {what} is {len(text):,} characters long, and the limit is {limit:,}. "
            "Could you shorten it?"
        )
    return text


@transaction.atomic
def task_create(
    *,
    case: Case,
    actor: User,
    title: str,
    brief: str,
    assignee: User | None = None,
    department: Department | None = None,
    due_on: datetime.date | None = None,
) -> Task:
    """Add a task to a case ("case.task"; Http404 if the actor may not).

    Exactly one owner: `assignee`, a member of staff who may see the case (accounts
    .policy "case.view"), or `department`. A department task needs a brief: it is all
    the department is shown. TaskError (a ValueError) when refused.
    """
    policy.require(actor, "case.task", case)
    title_text = _checked_text(title, limit=TASK_TITLE_MAX_CHARS, what="title")
    brief_text = _checked_text(brief, limit=TASK_BRIEF_MAX_CHARS, what="brief")
    if not title_text:
        raise TaskError("Give the task a short title.")
    if (assignee is None) == (department is None):
        raise TaskError("Choose one person or one department to do this task.")
    if assignee is not None and not policy.can(assignee, "case.view", case):
        raise TaskError(
            "That person cannot see this case, so they cannot take the task. Assign them "
            "to the case first, or choose someone else."
        )
    if department is not None and not brief_text:
        raise TaskError("Write a brief for the department: it is all they will see of this case.")
    if due_on is not None and due_on < timezone.localdate():
        raise TaskError("Choose a due date from today onwards.")
    if case.data_key_id is None:
        raise TaskError("This case has been erased, so tasks can no longer be added.")
    task_row = Task(
        case=case,
        data_key_id=case.data_key_id,
        assignee=assignee,
        department=department,
        due_on=due_on,
        created_by=actor,
    )
    task_row.title = title_text
    task_row.brief = brief_text or None
    task_row.save(force_insert=True)
    owner = "person" if assignee is not None else "department"
    timeline_add(
        case=case,
        kind=EntryKind.TASK,
        actor=actor,
        task=task_row,
        detail={
            "event": "created",
            "task_id": str(task_row.pk),
            "owner": owner,
            "status": task_row.status,
        },
    )
    audit_record(
        actor=actor,
        action="task.created",
        object_type=TASK_OBJECT_TYPE,
        object_id=str(task_row.pk),
        extra={
            "case_id": str(case.pk),
            "owner": owner,
            "assignee_id": str(assignee.pk) if assignee is not None else None,
            "department_id": str(department.pk) if department is not None else None,
        },
    )
    notifications.notify_task_assigned(task=task_row, actor=actor)
    return task_row


def task_statuses_for(*, user: User, task: Task) -> tuple[str, ...]:
    """The statuses `user` may set on `task` (empty: they may not change it at all).

    The case team ("case.task" on the case) may set any status. A partner of the task's
    department ("task.department") and the task's own assignee may move it between to
    do, in progress and done. Nobody with a conflict of interest on the case.
    """
    if policy.can(user, "case.task", task.case):
        return tuple(TaskStatus.values)
    if task.case.has_conflict(user.pk):
        return ()
    if policy.can(user, "task.department", task):
        return tuple(OWNER_TASK_STATUSES)
    if task.assignee_id == user.pk and policy.can(user, "work.mine"):
        return tuple(OWNER_TASK_STATUSES)
    return ()


@transaction.atomic
def task_update(*, task: Task, actor: User, status: str, note: str | None = None) -> Task:
    """Change a task's status, with an optional note for the case team.

    Allowed to the assignee, anyone with "case.task" on the case, and a partner of the
    task's department (task_statuses_for); Http404 for anyone else. Done sets
    completed_at (any other status clears it). TaskError when refused.
    """
    locked = (
        Task.objects.select_for_update(of=("self",))
        .select_related("case", "data_key")
        .get(pk=task.pk)
    )
    allowed = task_statuses_for(user=actor, task=locked)
    if not allowed:
        raise Http404
    if status not in TaskStatus.values:
        raise TaskError("Choose a status from the list.")
    if status not in allowed:
        raise TaskError("Only the case team can cancel a task.")
    note_text = _checked_text(note, limit=TASK_NOTE_MAX_CHARS, what="note")
    previous = locked.status
    if status == previous and not note_text:
        raise TaskError("Choose a new status, or write a note, before saving.")
    if note_text and locked.case.data_key_id is None:
        raise TaskError("This case has been erased, so notes can no longer be added.")
    if status != previous:
        locked.status = status
        locked.completed_at = timezone.now() if status == TaskStatus.DONE else None
        locked.save(update_fields=["status", "completed_at"])
    timeline_add(
        case=locked.case,
        kind=EntryKind.TASK,
        actor=actor,
        task=locked,
        text=note_text or None,
        detail={
            "event": "status",
            "task_id": str(locked.pk),
            "status": status,
            "previous": previous,
        },
    )
    audit_record(
        actor=actor,
        action="task.updated",
        object_type=TASK_OBJECT_TYPE,
        object_id=str(locked.pk),
        extra={
            "case_id": str(locked.case_id),
            "status": status,
            "previous": previous,
            "with_note": bool(note_text),
        },
    )
    task.status, task.completed_at = locked.status, locked.completed_at
    return locked


def task_record_view(*, task: Task, user: User, full: bool) -> None:
    """Audit that `user` opened a task's page (ids only; `full`: with the case team's view)."""
    audit_record(
        actor=user,
        action="task.view",
        object_type=TASK_OBJECT_TYPE,
        object_id=str(task.pk),
        extra={"case_id": str(task.case_id), "full": full},
    )


# --- Notices (the scheduled job) --------------------------------------------------------------

_BLANK_LINES: Final = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class NoticeRun:
    """What one run of the notices job claimed (each is then sent once, after commit)."""

    breaches: int
    overdue_tasks: int


def _render(template: str, context: dict[str, str]) -> str:
    text = render_to_string(f"casework/email/{template}", context)
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"


def breach_notice(*, urgent: bool = False) -> notices.Notice:
    """A case has passed its first-contact target: no reference, no names, no content.

    Whether it is urgent is said, as the triage notice does: it is why the leads are told.
    """
    body = _render(
        "breach_notice.txt",
        {"staff_url": notices.site_link(notices.STAFF_PATH), "urgent": "yes" if urgent else ""},
    )
    if urgent:
        return notices.Notice(
            subject="An urgent case has passed its first-contact target", body=body
        )
    return notices.Notice(subject="A case has passed its first-contact target", body=body)


def task_overdue_notice() -> notices.Notice:
    """A task is overdue: where to sign in, and nothing about the task or its case."""
    body = _render(
        "task_overdue_notice.txt", {"work_url": notices.site_link(reverse("casework:my_work"))}
    )
    return notices.Notice(subject="A task is overdue", body=body)


def _due_breaches(now: datetime.datetime) -> Q:
    return Q(
        first_contact_due_at__lt=now,
        first_contact_at__isnull=True,
        breach_notified_at__isnull=True,
    ) & ~Q(case__status=CaseStatus.CLOSED)


def _due_overdue_tasks(today: datetime.date) -> Q:
    return Q(due_on__lt=today, status__in=OPEN_TASK_STATUSES, overdue_notified_at__isnull=True)


def _candidates(model: type[Model], condition: Q) -> list[tuple[str, str]]:
    """(pk, case_id) of the rows whose notice looks due (not yet claimed)."""
    # In primary-key order, so that two runs lock rows in the same order (no deadlock).
    rows: Iterable[tuple[object, object]] = (
        model._default_manager.filter(condition).order_by("pk").values_list("pk", "case_id")
    )
    return [(str(pk), str(case_id)) for pk, case_id in rows]


def _claim(
    model: type[Model], condition: Q, field: str, now: datetime.datetime
) -> list[tuple[str, str]]:
    """Mark each due row notified, one conditional UPDATE per row, and return the
    (pk, case_id) of the rows this run claimed. The condition is asked again in the UPDATE,
    so a row another run claimed meanwhile (or whose notice stopped being due) is skipped.
    """
    manager = model._default_manager
    return [
        (pk, case_id)
        for pk, case_id in _candidates(model, condition)
        if manager.filter(condition, pk=pk).update(**{field: now})
    ]


def notices_send_due(*, now: datetime.datetime | None = None) -> NoticeRun:
    """Claim every due notice and send each once, after commit. Safe to run at any time.

    (a) A case still waiting for first contact after its target, and not closed: the
    triage inbox and the case's assigned staff are told, and for an urgent case (whose
    target is hours, not days: ADR 0028) the case leads who may see it too. (b) An open
    task past its due date: its assignee, or its department's inbox, is told. One
    "notices.sent" audit event per run, with the counts.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        breaches = _claim(CaseClock, _due_breaches(now), "breach_notified_at", now)
        overdue = _claim(Task, _due_overdue_tasks(today), "overdue_notified_at", now)
        audit_record(
            actor=None,
            action="notices.sent",
            object_type="casework.notices",
            extra={"breaches": len(breaches), "overdue_tasks": len(overdue)},
            actor_kind=AuditEvent.ActorKind.SYSTEM,
        )
        notifications.notify_urgent_target_missed(case_ids=[case_id for _, case_id in breaches])
        for _, case_id in breaches:
            transaction.on_commit(partial(_enqueue_breach_notice, case_id))
        for task_id, _ in overdue:
            transaction.on_commit(partial(_enqueue_task_overdue_notice, task_id))
    return NoticeRun(breaches=len(breaches), overdue_tasks=len(overdue))


def _enqueue_breach_notice(case_id: str) -> None:
    breach_notice_send.enqueue(case_id=case_id)


def _enqueue_task_overdue_notice(task_id: str) -> None:
    task_overdue_notice_send.enqueue(task_id=task_id)


def _unique(addresses: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for address in addresses:
        if address and address.strip():
            seen.setdefault(address.strip(), None)
    return list(seen)


# Background tasks take an id only: the queue stores its arguments in clear (tasks.py).


def _leads_who_may_see(case: Case) -> list[str]:
    """The addresses of the active case leads whom accounts.policy lets see `case`: never
    one with a conflict of interest, nor one not granted a restricted case."""
    leads = User.objects.filter(role=Role.CASE_LEAD, is_active=True).order_by("email")
    return [lead.email for lead in leads if policy.can(lead, "case.view", case)]


@task()
def breach_notice_send(*, case_id: str) -> int:
    """Email the triage inbox and the case's assigned staff about a missed first-contact
    target, and for an urgent case every case lead who may see it (ADR 0028). Returns
    the number of emails sent (0 or 1)."""
    institution = institution_get_current()
    triage = [institution.triage_email] if institution and institution.triage_email else []
    staff = User.objects.filter(case_assignments__case_id=case_id, is_active=True).values_list(
        "email", flat=True
    )
    case = Case.objects.filter(pk=case_id).only("id", "is_urgent", "restricted").first()
    urgent = case is not None and case.is_urgent
    leads = _leads_who_may_see(case) if case is not None and urgent else []
    recipients = _unique([*triage, *staff, *leads])
    if not recipients:
        logger.warning("A first-contact breach notice had nobody to go to.")
        return 0
    notice = breach_notice(urgent=urgent)
    return send_mail(notice.subject, notice.body, None, recipients)


@task()
def task_overdue_notice_send(*, task_id: str) -> int:
    """Email an overdue task's assignee, or its department's inbox (the triage inbox when
    the department has none). Returns the number of emails sent (0 or 1)."""
    row = (
        Task.objects.filter(pk=task_id)
        .select_related("assignee", "department")
        .only("id", "assignee__email", "assignee__is_active", "department__email")
        .first()
    )
    if row is None:
        return 0
    recipients: list[str] = []
    if row.assignee is not None and row.assignee.is_active:
        recipients = _unique([row.assignee.email])
    elif row.department is not None:
        recipients = _unique([row.department.email])
    if not recipients:
        institution = institution_get_current()
        recipients = _unique([institution.triage_email if institution else ""])
    if not recipients:
        logger.warning("An overdue task notice had nobody to go to.")
        return 0
    notice = task_overdue_notice()
    return send_mail(notice.subject, notice.body, None, recipients)
