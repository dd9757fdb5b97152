"""Project-wide test set-up: fast password hashing, the cache table, and the personas.

Personas (one staff account per role, plus two that must be refused everywhere):

    adviser, case_lead, partner (department Security), insights_viewer, administrator
    outsider            signed-in account with no role, MFA enrolled
    staff_without_mfa   an adviser who has not enrolled a second factor

Each has the password PERSONA_PASSWORD and (apart from staff_without_mfa) the TOTP secret
in PERSONA_TOTP_SECRETS. `login_as(client, user)` signs one in through the real allauth
pages, TOTP step included; `totp_code(user)` is the code their authenticator shows now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from django.core.management import call_command
from django.http import HttpResponseBase
from django.test import Client
from pytest_django.fixtures import Settings

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import (
    PERSONA_PASSWORD,
    PERSONA_TOTP_SECRETS,
    DepartmentFactory,
    UserFactory,
)
from waypoint.accounts.tests.support import login_as as _login_as
from waypoint.accounts.tests.support import totp_code as _totp_code

__all__ = ["PERSONA_PASSWORD", "PERSONA_TOTP_SECRETS", "ROLE_PERSONAS"]

# Role -> the fixture name of its persona, for parametrised tests:
#   @pytest.mark.parametrize("role", list(ROLE_PERSONAS))
#   def test_x(request, role): user = request.getfixturevalue(ROLE_PERSONAS[role])
ROLE_PERSONAS: Final = {
    Role.ADVISER: "adviser",
    Role.CASE_LEAD: "case_lead",
    Role.PARTNER: "partner",
    Role.INSIGHTS: "insights_viewer",
    Role.ADMINISTRATOR: "administrator",
}
# Every principal the route x role matrix knows, anonymous included.
ALL_PERSONAS: Final = (*ROLE_PERSONAS.values(), "outsider", "staff_without_mfa")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    # Only the hasher is swapped in tests; crypto, cache and database are the real ones.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


IMMEDIATE_TASKS: Final = {
    "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
}


@pytest.fixture(autouse=True)
def _tasks_run_in_the_test(settings: Settings) -> None:
    # A test sees a task's effect when it returns. The worker's own tests use the database
    # queue and a real worker (waypoint/worker/tests, tests/worker_process).
    settings.WAYPOINT_TASKS = "immediate"
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture(autouse=True)
def _audit_anchors_per_test(settings: Settings, tmp_path: Path) -> None:
    # Each test publishes audit anchors to its own file, never into the checkout's var/.
    settings.WAYPOINT_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    # Rate limits and TOTP replay protection live in the shared cache: a database table.
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


def _persona(name: str, role: Role | str, **extra: Any) -> User:
    secret = PERSONA_TOTP_SECRETS.get(name)
    return UserFactory.create(
        email=f"{name.replace('_', '-')}@personas.waypoint.test",
        display_name=name.replace("_", " ").title(),
        role=role,
        totp_secret=secret,
        **extra,
    )


@pytest.fixture
def security_department() -> Any:
    return DepartmentFactory.create(name="Security", slug="security")


@pytest.fixture
def adviser(db: None) -> User:
    return _persona("adviser", Role.ADVISER)


@pytest.fixture
def case_lead(db: None) -> User:
    return _persona("case_lead", Role.CASE_LEAD)


@pytest.fixture
def partner(db: None, security_department: Any) -> User:
    return _persona("partner", Role.PARTNER, department=security_department)


@pytest.fixture
def insights_viewer(db: None) -> User:
    return _persona("insights_viewer", Role.INSIGHTS)


@pytest.fixture
def administrator(db: None) -> User:
    return _persona("administrator", Role.ADMINISTRATOR)


@pytest.fixture
def outsider(db: None) -> User:
    return _persona("outsider", "")


@pytest.fixture
def staff_without_mfa(db: None) -> User:
    return _persona("staff_without_mfa", Role.ADVISER)


@pytest.fixture
def login_as() -> Callable[..., HttpResponseBase]:
    return _login_as


@pytest.fixture
def totp_code() -> Callable[[User], str]:
    return _totp_code


@pytest.fixture
def signed_in_client(client: Client) -> Iterator[Callable[[User], Client]]:
    """`signed_in_client(user)`: the test client, signed in as `user` through allauth."""

    def sign_in(user: User) -> Client:
        _login_as(client, user)
        return client

    yield sign_in


def pytest_sessionstart(session: pytest.Session) -> None:
    # Summaries a test leaves for the end of the run (the crash test's numbers).
    if not hasattr(session.config, "workerinput"):
        for old in Path("test-results").glob("*.summary"):
            old.unlink()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for summary in sorted(Path("test-results").glob("*.summary")):
        terminalreporter.write_line(summary.read_text().strip())
