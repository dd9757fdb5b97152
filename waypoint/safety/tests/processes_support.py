"""Helpers for the referrals, processes and reminders tests: a second adviser who can sign
in, directory services and departments, records made straight in the tables (for the
"another case" side of IDOR tests), and a marker to plant in everything typed.

The casework fixtures (make_report, open_case, institution, and the guard that fails a
test when a background task failed) are re-exported with this module's own fixtures, so
a test module that does `from waypoint.safety.tests.processes_support import *` can use
them; helpers are imported by name.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Final

import pytest
from django.test import Client
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import DepartmentFactory, UserFactory
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import Case
from waypoint.casework.tests.conftest import (
    _tasks_must_succeed,
    institution,
    make_report,
    open_case,
)
from waypoint.hub.models import SupportService
from waypoint.institution.models import Department
from waypoint.safety.models import (
    CivilKind,
    CivilRoute,
    ConductProcess,
    ConductStage,
    ConsentMethod,
    LawfulBasis,
    OrderKind,
    PoliceProcess,
    PoliceStage,
    PrecautionaryMeasure,
    ProtectiveOrder,
    Referral,
)

# What `import *` brings: the fixtures, and nothing else.
__all__ = [
    "_tasks_must_succeed",
    "department",
    "directory_service",
    "institution",
    "make_report",
    "open_case",
    "other_adviser",
    "sign_in",
]

# Planted in every field anyone types; it must never reach an email, a URL, the
# timeline's clear `detail`, the audit log or a sealed column's bytes.
MARKER: Final = "Zebra-Marker-4417"
OTHER_ADVISER_TOTP_SECRET: Final = "JBSWY3DPEHPK3PXPOTHERADVISERSECR"
OTHER_ADVISER_EMAIL: Final = "other-adviser@personas.waypoint.test"

# Everyone who must get exactly what a missing id gets (the adviser is not assigned).
REFUSED_PERSONAS: Final = ("adviser", "partner", "insights_viewer", "administrator", "outsider")


@pytest.fixture
def other_adviser(db: None) -> User:
    """An adviser who owns the cases the `adviser` persona must not see."""
    return UserFactory.create(
        email=OTHER_ADVISER_EMAIL,
        display_name="Other Adviser",
        role=Role.ADVISER,
        totp_secret=OTHER_ADVISER_TOTP_SECRET,
    )


def service_make() -> SupportService:
    """A published service in the support directory."""
    return SupportService.objects.create(
        slug="stalking-advocacy",
        name="Stalking Advocacy Service",
        provider=SupportService.Provider.EXTERNAL,
        summary="Independent stalking advocates.",
        is_published=True,
    )


def department_make() -> Department:
    department: Department = DepartmentFactory.create(
        name="Accommodation", slug="accommodation", email="accommodation@university.test"
    )
    return department


@pytest.fixture
def directory_service(db: None) -> SupportService:
    return service_make()


@pytest.fixture
def department(db: None) -> Department:
    return department_make()


@pytest.fixture
def sign_in(client: Client) -> Iterator[Callable[[User], Client]]:
    """`sign_in(user)`: a fresh test client signed in as `user` (password and TOTP)."""

    def make(user: User) -> Client:
        fresh = Client()
        login_as(fresh, user)
        return fresh

    yield make


def consent_values(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for referral_create that make a lawful, consented referral."""
    values: dict[str, Any] = {
        "organisation": f"Community project {MARKER}",
        "purpose": f"Advocacy support {MARKER}",
        "shared": f"Name and safe phone number {MARKER}",
        "lawful_basis": LawfulBasis.CONSENT,
        "consent_given": True,
        "consent_at": timezone.now() - datetime.timedelta(hours=2),
        "consent_method": ConsentMethod.VERBAL,
        "exemption": "",
    }
    values.update(overrides)
    return values


def referral_make(case: Case, **fields: Any) -> Referral:
    """A referral written straight to the table (as the service would leave it)."""
    referral = Referral(
        case=case,
        data_key_id=case.data_key_id,
        lawful_basis=fields.pop("lawful_basis", LawfulBasis.CONSENT),
        consent_given=fields.pop("consent_given", True),
        consent_at=fields.pop("consent_at", timezone.now()),
        consent_method=fields.pop("consent_method", ConsentMethod.WRITTEN),
        **fields,
    )
    referral.recipient = f"Organisation {MARKER}"
    referral.purpose = f"Purpose {MARKER}"
    referral.shared = f"Shared {MARKER}"
    referral.save(force_insert=True)
    return referral


def police_make(case: Case, **fields: Any) -> PoliceProcess:
    row = PoliceProcess(
        case=case,
        data_key_id=case.data_key_id,
        stage=fields.pop("stage", PoliceStage.INVESTIGATING),
        **fields,
    )
    row.crime_reference = f"CR-{MARKER}"
    row.officer = f"DC {MARKER}"
    row.save(force_insert=True)
    return row


def order_make(
    case: Case, *, expires_on: datetime.date | None = None, **fields: Any
) -> ProtectiveOrder:
    row = ProtectiveOrder(
        case=case,
        data_key_id=case.data_key_id,
        kind=fields.pop("kind", OrderKind.SPO_INTERIM),
        expires_on=expires_on,
        made_on=fields.pop("made_on", datetime.date(2026, 1, 5)),
        **fields,
    )
    row.conditions = f"No contact with {MARKER}"
    row.save(force_insert=True)
    return row


def conduct_make(case: Case, **fields: Any) -> ConductProcess:
    row = ConductProcess(
        case=case,
        data_key_id=case.data_key_id,
        stage=fields.pop("stage", ConductStage.INVESTIGATION),
        **fields,
    )
    row.reference = f"SC-{MARKER}"
    row.responding_student_adviser = f"Adviser {MARKER}"
    row.save(force_insert=True)
    return row


def precaution_make(
    conduct: ConductProcess, *, review_on: datetime.date | None = None, **fields: Any
) -> PrecautionaryMeasure:
    row = PrecautionaryMeasure(
        process=conduct,
        data_key_id=conduct.data_key_id,
        imposed_on=fields.pop("imposed_on", datetime.date(2026, 1, 5)),
        review_on=review_on,
        **fields,
    )
    row.description = f"Library restriction {MARKER}"
    row.reason = f"Reason {MARKER}"
    row.save(force_insert=True)
    return row


def civil_make(case: Case, **fields: Any) -> CivilRoute:
    row = CivilRoute(
        case=case,
        data_key_id=case.data_key_id,
        kind=fields.pop("kind", CivilKind.PHA_INJUNCTION),
        status=fields.pop("status", "advice"),
        **fields,
    )
    row.notes = f"Solicitor {MARKER}"
    row.save(force_insert=True)
    return row


def missing_id() -> str:
    return str(uuid.uuid4())


def template_names(response: Any) -> list[str]:
    return sorted({t.name for t in getattr(response, "templates", []) if t.name})
