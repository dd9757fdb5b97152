"""The error pages are kind and generic: no traceback, no settings, no internals.

The 500 page is rendered by Django with an empty context (no request, no database), so it
must not depend on the institution; it still offers the quick exit and 999. The 429 page is
allauth's answer to its rate limits (config.urls.handler429), in Waypoint's layout.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings

from tests.error_urls import SECRET_DETAIL
from tests.test_security_headers import assert_common_headers, assert_locked_down_headers
from waypoint.common.error_views import RETRY_AFTER_SECONDS, request_too_large, too_many_requests
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


def assert_every_security_header(response: Any) -> None:
    """What test_security_headers.py asks of every HTML page, for an error page."""
    assert response["Content-Type"].startswith("text/html")
    assert_common_headers(response)
    assert_locked_down_headers(response)
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "no-store" in response.headers["Cache-Control"]


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


@pytest.mark.django_db
def test_staff_signing_in_too_often_get_our_page_asking_them_to_wait(
    client: Client, settings: Settings
) -> None:
    institution_load_demo()
    # allauth's own limit on sign-in attempts from one address, as configured.
    allowed = int(settings.ACCOUNT_RATE_LIMITS["login"].split("/")[0])
    form = {"login": "adviser@personas.waypoint.test", "password": "not-the-password"}
    for _ in range(allowed):
        assert client.post("/accounts/login/", form).status_code != 429

    response = client.post("/accounts/login/", form)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert_every_security_header(response)
    body = response.content.decode()
    assert (
        "There have been too many tries in a row. Please wait a few minutes, then try again."
        in body
    )
    assert_generic(body)
    assert_offers_a_way_out(body)
    assert 'href="tel:01162522888"' in body  # the layout's own help, from the institution


@pytest.mark.django_db
def test_the_too_many_tries_page_works_before_the_institution_is_set_up(rf: RequestFactory) -> None:
    request = rf.get("/accounts/login/")
    response = too_many_requests(request)
    assert response.status_code == 429
    body = response.content.decode()
    assert_generic(body)
    assert_offers_a_way_out(body)


@pytest.mark.django_db
def test_the_too_big_page_states_the_upload_limits_in_plain_numbers(
    rf: RequestFactory, settings: Settings
) -> None:
    settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES = 20 * 2**20
    settings.WAYPOINT_UPLOAD_MAX_FILES = 7
    settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES = 60 * 2**20
    response = request_too_large(rf.post("/report/"))
    assert response.status_code == 413
    body = response.content.decode()
    assert "each file can be up to 20 MB" in body
    assert "up to 7 files and 60 MB in all" in body
    assert "nothing from this attempt was saved" in body
    assert_generic(body)
    assert_offers_a_way_out(body)
