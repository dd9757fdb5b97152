"""The triage inbox at /staff/cases/: the cases a member of staff may see, a page at a time.

A GET form filters (every value a fixed choice, so the address is safe to bookmark) in a
panel beside the table, the column headings sort (links, server-side, whitelisted keys),
and each selected filter is a "Remove filter" tag: the MoJ "filter a list" pattern. The
selector applies the access rule, pages with a fixed number of queries and records the
listing in the audit log. Nothing a reporter wrote is on this page.

The search box at the top posts to views/search.py (terms never go in an address); for
leads, the rows' checkboxes belong to a form that posts to views/bulk.py.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from waypoint.accounts import policy
from waypoint.accounts.policy import staff_user, staff_view
from waypoint.casework.forms_inbox import InboxFilterForm
from waypoint.casework.selectors.inbox import inbox_page_for_staff
from waypoint.casework.selectors.preview import case_preview_for_staff
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
        "filter_tags": form.tags(),
        "sort_links": form.sort_links(),
        "may_search": policy.can(user, "case.search"),
        "may_bulk": policy.can(user, "case.bulk"),
        "institution": institution,
    }
    return render(request, "casework/staff/inbox.html", context)


@staff_view("case.preview")
@require_safe
def preview_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The non-identifying facts of a case the person may claim (ADR 0032), audited."""
    user = staff_user(request)
    institution = institution_get_current()
    preview = case_preview_for_staff(user=user, case_id=case_id, institution=institution)
    context = {"preview": preview, "institution": institution}
    return render(request, "casework/staff/preview.html", context)
