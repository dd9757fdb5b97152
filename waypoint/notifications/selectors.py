"""Reads for notifications and the staff home ("Today"), with the access rules applied.

A notification stays visible only while its recipient may still see what it is about:
the case (the policy's case rule), their department's task or measure, or the content
revision. The list cannot ask the policy row by row without a query per row, so
`_visible` states the same rules as SQL (each part says which rule it mirrors). A
notification about a case someone has since lost (a conflict recorded, unassigned) is
not shown at all, and not counted.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Final

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import (
    Case,
    CaseAssignment,
    CaseConflict,
    CaseStatus,
    Message,
    MessageDirection,
    Task,
)
from waypoint.casework.selectors.inbox import inbox_cases_for_staff
from waypoint.casework.selectors.work import CaseRow, TaskRow, my_work_for_staff
from waypoint.hub.models import ContentRevision
from waypoint.notifications.models import Notification, NotificationKind
from waypoint.privacy.services import audit_record
from waypoint.safety.models import SafetyMeasure

K = NotificationKind
PAGE_SIZE: Final = 20
TODAY_NOTIFICATIONS: Final = 5
# "Due" on the Today page: overdue, or due within this many days.
DUE_SOON_DAYS: Final = 7

# Kinds about a case, shown to someone the case rule ("case.view") lets see the case.
CASE_KINDS: Final = frozenset(
    {
        K.REPORTER_MESSAGE,
        K.UNASSIGNED_MESSAGE,
        K.NEW_CASE,
        K.URGENT_TARGET_MISSED,
        K.TASK_ASSIGNED,
        K.ASSESSMENT_REVIEW_DUE,
        K.ORDER_EXPIRING,
        K.LOG_SHARED,
    }
)
TASK_KINDS: Final = frozenset({K.DEPARTMENT_TASK})  # "task.department"
MEASURE_KINDS: Final = frozenset({K.DEPARTMENT_MEASURE, K.MEASURE_REVIEW_DUE})
REVIEW_KINDS: Final = frozenset({K.CONTENT_TO_REVIEW})  # "content.review"
AUTHOR_KINDS: Final = frozenset({K.CONTENT_APPROVED, K.CONTENT_SENT_BACK})  # "content.edit"

# The plain sentence each kind shows; "{reference}" only ever in a case kind.
SENTENCES: Final[dict[str, str]] = {
    K.REPORTER_MESSAGE: "The reporter sent a new message on case {reference}.",
    K.UNASSIGNED_MESSAGE: (
        "The reporter sent a new message on case {reference}, which nobody has taken yet."
    ),
    K.NEW_CASE: "A new case, {reference}, is waiting in the triage queue.",
    K.URGENT_TARGET_MISSED: "Urgent case {reference} has passed its first-contact target.",
    K.TASK_ASSIGNED: "You have been given a task on case {reference}.",
    K.DEPARTMENT_TASK: "Your department has been given a task.",
    K.DEPARTMENT_MEASURE: "Your department has been asked to put a safety measure in place.",
    K.MEASURE_REVIEW_DUE: "A safety measure your department looks after is due for review.",
    K.CONTENT_TO_REVIEW: "A content change is waiting for your review.",
    K.CONTENT_APPROVED: "Your content change was approved.",
    K.CONTENT_SENT_BACK: "Your content change was sent back with a note.",
    K.ASSESSMENT_REVIEW_DUE: "The risk assessment on case {reference} is due for review.",
    K.ORDER_EXPIRING: "A protective order on case {reference} ends on {due}.",
    K.LOG_SHARED: "The reporter shared incidents from their record on case {reference}.",
}
# What the link under each sentence says.
LINK_LABELS: Final[dict[str, str]] = {
    K.REPORTER_MESSAGE: "Read the message",
    K.UNASSIGNED_MESSAGE: "Open the case",
    K.NEW_CASE: "Open the case",
    K.URGENT_TARGET_MISSED: "Open the case",
    K.TASK_ASSIGNED: "Open the task",
    K.DEPARTMENT_TASK: "Open the task",
    K.DEPARTMENT_MEASURE: "Open the measure",
    K.MEASURE_REVIEW_DUE: "Open the measure",
    K.CONTENT_TO_REVIEW: "Review the change",
    K.CONTENT_APPROVED: "See the change",
    K.CONTENT_SENT_BACK: "See the note",
    K.ASSESSMENT_REVIEW_DUE: "See the risk assessments",
    K.ORDER_EXPIRING: "See the order",
    K.LOG_SHARED: "See the timeline",
}


def _visible(user: User) -> Q | None:
    """The notifications of `user` they may still see, as one filter (None: none at all)."""
    parts: list[Q] = []
    if policy.can(user, "case.view"):
        # The case rule, as the inbox states it (never a conflict; advisers: assigned).
        cases = inbox_cases_for_staff(user=user, advisers_may_claim=False)
        parts.append(Q(kind__in=CASE_KINDS, case__in=cases.values("pk")))
    if user.department_id is not None:
        conflicted = CaseConflict.objects.filter(case=OuterRef("case_id"), user=user)
        if policy.can(user, "task.department"):
            tasks = Task.objects.filter(department_id=user.department_id).exclude(
                Exists(conflicted)
            )
            parts.append(Q(kind__in=TASK_KINDS, object_id__in=tasks.values("pk")))
        if policy.can(user, "measure.department"):
            measures = SafetyMeasure.objects.filter(department_id=user.department_id).exclude(
                Exists(conflicted)
            )
            parts.append(Q(kind__in=MEASURE_KINDS, object_id__in=measures.values("pk")))
    if policy.can(user, "content.review"):
        others = ContentRevision.objects.exclude(author=user)  # never their own (four eyes)
        parts.append(Q(kind__in=REVIEW_KINDS, object_id__in=others.values("pk")))
    if policy.can(user, "content.edit"):
        own = ContentRevision.objects.filter(author=user)
        parts.append(Q(kind__in=AUTHOR_KINDS, object_id__in=own.values("pk")))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def notifications_visible_to(user: User) -> QuerySet[Notification]:
    mine = Notification.objects.filter(recipient=user)
    visible = _visible(user)
    return mine.none() if visible is None else mine.filter(visible)


def unread_count_for(user: object) -> int:
    """The header's count: one query, or none for someone without notifications."""
    if not isinstance(user, User) or not policy.can(user, "notifications.mine"):
        return 0
    visible = _visible(user)
    if visible is None:
        return 0
    return Notification.objects.filter(visible, recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class NotificationRow:
    id: uuid.UUID
    sentence: str
    link_label: str
    href: str
    created_at: datetime.datetime
    unread: bool
    urgent: bool


# Where each kind's link goes: (URL name, what its argument is).
_TARGETS: Final[dict[str, tuple[str, str]]] = {
    K.TASK_ASSIGNED: ("casework:task", "object"),
    K.DEPARTMENT_TASK: ("casework:task", "object"),
    K.DEPARTMENT_MEASURE: ("safety:measure", "object"),
    K.MEASURE_REVIEW_DUE: ("safety:measure", "object"),
    K.CONTENT_TO_REVIEW: ("content:revision", "object"),
    K.CONTENT_APPROVED: ("content:revision", "object"),
    K.CONTENT_SENT_BACK: ("content:revision", "object"),
    K.ASSESSMENT_REVIEW_DUE: ("safety:assessments", "case"),
    K.ORDER_EXPIRING: ("safety:processes", "case"),
    K.LOG_SHARED: ("casework:timeline", "case"),
}


def _href(row: Notification) -> str:
    name, argument = _TARGETS.get(row.kind, ("casework:case", "case"))
    value = row.object_id if argument == "object" else row.case_id
    if value is None:
        return reverse("notifications:list")
    return reverse(name, args=[value])


def _as_row(row: Notification) -> NotificationRow:
    reference = ""
    urgent = False
    if row.kind in CASE_KINDS and row.case is not None:
        # Only case kinds, which _visible shows only to someone who may see the case.
        reference = row.case.report.reference
        urgent = row.case.is_urgent
    due = row.due_on.strftime("%-d %B %Y") if row.due_on else "a date soon"
    return NotificationRow(
        id=row.pk,
        sentence=SENTENCES.get(row.kind, "Something needs your attention.").format(
            reference=reference, due=due
        ),
        link_label=LINK_LABELS.get(row.kind, "Open"),
        href=_href(row),
        created_at=row.created_at,
        unread=row.read_at is None,
        urgent=urgent or row.kind == K.URGENT_TARGET_MISSED,
    )


def _rows_queryset(user: User) -> QuerySet[Notification]:
    return (
        notifications_visible_to(user)
        .select_related("case__report")
        .only(
            "id",
            "kind",
            "case_id",
            "object_id",
            "due_on",
            "created_at",
            "read_at",
            "case__id",
            "case__is_urgent",
            "case__report__id",
            "case__report__reference",
        )
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class NotificationPage:
    rows: list[NotificationRow]
    page: Page[Notification]
    unread: int


def _case_ids(rows: list[Notification]) -> list[str]:
    """The cases whose reference the rows show (case kinds only)."""
    return sorted({str(row.case_id) for row in rows if row.case_id and row.kind in CASE_KINDS})


def _audit_shown(user: User, action: str, case_ids: list[str], **extra: object) -> None:
    audit_record(
        actor=user,
        action=action,
        object_type="notifications.notification",
        extra={"case_ids": case_ids, **extra},
    )


def notifications_page_for(*, user: User, page: str | int | None = None) -> NotificationPage:
    """A page of `user`'s own notifications, newest first ("notifications.mine"; 403).

    Fixed queries however many there are; one "notifications.view" audit event naming the
    cases whose references were shown.
    """
    policy.require(user, "notifications.mine")
    page_obj = Paginator(_rows_queryset(user), PAGE_SIZE).get_page(page)
    found = list(page_obj.object_list)
    rows = [_as_row(row) for row in found]
    unread = unread_count_for(user)
    _audit_shown(user, "notifications.view", _case_ids(found), page=page_obj.number)
    return NotificationPage(rows=rows, page=page_obj, unread=unread)


# --- Today (the staff home) -----------------------------------------------------------------


@dataclass(frozen=True)
class UnreadCase:
    case_id: uuid.UUID
    reference: str
    unread: int
    is_urgent: bool


@dataclass(frozen=True)
class Today:
    due_tasks: list[TaskRow]
    more_tasks: bool
    overdue_contacts: list[CaseRow]
    unread_cases: list[UnreadCase]
    notifications: list[NotificationRow]
    unread_notifications: int
    shows_work: bool
    is_partner: bool


def _unread_messages_on_my_cases(user: User) -> list[UnreadCase]:
    """The open cases assigned to `user` (no conflict) with reporter messages nobody read."""
    unread = (
        Message.objects.filter(
            case=OuterRef("pk"), direction=MessageDirection.FROM_REPORTER, read_at__isnull=True
        )
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    mine = CaseAssignment.objects.filter(case=OuterRef("pk"), user=user)
    conflicted = CaseConflict.objects.filter(case=OuterRef("pk"), user=user)
    cases = (
        Case.objects.filter(Exists(mine))
        .exclude(Exists(conflicted))
        .exclude(status=CaseStatus.CLOSED)
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
        .filter(unread__gt=0)
        .select_related("report")
        .only("id", "is_urgent", "report__id", "report__reference")
        .order_by("-is_urgent", "opened_at")[:PAGE_SIZE]
    )
    return [
        UnreadCase(
            case_id=case.pk,
            reference=case.report.reference,
            unread=case.unread,
            is_urgent=case.is_urgent,
        )
        for case in cases
    ]


def today_for_staff(*, user: User, now: datetime.datetime | None = None) -> Today:
    """What is due, unread and overdue for `user` ("staff.home"; 403 if not allowed).

    Their open tasks overdue or due within a week, the first contacts overdue on their
    cases and their cases with unread messages from the reporter (through "work.mine":
    a partner sees only their department's tasks), and their newest unread notifications.
    """
    policy.require(user, "staff.home")
    now = now or timezone.now()
    today = timezone.localdate(now)
    due_tasks: list[TaskRow] = []
    more_tasks = False
    overdue: list[CaseRow] = []
    unread_cases: list[UnreadCase] = []
    shows_work = policy.can(user, "work.mine")
    if shows_work:
        # Overdue first, then by due date: the first page holds everything due soonest.
        work = my_work_for_staff(user=user, now=now)
        soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
        due_tasks = [row for row in work.tasks if row.due_on is not None and row.due_on <= soon]
        more_tasks = work.task_page.paginator.count > len(due_tasks)
        overdue = [row for row in work.cases if row.clock.state == "overdue"]
        if not work.is_partner:
            unread_cases = _unread_messages_on_my_cases(user)
    notifications: list[NotificationRow] = []
    unread_notifications = 0
    if policy.can(user, "notifications.mine"):
        newest = list(_rows_queryset(user).filter(read_at__isnull=True)[:TODAY_NOTIFICATIONS])
        notifications = [_as_row(row) for row in newest]
        unread_notifications = unread_count_for(user)
        case_ids = _case_ids(newest) + [str(row.case_id) for row in unread_cases]
        _audit_shown(user, "today.view", sorted(set(case_ids)))
    return Today(
        due_tasks=due_tasks,
        more_tasks=more_tasks,
        overdue_contacts=overdue,
        unread_cases=unread_cases,
        notifications=notifications,
        unread_notifications=unread_notifications,
        shows_work=shows_work,
        is_partner=shows_work
        and user.department_id is not None
        and not policy.can(user, "case.list"),
    )
