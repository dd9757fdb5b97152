"""The lead's overview at /staff/overview/ (issue 12, item 9; ADR 0034).

GET only: the department filter and the sort order are in the address (a department's
slug and a column name: nothing about a person or a case).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from waypoint.accounts.policy import staff_user, staff_view
from waypoint.safety.selectors.overview import MEASURE_SORTS, lead_overview_for_lead


@staff_view("lead.overview")
@require_safe
def lead_overview_view(request: HttpRequest) -> HttpResponse:
    overview = lead_overview_for_lead(
        user=staff_user(request),
        department_slug=str(request.GET.get("department", "")),
        sort=str(request.GET.get("sort", "")),
        page=request.GET.get("page", 1),
    )
    sorts = [(key, label) for key, (label, _ordering) in MEASURE_SORTS.items()]
    return render(
        request, "safety/lead_overview.html", {"overview": overview, "measure_sorts": sorts}
    )
