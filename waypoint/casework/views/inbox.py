"""The triage inbox at /staff/cases/: the cases a member of staff may see, a page at a time.

A GET form filters and sorts (every value a fixed choice, so the address is safe to
bookmark); the selector applies the access rule, pages with a fixed number of queries and
records the listing in the audit log. Nothing a reporter wrote is on this page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from waypoint.accounts.policy import staff_user, staff_view
from waypoint.casework.forms_inbox import InboxFilterForm
from waypoint.casework.selectors.inbox import inbox_page_for_staff
from waypoint.institution.selectors import institution_get_current


@staff_view("case.list")
@require_safe
def inbox_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = InboxFilterForm(request.GET)
    institution = institution_get_current()
    inbox = inbox_page_for_staff(
        user=user,
        filters=form.filters(),
        page_number=request.GET.get("page"),
        institution=institution,
    )
    page = inbox.page
    context = {
        "form": form,
        "inbox": inbox,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        "filter_query": urlencode(form.query()),
        "is_filtered": form.is_filtered(),
        "filters_reset": form.was_reset(),
        "institution": institution,
    }
    return render(request, "casework/staff/inbox.html", context)
