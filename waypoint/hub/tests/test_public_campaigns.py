"""The live campaign is chosen by date: a banner on the home page while it runs, then the
archive."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from waypoint.hub.demo import campaigns_load_demo
from waypoint.hub.models import Campaign
from waypoint.hub.selectors import campaign_get_live, campaign_list_for_public
from waypoint.institution.demo import institution_load_demo

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NSAW = "National Stalking Awareness Week 2024"
NSAW_URL = "/campaigns/national-stalking-awareness-week-2024/"


@pytest.fixture(autouse=True)
def demo() -> None:
    institution_load_demo()
    campaigns_load_demo()


def on(day: datetime.date, hour: int = 12) -> time_machine.travel:
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON), tick=False
    )


def banner(client: Client) -> str:
    body = client.get("/").content.decode()
    start = body.find('class="campaign-banner"')
    return body[start : body.find("</p>", start)] if start != -1 else ""


def test_the_home_page_shows_the_campaign_banner_during_the_week(client: Client) -> None:
    with on(datetime.date(2024, 4, 23)):
        shown = banner(client)
    assert NSAW in shown
    assert f'href="{NSAW_URL}"' in shown
    assert "22\u201326 April 2024" in shown
    assert "Join Forces Against Stalking" in shown


@pytest.mark.parametrize(
    ("day", "hour", "live"),
    [
        (datetime.date(2024, 4, 21), 23, False),
        (datetime.date(2024, 4, 22), 0, True),
        (datetime.date(2024, 4, 26), 23, True),
        (datetime.date(2024, 4, 27), 0, False),
    ],
)
def test_the_banner_starts_and_ends_with_the_campaigns_dates_in_local_time(
    client: Client, day: datetime.date, hour: int, live: bool
) -> None:
    with on(day, hour):
        assert bool(banner(client)) is live


def test_after_the_week_there_is_no_banner_and_the_campaign_is_in_the_archive(
    client: Client,
) -> None:
    with on(datetime.date(2024, 5, 1)):
        assert banner(client) == ""
        body = client.get("/campaigns/").content.decode()
        page = client.get(NSAW_URL).content.decode()
    current, past = body.split('id="past-title"', 1)
    assert NSAW not in current
    assert "There is no campaign running or planned at the moment." in current
    assert NSAW in past
    assert "Past campaign" in page


def test_before_the_week_the_campaign_is_coming_up_without_a_banner(client: Client) -> None:
    with on(datetime.date(2024, 4, 1)):
        assert banner(client) == ""
        body = client.get("/campaigns/").content.decode()
        page = client.get(NSAW_URL).content.decode()
    assert NSAW in body.split('id="current-title"', 1)[1]
    assert 'id="past-title"' not in body
    assert "Coming up" in page


def test_an_unpublished_campaign_never_shows_a_banner(client: Client) -> None:
    Campaign.objects.update(is_published=False)
    with on(datetime.date(2024, 4, 23)):
        assert banner(client) == ""


def make_campaign(slug: str, starts: datetime.date, ends: datetime.date) -> Campaign:
    return Campaign.objects.create(
        slug=slug,
        name=slug.replace("-", " ").title(),
        starts_on=starts,
        ends_on=ends,
        summary="A campaign.",
        is_published=True,
    )


def test_when_campaigns_overlap_the_one_that_started_last_is_live() -> None:
    make_campaign("april-month", datetime.date(2024, 4, 1), datetime.date(2024, 4, 30))
    live = campaign_get_live(today=datetime.date(2024, 4, 23))
    assert live is not None
    assert live.slug == "national-stalking-awareness-week-2024"
    later = campaign_get_live(today=datetime.date(2024, 4, 29))
    assert later is not None
    assert later.slug == "april-month"


def test_the_listing_puts_current_and_upcoming_first_soonest_first_then_the_archive() -> None:
    make_campaign("old", datetime.date(2022, 4, 25), datetime.date(2022, 4, 29))
    make_campaign("older", datetime.date(2021, 4, 19), datetime.date(2021, 4, 23))
    make_campaign("next", datetime.date(2024, 6, 1), datetime.date(2024, 6, 7))
    listing = campaign_list_for_public(today=datetime.date(2024, 4, 23))
    assert [c.slug for c in listing.current] == ["national-stalking-awareness-week-2024", "next"]
    assert [c.slug for c in listing.past] == ["old", "older"]
