"""Search across cases at /staff/cases/search/ ("case.search").

GET shows the form; POST searches and shows the results on the same page, so what was
typed stays in the request body (never in the address, the browser's history or the access
log). The selector keeps to the cases the person may open and audits the search.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from waypoint.accounts.policy import staff_user, staff_view
from waypoint.casework.forms_search import CaseSearchForm
from waypoint.casework.selectors.search import SEARCH_LIMIT, case_search_for_staff
from waypoint.institution.selectors import institution_get_current


@staff_view("case.search")
@require_http_methods(["GET", "HEAD", "POST"])
def search_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    institution = institution_get_current()
    results = None
    if request.method == "POST":
        form = CaseSearchForm(request.POST)
        if form.is_valid():
            results = case_search_for_staff(
                user=user, criteria=form.criteria(), institution=institution
            )
    else:
        form = CaseSearchForm()
    context = {
        "form": form,
        "results": results,
        "limit": SEARCH_LIMIT,
        "institution": institution,
    }
    return render(request, "casework/staff/search.html", context)
