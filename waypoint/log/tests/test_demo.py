"""The demo record: part of it shared, so the staff side of `make run` shows a chronology."""

from __future__ import annotations

import pytest

from waypoint.casework.models import Case, EntryKind
from waypoint.institution.demo import institution_load_demo
from waypoint.log.demo import demo_log_load
from waypoint.log.models import IncidentLog, LogEntry
from waypoint.reporting.default_options import load_default_options
from waypoint.reporting.models import ReportOption

pytestmark = pytest.mark.django_db


def test_the_demo_record_shares_three_incidents_into_a_case_of_its_own_once() -> None:
    institution_load_demo()
    load_default_options(ReportOption)

    assert demo_log_load() == 3

    log = IncidentLog.objects.get()
    assert LogEntry.objects.filter(log=log).count() == 4
    assert LogEntry.objects.filter(log=log, shared_at__isnull=False).count() == 3
    case = Case.objects.get(report=log.report)
    assert case.report.reference == log.reference
    assert case.timeline.filter(kind=EntryKind.LOG_SHARED).count() == 1
    assert demo_log_load() == 0  # loading the demo again adds nothing
