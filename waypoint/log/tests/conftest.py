"""Fixtures shared by the incident log's tests."""

from __future__ import annotations

import pytest

from waypoint.institution.models import Institution
from waypoint.reporting.default_options import load_default_options
from waypoint.reporting.models import ReportOption


@pytest.fixture
def institution(db: None) -> Institution:
    # Tests that commit empty every table, data migrations included: load the options here.
    load_default_options(ReportOption)
    return Institution.objects.create(
        name="University of Testing",
        short_name="Testing",
        team_name="Standing Together",
        team_phone="0116 000 0003",
        security_emergency_phone="0116 000 0001",
        security_non_emergency_phone="0116 000 0002",
        triage_email="triage@example.test",
    )
