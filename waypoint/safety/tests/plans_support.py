"""Test helpers for safety plans and university measures (imported by the plan tests).

The casework fixtures (make_report, open_case, institution and the guard that fails a
test when a background task failed) are re-exported from casework's conftest, so a test
module that does `from waypoint.safety.tests.plans_support import *` can use them.

Markers: what the team types into a measure's `detail`, what a department is told in a
`brief`, and what the reporter wrote in the report. Tests look for them where they must
never appear.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Final

import pytest
from django.db.models import Model
from django.http import HttpResponseBase
from django.test import Client

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import (
    PERSONA_TOTP_SECRETS,
    DepartmentFactory,
    UserFactory,
)
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import Case
from waypoint.casework.tests.conftest import (
    MakeReport,
    OpenCase,
    _tasks_must_succeed,
    institution,
    make_report,
    open_case,
)
from waypoint.institution.models import Department
from waypoint.safety.models import MeasureKind, MeasureStatus, PlanAction, SafetyMeasure
from waypoint.safety.services.plans import measure_create, plan_action_add

__all__ = [
    "BRIEF_MARKER",
    "DETAIL_MARKER",
    "REPORT_MARKER",
    "MakeReport",
    "OpenCase",
    "_tasks_must_succeed",
    "accommodation",
    "add_action",
    "add_measure",
    "client_for",
    "fingerprint",
    "institution",
    "make_report",
    "open_case",
    "other_adviser",
    "plan_case",
    "raw_column",
    "report_answers",
]

DETAIL_MARKER: Final = "DETAIL-MARKER-7731"
BRIEF_MARKER: Final = "BRIEF-MARKER-2206"
REPORT_MARKER: Final = "REPORT-MARKER-9148"


def report_answers(marker: str = REPORT_MARKER) -> dict[str, Any]:
    """Report answers with `marker` in what the reporter wrote."""
    return {"what": {"behaviours": ["following"], "what_text": f"He followed me {marker}"}}


@pytest.fixture
def accommodation(db: None) -> Department:
    """A second partner department (the `partner` persona is in Security)."""
    return DepartmentFactory.create(name="Accommodation", slug="accommodation")


@pytest.fixture
def plan_case(open_case: OpenCase, adviser: User) -> Case:
    """A case assigned to the `adviser` persona, whose report carries REPORT_MARKER."""
    return open_case(assign=[adviser], answers=report_answers())


def add_action(case: Case, actor: User, area: str = "travel", text: str = "") -> PlanAction:
    return plan_action_add(
        case=case, actor=actor, area=area, text=text or f"Walk with a friend {uuid.uuid4()}"
    )


def add_measure(
    case: Case,
    actor: User,
    department: Department,
    *,
    kind: str = MeasureKind.ESCORT,
    brief: str = BRIEF_MARKER,
    detail: str = DETAIL_MARKER,
    status: str = MeasureStatus.AGREED,
    review_on: datetime.date | None = None,
) -> SafetyMeasure:
    return measure_create(
        case=case,
        actor=actor,
        kind=kind,
        department=department,
        brief=brief,
        detail=detail,
        status=status,
        starts_on=None,
        review_on=review_on,
        ends_on=None,
    )


def client_for(user: User) -> Client:
    """A new browser signed in as `user` (through the real sign-in and TOTP pages)."""
    client = Client()
    login_as(client, user)
    return client


def other_adviser() -> User:
    """An adviser who is not on the case (enrolled in TOTP, so they can sign in)."""
    return UserFactory.create(role=Role.ADVISER, totp_secret=PERSONA_TOTP_SECRETS["adviser"])


def fingerprint(response: HttpResponseBase) -> tuple[int, list[str]]:
    """What tells two responses apart for IDOR tests: the status and templates used."""
    templates = [t.name for t in getattr(response, "templates", []) if t.name]
    return response.status_code, templates


def raw_column(model: type[Model], field: str, pk: object) -> bytes:
    """The stored bytes of one encrypted column (what a database reader would see):
    `.values_list()` returns the ciphertext, never the plaintext."""
    value = model._default_manager.filter(pk=pk).values_list(field, flat=True).first()
    return bytes(value) if value is not None else b""
