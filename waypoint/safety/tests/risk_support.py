"""Test helpers for risk instruments and assessments (imported by the risk test modules).

Fixtures are declared with `name=` so that a test module imports the function
(`fixture_open_case`) and its tests take the fixture by its short name (`open_case`)
without shadowing an import. They make cases the way casework's own fixtures do
(waypoint/casework/tests/conftest.py), which only casework's tests can see. The two
shipped instruments are in the test database: the data migration loads them.

    from waypoint.safety.tests.risk_support import (  # noqa: F401  (fixtures)
        fixture_assigned_case, fixture_open_case, fixture_tasks_must_succeed,
    )
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any, Final

import pytest
from django.tasks.base import TaskResult, TaskResultStatus
from django.tasks.signals import task_finished

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment
from waypoint.casework.services import case_open_from_report
from waypoint.privacy.services import data_key_create
from waypoint.reporting.models import Report, Route
from waypoint.safety import instruments
from waypoint.safety.models import Assessment, InstrumentVersion
from waypoint.safety.services.risk import (
    INSTRUMENTS_DIR,
    assessment_create,
    instrument_load,
)

OpenCase = Callable[..., Case]

DASH: Final = "dash-topics"
SCREENING: Final = "stalking-screening"
# Planted in everything typed into an assessment: it must never reach an email or a log.
MARKER: Final = "ZEBRA-MARKER-4471"


def shipped_document(slug: str) -> dict[str, Any]:
    """A fresh copy of a shipped instrument file's document."""
    document: dict[str, Any] = json.loads((INSTRUMENTS_DIR / f"{slug}.json").read_text())
    return copy.deepcopy(document)


def current_version(slug: str) -> InstrumentVersion:
    return InstrumentVersion.objects.select_related("instrument").get(
        instrument__slug=slug, is_current=True
    )


def answers(
    slug_or_version: str | InstrumentVersion,
    *,
    yes: int = 0,
    yes_keys: tuple[str, ...] = (),
    comment: str = "",
    rest: str = "no",
) -> dict[str, dict[str, str]]:
    """Answers to every item: the first `yes` items (or the `yes_keys`) "yes", the rest
    `rest`; each with `comment`."""
    version = (
        slug_or_version
        if isinstance(slug_or_version, InstrumentVersion)
        else current_version(slug_or_version)
    )
    definition = instruments.parse_definition(version.definition)
    result = {}
    for index, item in enumerate(definition.items):
        is_yes = item.key in yes_keys if yes_keys else index < yes
        result[item.key] = {"answer": "yes" if is_yes else rest, "comment": comment}
    return result


def assess(
    case: Case,
    actor: User,
    slug: str = DASH,
    *,
    yes: int = 0,
    band: str = "",
    reason: str = "",
    comment: str = "",
    **extra: Any,
) -> Assessment:
    version = current_version(slug)
    return assessment_create(
        case=case,
        actor=actor,
        version=version,
        answers=answers(version, yes=yes, comment=comment),
        judged_band=band,
        judgement_reason=reason,
        **extra,
    )


def load_changed(slug: str, *, version: int, label: str) -> InstrumentVersion:
    """Load a new version of a shipped instrument whose first question reads `label`."""
    document = shipped_document(slug)
    document["version"] = version
    document["items"][0]["label"] = label
    loaded = instrument_load(document=document, source="test")
    assert loaded is not None
    return loaded


_references = itertools.count(1)


@pytest.fixture(name="open_case")
def fixture_open_case(db: None) -> OpenCase:
    """`open_case(assign=[users], restricted=False)`: a case opened from a named report."""

    def make(*, assign: tuple[User, ...] | list[User] = (), restricted: bool = False) -> Case:
        report = Report(
            reference=f"WP-RISK{next(_references):04d}",
            data_key=data_key_create(purpose="report"),
            route=Route.SUPPORT,
            answers={"behaviours": ["following"]},
        )
        report.save(force_insert=True)
        case = case_open_from_report(
            report=report,
            immediate_danger=False,
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


@pytest.fixture(name="assigned_case")
def fixture_assigned_case(open_case: OpenCase, adviser: User) -> Case:
    """A case with the adviser persona assigned to it."""
    return open_case(assign=[adviser])


@pytest.fixture(name="tasks_must_succeed", autouse=True)
def fixture_tasks_must_succeed() -> Iterator[None]:
    """Fail the test when a background task failed (the immediate backend hides it)."""
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
