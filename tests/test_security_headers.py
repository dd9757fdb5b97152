"""Every kind of response carries the security headers (docs/decisions/0009), and every page
keeps to a nonce-based CSP: no inline handlers, no style attributes, a fresh nonce on every
<script> and <style> element.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pytest
from django.http import HttpResponse
from django.test import Client
from pytest_django.fixtures import Settings

from waypoint.accounts.models import User

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse
from waypoint.institution.demo import institution_load_demo

pytestmark = pytest.mark.django_db

NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-+/=]+)'")
# Script types that are data, never executed; a nonce means nothing on them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
# The root conftest's `login_as(client, user)`: the real allauth sign-in, TOTP step included.
SignIn = Callable[[Client, User], HttpResponse]


class Markup(HTMLParser):
    """The <script>/<style> elements of a page and any attribute CSP would have to allow."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.styles: list[dict[str, str | None]] = []
        self.inline_attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        elif tag == "style":
            self.styles.append(attributes)
        for name in attributes:
            if name == "style" or re.fullmatch(r"on[a-z]+", name):
                self.inline_attributes.append(f"<{tag} {name}=...>")

    handle_startendtag = handle_starttag


def csp_nonce(response: TestResponse) -> str | None:
    match = NONCE.search(response.headers["Content-Security-Policy"])
    return match.group(1) if match else None


def directives(response: TestResponse) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    parts = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_common_headers(response: TestResponse) -> None:
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    # Nothing about where someone was is sent anywhere, our own site included; form posts
    # still pass CSRF through Fetch Metadata (waypoint/common/csrf.py).
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def assert_locked_down_headers(response: TestResponse) -> None:
    """Headers our own middleware adds; WhiteNoise answers static files before it runs."""
    headers = response.headers
    assert "Content-Security-Policy" in headers
    policy = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert directives(response)["frame-ancestors"] == "'none'"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]


def assert_secure_html_page(response: TestResponse) -> str:
    """All the rules for an HTML page; returns the page's nonce."""
    assert response.status_code in (200, 404), response.status_code
    assert response["Content-Type"].startswith("text/html")
    assert_common_headers(response)
    assert_locked_down_headers(response)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "no-store" in response.headers["Cache-Control"]

    nonce = csp_nonce(response)
    assert nonce, "the CSP must carry a per-request nonce"
    policy = directives(response)
    assert f"'nonce-{nonce}'" in policy["script-src"]
    assert f"'nonce-{nonce}'" in policy["style-src"]

    markup = Markup()
    markup.feed(response.content.decode())
    assert markup.scripts or markup.styles, "expected our layout's script and style"
    for script in markup.scripts:
        if (script.get("type") or "").lower() in DATA_SCRIPT_TYPES:
            continue
        assert script.get("nonce") == nonce, f"script without the nonce: {script}"
    for style in markup.styles:
        assert style.get("nonce") == nonce, f"style without the nonce: {style}"
    assert not markup.inline_attributes, f"inline handlers or styles: {markup.inline_attributes}"
    return nonce


@pytest.fixture
def institution_ready() -> None:
    institution_load_demo()


PUBLIC_PAGES = {
    "public home": "/",
    "not found": "/no-such-page/",
    "staff sign-in": "/accounts/login/",
    "password reset": "/accounts/password/reset/",
}


@pytest.mark.parametrize("url", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_the_page_is_served_with_every_security_header(
    client: Client, institution_ready: None, url: str
) -> None:
    assert_secure_html_page(client.get(url))


@pytest.mark.parametrize("url", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_the_nonce_is_new_on_every_request(
    client: Client, institution_ready: None, url: str
) -> None:
    first = assert_secure_html_page(client.get(url))
    second = assert_secure_html_page(client.get(url))
    assert first != second


def test_the_home_page_works_before_the_institution_is_set_up(client: Client) -> None:
    assert_secure_html_page(client.get("/"))


def test_a_staff_page_for_a_signed_in_mfa_user_has_every_security_header(
    client: Client, institution_ready: None, adviser: User, login_as: SignIn
) -> None:
    login_as(client, adviser)
    response = client.get("/staff/")
    assert response.status_code == 200
    assert_secure_html_page(response)


def test_the_account_security_pages_keep_to_the_csp(
    client: Client, institution_ready: None, adviser: User, login_as: SignIn
) -> None:
    login_as(client, adviser)
    for url in ("/accounts/2fa/", "/accounts/password/change/", "/accounts/logout/"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert_secure_html_page(response)


def test_the_admin_for_a_signed_in_mfa_administrator_has_every_security_header(
    client: Client, institution_ready: None, administrator: User, login_as: SignIn
) -> None:
    login_as(client, administrator)
    response = client.get("/staff/admin/")
    assert response.status_code == 200
    assert_secure_html_page(response)


def test_redirects_carry_the_headers_too(client: Client) -> None:
    response = client.get("/staff/admin/")
    assert response.status_code == 302
    assert_common_headers(response)
    assert_locked_down_headers(response)
    assert "no-store" in response.headers["Cache-Control"]


@pytest.fixture
def static_client(settings: Settings) -> Callable[[str], TestResponse]:
    # Serve from the source folders, as `collectstatic` would have (WhiteNoise, no DEBUG).
    settings.WHITENOISE_USE_FINDERS = True

    def get(url: str) -> TestResponse:
        response = Client().get(url)
        assert response.status_code == 200, response.status_code
        return response

    return get


def test_a_static_file_is_served_with_the_basic_headers(
    static_client: Callable[[str], TestResponse],
) -> None:
    response = static_client("/static/css/waypoint.css")
    assert response["Content-Type"].startswith("text/css")
    assert_common_headers(response)


def test_a_static_file_is_served_with_the_locked_down_headers(
    static_client: Callable[[str], TestResponse],
) -> None:
    response = static_client("/static/js/quick-exit.js")
    assert_locked_down_headers(response)
    assert response.headers["X-Frame-Options"] == "DENY"
