"""Demo reports, made through the real report services so that the staff side has work.

Fictional people only. Two reports name the same person by an email address written
differently, so the demo shows a match alert. Loaded once: nothing is added when demo
reports already exist.
"""

from __future__ import annotations

from typing import Any, Final

from waypoint.institution.models import Institution
from waypoint.reporting.models import Report
from waypoint.reporting.services import (
    draft_save_step,
    draft_start,
    report_receipt_confirm,
    report_submit,
)

_DEMO_REPORTS: Final[list[dict[str, Any]]] = [
    {
        "route": "support",
        "role": "student",
        "steps": {
            "danger": {"immediate_danger": "no"},
            "contact": {
                "name": "Jordan Example",
                "preferred_method": "email",
                "email": "jordan.example@student.demo.waypoint.test",
                "phone": "",
                "safe_times": "Weekday afternoons",
                "voicemail_ok": "no",
                "text_ok": "yes",
                "safe_email": "",
                "email_nudges": True,
            },
            "what": {
                "behaviours": ["repeated-contact", "following", "posting"],
                "what_text": "Someone from my course keeps messaging me after I asked them "
                "to stop, and waits outside my lectures.",
            },
            "when": {"started": "months", "latest": "", "frequency": "several_weekly"},
            "where": {
                "locations": ["teaching-rooms", "library"],
                "platforms": ["instagram"],
                "off_campus": False,
                "where_text": "",
            },
            "who": {
                "relationship": "student",
                "affiliation": "student",
                "person_name": "Sam Sample",
                "student_number": "",
                "staff_number": "",
                "person_email": "Sam.Sample+uni@demo-mail.test",
                "person_phone": "",
                "handles": ["@sam_sample_demo"],
                "description": "",
            },
            "impact": {"impact": ["afraid", "routines"], "impact_text": ""},
            "police": {"police_reported": "no", "crime_reference": ""},
            "support": {"support": ["adviser", "safety"], "support_text": ""},
        },
    },
    {
        "route": "anonymous",
        "role": "student",
        "steps": {
            "danger": {"immediate_danger": "no"},
            "replies": {"wants_messages": "yes"},
            "what": {
                "behaviours": ["threats", "repeated-contact"],
                "what_text": "They have said they will hurt me if I tell anyone.",
            },
            "when": {"started": "month", "latest": "", "frequency": "daily"},
            "where": {
                "locations": ["halls"],
                "platforms": ["calls-texts"],
                "off_campus": True,
                "where_text": "",
            },
            "who": {
                "relationship": "partner",
                "affiliation": "student",
                "person_name": "",
                "student_number": "",
                "staff_number": "",
                "person_email": "sam.sample@demo-mail.test",
                "person_phone": "",
                "handles": [],
                "description": "",
            },
            "impact": {"impact": ["afraid", "sleep", "missing-study"], "impact_text": ""},
            "police": {"police_reported": "not_sure", "crime_reference": ""},
            "support": {"support": ["adviser", "accommodation"], "support_text": ""},
        },
    },
    {
        "route": "third_party",
        "role": "staff",
        "steps": {
            "danger": {"immediate_danger": "no"},
            "your-part": {"your_part": "worried", "person_knows": "yes", "person_role": "student"},
            "what": {
                "behaviours": ["watching"],
                "what_text": "A student in my tutorial group says someone waits near "
                "her flat most evenings.",
            },
            "when": {"started": "week", "latest": "", "frequency": "several_weekly"},
            "where": {"locations": [], "platforms": [], "off_campus": True, "where_text": ""},
            "impact": {"impact": ["afraid"], "impact_text": ""},
            "police": {"police_reported": "no", "crime_reference": ""},
            "support": {"support": ["safety"], "support_text": ""},
        },
    },
]


def demo_reports_load(institution: Institution) -> int:
    """Create the demo reports unless the demo already has reports. Returns how many."""
    if Report.objects.exists():
        return 0
    for spec in _DEMO_REPORTS:
        draft = draft_start(
            route=spec["route"], reporter_role=spec["role"], institution=institution
        )
        for step, data in spec["steps"].items():
            draft = draft_save_step(draft=draft, step=step, data=data, institution=institution)
        submission = report_submit(draft_id=draft.id)
        # Nobody holds these receipts: mark them saved so the demo has no pending receipt.
        report_receipt_confirm(report=submission.report)
    return len(_DEMO_REPORTS)
