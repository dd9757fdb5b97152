"""Weight and speed of the public pages: a fixed number of queries however many entries there
are, and under 100 KB of HTML, CSS and JavaScript each."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from waypoint.hub.demo import (
    awareness_pages_load_demo,
    campaigns_load_demo,
    support_directory_load_demo,
)
from waypoint.hub.models import (
    AwarenessPage,
    Campaign,
    CampaignEvent,
    CampaignLink,
    SupportCategory,
    SupportPhone,
    SupportService,
)
from waypoint.institution.demo import institution_load_demo

pytestmark = pytest.mark.django_db

NSAW = "/campaigns/national-stalking-awareness-week-2024/"
# Page -> the queries it makes. The institution (for the layout) is always one of them.
QUERIES = {
    "/": 3,  # institution, live campaign, awareness pages
    "/tell-us/": 1,
    "/about/": 2,
    "/about/what-is-stalking/": 3,  # institution, page, the other pages
    "/campaigns/": 2,
    NSAW: 4,  # institution, campaign, links, events
    # institution, categories (filters), count, one page of services, their categories, phones
    "/support/": 6,
    "/support/?q=money": 6,
    "/support/?category=safety&audience=students": 6,
    "/support/?q=zebra+crossing": 3,  # nothing found: no page of services to fetch
    "/support/security-team/": 4,  # institution, service, its categories, its phones
}
WEIGHT_LIMIT = 100 * 1024


@pytest.fixture
def demo() -> None:
    institution_load_demo()
    support_directory_load_demo()
    awareness_pages_load_demo()
    campaigns_load_demo()


def grow_to(total: int) -> None:
    """Add services (each with two phones and two categories), awareness pages and campaigns
    (each with links and an event) until there are `total` services and as many of the rest."""
    extra = total - SupportService.objects.count()
    categories = list(SupportCategory.objects.all())
    services = SupportService.objects.bulk_create(
        SupportService(
            slug=f"extra-service-{i}",
            name=f"Extra service {i}",
            provider=SupportService.Provider.INTERNAL
            if i % 2
            else SupportService.Provider.EXTERNAL,
            summary="Advice about money and housing.",
            need_words="money safe campus",
            position=100 + i,
        )
        for i in range(extra)
    )
    SupportPhone.objects.bulk_create(
        SupportPhone(service=s, kind=kind, number=f"0116 000 {i:04}")
        for i, s in enumerate(services)
        for kind in (SupportPhone.Kind.HELPLINE, SupportPhone.Kind.NON_EMERGENCY)
    )
    through = SupportService.categories.through
    through.objects.bulk_create(
        through(supportservice_id=s.pk, supportcategory_id=c.pk)
        for i, s in enumerate(services)
        for c in (categories[i % len(categories)], categories[(i + 1) % len(categories)])
    )
    AwarenessPage.objects.bulk_create(
        AwarenessPage(
            slug=f"extra-page-{i}", title=f"Page {i}", summary="S", body="B", is_published=True
        )
        for i in range(extra)
    )
    today = timezone.localdate()
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            slug=f"extra-campaign-{i}",
            name=f"Campaign {i}",
            starts_on=today + datetime.timedelta(days=i - extra // 2),
            ends_on=today + datetime.timedelta(days=i - extra // 2 + 3),
            summary="S",
            is_published=True,
        )
        for i in range(extra)
    )
    nsaw = Campaign.objects.get(slug="national-stalking-awareness-week-2024")
    CampaignLink.objects.bulk_create(
        CampaignLink(campaign=c, kind=CampaignLink.Kind.WEBSITE, label="L", url="https://e.org/")
        for c in [*campaigns, nsaw]
        for _ in range(2)
    )
    CampaignEvent.objects.bulk_create(
        CampaignEvent(campaign=c, title="E", starts_at=timezone.now())
        for c in [*campaigns, nsaw]
        for _ in range(2 if c is nsaw else 1)
    )
    assert SupportService.objects.count() == total


# The demo directory alone has 19 services (0027), so the small size is above that.
@pytest.mark.parametrize("services", [25, 500])
@pytest.mark.parametrize("url", QUERIES)
def test_each_public_page_makes_a_fixed_number_of_queries(
    client: Client, demo: None, django_assert_num_queries, services: int, url: str
) -> None:
    grow_to(services)
    with django_assert_num_queries(QUERIES[url]):
        response = client.get(url)
    assert response.status_code == 200


class Assets(HTMLParser):
    """The stylesheets and scripts a page asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and "stylesheet" in (found.get("rel") or "").split():
            self.urls.append(found.get("href") or "")
        elif tag == "script" and found.get("src"):
            self.urls.append(found["src"] or "")


def page_weight(client: Client, url: str) -> int:
    """Bytes for the HTML and every CSS and JavaScript file it references (all ours)."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content
    parser = Assets()
    parser.feed(html.decode())
    assert parser.urls, "expected the layout's stylesheet and script"
    total = len(html)
    for asset in parser.urls:
        assert asset.startswith(settings.STATIC_URL), f"{asset} is not one of our static files"
        found = finders.find(asset.removeprefix(settings.STATIC_URL).split("?")[0])
        assert isinstance(found, str), f"{asset} is missing"
        total += Path(found).stat().st_size
    return total


@pytest.mark.parametrize("url", QUERIES)
def test_each_public_page_weighs_under_100_kb_with_its_css_and_javascript(
    client: Client, demo: None, url: str
) -> None:
    assert page_weight(client, url) < WEIGHT_LIMIT


@pytest.mark.parametrize("url", ["/support/", "/support/?q=money", "/support/?q=safe+campus"])
def test_the_directory_stays_under_100_kb_with_500_services(
    client: Client, demo: None, url: str
) -> None:
    grow_to(500)
    assert page_weight(client, url) < WEIGHT_LIMIT
