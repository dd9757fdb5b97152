"""manage.py generate_load_data at a tiny scale: the bench's data generator still works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from waypoint.casework.models import Case, EntryKind, Message, TimelineEntry
from waypoint.casework.selectors.case_page import report_for_staff, timeline_page
from waypoint.hub.models import SupportService
from waypoint.reporting import receipts
from waypoint.reporting.models import Report

pytestmark = pytest.mark.django_db


def test_it_makes_the_asked_numbers_readable_and_spread_over_time(tmp_path: Path) -> None:
    credentials = tmp_path / "credentials.json"

    call_command(
        "generate_load_data",
        "--services=30",
        "--cases=12",
        "--entries=80",
        "--big-case-entries=40",
        f"--credentials={credentials}",
    )

    demo_reports = 3  # made through the real services, as templates for the rest
    assert Case.objects.count() == 12 + demo_reports
    assert SupportService.objects.count() == 30
    assert TimelineEntry.objects.count() >= 80
    written = json.loads(credentials.read_text())
    big = Case.objects.get(pk=written["big_case"])
    assert TimelineEntry.objects.filter(case=big).count() == 40
    # Sealed values open with each case's own key, as the case page reads them.
    assert report_for_staff(report=big.report).erased is False
    rows = timeline_page(case=big).rows
    assert not any(row.erased for row in rows)
    assert Message.objects.filter(case=big).exists() or not any(
        row.entry.kind == EntryKind.MESSAGE for row in rows
    )
    # Timestamps are historical, not "now".
    opened = sorted(Case.objects.values_list("opened_at", flat=True))
    assert (opened[-1] - opened[0]).days > 30
    # The receipts written out sign in.
    receipt = written["receipts"][0]
    report = Report.objects.get(reference=receipt["reference"])
    assert receipts.verify_passphrase(
        encoded=report.receipt_hash,
        key_id=report.receipt_pepper_key_id,
        passphrase=receipt["passphrase"],
    )

    with pytest.raises(CommandError):
        call_command("generate_load_data", "--cases=2", "--entries=5", "--big-case-entries=2")
