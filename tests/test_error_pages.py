"""The 404 and 500 pages are kind and generic: no traceback, no settings, no internals.

The 500 page is rendered by Django with an empty context (no request, no database), so it
must not depend on the institution; it still offers the quick exit and 999.
"""

from __future__ import annotations

import logging
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client

from tests.error_urls import SECRET_DETAIL
from waypoint.common.templatetags.waypoint_ui import NEUTRAL_EXIT_URL
from waypoint.institution.demo import institution_load_demo
from waypoint.institution.models import Institution

# Words that would betray a debug page, a traceback or configuration.
TECHNICAL = re.compile(
    r"Traceback|Exception|RuntimeError|settings|SECRET|DEBUG|\.py\b|/srv/|/work/|"
    r"Request Method|Django Version|Python Version|Installed Applications|line \d+",
    re.IGNORECASE,
)


def assert_generic(body: str) -> None:
    found = TECHNICAL.findall(body)
    assert not found, f"technical detail in an error page: {found}"
    assert SECRET_DETAIL not in body


def assert_offers_a_way_out(body: str) -> None:
    assert 'class="quick-exit"' in body
    assert 'href="tel:999"' in body
    assert 'href="#main"' in body
    assert body.count("<h1") == 1


@pytest.mark.django_db
def test_the_not_found_page_is_generic_and_offers_help(client: Client) -> None:
    institution_load_demo()
    response = client.get("/this/does/not/exist/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "We cannot find that page" in body
    assert_generic(body)
    assert_offers_a_way_out(body)
    assert 'href="tel:01162522888"' in body  # campus Security, from the institution


@pytest.mark.django_db
def test_the_not_found_page_works_before_the_institution_is_set_up(client: Client) -> None:
    response = client.get("/this/does/not/exist/")
    assert response.status_code == 404
    body = response.content.decode()
    assert_generic(body)
    assert_offers_a_way_out(body)
    assert f'data-exit-to="{NEUTRAL_EXIT_URL}"' in body


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
def test_a_server_error_shows_a_kind_generic_page(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    institution_load_demo()
    client.raise_request_exception = False
    with caplog.at_level(logging.CRITICAL, logger="django.request"):
        response = client.get("/test-failure/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, something went wrong" in body
    assert "not something you did" in body
    assert_generic(body)
    assert_offers_a_way_out(body)
    # The 500 page never uses the institution's data, not even when it exists.
    assert "Leicester" not in body
    assert f'data-exit-to="{NEUTRAL_EXIT_URL}"' in body


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
def test_a_server_error_page_still_carries_the_security_headers(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    client.raise_request_exception = False
    with caplog.at_level(logging.CRITICAL, logger="django.request"):
        response = client.get("/test-failure/")
    assert response.status_code == 500
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "no-store" in response.headers["Cache-Control"]
    body = response.content.decode()
    assert "<style" not in body  # no nonce exists here, so no inline style either
    assert " style=" not in body


def test_the_server_error_template_renders_with_an_empty_context_and_no_database() -> None:
    # No django_db mark: any database query here would fail the test.
    body = render_to_string("500.html")
    assert_generic(body)
    assert_offers_a_way_out(body)
    assert 'lang="en-GB"' in body
    assert "nonce=" not in body


def test_the_fallback_quick_exit_matches_the_institution_default() -> None:
    assert Institution._meta.get_field("quick_exit_url").default == NEUTRAL_EXIT_URL


@pytest.mark.django_db
def test_a_rejected_form_explains_what_to_do_in_plain_words(
    caplog: pytest.LogCaptureFixture,
) -> None:
    institution_load_demo()
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.CRITICAL, logger="django.security.csrf"):
        response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Please try again" in body
    assert "CSRF" not in body
    assert_generic(body)
    assert_offers_a_way_out(body)
