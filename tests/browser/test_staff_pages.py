"""Staff sign-in and account pages (allauth, in our layout) in a real Chromium.

Uses the personas from the root conftest.py. Every page visited is checked with axe, and the
fixtures fail the test on any CSP violation or request to another host.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page

from tests.browser.support import DESKTOP, BrowserSession, assert_no_axe_violations
from waypoint.accounts.models import User
from waypoint.accounts.tests.factories import PERSONA_PASSWORD
from waypoint.institution.models import Institution

pytestmark = pytest.mark.browser

TotpCode = Callable[[User], str]


def sign_in_with_password(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PERSONA_PASSWORD)
    submit(page, "Sign In")


def submit(page: Page, button: str) -> None:
    """Press a form's button and wait for the page it leads to (fails fast on a 403)."""
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=button).click()


def assert_at(page: Page, path: str) -> None:
    assert page.url.split("?", 1)[0].endswith(path), f"expected {path}, at {page.url}"


def current_code_for_secret(secret: str) -> str:
    return str(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))


@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
def test_an_adviser_signs_in_with_password_and_code_through_accessible_pages(
    browser_session: BrowserSession,
    demo_institution: Institution,
    adviser: User,
    totp_code: TotpCode,
    viewport: str,
) -> None:
    page, _ = browser_session.new_page(**({"viewport": DESKTOP} if viewport == "desktop" else {}))
    sign_in_with_password(page, adviser)

    assert_at(page, "/accounts/2fa/authenticate/")
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)
    page.get_by_label("Code").fill(totp_code(adviser))
    submit(page, "Sign In")

    assert_at(page, "/staff/")
    assert page.locator("h1").count() == 1
    assert page.get_by_role("navigation", name="Staff").is_visible()
    assert_no_axe_violations(page)
    # Staff pages are not public pages: no quick exit, no help panel.
    assert page.locator("a.quick-exit").count() == 0


def test_a_wrong_sign_in_shows_an_accessible_error(
    page: Page, demo_institution: Institution, adviser: User
) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(adviser.email)
    page.get_by_label("Password").fill("not the password at all")
    submit(page, "Sign In")
    assert_at(page, "/accounts/login/")
    assert page.get_by_role("alert").is_visible()
    assert_no_axe_violations(page)


def test_a_new_adviser_sets_up_an_authenticator_through_accessible_pages(
    page: Page, demo_institution: Institution, staff_without_mfa: User
) -> None:
    sign_in_with_password(page, staff_without_mfa)

    if "/accounts/reauthenticate/" in page.url:
        # allauth may ask for the password again before an authenticator is added.
        assert page.locator("h1").count() == 1
        assert_no_axe_violations(page)
        page.get_by_label("Password").fill(PERSONA_PASSWORD)
        submit(page, "Confirm")
    assert_at(page, "/accounts/2fa/totp/activate/")
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(current_code_for_secret(secret))
    submit(page, "Activate")

    assert "/accounts/2fa/recovery-codes/" in page.url, page.url
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)


def test_the_signed_in_account_pages_are_accessible(
    page: Page, demo_institution: Institution, adviser: User, totp_code: TotpCode
) -> None:
    sign_in_with_password(page, adviser)
    assert_at(page, "/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill(totp_code(adviser))
    submit(page, "Sign In")
    assert_at(page, "/staff/")

    for url in ("/accounts/2fa/", "/accounts/password/change/", "/accounts/logout/"):
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert_no_axe_violations(page)

    page.goto("/accounts/reauthenticate/")
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)

    page.goto("/accounts/logout/")
    submit(page, "Sign Out")
    assert_at(page, "/accounts/login/")
    assert_no_axe_violations(page)
