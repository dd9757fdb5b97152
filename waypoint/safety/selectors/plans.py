"""Reads of safety plans and university measures, with the access rules applied.

- The case team reads a case's plan and measures through "safety.plan" on the case.
- A partner department reads its own department's measures ("measure.department"):
  kind, brief, status and dates. Never the case, its reference, the report, a measure's
  `detail`, or another department's measures; `detail` is not even loaded for them. A
  measure they may not see answers 404, exactly as one that does not exist.
- The reporter reads a shared plan: its active actions and the kinds and statuses of
  the measures, in plain words. The measures' brief and detail are never loaded.

Lists state the policy's rule as SQL (each says which rule it mirrors), so they make a
fixed number of queries however many rows there are.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import Http404

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseConflict, EntryKind, TimelineEntry
from waypoint.casework.selectors import case_get_for_staff
from waypoint.privacy.services import audit_record
from waypoint.reporting.models import Report
from waypoint.safety.models import (
    MeasureKind,
    MeasureStatus,
    PlanAction,
    PlanArea,
    SafetyMeasure,
    SafetyPlan,
)
from waypoint.safety.services.plans import MEASURE_OBJECT_TYPE

MEASURE_PAGE_SIZE: Final = 20
SHOW_CURRENT: Final = "current"
SHOW_ENDED: Final = "ended"

# What a reporter reads for a measure's status: plain words, no jargon.
REPORTER_STATUS: Final[dict[str, str]] = {
    MeasureStatus.PROPOSED: "Being talked through",
    MeasureStatus.AGREED: "Agreed, being arranged",
    MeasureStatus.IN_PLACE: "In place",
    MeasureStatus.ENDED: "Ended",
}


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Http404 from None


# --- The case team -----------------------------------------------------------------------------


def plan_case_get_for_staff(*, user: User, case_id: uuid.UUID | str) -> Case:
    """The case, if `user` may work on its safety plan ("safety.plan"); else Http404."""
    case = case_get_for_staff(user=user, case_id=case_id)
    policy.require(user, "safety.plan", case)
    return case


@dataclass(frozen=True)
class RetiredAction:
    action: PlanAction
    retired_at: datetime.datetime | None


@dataclass(frozen=True)
class AreaActions:
    area: str
    label: str
    actions: list[PlanAction]
    retired: list[RetiredAction]


@dataclass(frozen=True)
class PlanPage:
    """The plan page: the plan (None until the first write), its areas and measures."""

    case: Case
    plan: SafetyPlan | None
    areas: list[AreaActions]
    measures: list[SafetyMeasure]

    @property
    def shared_at(self) -> datetime.datetime | None:
        return self.plan.shared_with_reporter_at if self.plan else None

    @property
    def next_review_on(self) -> datetime.date | None:
        return self.plan.next_review_on if self.plan else None


def _areas(
    actions: Sequence[PlanAction], retired_at: dict[str, datetime.datetime]
) -> list[AreaActions]:
    return [
        AreaActions(
            area=area,
            label=label,
            actions=[a for a in actions if a.area == area and a.is_active],
            retired=[
                RetiredAction(action=a, retired_at=retired_at.get(str(a.pk)))
                for a in actions
                if a.area == area and not a.is_active
            ],
        )
        for area, label in PlanArea.choices
    ]


def _retired_at(case: Case) -> dict[str, datetime.datetime]:
    """When each retired action was retired, from the case timeline (one query)."""
    entries = TimelineEntry.objects.filter(
        case=case, kind=EntryKind.SAFETY_PLAN, detail__event="action_retired"
    ).values_list("detail", "occurred_at")
    return {str(detail.get("action_id")): when for detail, when in entries}


def plan_page_for_staff(*, case: Case) -> PlanPage:
    """Everything on the plan page, in four queries whatever the plan holds (two when
    there is no plan yet). `case` comes from plan_case_get_for_staff, which asked the
    policy; the briefs and notes of measures are not loaded (they are on their pages)."""
    plan = SafetyPlan.objects.filter(case=case).first()
    actions: list[PlanAction] = []
    retired_at: dict[str, datetime.datetime] = {}
    if plan is not None:
        actions = list(
            PlanAction.objects.filter(plan=plan)
            .select_related("data_key")
            .order_by("created_at", "id")
        )
        retired_at = _retired_at(case)
    measures = list(
        SafetyMeasure.objects.filter(case=case)
        .defer("brief", "detail")
        .select_related("department")
        .order_by("created_at", "id")
    )
    return PlanPage(case=case, plan=plan, areas=_areas(actions, retired_at), measures=measures)


def plan_action_get_for_staff(*, case: Case, action_id: uuid.UUID | str) -> PlanAction:
    """An action of this case's plan; Http404 for any other id. `case` comes from
    plan_case_get_for_staff, which asked the policy."""
    action = (
        PlanAction.objects.select_related("plan")
        .filter(pk=_as_uuid(action_id), plan__case=case)
        .first()
    )
    if action is None:
        raise Http404
    return action


# --- One measure: the case team or the owner department ------------------------------------------


@dataclass(frozen=True)
class MeasureAccess:
    """A measure and how its viewer sees it: `team` (the case team's full view) or as a
    partner of its department (kind, brief, status and dates only)."""

    measure: SafetyMeasure
    team: bool


def measure_get_for_staff(*, user: User, measure_id: uuid.UUID | str) -> MeasureAccess:
    """The measure, if `user` may see it; otherwise Http404 (the same as a missing one).

    The case team ("safety.plan" on the case) gets the full view. A partner of the owner
    department ("measure.department") without a conflict of interest on the case gets the
    minimal view, and the measure is loaded without `detail` so it cannot leak.
    """
    pk = _as_uuid(measure_id)
    if policy.can(user, "measure.department"):
        measure = (
            SafetyMeasure.objects.defer("detail")
            .select_related("data_key")
            .filter(pk=pk, data_key__isnull=False)
            .first()
        )
        if (
            measure is None
            or not policy.can(user, "measure.department", measure)
            or CaseConflict.objects.filter(case_id=measure.case_id, user=user).exists()
        ):
            raise Http404
        return MeasureAccess(measure=measure, team=False)
    measure = (
        SafetyMeasure.objects.select_related("case__report", "department", "data_key")
        .filter(pk=pk)
        .first()
    )
    if measure is None or not policy.can(user, "safety.plan", measure.case):
        raise Http404
    return MeasureAccess(measure=measure, team=True)


# --- A partner department's measures -------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentMeasures:
    department: str
    show: str
    page: Page[SafetyMeasure]
    measures: list[SafetyMeasure]


def department_measures_for_partner(
    *, user: User, show: str, page_number: str | None
) -> DepartmentMeasures:
    """The partner's department's measures, a page at a time, with one audit event.

    Mirrors "measure.department": only measures whose department is the user's (none
    without a department), never one of a case they have a conflict of interest on.
    `show`: "current" (not ended; the soonest review first) or "ended". A fixed number
    of queries however many measures there are.
    """
    policy.require(user, "measure.department")
    show = SHOW_ENDED if show == SHOW_ENDED else SHOW_CURRENT
    rows = (
        SafetyMeasure.objects.defer("detail")
        .select_related("data_key")
        .filter(data_key__isnull=False)
        .exclude(case__conflicts__user=user)
    )
    if user.department_id is None:
        rows = rows.none()
    else:
        rows = rows.filter(department_id=user.department_id)
    if show == SHOW_ENDED:
        rows = rows.filter(status=MeasureStatus.ENDED).order_by("-ends_on", "-created_at", "id")
    else:
        rows = rows.exclude(status=MeasureStatus.ENDED).order_by("review_on", "created_at", "id")
    page = Paginator(rows, MEASURE_PAGE_SIZE).get_page(page_number)
    measures = list(page.object_list)
    audit_record(
        actor=user,
        action="measure.list",
        object_type=MEASURE_OBJECT_TYPE,
        extra={
            "department_id": str(user.department_id) if user.department_id else None,
            "show": show,
            "count": page.paginator.count,
            "page": page.number,
            "measure_ids": [str(m.pk) for m in measures],
        },
    )
    department = user.department.name if user.department_id and user.department else ""
    return DepartmentMeasures(department=department, show=show, page=page, measures=measures)


# --- The case page's panel -------------------------------------------------------------------


@dataclass(frozen=True)
class PanelMeasure:
    kind: str
    department: str


@dataclass(frozen=True)
class PanelStatus:
    status: str
    label: str
    measures: list[PanelMeasure]


@dataclass(frozen=True)
class PlanPanel:
    has_plan: bool
    shared_at: datetime.datetime | None
    next_review_on: datetime.date | None
    action_count: int
    statuses: list[PanelStatus]


def plan_panel_for(*, user: User, case: Case) -> PlanPanel | None:
    """The case page's summary of the plan; None for a viewer without "safety.plan".

    Two queries after the policy's: the plan with its count of active actions, and the
    measures' kinds, statuses and departments.
    """
    if not policy.can(user, "safety.plan", case):
        return None
    plan = (
        SafetyPlan.objects.filter(case=case)
        .annotate(active=Count("actions", filter=Q(actions__is_active=True)))
        .only("id", "shared_with_reporter_at", "next_review_on")
        .first()
    )
    kinds = dict(MeasureKind.choices)
    by_status: dict[str, list[PanelMeasure]] = {status: [] for status in MeasureStatus.values}
    for kind, status, department in (
        SafetyMeasure.objects.filter(case=case)
        .order_by("created_at", "id")
        .values_list("kind", "status", "department__name")
    ):
        by_status.setdefault(status, []).append(
            PanelMeasure(kind=kinds.get(kind, kind), department=department)
        )
    labels = dict(MeasureStatus.choices)
    return PlanPanel(
        has_plan=plan is not None,
        shared_at=plan.shared_with_reporter_at if plan else None,
        next_review_on=plan.next_review_on if plan else None,
        action_count=int(getattr(plan, "active", 0)) if plan else 0,
        statuses=[
            PanelStatus(status=status, label=labels.get(status, status), measures=measures)
            for status, measures in by_status.items()
            if measures
        ],
    )


# --- The reporter ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReporterArea:
    label: str
    actions: list[str]


@dataclass(frozen=True)
class ReporterMeasure:
    kind: str
    status: str


@dataclass(frozen=True)
class ReporterPlan:
    """What a returning reporter reads. `shared` False: nothing else is filled in."""

    shared: bool
    shared_at: datetime.datetime | None = None
    next_review_on: datetime.date | None = None
    areas: tuple[ReporterArea, ...] = ()
    measures: tuple[ReporterMeasure, ...] = ()


NOT_SHARED: Final = ReporterPlan(shared=False)


def reporter_plan_for_report(*, report: Report) -> ReporterPlan:
    """The report's safety plan as its reporter may read it, once the adviser shares it.

    The active actions by area (areas with none are left out), and each measure's kind
    and status in plain words. Only kind and status are read from the measures: their
    brief and detail never leave the database for this page.
    """
    case: Case | None = getattr(report, "case", None)
    if case is None:
        return NOT_SHARED
    case_id = case.pk
    plan = SafetyPlan.objects.filter(case_id=case_id, shared_with_reporter_at__isnull=False).first()
    if plan is None:
        return NOT_SHARED
    actions = list(
        PlanAction.objects.filter(plan=plan, is_active=True)
        .select_related("data_key")
        .order_by("created_at", "id")
    )
    areas = tuple(
        ReporterArea(label=label, actions=[a.text or "" for a in actions if a.area == area])
        for area, label in PlanArea.choices
        if any(a.area == area for a in actions)
    )
    kinds = dict(MeasureKind.choices)
    measures = tuple(
        ReporterMeasure(kind=kinds.get(kind, kind), status=REPORTER_STATUS.get(status, ""))
        for kind, status in SafetyMeasure.objects.filter(case_id=case_id)
        .order_by("created_at", "id")
        .values_list("kind", "status")
    )
    return ReporterPlan(
        shared=True,
        shared_at=plan.shared_with_reporter_at,
        next_review_on=plan.next_review_on,
        areas=areas,
        measures=measures,
    )
