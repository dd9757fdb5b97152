"""The public hub: home, awareness pages, campaigns, the support directory, "how to tell us".

Every page here is public (@login_not_required), read-only (@require_safe), works without
JavaScript, and reads through hub/selectors.py, so that it makes the same number of queries
however many pages, campaigns or services there are.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from waypoint.hub import selectors
from waypoint.hub.models import Audience, SupportCategory, SupportService

# What the "Who is it for?" filter offers; the keys are selectors.AUDIENCE_FILTERS.
AUDIENCE_OPTIONS = [
    ("", "All services"),
    (Audience.STUDENTS.value, "Students"),
    (Audience.STAFF.value, "Staff"),
    (Audience.ANYONE.value, "Anyone, not only students and staff"),
]


@login_not_required
@require_safe
def home_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "hub/home.html",
        {
            "live_campaign": selectors.campaign_get_live(today=today),
            "awareness_pages": selectors.awareness_page_list_for_public(),
        },
    )


@login_not_required
@require_safe
def tell_us_view(request: HttpRequest) -> HttpResponse:
    return render(request, "hub/tell_us.html")


# --- Awareness pages ------------------------------------------------------------------------


@login_not_required
@require_safe
def awareness_index_view(request: HttpRequest) -> HttpResponse:
    pages = selectors.awareness_page_list_for_public()
    return render(request, "hub/awareness_index.html", {"pages": pages})


@login_not_required
@require_safe
def awareness_page_view(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.awareness_page_get_for_public(slug=slug)
    others = [p for p in selectors.awareness_page_list_for_public() if p.pk != page.pk]
    return render(request, "hub/awareness_page.html", {"page": page, "other_pages": others})


# --- Campaigns ------------------------------------------------------------------------------


@login_not_required
@require_safe
def campaign_index_view(request: HttpRequest) -> HttpResponse:
    listing = selectors.campaign_list_for_public(today=timezone.localdate())
    return render(request, "hub/campaign_index.html", {"listing": listing})


@login_not_required
@require_safe
def campaign_view(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = selectors.campaign_get_for_public(slug=slug)
    today = timezone.localdate()
    if campaign.ends_on < today:
        status = "past"
    elif campaign.starts_on > today:
        status = "upcoming"
    else:
        status = "live"
    return render(request, "hub/campaign.html", {"campaign": campaign, "status": status})


# --- Support directory ----------------------------------------------------------------------


@login_not_required
@require_safe
def support_directory_view(request: HttpRequest) -> HttpResponse:
    categories = selectors.support_category_list_for_public()
    search = _directory_search(request.GET, categories)
    results = selectors.support_service_search_for_public(search)
    services = list(results.object_list)
    grouped = not search.terms  # a plain listing is shown by provider; a search by relevance
    return render(
        request,
        "hub/support_directory.html",
        {
            "search": search,
            "categories": categories,
            "audience_options": AUDIENCE_OPTIONS,
            "audience_label": dict(AUDIENCE_OPTIONS).get(search.audience, ""),
            "results": results,
            "services": services,
            "internal": [s for s in services if s.provider == SupportService.Provider.INTERNAL]
            if grouped
            else [],
            "external": [s for s in services if s.provider == SupportService.Provider.EXTERNAL]
            if grouped
            else [],
            "grouped": grouped,
            "page_query": _without_page(request.GET),
        },
    )


@login_not_required
@require_safe
def support_service_view(request: HttpRequest, slug: str) -> HttpResponse:
    service = selectors.support_service_get_for_public(slug=slug)
    return render(request, "hub/support_service.html", {"service": service})


def _directory_search(
    params: QueryDict, categories: list[SupportCategory]
) -> selectors.DirectorySearch:
    """The directory search from the query string. Unknown values are ignored, never errors."""
    query = " ".join(params.get("q", "").split())[: selectors.MAX_QUERY_LENGTH]
    category_slug = params.get("category", "")
    category = next((c for c in categories if c.slug == category_slug), None)
    audience = params.get("audience", "")
    if audience not in selectors.AUDIENCE_FILTERS:
        audience = ""
    return selectors.DirectorySearch(
        query=query, category=category, audience=audience, page=params.get("page", 1)
    )


def _without_page(params: QueryDict) -> str:
    """The query string for pagination links: the same search, any page."""
    kept = params.copy()
    kept.pop("page", None)
    return kept.urlencode()
