"""Reads for the report flow and the returning reporter.

A reporter reaches a draft only through the id in their own session, and a report only
through the id their receipt sign-in put in the session; evidence is looked up within
that draft or report, never by id alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from waypoint.institution.models import Institution
from waypoint.reporting.models import (
    Draft,
    Evidence,
    Report,
    ReportAddition,
    ReporterRole,
    ReportOption,
    Route,
)
from waypoint.reporting.steps import REVIEW, steps_for


def parse_uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def draft_get_open(*, draft_id: object) -> Draft | None:
    """The draft if it exists, has not expired and has not been submitted."""
    pk = parse_uuid(draft_id)
    if pk is None:
        return None
    return (
        Draft.objects.select_related("data_key")
        .filter(pk=pk, expires_at__gt=timezone.now(), report__isnull=True)
        .first()
    )


def routes_offered(institution: Institution | None) -> list[str]:
    if institution is None:
        return list(Route.values)
    enabled = {
        Route.SUPPORT: institution.route_support_enabled,
        Route.ANONYMOUS: institution.route_anonymous_enabled,
        Route.THIRD_PARTY: institution.route_third_party_enabled,
    }
    return [route for route, on in enabled.items() if on]


def reporter_roles_offered(institution: Institution | None) -> list[str]:
    if institution is None:
        return list(ReporterRole.values)
    enabled = {
        ReporterRole.STUDENT: institution.students_may_report,
        ReporterRole.STAFF: institution.staff_may_report,
        ReporterRole.VISITOR: institution.visitors_may_report,
    }
    return [role for role, on in enabled.items() if on]


def draft_resume_step(draft: Draft) -> str:
    """Where to pick up: the first step with no answers yet, or the review page."""
    answered = ((draft.answers or {}).get("steps") or {}).keys()
    for step in steps_for(draft.route):
        if step.form_class is not None and step.slug not in answered:
            return step.slug
    return REVIEW


@dataclass(frozen=True)
class UploadLimits:
    file_mb: int
    report_mb: int
    files: int


def upload_limits() -> UploadLimits:
    return UploadLimits(
        file_mb=settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES // 2**20,
        report_mb=settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES // 2**20,
        files=settings.WAYPOINT_UPLOAD_MAX_FILES,
    )


def evidence_for_owner(
    *, draft: Draft | None = None, report: Report | None = None
) -> list[Evidence]:
    if draft is not None:
        return list(Evidence.objects.filter(draft=draft).select_related("data_key"))
    if report is not None:
        return list(Evidence.objects.filter(report=report).select_related("data_key"))
    return []


def evidence_get_for_owner(
    *, evidence_id: object, draft: Draft | None = None, report: Report | None = None
) -> Evidence | None:
    pk = parse_uuid(evidence_id)
    if pk is None or (draft is None and report is None):
        return None
    query = Evidence.objects.select_related("data_key").filter(pk=pk)
    query = query.filter(draft=draft) if draft is not None else query.filter(report=report)
    return query.first()


# --- Review: the answers in plain words ----------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    label: str
    value: str | list[str]

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)


@dataclass(frozen=True)
class ReviewSection:
    slug: str
    title: str
    rows: list[ReviewRow]


def _display(field: Any, value: Any, labels: dict[str, str]) -> str | list[str]:
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return [str(labels.get(v) or choices.get(v) or v) for v in value]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value in (None, ""):
        return ""
    return str(labels.get(value) or choices.get(value) or value)


def draft_review_sections(draft: Draft) -> list[ReviewSection]:
    """Each answered step as label/value rows, for the review page."""
    steps_answers = (draft.answers or {}).get("steps") or {}
    labels = {o.slug: o.label for o in ReportOption.objects.all()}
    sections = []
    for step in steps_for(draft.route):
        if step.form_class is None:
            continue
        answers = steps_answers.get(step.slug) or {}
        form = step.make_form(free_text=True)
        rows = []
        for name, field in form.fields.items():
            shown = _display(field, answers.get(name), labels)
            if shown in ("", []):
                continue
            rows.append(ReviewRow(label=str(field.label or name), value=shown))
        sections.append(ReviewSection(slug=step.slug, title=step.title, rows=rows))
    return sections


# --- The returning reporter ----------------------------------------------------------------


def report_get_for_reporter(*, report_id: object) -> Report | None:
    pk = parse_uuid(report_id)
    if pk is None:
        return None
    return Report.objects.select_related("data_key", "case").filter(pk=pk).first()


def additions_for_reporter(*, report: Report) -> list[ReportAddition]:
    return list(ReportAddition.objects.filter(report=report).select_related("data_key"))


def report_summary_for_reporter(report: Report) -> list[ReviewSection]:
    """What the reporter told us, in the same shape as the review page."""
    answers = report.answers or {}
    sections = []
    for step in steps_for(report.route):
        if step.form_class is None or step.slug not in answers:
            continue
        form = step.make_form(free_text=True)
        rows = []
        for name, field in form.fields.items():
            value = answers[step.slug].get(name)
            if isinstance(value, dict):
                value = value.get("label", "")
            elif isinstance(value, list):
                value = [v.get("label", "") if isinstance(v, dict) else str(v) for v in value]
            shown = _display(field, value, {})
            if shown in ("", []):
                continue
            rows.append(ReviewRow(label=str(field.label or name), value=shown))
        if rows:
            sections.append(ReviewSection(slug=step.slug, title=step.title, rows=rows))
    return sections
