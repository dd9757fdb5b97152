"""Helpers for the chronology and police bundle tests: a case with a report that says
when, where and what, a log under its report with shared and unshared entries, and files.

`from waypoint.safety.tests.processes_support import *` brings the casework fixtures
(open_case, sign_in, ...); the helpers here are imported by name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.log.models import IncidentLog, LogEntry
from waypoint.log.services import entry_add, log_start_for_report, person_add
from waypoint.reporting.evidence import evidence_add
from waypoint.reporting.models import Evidence, ReportAddition

# Words that must never reach a staff page, export or count: only in unshared entries.
UNSHARED: Final = "Unshared-Secret-Words-7731"
FILE_BYTES: Final = b"Copied messages: he said he knows where I live.\n" * 8


def report_answers(marker: str = "Report") -> dict[str, Any]:
    """A report's answers as the report flow stores them (options with their labels)."""
    return {
        "what": {
            "behaviours": [{"slug": "following", "label": "Following"}],
            "what_text": f"{marker}: he waits outside my lectures",
        },
        "when": {"started": "months", "latest": "2026-11-20", "frequency": "weekly"},
        "where": {
            "locations": [{"slug": "library", "label": "Library"}],
            "platforms": [],
            "off_campus": False,
            "where_text": "",
        },
        "police": {"police_reported": "yes", "crime_reference": "CR-REPORT-1"},
    }


def entry_content(
    *,
    day: str = "2026-11-28",
    text: str = "Messages overnight",
    behaviour: tuple[str, str] = ("repeated-contact", "Repeated messages"),
    who: list[str] | None = None,
    reference: str = "",
) -> dict[str, Any]:
    return {
        "when": {"kind": "exact", "date": day, "time": "21:10", "end_date": "", "end_time": ""},
        "where": {
            "places": [],
            "platforms": [{"slug": "instagram", "label": "Instagram"}],
            "text": "",
        },
        "what": {"behaviours": [{"slug": behaviour[0], "label": behaviour[1]}], "text": text},
        "who": who or [],
        "witnesses": "",
        "affected": "",
        "police": {"officer": "", "reference": reference},
        "evidence": [],
    }


def share(*entries: LogEntry) -> None:
    LogEntry.objects.filter(pk__in=[e.pk for e in entries]).update(shared_at=timezone.now())


def case_log(case: Case) -> IncidentLog:
    return log_start_for_report(report=case.report)


def log_with_entries(case: Case, *, shared: int = 2, unshared: int = 1) -> IncidentLog:
    """A log under the case's report: `shared` entries shared, then `unshared` kept back."""
    log = case_log(case)
    sam = person_add(log=log, name="Sam Sample")
    made = []
    for n in range(shared):
        made.append(
            entry_add(
                log=log,
                content=entry_content(
                    day=(dt.date(2026, 11, 1) + dt.timedelta(days=3 * n)).isoformat(),
                    text=f"Shared incident {n + 1}",
                    who=[str(sam.pk)],
                    reference="CR-LOG-9" if n == 0 else "",
                ),
            )
        )
    share(*made)
    hidden = person_add(log=log, name="Hidden Person")
    for _ in range(unshared):
        entry_add(
            log=log,
            content=entry_content(
                text=UNSHARED, behaviour=("threats", "Threats"), who=[str(hidden.pk)]
            ),
        )
    return log


def addition_add(case: Case, body: str = "He was at the station again") -> ReportAddition:
    addition = ReportAddition(report=case.report, data_key_id=case.report.data_key_id)
    addition.body = body
    addition.save(force_insert=True)
    return addition


def report_file(case: Case, name: str = "messages.txt", data: bytes = FILE_BYTES) -> Evidence:
    upload = SimpleUploadedFile(name, data, content_type="text/plain")
    return evidence_add(report=case.report, upload=upload)


def staff_name(user: User) -> str:
    return user.display_name or user.email
