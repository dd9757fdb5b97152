"""Helpers for the content management tests: live items made the way the demo makes them
(straight into the live tables, with no revision behind them) and a second administrator."""

from __future__ import annotations

import datetime
from typing import Any, Final

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import UserFactory
from waypoint.hub.models import (
    AwarenessPage,
    Campaign,
    CampaignEvent,
    CampaignLink,
    SupportCategory,
    SupportPhone,
    SupportService,
)

# A second administrator's authenticator secret (base32, 160 bits), for sign-in in tests.
SECOND_ADMINISTRATOR_TOTP_SECRET: Final = "JBSWY3DPEHPK3PXPSECONDADMINSECRE"


def second_administrator_create() -> User:
    return UserFactory.create(
        email="second-administrator@personas.waypoint.test",
        display_name="Second Administrator",
        role=Role.ADMINISTRATOR,
        totp_secret=SECOND_ADMINISTRATOR_TOTP_SECRET,
    )


def category_create(slug: str = "safety", name: str = "Safety") -> SupportCategory:
    return SupportCategory.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def service_create(slug: str = "security-team", **fields: Any) -> SupportService:
    values: dict[str, Any] = {
        "name": "Security Team",
        "provider": SupportService.Provider.INTERNAL,
        "summary": "Campus security, day and night, if you feel unsafe on campus.",
        "description": "Patrols day and night.\n\nInstall the Safezone app.",
        "is_24_7": True,
        "is_free": True,
        "is_published": True,
        **fields,
    }
    service = SupportService.objects.create(slug=slug, **values)
    service.categories.set([category_create()])
    SupportPhone.objects.create(
        service=service, kind=SupportPhone.Kind.EMERGENCY, number="0116 252 2888", position=0
    )
    SupportPhone.objects.create(
        service=service, kind=SupportPhone.Kind.NON_EMERGENCY, number="0116 252 2023", position=1
    )
    return service


def page_create(slug: str = "what-is-stalking", **fields: Any) -> AwarenessPage:
    values: dict[str, Any] = {
        "title": "What is stalking?",
        "summary": "Persistent, unwanted attention that makes you feel scared or distressed.",
        "body": "## The FOUR signs\n\nFixated, obsessive, unwanted, repeated.",
        "is_published": True,
        **fields,
    }
    return AwarenessPage.objects.create(slug=slug, **values)


def campaign_create(slug: str = "nsaw-2024", **fields: Any) -> Campaign:
    values: dict[str, Any] = {
        "name": "National Stalking Awareness Week 2024",
        "theme": "Join Forces Against Stalking",
        "lead_organisation": "Suzy Lamplugh Trust",
        "starts_on": datetime.date(2024, 4, 22),
        "ends_on": datetime.date(2024, 4, 26),
        "summary": "A week to learn the signs of stalking and where to find help.",
        "body": "Join us.",
        "is_published": True,
        **fields,
    }
    campaign = Campaign.objects.create(slug=slug, **values)
    CampaignLink.objects.create(
        campaign=campaign,
        kind=CampaignLink.Kind.VIDEO,
        label="Watch the Alice Ruggles Trust film",
        url="https://www.alicerugglestrust.org/",
        position=0,
    )
    CampaignEvent.objects.create(
        campaign=campaign,
        title="Drop-in stall",
        starts_at=datetime.datetime(2024, 4, 23, 11, 0, tzinfo=datetime.UTC),
        location="Library foyer",
    )
    return campaign
