"""Reads for messages, tasks and "my work", with the access rules applied.

Whether a person may see a task is asked of accounts.policy: the case team through
"case.view" on the task's case, a partner department through "task.department", and the
task's own assignee through "work.mine". A task nobody lets them see is a 404, exactly
as one that does not exist. Lists cannot ask the policy row by row without a query per
row, so they state the same rule as SQL (each says which rule it mirrors).

A partner sees the minimum a department needs to act: the task's title, brief, due date
and status. Never the case, its reference, the report or the other tasks of the case.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Final

from django.core.paginator import Page, Paginator
from django.db.models import Case as DbCase
from django.db.models import (
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.casework.calendar import WorkingCalendar
from waypoint.casework.models import (
    Case,
    CaseAssignment,
    CaseConflict,
    CaseGrant,
    CaseStatus,
    EntryKind,
    Message,
    MessageDirection,
    ReplyTemplate,
    Task,
    TaskStatus,
    TimelineEntry,
)
from waypoint.casework.selectors.inbox import ResponseClock, response_clock
from waypoint.casework.services.intake import CASE_OBJECT_TYPE
from waypoint.casework.services.work import OPEN_TASK_STATUSES, task_statuses_for
from waypoint.institution.models import Department, Institution
from waypoint.privacy.models import AuditEvent
from waypoint.privacy.services import audit_record

WORK_PAGE_SIZE: Final = 20
STATUS_LABELS: Final[dict[str, str]] = dict(TaskStatus.choices)


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Http404 from None


# --- Messages -----------------------------------------------------------------------------------


def messages_last_seen_by(*, user: User, case: Case) -> datetime.datetime | None:
    """When `user` last read this case's messages (their latest "message.read"), or None.

    Read from the audit log, which records every staff reading of a conversation; the
    index on (object_type, object_id, seq) keeps it to this case's own events.
    """
    return (
        AuditEvent.objects.filter(
            object_type=CASE_OBJECT_TYPE,
            object_id=str(case.pk),
            action="message.read",
            actor_kind=AuditEvent.ActorKind.STAFF,
            actor_id=str(user.pk),
        )
        .order_by("-seq")
        .values_list("occurred_at", flat=True)
        .first()
    )


def message_is_new_for(message: Message, last_seen: datetime.datetime | None) -> bool:
    """A reporter's message this member of staff had not seen before (unread marker)."""
    if message.direction != MessageDirection.FROM_REPORTER:
        return False
    return last_seen is None or message.sent_at > last_seen


