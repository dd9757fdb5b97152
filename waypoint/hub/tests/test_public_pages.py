"""The public hub pages: what an anonymous visitor sees, and what they never see."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.test_security_headers import assert_secure_html_page
from waypoint.hub.demo import (
    awareness_pages_load_demo,
    campaigns_load_demo,
    support_directory_load_demo,
)
from waypoint.hub.models import AwarenessPage, Campaign, CampaignEvent, SupportService
from waypoint.institution.demo import institution_load_demo
from waypoint.institution.models import Institution

pytestmark = pytest.mark.django_db

NSAW = "/campaigns/national-stalking-awareness-week-2024/"
PUBLIC_PAGES = {
    "home": "/",
    "tell us": "/tell-us/",
    "about index": "/about/",
    "awareness page": "/about/what-is-stalking/",
    "campaigns": "/campaigns/",
    "campaign": NSAW,
    "support directory": "/support/",
    "search with results": "/support/?q=money",
    "search without results": "/support/?q=zebra+crossing",
    "filtered directory": "/support/?category=safety&audience=students",
    "service": "/support/security-team/",
}


@pytest.fixture
def demo() -> Institution:
    institution = institution_load_demo()
    support_directory_load_demo()
    awareness_pages_load_demo()
    campaigns_load_demo()
    return institution


def page_text(response) -> str:
    """The response's visible text, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.parametrize("url", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_every_public_page_is_open_to_anyone_with_the_quick_exit_and_help_panel(
    client: Client, demo: Institution, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert_secure_html_page(response)
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert 'href="/exit/" rel="noreferrer" class="quick-exit"' in body
    assert f'data-exit-to="{demo.quick_exit_url}"' in body
    assert 'id="get-help"' in body


