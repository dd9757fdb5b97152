"""The demo's reports are made through the real services, once."""

from __future__ import annotations

import pytest

from waypoint.casework.models import Case
from waypoint.institution.demo import institution_load_demo
from waypoint.reporting.default_options import load_default_options
from waypoint.reporting.demo import demo_reports_load
from waypoint.reporting.models import PersonIdentifier, Report, ReportOption

pytestmark = pytest.mark.django_db


def test_the_demo_gets_three_reports_with_cases_once():
    load_default_options(ReportOption)
    institution = institution_load_demo()
    assert demo_reports_load(institution) == 3
    assert demo_reports_load(institution) == 0
    assert Report.objects.count() == Case.objects.count() == 3
    assert set(Report.objects.values_list("route", flat=True)) == {
        "support",
        "anonymous",
        "third_party",
    }
    # Two reports name the same person by an email written differently: one digest.
    emails = PersonIdentifier.objects.filter(kind="email")
    assert emails.count() == 2
    assert emails.values("digest").distinct().count() == 1
    # The urgent one (threats) is flagged for triage.
    assert Case.objects.filter(is_urgent=True).count() == 1