def staff_names(user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Display names of the staff who wrote messages, in one query."""
    if not user_ids:
        return {}
    return {
        pk: display_name or email
        for pk, display_name, email in User.objects.filter(pk__in=user_ids).values_list(
            "pk", "display_name", "email"
        )
    }


def message_channel_closed_reason(*, case: Case) -> str | None:
    """Why the team cannot write to this reporter, in plain words; None when they can.

    The same conditions as services.message_send_from_staff, which refuses in these cases.
    """
    report = case.report
    if report.withdrawn_at is not None:
        return (
            "The reporter withdrew this report on "
            f"{date_format(timezone.localtime(report.withdrawn_at), 'j F Y')}, so they cannot "
            "be sent messages. What they wrote before stays here."
        )
    if not report.wants_messages:
        return (
            "The reporter chose not to receive messages, so there is no reply box. Please "
            "respect that choice and use the contact details they gave, if any."
        )
    if case.data_key_id is None:
        return "This case has been erased, so messages can no longer be sent."
    return None


def reply_templates_active() -> list[ReplyTemplate]:
    return list(ReplyTemplate.objects.filter(is_active=True))


def reply_template_in(templates: list[ReplyTemplate], template_id: object) -> ReplyTemplate | None:
    """The template of `templates` named by `template_id` (from a query string), or None."""
    wanted = str(template_id or "")
    return next((template for template in templates if str(template.pk) == wanted), None)


# --- Tasks --------------------------------------------------------------------------------------


def _lead_like() -> Q:
    return Q(role=Role.CASE_LEAD) | Q(role=Role.ADMINISTRATOR, case_access_granted=True)


def task_owner_people(*, case: Case) -> QuerySet[User]:
    """Staff who may see `case` and so may be given one of its tasks.

    Mirrors accounts.policy's case rule ("case.view"): never someone with a conflict of
    interest; an adviser only when assigned; a case lead (or an administrator granted case
    access) on any unrestricted case, and on a restricted one only when assigned or
    granted. The service asks the policy itself about the person finally chosen.
    """
    assigned = Exists(CaseAssignment.objects.filter(case=case, user=OuterRef("pk")))
    granted = Exists(CaseGrant.objects.filter(case=case, user=OuterRef("pk")))
    conflicted = Exists(CaseConflict.objects.filter(case=case, user=OuterRef("pk")))
    leads = _lead_like() if not case.restricted else _lead_like() & (assigned | granted)
    return (
        User.objects.filter(is_active=True)
        .filter((Q(role=Role.ADVISER) & assigned) | leads)
        .exclude(conflicted)
        .only("id", "display_name", "email", "role")
        .order_by("display_name", "email")
    )


def departments_all() -> QuerySet[Department]:
    return Department.objects.only("id", "name").order_by("name")


def _overdue_first(tasks: QuerySet[Task], today: datetime.date) -> QuerySet[Task]:
    return tasks.annotate(
        overdue_rank=DbCase(
            When(due_on__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("overdue_rank", F("due_on").asc(nulls_last=True), "created_at", "id")


@dataclass(frozen=True)
class TaskRow:
    """One task in a list. `title` is decrypted; nothing about the case."""

    task_id: uuid.UUID
    title: str
    owner: str
    due_on: datetime.date | None
    status: str
    status_label: str
    overdue: bool


def _owner_label(task: Task) -> str:
    if task.assignee_id is not None and task.assignee is not None:
        return task.assignee.display_name or task.assignee.email
    if task.department is not None:
        return task.department.name
    return "Nobody"


def _row(task: Task, today: datetime.date) -> TaskRow:
    return TaskRow(
        task_id=task.pk,
        title=task.title or "",
        owner=_owner_label(task),
        due_on=task.due_on,
        status=task.status,
        status_label=STATUS_LABELS.get(task.status, task.status),
        overdue=task_is_overdue(task, today),
    )


def task_is_overdue(task: Task, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return task.due_on is not None and task.due_on < today and task.status in OPEN_TASK_STATUSES


def _task_rows_queryset() -> QuerySet[Task]:
    return Task.objects.select_related("data_key", "assignee", "department").only(
        "id",
        "case_id",
        "data_key",
        "title",
        "assignee__id",
        "assignee__display_name",
        "assignee__email",
        "department__id",
        "department__name",
        "due_on",
        "status",
        "created_at",
    )


def tasks_for_case(*, user: User, case: Case) -> list[TaskRow]:
    """Every task of the case, open ones first, overdue first ("case.view"; 404 if not)."""
    policy.require(user, "case.view", case)
    today = timezone.localdate()
    tasks = _task_rows_queryset().filter(case=case)
    ordered = tasks.annotate(
        closed_rank=DbCase(
            When(status__in=OPEN_TASK_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        overdue_rank=DbCase(
            When(due_on__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    ).order_by("closed_rank", "overdue_rank", F("due_on").asc(nulls_last=True), "created_at")
    return [_row(task, today) for task in ordered]


@dataclass(frozen=True)
class TaskAccess:
    """A task as one person may see it.

    `team`: they may see its case (the case link, the history of updates). Otherwise they
    are its department's partner or its assignee, and see only the minimum facts.
    `statuses`: the statuses they may set (services.task_statuses_for).
    """

    task: Task
    team: bool
    statuses: tuple[str, ...]
    overdue: bool


def task_get_for_staff(*, user: User, task_id: uuid.UUID | str) -> TaskAccess:
    """The task, if `user` may see it; otherwise Http404 (the same as a missing one)."""
    task = (
        Task.objects.select_related("case", "data_key", "assignee", "department")
        .filter(pk=_as_uuid(task_id))
        .first()
    )
    if task is None:
        raise Http404
    team = policy.can(user, "case.view", task.case)
    statuses = task_statuses_for(user=user, task=task)
    # Outside the case team: a partner of the task's department, or its assignee, while
    # they may change it (task_statuses_for refuses anyone with a conflict on the case).
    if not team and not statuses:
        raise Http404
    return TaskAccess(task=task, team=team, statuses=statuses, overdue=task_is_overdue(task))


@dataclass(frozen=True)
class TaskUpdate:
    occurred_at: datetime.datetime
    actor: str
    status_label: str
    previous_label: str
    note: str


def task_updates_for_team(*, user: User, task: Task) -> list[TaskUpdate]:
    """The history of a task from the case timeline, for the case team only."""
    policy.require(user, "case.view", task.case)
    entries = (
        TimelineEntry.objects.filter(case_id=task.case_id, task=task, kind=EntryKind.TASK)
        .select_related("data_key", "actor")
        .order_by("occurred_at", "id")
    )
    return [
        TaskUpdate(
            occurred_at=entry.occurred_at,
            actor=(entry.actor.display_name or entry.actor.email) if entry.actor else "Someone",
            status_label=STATUS_LABELS.get(str(entry.detail.get("status", "")), ""),
            previous_label=STATUS_LABELS.get(str(entry.detail.get("previous", "")), ""),
            note=entry.text or "",
        )
        for entry in entries
    ]


# --- My work ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    case_id: uuid.UUID
    reference: str
    status_label: str
    is_urgent: bool
    clock: ResponseClock


@dataclass(frozen=True)
class MyWork:
    """The "my work" page: for a partner, their department's open tasks only."""

    is_partner: bool
    department: str
    tasks: list[TaskRow]
    task_page: Page[Task]
    cases: list[CaseRow]
    case_page: Page[Case] | None


def _my_cases(user: User) -> QuerySet[Case]:
    # Assigned to them (an assignment is what lets an adviser see a case, and a lead a
    # restricted one: the policy's case rule), open, and no conflict of interest.
    mine = CaseAssignment.objects.filter(case=OuterRef("pk"), user=user)
    conflicted = CaseConflict.objects.filter(case=OuterRef("pk"), user=user)
    return (
        Case.objects.filter(Exists(mine))
        .exclude(Exists(conflicted))
        .exclude(status=CaseStatus.CLOSED)
        .select_related("report", "clock")
        .only(
            "id",
            "status",
            "is_urgent",
            "report__reference",
            "clock__first_contact_due_at",
            "clock__first_contact_at",
        )
        .order_by(
            F("clock__first_contact_at").asc(nulls_first=True), "clock__first_contact_due_at", "id"
        )
    )


def my_work_for_staff(
    *,
    user: User,
    task_page: str | int | None = None,
    case_page: str | int | None = None,
    institution: Institution | None = None,
    now: datetime.datetime | None = None,
) -> MyWork:
    """The open tasks and cases of `user` ("work.mine"; 403 if not allowed), a page each.

    A partner: the open tasks of their department, and nothing else. Everyone else: the
    open tasks given to them by name, and the open cases they are assigned to with their
    response clocks. Overdue tasks come first. A fixed number of queries however many
    tasks and cases there are; one "work.view" audit event naming the tasks and cases shown.
    """
    policy.require(user, "work.mine")
    now = now or timezone.now()
    today = timezone.localdate(now)
    is_partner = user.role == Role.PARTNER
    open_tasks = _task_rows_queryset().filter(status__in=OPEN_TASK_STATUSES)
    # Never a task of a case they have a conflict of interest on, whatever their role.
    open_tasks = open_tasks.exclude(
        Exists(CaseConflict.objects.filter(case=OuterRef("case_id"), user=user))
    )
    if is_partner:
        # "task.department": only their own department's tasks.
        if user.department_id is None:
            open_tasks = open_tasks.none()
        else:
            open_tasks = open_tasks.filter(department_id=user.department_id)
    else:
        open_tasks = open_tasks.filter(assignee=user)
    task_page_obj = Paginator(_overdue_first(open_tasks, today), WORK_PAGE_SIZE).get_page(task_page)
    tasks = [_row(task, today) for task in task_page_obj.object_list]

    cases: list[CaseRow] = []
    case_page_obj: Page[Case] | None = None
    if not is_partner:
        case_page_obj = Paginator(_my_cases(user), WORK_PAGE_SIZE).get_page(case_page)
        calendar = WorkingCalendar.for_institution(institution)
        labels = dict(CaseStatus.choices)
        for case in case_page_obj.object_list:
            clock = getattr(case, "clock", None)
            cases.append(
                CaseRow(
                    case_id=case.pk,
                    reference=case.report.reference,
                    status_label=labels.get(case.status, case.status),
                    is_urgent=case.is_urgent,
                    clock=response_clock(
                        due_at=clock.first_contact_due_at if clock else None,
                        contacted_at=clock.first_contact_at if clock else None,
                        closed=False,
                        now=now,
                        calendar=calendar,
                        urgent=case.is_urgent,
                    ),
                )
            )
    audit_record(
        actor=user,
        action="work.view",
        object_type="casework.task",
        extra={
            "count": task_page_obj.paginator.count,
            "page": task_page_obj.number,
            "task_ids": [str(row.task_id) for row in tasks],
            "case_ids": [str(row.case_id) for row in cases],
        },
    )
    return MyWork(
        is_partner=is_partner,
        department=user.department.name if is_partner and user.department else "",
        tasks=tasks,
        task_page=task_page_obj,
        cases=cases,
        case_page=case_page_obj,
    )
