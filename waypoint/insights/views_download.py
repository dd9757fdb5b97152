"""Insights downloads (issue 15, item 5): a table as CSV, the period as a PDF report.

Same policy as the pages ("insights.view"), same period filter (the page's GET
parameters), the same widening when a narrow period has too few cases (item 8), and the
same SectionView: a download can never hold a figure the page would not show. Each one
is audited with the section and the period, nothing else.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from waypoint.accounts.policy import staff_user, staff_view
from waypoint.insights import disclosure, downloads
from waypoint.insights.periods import Period, period_from_query
from waypoint.insights.selectors import SECTION_TITLES, SECTIONS, period_shown, section_tables
from waypoint.institution.models import Institution
from waypoint.institution.selectors import institution_get_current
from waypoint.privacy.services import audit_record


def _period(request: HttpRequest, institution: Institution | None) -> Period | None:
    """The period the page shows for this request's filter (widened as the page widens
    it); None if the filter is invalid."""
    start_month = institution.academic_year_start_month if institution else 8
    choice = period_from_query(request.GET, today=timezone.localdate(), start_month=start_month)
    if choice.errors:
        return None
    return period_shown(choice=choice, institution=institution)[0]


def _back_to_page(request: HttpRequest, section: str) -> HttpResponseBase:
    """An invalid period: the section page shows the error summary for it."""
    query = urlencode(list(request.GET.items()))
    return redirect(f"{reverse('insights:section', args=[section])}?{query}")


def _audit(request: HttpRequest, *, section: str, period: Period, file_format: str) -> None:
    audit_record(
        actor=staff_user(request),
        action="insights.downloaded",
        object_type="insights_section",
        object_id=section,
        extra={
            "format": file_format,
            "period_start": period.start.isoformat(),
            "period_end": period.last_day.isoformat(),
        },
    )


def _file(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@staff_view("insights.view")
def table_csv_view(request: HttpRequest, section: str, key: str) -> HttpResponseBase:
    if section not in SECTION_TITLES:
        raise Http404
    institution = institution_get_current()
    period = _period(request, institution)
    if period is None:
        return _back_to_page(request, section)
    view = section_tables(section=section, period=period, institution=institution)
    found = downloads.find_table(view, key)
    if found is None:
        raise Http404
    _audit(request, section=section, period=period, file_format="csv")
    name = downloads.file_name(period, stem=found.table.key, suffix="csv")
    return _file(downloads.table_csv(found.table), "text/csv; charset=utf-8", name)


@require_safe
@staff_view("insights.view")
def report_pdf_view(request: HttpRequest) -> HttpResponseBase:
    institution = institution_get_current()
    period = _period(request, institution)
    if period is None:
        return _back_to_page(request, SECTIONS[0][0])
    views = [
        section_tables(section=slug, period=period, institution=institution) for slug, _ in SECTIONS
    ]
    _audit(request, section="all", period=period, file_format="pdf")
    pdf = downloads.annual_report_pdf(
        views,
        institution=institution.name if institution else "Waypoint",
        period=period,
        threshold=disclosure.rules_for(institution).threshold,
    )
    return _file(pdf, "application/pdf", downloads.file_name(period, stem="report", suffix="pdf"))
