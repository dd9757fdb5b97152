"""What every public page carries (issue 11): the way back to a report, and plain errors.

Persona: Sam told the team last week and wants to see whether anyone has replied. From
whatever page of the site they land on, the way back must be one link away.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from waypoint.accounts.management.commands.runserver import Command as Runserver
from waypoint.accounts.management.commands.runserver import served_base_url
from waypoint.accounts.services import demo_sign_in_table
from waypoint.common.templatetags.waypoint_ui import label_then
from waypoint.hub.demo import awareness_pages_load_demo, support_directory_load_demo
from waypoint.institution.demo import institution_load_demo
from waypoint.reporting.default_options import load_default_options
from waypoint.reporting.models import ReportOption

RETURN_LINK = '<a href="/my-report/">Already told us? Check for replies</a>'
PAGES = ["/", "/support/", "/check/", "/about/", "/campaigns/", "/report/", "/my-report/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_public_page_links_to_check_for_replies(url: str) -> None:
    institution_load_demo()
    support_directory_load_demo()
    awareness_pages_load_demo()
    body = Client().get(url).content.decode()
    assert RETURN_LINK in body
    assert '<a href="/my-report/">Check for replies</a>' in body  # in the header's menu


@pytest.mark.django_db
def test_the_not_found_page_also_shows_the_way_back() -> None:
    institution_load_demo()
    assert RETURN_LINK in Client().get("/no/such/page/").content.decode()


@pytest.mark.django_db
def test_the_danger_question_error_reads_as_a_sentence_without_a_stray_colon() -> None:
    institution_load_demo()
    load_default_options(ReportOption)
    client = Client()
    client.post(reverse("reporting:start"), {"route": "anonymous", "reporter_role": "student"})
    page = client.post(reverse("reporting:step", kwargs={"step": "danger"}), {})
    body = page.content.decode()
    assert "?:" not in body
    assert "Are you, or is someone else, in danger right now? " in body


@pytest.mark.parametrize(
    ("label", "error", "expected"),
    [
        ("Are you in danger?", "Choose yes or no.", "Are you in danger? Choose yes or no."),
        ("Email", "Enter an email address.", "Email: Enter an email address."),
        ("Status:", "Choose one.", "Status: Choose one."),
        ("", "Choose one.", "Choose one."),
    ],
)  # fmt: skip
def test_a_label_and_its_error_join_with_punctuation_that_reads_well(
    label: str, error: str, expected: str
) -> None:
    assert label_then(label, error) == expected


def bind(command: Runserver, *, addr: str) -> None:
    """What runserver's handle() sets before it binds (django-stubs does not declare them)."""
    vars(command).update(addr=addr, _raw_ipv6=False, use_ipv6=False, protocol="http")


def test_the_demo_sign_in_table_uses_the_address_actually_served() -> None:
    table = demo_sign_in_table(base_url="http://127.0.0.1:8080")
    assert "http://127.0.0.1:8080/accounts/login/" in table
    assert ":8000" not in table
    assert "adviser@demo.waypoint.test" in table


def test_runserver_prints_the_sign_in_table_last_and_points_emails_at_its_port(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.WAYPOINT_DEMO = True
    settings.WAYPOINT_SITE_URL = "http://127.0.0.1:8000"
    monkeypatch.delenv("WAYPOINT_SITE_URL", raising=False)
    out = io.StringIO()
    command = Runserver(stdout=out)
    bind(command, addr="127.0.0.1")

    command.on_bind(8123)

    printed = out.getvalue()
    assert printed.rstrip().endswith("The staff area: http://127.0.0.1:8123/staff/")
    assert "Sign in at http://127.0.0.1:8123/accounts/login/" in printed
    assert settings.WAYPOINT_SITE_URL == "http://127.0.0.1:8123"


def test_a_site_address_set_by_the_operator_is_kept(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.WAYPOINT_SITE_URL = "https://waypoint.example.ac.uk"
    monkeypatch.setenv("WAYPOINT_SITE_URL", "https://waypoint.example.ac.uk")
    command = Runserver(stdout=io.StringIO())
    bind(command, addr="0")
    command.on_bind(9000)
    assert settings.WAYPOINT_SITE_URL == "https://waypoint.example.ac.uk"
    assert served_base_url(protocol="http", addr="0", port=9000, ipv6=False) == (
        "http://127.0.0.1:9000"
    )
