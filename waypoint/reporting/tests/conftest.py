"""Fixtures for the reporting tests."""

from __future__ import annotations

import pytest

from waypoint.institution.models import Institution
from waypoint.reporting.default_options import load_default_options
from waypoint.reporting.models import ReportOption


@pytest.fixture
def institution(db: None) -> Institution:
    """The institution, with the default option lists.

    Tests that commit (transaction=True) empty every table afterwards, data migrations
    included, so the options are loaded again here rather than trusted to be there.
    """
    load_default_options(ReportOption)
    return Institution.objects.create(
        name="University of Testing",
        short_name="Testing",
        team_name="Standing Together",
        security_emergency_phone="0116 000 0001",
        security_non_emergency_phone="0116 000 0002",
        triage_email="triage@example.test",
    )
