"""Notification test set-up: the casework fixtures (reports, cases, the institution) and
the people who must never be told (a conflicted adviser and lead, an adviser not
assigned, a partner of another department)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import DepartmentFactory, UserFactory
from waypoint.casework.models import Case, CaseConflict
from waypoint.casework.tests.conftest import (  # noqa: F401  (fixtures)
    _tasks_must_succeed,
    institution,
    make_report,
    open_case,
)
from waypoint.notifications.models import Notification


@dataclass(frozen=True)
class Others:
    """People who may not see the case in question (`conflicted`, once `conflict_on`)."""

    adviser_not_assigned: User
    conflicted_adviser: User
    conflicted_lead: User
    other_partner: User

    def conflict_on(self, case: Case) -> None:
        for person in (self.conflicted_adviser, self.conflicted_lead):
            CaseConflict.objects.create(case=case, user=person, source="declared")

    def everyone(self) -> list[User]:
        return [
            self.adviser_not_assigned,
            self.conflicted_adviser,
            self.conflicted_lead,
            self.other_partner,
        ]


@pytest.fixture
def others(db: None) -> Others:
    elsewhere = DepartmentFactory.create(name="Accommodation", slug="accommodation")
    return Others(
        adviser_not_assigned=UserFactory.create(role=Role.ADVISER, display_name="Other Adviser"),
        conflicted_adviser=UserFactory.create(role=Role.ADVISER, display_name="Conflicted"),
        conflicted_lead=UserFactory.create(role=Role.CASE_LEAD, display_name="Conflicted Lead"),
        other_partner=UserFactory.create(
            role=Role.PARTNER, department=elsewhere, display_name="Other Partner"
        ),
    )


def told(kind: str, **filters: Any) -> list[User]:
    """Who got a notification of `kind`, one entry per notification (duplicates show)."""
    rows = Notification.objects.filter(kind=kind, **filters).select_related("recipient")
    return sorted((row.recipient for row in rows), key=lambda user: str(user.pk))


def exactly(*people: User) -> list[User]:
    return sorted(people, key=lambda user: str(user.pk))
