"""Casework test set-up: reports made the way the report flow makes them, an institution
with a triage inbox, and a guard that fails a test when a background task failed (the
immediate task backend would otherwise swallow the error)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any, Final

import pytest
from django.tasks.base import TaskResult, TaskResultStatus
from django.tasks.signals import task_finished

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment
from waypoint.casework.services import case_open_from_report
from waypoint.institution.models import Institution
from waypoint.privacy.services import data_key_create
from waypoint.reporting.models import Report, Route

TRIAGE_EMAIL: Final = "triage-inbox@university.test"
TEAM_NAME: Final = "Standing Together"

_references = itertools.count(1)

MakeReport = Callable[..., Report]
OpenCase = Callable[..., Case]


@pytest.fixture
def make_report(db: None) -> MakeReport:
    """`make_report(route=..., answers=..., contact=..., **fields)`: a submitted Report.

    Its reference ("WP-TEST0001", ...) is unique per call; its answers and contact
    details are sealed with a new data key, as the report flow does.
    """

    def make(
        *,
        route: str = Route.SUPPORT,
        answers: dict[str, Any] | None = None,
        contact: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Report:
        report = Report(
            reference=f"WP-TEST{next(_references):04d}",
            data_key=data_key_create(purpose="report"),
            route=route,
            answers=answers if answers is not None else {"behaviours": ["following"]},
            contact=contact,
            **fields,
        )
        report.save(force_insert=True)
        return report

    return make


@pytest.fixture
def open_case(make_report: MakeReport) -> OpenCase:
    """`open_case(urgent=False, assign=[users], restricted=False, **report_fields)`."""

    def make(
        *,
        urgent: bool = False,
        assign: tuple[User, ...] | list[User] = (),
        restricted: bool = False,
        **report_fields: Any,
    ) -> Case:
        case = case_open_from_report(
            report=make_report(**report_fields),
            immediate_danger=urgent,
            threat_of_violence=False,
            high_risk_indicator=False,
        )
        if restricted:
            case.restricted = True
            case.save(update_fields=["restricted"])
        for user in assign:
            CaseAssignment.objects.create(case=case, user=user)
        return case

    return make


@pytest.fixture
def institution(db: None) -> Institution:
    """The deployment's institution, with a triage inbox."""
    institution = Institution.objects.order_by("pk").first() or Institution(
        name="University of Testing",
        short_name="Testing",
        security_emergency_phone="01234 000000",
        security_non_emergency_phone="01234 000001",
    )
    institution.team_name = TEAM_NAME
    institution.triage_email = TRIAGE_EMAIL
    institution.save()
    return institution


@pytest.fixture(autouse=True)
def _tasks_must_succeed() -> Iterator[None]:
    failed: list[TaskResult[Any, Any]] = []

    def record(sender: object, task_result: TaskResult[Any, Any], **kwargs: object) -> None:
        if task_result.status == TaskResultStatus.FAILED:
            failed.append(task_result)

    task_finished.connect(record, weak=False)
    try:
        yield
    finally:
        task_finished.disconnect(record)
    assert not failed, "A task failed:\n" + "\n".join(
        error.traceback for result in failed for error in result.errors
    )
