"""The demo's awareness pages and campaign: the customer's facts, in our words, published."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client

from waypoint.hub.demo import (
    awareness_pages_load_demo,
    campaigns_load_demo,
    support_directory_load_demo,
)
from waypoint.hub.models import AwarenessPage, Campaign, CampaignLink
from waypoint.institution.demo import institution_load_demo

pytestmark = pytest.mark.django_db

PAGE_SLUGS = ["what-is-stalking", "tactics", "impact", "what-to-do", "helping-a-friend"]


@pytest.fixture
def pages() -> dict[str, AwarenessPage]:
    awareness_pages_load_demo()
    return {page.slug: page for page in AwarenessPage.objects.all()}


def test_it_loads_five_published_awareness_pages_in_order(pages):
    assert list(pages) == PAGE_SLUGS
    assert all(page.is_published for page in pages.values())


def test_loading_the_pages_twice_changes_nothing(pages):
    awareness_pages_load_demo()
    assert AwarenessPage.objects.count() == 5


def test_what_is_stalking_names_the_four_signs_and_who_can_stalk(pages):
    body = pages["what-is-stalking"].body.lower()
    for word in ("fixated", "obsessive", "unwanted", "repeated", "four"):
        assert word in body
    for who in ("partner", "an ex", "family", "acquaintance", "stranger"):
        assert who in body
    assert "romantic" in body
    assert "never your fault" in body


def test_tactics_covers_the_four_groups_with_examples_online_and_offline(pages):
    body = pages["tactics"].body
    for heading in ("Surveillance", "Life invasion", "Interference", "Intimidation"):
        assert f"## {heading}" in body
    for example in ("following you", "gifts", "damaging your property", "location", "accounts"):
        assert example in body
    assert "## Stalking through technology" in body


def test_impact_covers_wellbeing_study_daily_life_relationships_and_safety(pages):
    body = pages["impact"].body
    for heading in ("wellbeing", "studies", "daily life", "relationships", "safety"):
        assert f"## Your {heading}" in body


def test_what_to_do_covers_the_log_evidence_telling_someone_support_and_police(pages):
    body = pages["what-to-do"].body
    for heading in ("Keep a log", "Keep the evidence", "Tell someone", "Support you can use"):
        assert f"## {heading}" in body
    assert "## The police" in body
    for number in ("999", "101", "0808 802 0300", "0800 953 9595", "020 3866 4107"):
        assert number in body


def test_every_link_in_the_demo_content_leads_to_a_published_page(client: Client, pages):
    institution_load_demo()
    support_directory_load_demo()
    campaigns_load_demo()
    bodies = [p.body for p in pages.values()] + [c.body for c in Campaign.objects.all()]
    links = {href for body in bodies for href in re.findall(r"\]\((/[^)\s]*)\)", body)}
    assert len(links) > 10
    for href in sorted(links):
        assert client.get(href).status_code == 200, href


def test_it_loads_national_stalking_awareness_week_2024():
    campaigns_load_demo()
    campaign = Campaign.objects.get()
    assert campaign.name == "National Stalking Awareness Week 2024"
    assert campaign.starts_on == datetime.date(2024, 4, 22)
    assert campaign.ends_on == datetime.date(2024, 4, 26)
    assert campaign.theme == "Join Forces Against Stalking"
    assert campaign.lead_organisation == "Suzy Lamplugh Trust"
    assert campaign.is_published
    assert "Clive Ruggles" in campaign.body


def test_the_campaign_links_are_data_of_each_kind_on_the_organisations_sites():
    campaigns_load_demo()
    campaigns_load_demo()
    links = list(CampaignLink.objects.all())
    kinds = [link.kind for link in links]
    assert kinds.count(CampaignLink.Kind.SOCIAL) == 2
    assert CampaignLink.Kind.BLOG in kinds
    assert CampaignLink.Kind.VIDEO in kinds
    labels = " ".join(link.label for link in links)
    for words in ("Clive Ruggles", "Alice Ruggles Trust", "three-minute", " on X", "Instagram"):
        assert words in labels
    assert all(link.url.startswith("https://") for link in links)
