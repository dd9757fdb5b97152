"""What the safety app shows in a case's frame: the latest risk band (identity bar) and the
open measures and dates falling due (Overview). Registered with casework from
SafetyConfig.ready(), since casework, below safety, may not import it (ADR 0031).

Each answer asks accounts.policy first ("safety.assess", "safety.plan", "safety.process")
and costs a fixed number of queries. Nothing here is audited: the section that shows it
records the opening of the case.
"""

from __future__ import annotations

import datetime
from typing import Final

from django.urls import reverse
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.casework.selectors.case_frame import (
    DueItem,
    OpenMeasure,
    RiskFact,
    SafetyFacts,
    frame_sources_register,
)
from waypoint.safety.models import (
    MeasureKind,
    MeasureStatus,
    OrderKind,
    ProtectiveOrder,
    SafetyMeasure,
    SafetyPlan,
)
from waypoint.safety.selectors.risk import risk_panel_for

# An order ending within this many days is shown as due; one that ended a week ago or more
# is history (the processes page keeps it).
ORDER_WARNING_DAYS: Final = 28
ORDER_ENDED_SHOWN_DAYS: Final = 7


def risk_fact(user: User, case: Case) -> RiskFact | None:
    panel = risk_panel_for(user=user, case=case)
    if panel is None or panel.latest is None:
        return None
    latest = panel.latest
    return RiskFact(
        band=latest.band,
        band_key=latest.band_key,
        assessed_on=timezone.localtime(latest.assessed_at).date(),
        next_review_on=latest.next_review_on,
        review_due=latest.review_due,
        href=reverse("safety:assessment", kwargs={"assessment_id": latest.assessment_id}),
    )


def _plan_facts(case: Case, today: datetime.date) -> tuple[list[OpenMeasure], list[DueItem]]:
    plan_url = reverse("safety:plan", kwargs={"case_id": case.pk})
    due: list[DueItem] = []
    review = SafetyPlan.objects.filter(case=case).values_list("next_review_on", flat=True).first()
    if review is not None:
        due.append(DueItem("Safety plan review", review, review < today, f"{plan_url}#review"))
    kinds, statuses = dict(MeasureKind.choices), dict(MeasureStatus.choices)
    measures = []
    for pk, kind, status, department, review_on in (
        SafetyMeasure.objects.filter(case=case)
        .exclude(status=MeasureStatus.ENDED)
        .order_by("created_at", "id")
        .values_list("pk", "kind", "status", "department__name", "review_on")
    ):
        href = reverse("safety:measure", kwargs={"measure_id": pk})
        label = str(kinds.get(kind, kind))
        measures.append(
            OpenMeasure(label, department, str(statuses.get(status, status)), review_on, href)
        )
        if review_on is not None:
            due.append(DueItem(f"Measure review: {label}", review_on, review_on < today, href))
    return measures, due


def _orders_due(case: Case, today: datetime.date) -> list[DueItem]:
    url = reverse("safety:processes", kwargs={"case_id": case.pk})
    labels = dict(OrderKind.choices)
    return [
        DueItem(
            f"{labels.get(kind, kind)} ends",
            expires_on,
            expires_on is not None and expires_on < today,
            f"{url}#orders",
        )
        for kind, expires_on in ProtectiveOrder.objects.filter(
            case=case,
            expires_on__gte=today - datetime.timedelta(days=ORDER_ENDED_SHOWN_DAYS),
            expires_on__lte=today + datetime.timedelta(days=ORDER_WARNING_DAYS),
        )
        .order_by("expires_on")
        .values_list("kind", "expires_on")
    ]


def safety_facts(user: User, case: Case) -> SafetyFacts:
    today = timezone.localdate()
    measures: list[OpenMeasure] = []
    due: list[DueItem] = []
    may_plan = policy.can(user, "safety.plan", case)
    if may_plan:
        measures, due = _plan_facts(case, today)
    if policy.can(user, "safety.process", case):
        due.extend(_orders_due(case, today))
    return SafetyFacts(measures=tuple(measures), due=tuple(due), may_plan=may_plan)


def register() -> None:
    frame_sources_register(risk=risk_fact, safety=safety_facts)
