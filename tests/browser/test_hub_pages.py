"""The public hub in a real Chromium, with JavaScript on and off: no axe violations, the
quick exit on every page and working, the directory search usable without scripts.

The fixtures in conftest.py also fail a test if a page breaks its CSP, throws a script
error, fails to load one of our assets, or asks for anything from another host.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from tests.browser.support import DESKTOP, BrowserSession, assert_no_axe_violations
from tests.browser.test_public_pages import EXIT_URL, stub_exit_page
from waypoint.hub.demo import (
    PAGES,
    SERVICES,
    awareness_pages_load_demo,
    campaigns_load_demo,
    support_directory_load_demo,
)
from waypoint.hub.models import Campaign, CampaignEvent, CampaignLink
from waypoint.institution.models import Institution

pytestmark = pytest.mark.browser

NSAW = "/campaigns/national-stalking-awareness-week-2024/"
HUB_PAGES = {
    "home": "/",
    "about": "/about/",
    **{f"about-{page.slug}": f"/about/{page.slug}/" for page in PAGES},
    "campaigns": "/campaigns/",
    "campaign": NSAW,
    "live-campaign": "/campaigns/safer-together-week/",
    "support": "/support/",
    "search-results": "/support/?q=unsafe+on+campus",
    "search-no-results": "/support/?q=zebra+crossing",
    "filtered": "/support/?category=safety&audience=staff",
    "service": "/support/leicestershire-police/",
    "tell-us": "/tell-us/",
}


@pytest.fixture
def hub_demo(demo_institution: Institution) -> Institution:
    """The demo hub, plus a campaign running today so the home page shows its banner."""
    support_directory_load_demo()
    awareness_pages_load_demo()
    campaigns_load_demo()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        slug="safer-together-week",
        name="Safer Together Week",
        theme="Look out for each other",
        lead_organisation="Standing Together",
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=3),
        summary="A week about looking out for each other.",
        body="## What is on\n\nTalks and a stall. [Find support](/support/).",
        is_published=True,
    )
    CampaignLink.objects.create(
        campaign=campaign, kind=CampaignLink.Kind.VIDEO, label="A film", url="https://e.org/f"
    )
    CampaignEvent.objects.create(
        campaign=campaign,
        title="Drop-in stall",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        location="Library foyer",
        description="Come and talk to us.",
    )
    return demo_institution


def assert_no_axe_violations_without_javascript(browser_session: BrowserSession, url: str) -> None:
    """axe on the page as it is without JavaScript.

    axe needs scripts itself (it never finishes in a context with JavaScript off), so it runs
    in a context where every script of ours is answered with nothing: the page's DOM and
    styles are then exactly those of a visit without JavaScript.
    """
    page, _ = browser_session.new_page()
    page.route(
        "**/static/js/**",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=""),
    )
    page.goto(url)
    assert page.evaluate("document.documentElement.classList.contains('js')") is False
    assert_no_axe_violations(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("url", HUB_PAGES.values(), ids=HUB_PAGES.keys())
def test_every_hub_page_is_accessible_and_its_quick_exit_works(
    browser_session: BrowserSession, hub_demo: Institution, url: str, javascript: bool
) -> None:
    page, _ = browser_session.new_page(java_script_enabled=javascript)
    served = stub_exit_page(page)
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert page.locator("#get-help").is_visible()
    if javascript:
        assert_no_axe_violations(page)
    else:
        assert not page.get_by_text("Press Esc twice").is_visible()
        assert_no_axe_violations_without_javascript(browser_session, url)

    exit_link = page.locator("a.quick-exit")
    assert exit_link.is_visible()
    assert exit_link.get_attribute("href") == "/exit/"
    assert exit_link.get_attribute("data-exit-to") == hub_demo.quick_exit_url
    exit_link.click()
    page.wait_for_url(f"{EXIT_URL}**")
    assert served


def test_the_home_page_shows_the_live_campaign_and_the_awareness_pages(
    page: Page, hub_demo: Institution
) -> None:
    page.goto("/")
    banner = page.locator(".campaign-banner")
    assert banner.is_visible()
    banner.get_by_role("link", name="Safer Together Week").click()
    page.wait_for_url("**/campaigns/safer-together-week/")
    page.go_back()
    page.get_by_role("link", name="How to help a friend").click()
    assert page.locator("h1").inner_text() == "How to help a friend"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_directory_search_and_filters_work_as_a_plain_form(
    browser_session: BrowserSession, hub_demo: Institution, javascript: bool
) -> None:
    page, _ = browser_session.new_page(java_script_enabled=javascript)
    page.goto("/support/")
    page.get_by_label("What do you need help with?").fill("report to police")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/support/?q=report+to+police**")
    first = page.locator(".service__name").first
    assert first.inner_text() == "Leicestershire Police"

    page.get_by_label("What do you need help with?").fill("")
    page.get_by_label("Type of support").select_option(label="Disability")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**category=disability**")
    assert page.locator(".service__name").all_inner_texts() == ["AccessAbility Centre"]

    page.get_by_role("link", name="Show all support").click()
    assert page.locator(".service__name").count() == len(SERVICES)


def test_a_search_with_no_results_leads_to_the_help_panel(
    page: Page, hub_demo: Institution
) -> None:
    page.goto("/support/?q=zebra+crossing")
    page.locator(".notice").get_by_role("link", name="Get help now").click()
    assert page.locator("#get-help").is_visible()
    assert page.evaluate("location.hash") == "#get-help"


def test_phone_numbers_in_the_directory_are_labelled_call_links(
    page: Page, hub_demo: Institution
) -> None:
    page.goto("/support/security-team/")
    emergency = page.get_by_role("link", name="Emergency (internal) 0116 252 2888")
    assert emergency.get_attribute("href") == "tel:01162522888"
    routine = page.get_by_role("link", name="Non-emergency 0116 252 2023")
    assert routine.get_attribute("href") == "tel:01162522023"


@pytest.mark.parametrize("url", ["/support/", "/about/tactics/", NSAW, "/support/victim-first/"])
@pytest.mark.parametrize("width", [320, DESKTOP["width"]])
def test_hub_pages_never_scroll_sideways(
    browser_session: BrowserSession, hub_demo: Institution, url: str, width: int
) -> None:
    page, _ = browser_session.new_page(viewport={"width": width, "height": 800})
    page.goto(url)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_the_directory_is_accessible_on_a_desktop_screen(
    desktop_page: Page, hub_demo: Institution
) -> None:
    desktop_page.goto("/support/?q=money")
    assert_no_axe_violations(desktop_page)