@pytest.mark.parametrize("url", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_pages_only_read(client: Client, demo: Institution, url: str) -> None:
    assert client.post(url).status_code in (403, 405)


@pytest.mark.parametrize("url", ["/", "/about/", "/support/", "/tell-us/", "/campaigns/"])
def test_public_pages_work_before_the_institution_is_set_up(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert 'href="tel:999"' in response.content.decode()


# --- Home -----------------------------------------------------------------------------------


def test_the_home_page_links_to_every_published_awareness_page(
    client: Client, demo: Institution
) -> None:
    AwarenessPage.objects.filter(slug="helping-a-friend").update(is_published=False)
    body = client.get("/").content.decode()
    for slug in ("what-is-stalking", "tactics", "impact", "what-to-do"):
        assert f'href="/about/{slug}/"' in body
    assert "/about/helping-a-friend/" not in body


def test_tell_us_what_happened_leads_to_the_report_flow(client: Client, demo: Institution) -> None:
    body = client.get("/").content.decode()
    assert '<a class="action" href="/report/">' in body
    assert 'href="/tell-us/"' not in body
    # The help panel on every page too.
    assert (
        'href="/report/">tell Standing Together what happened'
        in client.get("/support/").content.decode()
    )


# --- How to tell us ------------------------------------------------------------------------


def test_the_tell_us_page_gives_the_teams_contact_details_when_set(
    client: Client, demo: Institution
) -> None:
    demo.team_email = "standingtogether@le.ac.uk"
    demo.team_phone = "0116 000 0000"
    demo.save()
    response = client.get("/tell-us/")
    body = response.content.decode()
    assert 'href="mailto:standingtogether@le.ac.uk"' in body
    assert 'href="tel:01160000000"' in body
    assert "How to reach Standing Together" in page_text(response)


def test_the_tell_us_page_points_to_the_directory_and_security_when_no_contact_is_set(
    client: Client, demo: Institution
) -> None:
    response = client.get("/tell-us/")
    body = response.content.decode()
    text = page_text(response)
    assert "mailto:" not in body
    assert "have not been added to this site yet" in text
    assert 'href="/support/"' in body
    assert 'href="tel:01162522888"' in body
    assert 'href="tel:01162522023"' in body


# --- Awareness pages -----------------------------------------------------------------------


def test_the_about_index_lists_published_pages_in_order(client: Client, demo: Institution) -> None:
    AwarenessPage.objects.filter(slug="impact").update(is_published=False)
    body = client.get("/about/").content.decode()
    found = re.findall(r'href="/about/([a-z-]+)/"', body)
    assert found == ["what-is-stalking", "tactics", "what-to-do", "helping-a-friend"]


def test_an_awareness_page_shows_its_body_as_markdown(client: Client, demo: Institution) -> None:
    response = client.get("/about/what-is-stalking/")
    body = response.content.decode()
    assert "<h1>What is stalking?</h1>" in body
    assert "<h2>The FOUR signs</h2>" in body
    assert "<strong>Fixated</strong>" in body
    # The other pages are offered as next reads.
    assert 'href="/about/tactics/"' in body


def test_an_awareness_page_body_cannot_inject_html(client: Client, demo: Institution) -> None:
    AwarenessPage.objects.filter(slug="tactics").update(
        body='<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="y">'
    )
    body = client.get("/about/tactics/").content.decode()
    assert "<script>alert" not in body
    assert "javascript:" not in body.replace("[x](javascript:alert(1))", "")
    assert "&lt;img src=x" in body


def test_an_unpublished_awareness_page_is_not_found(client: Client, demo: Institution) -> None:
    AwarenessPage.objects.filter(slug="impact").update(is_published=False)
    assert client.get("/about/impact/").status_code == 404
    assert client.get("/about/no-such-page/").status_code == 404


# --- Campaigns ------------------------------------------------------------------------------


def test_a_campaign_page_shows_its_facts_links_and_events(
    client: Client, demo: Institution
) -> None:
    campaign = Campaign.objects.get(slug="national-stalking-awareness-week-2024")
    CampaignEvent.objects.create(
        campaign=campaign,
        title="Drop-in stall",
        starts_at=datetime.datetime(2024, 4, 23, 12, 0, tzinfo=ZoneInfo("Europe/London")),
        location="Library foyer",
        url="https://le.ac.uk/events/stall",
    )
    response = client.get(NSAW)
    text = page_text(response)
    body = response.content.decode()
    assert "When 22\u201326 April 2024" in text
    assert "Theme Join Forces Against Stalking" in text
    assert "Led by Suzy Lamplugh Trust" in text
    assert "Drop-in stall" in text
    assert "Tuesday 23 April 2024, 12:00" in text
    for link in campaign.links.all():
        assert f'<a href="{link.url}" rel="noreferrer">' in body


def test_an_unpublished_campaign_is_not_found_or_listed(client: Client, demo: Institution) -> None:
    Campaign.objects.update(is_published=False)
    assert client.get(NSAW).status_code == 404
    assert NSAW not in client.get("/campaigns/").content.decode()


# --- Support directory ----------------------------------------------------------------------


def test_the_directory_lists_every_number_labelled_as_a_tel_link(
    client: Client, demo: Institution
) -> None:
    body = " ".join(client.get("/support/").content.decode().split())
    expected = [
        ("emergency", "Emergency (internal)", "tel:01162522888", "0116 252 2888"),
        ("non_emergency", "Non-emergency", "tel:01162522023", "0116 252 2023"),
        ("helpline", "Helpline", "tel:08009539595", "0800 953 9595"),
        ("emergency", "Emergency", "tel:999", "999"),
        ("non_emergency", "Non-emergency", "tel:101", "101"),
        ("helpline", "Helpline", "tel:02038664107", "020 3866 4107"),
        ("helpline", "Helpline (National Stalking Helpline)", "tel:08088020300", "0808 802 0300"),
    ]
    for kind, label, href, number in expected:
        link = (
            f'<a class="phone phone--{kind}" href="{href}"> '
            f'<span class="phone__label">{label}</span> '
            f'<span class="phone__number">{number}</span> </a>'
        )
        assert link in body


def test_the_directory_separates_services_at_the_university_from_outside_ones(
    client: Client, demo: Institution
) -> None:
    text = page_text(client.get("/support/"))
    inside, outside = text.split("Outside the university", 1)
    assert "Standing Together" in inside.split("At the university", 1)[1]
    assert "Victim First" not in inside
    assert "Victim First" in outside


def test_a_service_page_shows_everything_about_the_service(
    client: Client, demo: Institution
) -> None:
    response = client.get("/support/leicestershire-police/")
    body = response.content.decode()
    text = page_text(response)
    assert "Outside the university" in text
    assert "Open 24 hours, every day" in text
    assert "Free" in text
    assert "Anyone." in text
    assert 'href="tel:999"' in body
    assert 'href="tel:101"' in body
    assert '<a href="https://www.leics.police.uk/ro/report" rel="noreferrer">Report online' in body
    assert 'href="/support/?category=police-legal"' in body


def test_a_service_page_offers_webchat_where_there_is_one(
    client: Client, demo: Institution
) -> None:
    text = page_text(client.get("/support/victim-first/"))
    assert "Chat online with Victim First" in text
    assert "Confidential" in text


def test_an_unpublished_service_is_not_found_listed_or_searchable(
    client: Client, demo: Institution
) -> None:
    SupportService.objects.filter(slug="paladin").update(is_published=False)
    assert client.get("/support/paladin/").status_code == 404
    assert "/support/paladin/" not in client.get("/support/").content.decode()
    assert "/support/paladin/" not in client.get("/support/?q=paladin").content.decode()
