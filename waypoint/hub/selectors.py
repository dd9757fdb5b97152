"""Reads for the public hub. Only published rows ever leave these functions.

Every function makes a fixed number of queries, whatever the number of rows: related rows
come through select_related/prefetch_related, and the directory is paginated in SQL.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Final

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.urls import Resolver404, resolve

from waypoint.hub import directory_search
from waypoint.hub.models import (
    Audience,
    AwarenessPage,
    Campaign,
    SupportCategory,
    SupportPhone,
    SupportService,
)

# --- Where "Tell us what happened" leads ----------------------------------------------------
# The report flow's stable address (ARCHITECTURE.md) once this site serves it; until then
# the page on how to reach the team.
REPORT_PATH: Final = "/report/"
TELL_US_PATH: Final = "/tell-us/"


def path_if_served(path: str) -> str | None:
    """`path` if this site answers it, else None (checked per call, so links switch over
    as soon as a feature's URL exists)."""
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


# --- Awareness pages ------------------------------------------------------------------------


def awareness_page_list_for_public() -> list[AwarenessPage]:
    return list(
        AwarenessPage.objects.filter(is_published=True).only("slug", "title", "summary", "position")
    )


def awareness_page_get_for_public(*, slug: str) -> AwarenessPage:
    try:
        return AwarenessPage.objects.get(slug=slug, is_published=True)
    except AwarenessPage.DoesNotExist:
        raise Http404("No such page.") from None


# --- Campaigns ------------------------------------------------------------------------------


def _published_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.filter(is_published=True)


def campaign_get_live(*, today: datetime.date) -> Campaign | None:
    """The campaign for the home page banner: published, and today within its dates.

    When two overlap, the one that started most recently wins (then the one ending first).
    """
    return (
        _published_campaigns()
        .filter(starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on", "ends_on", "name")
        .first()
    )


@dataclass(frozen=True)
class CampaignListing:
    current: list[Campaign]  # on now or coming up, soonest first
    past: list[Campaign]  # the archive, most recent first


def campaign_list_for_public(*, today: datetime.date) -> CampaignListing:
    campaigns = list(_published_campaigns().order_by("starts_on", "name"))
    current = [c for c in campaigns if c.ends_on >= today]
    past = [c for c in reversed(campaigns) if c.ends_on < today]
    return CampaignListing(current=current, past=past)


def campaign_get_for_public(*, slug: str) -> Campaign:
    try:
        return _published_campaigns().prefetch_related("links", "events").get(slug=slug)
    except Campaign.DoesNotExist:
        raise Http404("No such campaign.") from None


# --- Support directory ----------------------------------------------------------------------

DIRECTORY_PAGE_SIZE: Final = 20
# The search rules (words, synonyms, ranking) live in hub/directory_search.py.
MAX_QUERY_LENGTH: Final = directory_search.MAX_QUERY_LENGTH
search_terms = directory_search.search_terms


# A person picks who they are; a service for "anyone" suits everybody.
AUDIENCE_FILTERS: Final = {
    Audience.STUDENTS.value: (Audience.STUDENTS, Audience.ANYONE),
    Audience.STAFF.value: (Audience.STAFF, Audience.ANYONE),
    Audience.ANYONE.value: (Audience.ANYONE,),
}


@dataclass(frozen=True)
class DirectorySearch:
    query: str = ""
    category: SupportCategory | None = None
    audience: str = ""
    page: str | int = 1

    @property
    def terms(self) -> list[str]:
        return search_terms(self.query)

    @property
    def is_filtered(self) -> bool:
        return bool(self.terms or self.category or self.audience)


def support_category_list_for_public() -> list[SupportCategory]:
    return list(SupportCategory.objects.all())


def _service_details(services: QuerySet[SupportService]) -> QuerySet[SupportService]:
    return services.prefetch_related(
        Prefetch("categories", queryset=SupportCategory.objects.only("slug", "name", "position")),
        Prefetch("phones", queryset=SupportPhone.objects.all()),
    )


def support_service_search_for_public(search: DirectorySearch) -> Page[SupportService]:
    """One page of published services for a directory search.

    With words, services matching any of them, best matches first (directory_search.py);
    without, services at the institution come before outside ones, each in the order the
    administrators chose.
    """
    services = SupportService.objects.filter(is_published=True)
    if search.category is not None:
        services = services.filter(
            Exists(
                SupportService.categories.through.objects.filter(
                    supportservice_id=OuterRef("pk"), supportcategory_id=search.category.pk
                )
            )
        )
    if search.audience in AUDIENCE_FILTERS:
        services = services.filter(audience__in=AUDIENCE_FILTERS[search.audience])
    ranked = directory_search.services_ranked(services, search.query)
    if ranked is not None:
        services = ranked
    else:
        internal_first = Case(
            When(provider=SupportService.Provider.INTERNAL, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        services = services.order_by(internal_first, "position", "name")
    paginator = Paginator(_service_details(services), DIRECTORY_PAGE_SIZE)
    return paginator.get_page(search.page)


def support_service_get_for_public(*, slug: str) -> SupportService:
    try:
        return _service_details(SupportService.objects.filter(is_published=True)).get(slug=slug)
    except SupportService.DoesNotExist:
        raise Http404("No such service.") from None
