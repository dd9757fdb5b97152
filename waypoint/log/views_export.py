"""Download my record: the signed PDF chronology and the same rows as CSV (issue 14 item 5).

The file is made on request from the log as it is now and never stored. Its name carries
no reference: a downloads folder on a shared computer should not say whose record it is.

A long record's PDF takes seconds of a worker's time (bench/results/log-2026-12-03.md),
and anyone can start a log, so downloads are counted per log: a person downloading their
record a few times is never stopped, a script downloading it in a loop is.
"""

from __future__ import annotations

from typing import Final

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_safe

from waypoint.common.error_views import too_many_requests
from waypoint.institution.selectors import institution_get_current
from waypoint.log.build import chronology_for_log
from waypoint.log.chronology import Chronology
from waypoint.log.export.csv import export_csv
from waypoint.log.export.pdf import export_pdf
from waypoint.log.models import IncidentLog
from waypoint.log.views.common import log_required
from waypoint.reporting import ratelimit

# Per log (key: its id, never an address): 10 files an hour, PDF and CSV together.
DOWNLOADS_PER_LOG: Final = ratelimit.Limit("log-download", 10, 60 * 60)


def _chronology(log: IncidentLog) -> Chronology:
    institution = institution_get_current()
    return chronology_for_log(log, institution=institution.name if institution else "Waypoint")


def _file(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _too_many(log: IncidentLog) -> bool:
    if ratelimit.is_blocked(DOWNLOADS_PER_LOG, key=str(log.pk)):
        return True
    ratelimit.hit(DOWNLOADS_PER_LOG, key=str(log.pk))
    return False


@log_required
@require_safe
def download_view(request: HttpRequest, log: IncidentLog) -> HttpResponseBase:
    """What the download holds and how an officer checks it, then the two files."""
    return render(request, "log/download.html", {"log": log, "has_entries": log.head_seq > 0})


@log_required
@require_safe
def download_pdf_view(request: HttpRequest, log: IncidentLog) -> HttpResponseBase:
    if _too_many(log):
        return too_many_requests(request)
    return _file(export_pdf(_chronology(log)), "application/pdf", "my-record.pdf")


@log_required
@require_safe
def download_csv_view(request: HttpRequest, log: IncidentLog) -> HttpResponseBase:
    if _too_many(log):
        return too_many_requests(request)
    return _file(export_csv(_chronology(log)), "text/csv; charset=utf-8", "my-record.csv")
