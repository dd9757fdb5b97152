"""Staff sign in through a real OpenID Connect provider, in Chromium (docs/sso.md).

The provider is `oidc-provider` from npm, started by each test on 127.0.0.1 with a
client for Waypoint (tests/sso/providers.py). The browser context may reach it for page
navigations only; every Waypoint page on the way is checked with axe, and the context
fails the test on any CSP violation (the `form-action` that once stopped the redirect to
the provider included).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from tests.browser.staff_support import staff_walk
from tests.browser.support import BrowserSession, assert_no_axe_violations
from tests.sso import config as sso_config
from tests.sso.providers import Account, RunningOIDCProvider, oidc_provider
from waypoint.accounts import sso
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import PERSONA_TOTP_SECRETS, UserFactory
from waypoint.accounts.tests.support import totp_code
from waypoint.institution.models import Institution
from waypoint.privacy.identifiers import EMAIL, identifier_digest
from waypoint.privacy.models import AuditEvent

PROVIDER_ID = "university"
IDP_PASSWORD = "idp-password-for-tests"
ADVISER_EMAIL = "amira.adviser@personas.waypoint.test"


def idp_account(login: str, email: str, **changes: Any) -> Account:
    claims = {"email": email, "email_verified": True, "name": login.title()}
    claims.update(changes.pop("claims", {}))
    return Account(login=login, password=IDP_PASSWORD, claims=claims, **changes)


ACCOUNTS = [
    # Signs in with password and a one-time code at the university.
    idp_account("amira", ADVISER_EMAIL, amr=("pwd", "otp")),
    # Password only at the university.
    idp_account("amira-password-only", ADVISER_EMAIL),
    idp_account("unknown", "nobody.here@personas.waypoint.test"),
    idp_account("unverified", ADVISER_EMAIL, claims={"email_verified": False}),
    idp_account("shouting", ADVISER_EMAIL.upper()),
    # Entra ID's habit: an email claim with no email_verified claim at all.
    Account(
        login="entra",
        password=IDP_PASSWORD,
        claims={"email": ADVISER_EMAIL, "preferred_username": ADVISER_EMAIL, "tid": "t-1"},
    ),
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
def idp(live_server: Any, tmp_path: Path, settings: Settings) -> Iterator[RunningOIDCProvider]:
    with oidc_provider(
        workdir=tmp_path, waypoint_url=live_server.url, provider_id=PROVIDER_ID, accounts=ACCOUNTS
    ) as running:
        settings.SOCIALACCOUNT_PROVIDERS = sso_config.providers(
            oidc=sso_config.oidc_app(server_url=running.issuer, provider_id=PROVIDER_ID)
        )
        sso.clear_cache()
        yield running
        sso.clear_cache()


@pytest.fixture
def sso_page(browser_session: BrowserSession, idp: RunningOIDCProvider) -> Page:
    return browser_session.new_page(also_allow=(idp.issuer,))[0]


def sign_in_at_the_university(page: Page, login: str, *, idp_session: bool = False) -> None:
    """From Waypoint's sign-in page to the provider's form, and back. With `idp_session`
    the provider still remembers the person and comes straight back."""
    page.goto("/accounts/login/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="University sign-in").click()
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    assert_no_axe_violations(page)
    if idp_session:
        with page.expect_navigation(url=lambda url: "/accounts/oidc/" not in url):
            page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        return
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill(IDP_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def enter_totp(page: Page, user: User) -> None:
    expect(page.get_by_label("Code")).to_be_visible()
    assert_no_axe_violations(page)
    code = totp_code(user)
    cache.delete(TOTP(Authenticator(user_id=user.pk))._get_used_cache_key(code))
    page.get_by_label("Code").fill(code)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Sign In").click()


def on_staff_home(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Amira Adviser")
    assert page.url.endswith("/staff/"), page.url
    assert_no_axe_violations(page)


def last_event(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-pk").first()
    assert event is not None, f"no {action} entry in the audit log"
    return event


def test_a_staff_member_signs_in_at_the_university_then_enters_their_waypoint_code(
    sso_page: Page, adviser_with_totp: User
) -> None:
    sign_in_at_the_university(sso_page, "amira")
    enter_totp(sso_page, adviser_with_totp)
    on_staff_home(sso_page)
    signed_in = last_event("staff.signed_in")
    assert signed_in.object_id == str(adviser_with_totp.pk)
    assert signed_in.extra["mfa"] == "waypoint_totp"
    assert "socialaccount" in signed_in.extra["methods"]


def test_the_universitys_second_factor_is_enough_when_trusted_and_reported(
    sso_page: Page, adviser_with_totp: User, settings: Settings
) -> None:
    settings.WAYPOINT_SSO_SATISFIES_MFA = True
    sign_in_at_the_university(sso_page, "amira")
    on_staff_home(sso_page)  # no Waypoint code asked for
    signed_in = last_event("staff.signed_in")
    assert signed_in.extra["mfa"] == "identity_provider"
    assert signed_in.extra["mfa_evidence"] == "amr:otp+pwd"


def test_a_password_only_university_sign_in_still_needs_the_waypoint_code(
    sso_page: Page, adviser_with_totp: User, settings: Settings
) -> None:
    settings.WAYPOINT_SSO_SATISFIES_MFA = True
    sign_in_at_the_university(sso_page, "amira-password-only")
    enter_totp(sso_page, adviser_with_totp)
    on_staff_home(sso_page)
    assert last_event("staff.signed_in").extra["mfa"] == "waypoint_totp"


def test_the_universitys_second_factor_is_not_trusted_unless_the_institution_says_so(
    sso_page: Page, adviser_with_totp: User
) -> None:
    sign_in_at_the_university(sso_page, "amira")  # amr says otp; the setting is off
    enter_totp(sso_page, adviser_with_totp)
    on_staff_home(sso_page)


def refused(page: Page, reason: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not sign you in")
    assert page.url.endswith(f"/accounts/sso/not-signed-in/{reason}/"), page.url
    expect(page.get_by_text("Contact your Waypoint administrator")).to_be_visible()
    assert_no_axe_violations(page)
    assert "_auth_user_id" not in page.context.cookies()[0].get("value", "")
    with page.expect_navigation():
        page.get_by_role("link", name="Back to staff sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in")


def test_an_address_with_no_staff_account_is_refused_and_audited_by_digest_only(
    sso_page: Page, adviser_with_totp: User
) -> None:
    sign_in_at_the_university(sso_page, "unknown")
    refused(sso_page, "unknown")
    event = last_event("staff.sso_refused")
    assert event.extra["reason"] == "unknown"
    assert event.extra["email_digests"] == identifier_digest(
        EMAIL, "nobody.here@personas.waypoint.test"
    )
    assert "nobody.here" not in str(event.extra)
    assert not User.objects.filter(email__icontains="nobody.here").exists()


def test_an_address_the_university_has_not_verified_is_refused(
    sso_page: Page, adviser_with_totp: User
) -> None:
    sign_in_at_the_university(sso_page, "unverified")
    refused(sso_page, "unverified")
    event = last_event("staff.sso_refused")
    assert event.extra["reason"] == "unverified"
    assert event.extra["email_digests"] == identifier_digest(EMAIL, ADVISER_EMAIL)
    assert ADVISER_EMAIL not in str(event.extra)


def test_an_address_in_other_letter_case_links_to_its_account_and_is_audited(
    sso_page: Page, adviser_with_totp: User
) -> None:
    sign_in_at_the_university(sso_page, "shouting")
    enter_totp(sso_page, adviser_with_totp)
    on_staff_home(sso_page)
    linked = last_event("staff.sso_linked")
    assert linked.object_id == str(adviser_with_totp.pk)
    assert linked.extra["case_differs"] is True
    assert linked.extra["matched_by"] == "verified"
    # Linked by email: from now on the account signs in only through the university.
    adviser_with_totp.refresh_from_db()
    assert not adviser_with_totp.has_usable_password()
    assert sso_page.request.get("/accounts/password/change/").status == 404


def test_without_email_verified_the_address_is_refused_unless_its_issuer_is_trusted(
    sso_page: Page, adviser_with_totp: User, idp: RunningOIDCProvider, settings: Settings
) -> None:
    sign_in_at_the_university(sso_page, "entra")
    refused(sso_page, "unverified")

    settings.WAYPOINT_SSO_TRUST_EMAIL_CLAIMS = ["preferred_username"]
    settings.WAYPOINT_SSO_TRUSTED_ISSUER = idp.issuer
    settings.WAYPOINT_SSO_TRUSTED_TENANT = "t-1"
    sign_in_at_the_university(sso_page, "entra", idp_session=True)
    enter_totp(sso_page, adviser_with_totp)
    on_staff_home(sso_page)
    assert last_event("staff.sso_linked").extra["matched_by"] == "trusted_claim:preferred_username"


def test_signing_out_ends_the_waypoint_session_and_the_universitys(
    sso_page: Page, adviser_with_totp: User
) -> None:
    sign_in_at_the_university(sso_page, "amira")
    enter_totp(sso_page, adviser_with_totp)
    on_staff_home(sso_page)

    sso_page.get_by_role("navigation", name="Staff").get_by_role("button", name="Sign out").click()
    # The provider asks whether to end its session too, then comes back to Waypoint.
    sso_page.get_by_role("button", name="Yes, sign me out").click()
    expect(sso_page.get_by_role("heading", level=1)).to_have_text("Staff sign in")
    assert_no_axe_violations(sso_page)
    sso_page.goto("/staff/")
    expect(sso_page.get_by_role("heading", level=1)).to_have_text("Staff sign in")
    assert last_event("staff.signed_out").object_id == str(adviser_with_totp.pk)

    # The provider's session is gone too: it asks for the password again.
    sso_page.get_by_role("link", name="University sign-in").click()
    sso_page.get_by_role("button", name="Continue").click()
    expect(sso_page.get_by_label("Username")).to_be_visible()


def test_without_javascript_the_sign_in_and_refusal_pages_work_and_pass_the_checks(
    browser_session: BrowserSession, idp: RunningOIDCProvider, adviser_with_totp: User
) -> None:
    walk = staff_walk(browser_session, javascript=False, also_allow=(idp.issuer,))
    page = walk.page
    walk.goto("/accounts/login/")
    walk.check("sign-in page offering the university sign-in")
    with page.expect_navigation():
        page.get_by_role("link", name="University sign-in").click()
    walk.check("continue to the university")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Username").fill("unknown")
    page.get_by_label("Password").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/sso/not-signed-in/unknown/")
    walk.check("refused: no staff account for the address")
