"""The lead's overview: open university measures, open tasks and caseloads (issue 12).

Everything here, counts included, is computed over the cases the lead may see (the
inbox's rule for a lead: every case that is not restricted, a restricted one only when
they are named on it, never one they have a conflict of interest on). A hidden case is
left out entirely rather than counted: even "one more case on this adviser's list" tells
someone with a conflict that a case they are kept from exists (ADR 0034).

One query per table whatever the number of cases (pinned in test_lead_overview.py), and
one audit entry naming the cases whose references the page shows.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any, Final

from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.casework.models import Case, CaseAssignment, CaseStatus, Task, TaskStatus
from waypoint.casework.selectors.inbox import inbox_cases_for_staff
from waypoint.institution.models import Department
from waypoint.privacy.services import audit_record
from waypoint.safety.models import MeasureStatus, SafetyMeasure

CASE_OBJECT_TYPE: Final = "casework.case"
OPEN_TASK_STATUSES: Final = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)

# ?sort= values for the measures table: (label, ordering).
MEASURE_SORTS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "review": ("Review date", ("review_on", "department__name")),
    "department": ("Department", ("department__name", "review_on")),
    "status": ("Status", ("status", "review_on")),
    "measure": ("Measure", ("kind", "review_on")),
}
DEFAULT_SORT: Final = "review"
# A page of the measures table; the audit entry names the cases of one page (its metadata
# is kept small), and the counts above the table cover every page.
MEASURES_PER_PAGE: Final = 40


@dataclass(frozen=True)
class MeasureRow:
    case_id: uuid.UUID
    reference: str
    kind: str
    department: str
    status: str
    review_on: datetime.date | None
    review_overdue: bool


@dataclass(frozen=True)
class TaskLoad:
    owner: str
    owner_kind: str  # "Person" or "Department"
    open: int
    overdue: int
    next_due: datetime.date | None


@dataclass(frozen=True)
class Caseload:
    adviser: str
    role: str
    open: int
    urgent: int
    overdue_first_contact: int


@dataclass(frozen=True)
class LeadOverview:
    measures: list[MeasureRow]
    measures_total: int
    page: int
    pages: int
    measure_counts: list[tuple[str, dict[str, int]]]  # department -> status label -> count
    status_labels: list[str]
    tasks: list[TaskLoad]
    caseloads: list[Caseload]
    unassigned_open: int
    unassigned_overdue: int
    departments: list[Department]
    department: Department | None
    sort: str
    open_cases: int


def _visible_open_cases(user: User) -> QuerySet[Case]:
    # advisers_may_claim does not apply to a lead: their rule has no claiming branch.
    visible = inbox_cases_for_staff(user=user, advisers_may_claim=False)
    return visible.exclude(status=CaseStatus.CLOSED)


def _open_measures(cases: QuerySet[Case], department: Department | None) -> QuerySet[SafetyMeasure]:
    measures = SafetyMeasure.objects.filter(case__in=cases).exclude(status=MeasureStatus.ENDED)
    if department is not None:
        measures = measures.filter(department=department)
    return measures


def _measure_counts(
    measures: QuerySet[SafetyMeasure],
) -> tuple[list[tuple[str, dict[str, int]]], list[str], int]:
    """Department -> status label -> count over every open measure (one query)."""
    statuses = dict(MeasureStatus.choices)
    labels = [str(label) for value, label in MeasureStatus.choices if value != MeasureStatus.ENDED]
    counts: dict[str, dict[str, int]] = {}
    total = 0
    grouped = measures.values("department__name", "status").annotate(n=Count("pk")).order_by()
    for row in grouped:
        label = str(statuses.get(row["status"], row["status"]))
        counts.setdefault(row["department__name"], dict.fromkeys(labels, 0))[label] = row["n"]
        total += row["n"]
    return sorted(counts.items()), labels, total


def _measure_page(
    measures: QuerySet[SafetyMeasure], sort: str, page: int, today: datetime.date
) -> list[MeasureRow]:
    ordering = [
        F(name).asc(nulls_last=True) if name == "review_on" else F(name).asc()
        for name in MEASURE_SORTS[sort][1]
    ]
    start = (page - 1) * MEASURES_PER_PAGE
    rows = measures.order_by(*ordering, "pk").values(
        "case_id", "case__report__reference", "kind", "department__name", "status", "review_on"
    )[start : start + MEASURES_PER_PAGE]
    kinds = dict(SafetyMeasure._meta.get_field("kind").choices or [])
    statuses = dict(MeasureStatus.choices)
    return [
        MeasureRow(
            case_id=row["case_id"],
            reference=row["case__report__reference"],
            kind=str(kinds.get(row["kind"], row["kind"])),
            department=row["department__name"],
            status=str(statuses.get(row["status"], row["status"])),
            review_on=row["review_on"],
            review_overdue=row["review_on"] is not None and row["review_on"] < today,
        )
        for row in rows
    ]


def _page_number(value: object, pages: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return 1
    return min(max(number, 1), pages)


def _tasks(
    cases: QuerySet[Case], department: Department | None, today: datetime.date
) -> tuple[list[dict[str, Any]], set[uuid.UUID]]:
    tasks = Task.objects.filter(case__in=cases, status__in=OPEN_TASK_STATUSES)
    if department is not None:
        tasks = tasks.filter(department=department)
    grouped = (
        tasks.values("assignee_id", "department_id", "department__name")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            next_due=Min("due_on"),
        )
        .order_by()
    )
    rows: list[dict[str, Any]] = [dict(row) for row in grouped]
    people = {row["assignee_id"] for row in rows if row["assignee_id"] is not None}
    return rows, people


def _caseloads(cases: QuerySet[Case], now: datetime.datetime) -> list[dict[str, Any]]:
    overdue = Q(
        case__clock__first_contact_at__isnull=True, case__clock__first_contact_due_at__lt=now
    )
    grouped = (
        CaseAssignment.objects.filter(case__in=cases)
        .values("user_id")
        .annotate(
            open=Count("case", distinct=True),
            urgent=Count("case", filter=Q(case__is_urgent=True), distinct=True),
            overdue=Count("case", filter=overdue, distinct=True),
        )
        .order_by()
    )
    return [dict(row) for row in grouped]


def lead_overview_for_lead(
    *,
    user: User,
    department_slug: str = "",
    sort: str = "",
    page: object = 1,
    now: datetime.datetime | None = None,
) -> LeadOverview:
    """The overview for a lead ("lead.overview"), and one audit entry naming the cases
    whose references it shows (ids and counts only)."""
    policy.require(user, "lead.overview")
    now = now or timezone.now()
    today = timezone.localdate(now)
    sort = sort if sort in MEASURE_SORTS else DEFAULT_SORT
    departments = list(Department.objects.order_by("name"))
    department = next((d for d in departments if d.slug == department_slug), None)
    cases = _visible_open_cases(user)

    open_measures = _open_measures(cases, department)
    measure_counts, status_labels, measures_total = _measure_counts(open_measures)
    pages = max(1, -(-measures_total // MEASURES_PER_PAGE))
    page_number = _page_number(page, pages)
    measures = _measure_page(open_measures, sort, page_number, today)
    task_rows, task_people = _tasks(cases, department, today)
    load_rows = _caseloads(cases, now)
    unassigned = cases.exclude(assignments__isnull=False).aggregate(
        open=Count("pk"),
        overdue=Count(
            "pk",
            filter=Q(clock__first_contact_at__isnull=True, clock__first_contact_due_at__lt=now),
        ),
    )
    open_cases = cases.count()

    # Everyone named in a table, and every adviser (an adviser with nothing open is news too).
    loads = {row["user_id"]: row for row in load_rows}
    staff = {
        person.pk: person
        for person in User.objects.filter(
            Q(pk__in=set(loads) | task_people) | Q(role=Role.ADVISER, is_active=True)
        )
    }
    caseloads = sorted(
        (
            Caseload(
                adviser=str(person),
                role=person.role_label,
                open=int(loads.get(person.pk, {}).get("open", 0)),
                urgent=int(loads.get(person.pk, {}).get("urgent", 0)),
                overdue_first_contact=int(loads.get(person.pk, {}).get("overdue", 0)),
            )
            for person in staff.values()
            if person.pk in loads or person.role == Role.ADVISER
        ),
        key=lambda load: (-load.overdue_first_contact, -load.open, load.adviser.lower()),
    )
    tasks = sorted(
        (
            TaskLoad(
                owner=(
                    str(staff[row["assignee_id"]])
                    if row["assignee_id"] is not None and row["assignee_id"] in staff
                    else str(row["department__name"] or "Nobody")
                ),
                owner_kind="Person" if row["assignee_id"] is not None else "Department",
                open=int(row["open"]),
                overdue=int(row["overdue"]),
                next_due=row["next_due"],
            )
            for row in task_rows
        ),
        key=lambda load: (-load.overdue, -load.open, load.owner.lower()),
    )
    audit_record(
        actor=user,
        action="lead.overview_viewed",
        object_type=CASE_OBJECT_TYPE,
        extra={
            "open_cases": open_cases,
            "department": department.slug if department is not None else "",
            "page": page_number,
            "case_ids": sorted({str(row.case_id) for row in measures}),
        },
    )
    return LeadOverview(
        measures=measures,
        measures_total=measures_total,
        page=page_number,
        pages=pages,
        measure_counts=measure_counts,
        status_labels=status_labels,
        tasks=tasks,
        caseloads=caseloads,
        unassigned_open=int(unassigned["open"]),
        unassigned_overdue=int(unassigned["overdue"]),
        departments=departments,
        department=department,
        sort=sort,
        open_cases=open_cases,
    )
