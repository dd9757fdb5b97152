"""Staff sign in through a real SAML identity provider, in Chromium (docs/sso.md).

pysaml2's IdP runs in a thread on 127.0.0.1 with a key made for the run
(tests/sso/saml_idp.py); Waypoint reads its metadata as it would a university's. The
browser context may navigate to it; Waypoint's pages are checked with axe and for CSP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from tests.browser.support import BrowserSession, assert_no_axe_violations
from tests.browser.test_sso_oidc import enter_totp, last_event, on_staff_home, refused
from tests.sso import config as sso_config
from tests.sso.saml_idp import REFEDS_MFA, RunningSAMLIdP, SAMLAccount, saml_idp
from waypoint.accounts import sso
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import PERSONA_TOTP_SECRETS, UserFactory
from waypoint.institution.models import Institution
from waypoint.privacy.identifiers import EMAIL, identifier_digest

ORGANIZATION = "waypoint"
IDP_ORIGIN_PREFIX = "http://127.0.0.1:"  # the live server is on localhost
IDP_PASSWORD = "saml-idp-password-for-tests"
ADVISER_EMAIL = "amira.adviser@personas.waypoint.test"
ACCOUNTS = [
    SAMLAccount("amira", IDP_PASSWORD, ADVISER_EMAIL),
    SAMLAccount("amira-mfa", IDP_PASSWORD, ADVISER_EMAIL, authn_context=REFEDS_MFA),
    SAMLAccount("unknown", IDP_PASSWORD, "nobody.here@personas.waypoint.test"),
]


@pytest.fixture
def adviser_with_totp(demo_institution: Institution) -> User:
    user: User = UserFactory.create(
        email=ADVISER_EMAIL,
        display_name="Amira Adviser",
        role=Role.ADVISER,
        totp_secret=PERSONA_TOTP_SECRETS["adviser"],
    )
    return user


@pytest.fixture
def idp_single_logout() -> bool:
    """Whether the IdP's metadata offers single logout; a test parametrizes it off."""
    return True


@pytest.fixture
def idp(
    live_server: Any, tmp_path: Path, settings: Settings, idp_single_logout: bool
) -> Iterator[RunningSAMLIdP]:
    saml_urls = f"{live_server.url}/accounts/saml/{ORGANIZATION}"
    with saml_idp(
        workdir=tmp_path,
        sp_entity_id=f"{saml_urls}/metadata/",
        acs_url=f"{saml_urls}/acs/",
        sls_url=f"{saml_urls}/sls/",
        accounts=ACCOUNTS,
        single_logout=idp_single_logout,
    ) as running:
        settings.SOCIALACCOUNT_PROVIDERS = sso_config.providers(
            saml=sso_config.saml_app(
                organization=ORGANIZATION,
                entity_id=running.entity_id,
                metadata_url=running.metadata_url,
            )
        )
        sso.clear_cache()
        yield running
        sso.clear_cache()


@pytest.fixture
def sso_page(browser_session: BrowserSession, idp: RunningSAMLIdP) -> Page:
    return browser_session.new_page(also_allow=(idp.base_url,))[0]


def sign_in_at_the_university(page: Page, login: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name="University sign-in (SAML)").click()
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The IdP's answer is a form that posts itself to Waypoint.
    page.wait_for_url(lambda url: not url.startswith(IDP_ORIGIN_PREFIX))
    page.wait_for_load_state()


def test_a_staff_member_signs_in_with_saml_then_enters_their_waypoint_code(
    sso_page: Page, adviser_with_totp: User
) -> None:
    sign_in_at_the_university(sso_page, "amira")
    enter_totp(sso_page, adviser_with_totp)
    on_staff_home(sso_page)
    assert last_event("staff.signed_in").extra["mfa"] == "waypoint_totp"


def test_a_saml_assertion_of_mfa_is_enough_when_the_institution_trusts_it(
    sso_page: Page, adviser_with_totp: User, settings: Settings
) -> None:
    settings.WAYPOINT_SSO_SATISFIES_MFA = True
    sign_in_at_the_university(sso_page, "amira-mfa")
    on_staff_home(sso_page)
    signed_in = last_event("staff.signed_in")
    assert signed_in.extra["mfa"] == "identity_provider"
    assert signed_in.extra["mfa_evidence"] == f"authn_context:{REFEDS_MFA}"


def test_a_saml_password_only_sign_in_still_needs_the_waypoint_code(
    sso_page: Page, adviser_with_totp: User, settings: Settings
) -> None:
    settings.WAYPOINT_SSO_SATISFIES_MFA = True
    sign_in_at_the_university(sso_page, "amira")
    enter_totp(sso_page, adviser_with_totp)
    on_staff_home(sso_page)


def test_a_saml_address_with_no_staff_account_is_refused_and_audited_by_digest(
    sso_page: Page, adviser_with_totp: User
) -> None:
    sign_in_at_the_university(sso_page, "unknown")
    refused(sso_page, "unknown")
    event = last_event("staff.sso_refused")
    assert event.extra["email_digests"] == identifier_digest(
        EMAIL, "nobody.here@personas.waypoint.test"
    )


def sign_out_of_waypoint(page: Page, user: User) -> None:
    staff_nav = page.get_by_role("navigation", name="Staff")
    with page.expect_navigation(url=lambda url: url.endswith("/accounts/login/")):
        staff_nav.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in")
    assert_no_axe_violations(page)
    page.goto("/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in")
    assert last_event("staff.signed_out").object_id == str(user.pk)


def start_saml_sign_in_again(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name="University sign-in (SAML)").click()
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_signing_out_after_saml_ends_the_waypoint_session_and_the_idps(
    sso_page: Page, adviser_with_totp: User, idp: RunningSAMLIdP
) -> None:
    sign_in_at_the_university(sso_page, "amira")
    enter_totp(sso_page, adviser_with_totp)
    on_staff_home(sso_page)
    assert len(idp.sessions) == 1

    # Waypoint signs out, sends a LogoutRequest to the IdP, and the IdP's answer brings
    # the browser back to Waypoint's sign-in page.
    sign_out_of_waypoint(sso_page, adviser_with_totp)
    [logout_request] = idp.logout_requests
    assert logout_request.ended_session_of == "amira"
    assert logout_request.session_indexes, "the LogoutRequest names the IdP session"
    assert idp.sessions == {}

    # The IdP's session is gone too: it asks for the password again.
    start_saml_sign_in_again(sso_page)
    expect(sso_page.get_by_label("Password")).to_be_visible()
    assert sso_page.url.startswith(idp.base_url), sso_page.url


@pytest.mark.parametrize("idp_single_logout", [False])
def test_signing_out_after_saml_ends_only_the_waypoint_session_when_the_idp_has_no_single_logout(
    sso_page: Page, adviser_with_totp: User, idp: RunningSAMLIdP
) -> None:
    sign_in_at_the_university(sso_page, "amira")
    enter_totp(sso_page, adviser_with_totp)
    on_staff_home(sso_page)
    sign_out_of_waypoint(sso_page, adviser_with_totp)
    assert idp.logout_requests == []

    # The IdP still remembers the browser, so it comes straight back; Waypoint still
    # asks for its own code.
    start_saml_sign_in_again(sso_page)
    enter_totp(sso_page, adviser_with_totp)
    on_staff_home(sso_page)
