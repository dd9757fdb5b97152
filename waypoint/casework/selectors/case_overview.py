"""The Overview section of a case: what the team needs to know and do now, on one screen.

The report in a few lines, what is due (open tasks, reviews, orders ending), the
reporter's unread messages (how many and when, never their words: reading them is the
Messages section's job, which marks them read), the latest risk band, and the open
university measures with their departments. A fixed number of queries, whatever the
number of timeline entries, messages or tasks (only the first few tasks are read).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Final

from django.db.models import Case as DbCase
from django.db.models import Count, F, IntegerField, Max, Value, When
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework.models import Case, Message, MessageDirection, Task
from waypoint.casework.selectors.case_frame import (
    DueItem,
    RiskFact,
    SafetyFacts,
    risk_fact_for,
    safety_facts_for,
)
from waypoint.casework.services.work import OPEN_TASK_STATUSES
from waypoint.privacy.crypto import DecryptionError
from waypoint.reporting.selectors import ReviewRow, report_summary_for_reporter

# Enough to act on at a glance; the sections hold the rest.
REPORT_LINES: Final = 4
REPORT_LINE_CHARS: Final = 160
TASKS_SHOWN: Final = 5
DUE_SHOWN: Final = 6


@dataclass(frozen=True)
class ReportLine:
    label: str
    value: str


@dataclass(frozen=True)
class Unread:
    count: int
    latest_at: datetime.datetime | None


@dataclass(frozen=True)
class Overview:
    report_lines: tuple[ReportLine, ...]
    report_erased: bool
    report_more: bool  # the report says more than these lines
    due: tuple[DueItem, ...]  # tasks, reviews and orders, soonest first
    due_more: bool
    unread: Unread
    risk: RiskFact | None
    safety: SafetyFacts


def _line(row: ReviewRow) -> ReportLine:
    value = ", ".join(row.value) if isinstance(row.value, list) else str(row.value)
    value = " ".join(value.split())
    if len(value) > REPORT_LINE_CHARS:
        value = value[: REPORT_LINE_CHARS - 1].rstrip() + "…"
    return ReportLine(label=row.label, value=value)


def _report_lines(case: Case) -> tuple[tuple[ReportLine, ...], bool, bool]:
    try:
        sections = report_summary_for_reporter(case.report)
    except DecryptionError:
        return (), True, False
    rows = [row for section in sections for row in section.rows]
    return tuple(_line(row) for row in rows[:REPORT_LINES]), False, len(rows) > REPORT_LINES


def _tasks(case: Case, today: datetime.date) -> tuple[list[DueItem], bool]:
    """The first open tasks, dated ones soonest first; and whether there are more."""
    tasks = (
        Task.objects.filter(case=case, status__in=OPEN_TASK_STATUSES)
        .select_related("data_key")
        .only("id", "data_key", "title", "due_on", "created_at")
        .annotate(
            dated=DbCase(
                When(due_on__isnull=True, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("dated", F("due_on").asc(nulls_last=True), "created_at", "id")
    )
    items: list[DueItem] = []
    found = list(tasks[: TASKS_SHOWN + 1])
    for task in found[:TASKS_SHOWN]:
        try:
            title = task.title or "A task"
        except DecryptionError:
            title = "A task (its words were erased)"
        href = reverse("casework:task", kwargs={"task_id": task.pk})
        due_on = task.due_on
        items.append(
            DueItem(
                label=f"Task: {title}",
                due_on=due_on,
                overdue=due_on is not None and due_on < today,
                href=href,
            )
        )
    return items, len(found) > TASKS_SHOWN


def _unread(case: Case) -> Unread:
    found = Message.objects.filter(
        case=case, direction=MessageDirection.FROM_REPORTER, read_at__isnull=True
    ).aggregate(count=Count("id"), latest=Max("sent_at"))
    return Unread(count=int(found["count"] or 0), latest_at=found["latest"])


def overview_for_staff(*, user: User, case: Case) -> Overview:
    """The Overview of `case` for `user` (who may see it: the caller asked the policy)."""
    today = timezone.localdate()
    lines, erased, more = _report_lines(case)
    tasks, more_tasks = _tasks(case, today)
    risk = risk_fact_for(user=user, case=case)
    safety = safety_facts_for(user=user, case=case)
    due = sorted(
        [*tasks, *safety.due], key=lambda item: (item.due_on or datetime.date.max, item.label)
    )
    return Overview(
        report_lines=lines,
        report_erased=erased,
        report_more=more,
        due=tuple(due[:DUE_SHOWN]),
        due_more=len(due) > DUE_SHOWN or more_tasks,
        unread=_unread(case),
        risk=risk,
        safety=safety,
    )
