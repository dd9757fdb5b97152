"""Single sign-on without a browser: the CSP form-action, what counts as the provider's
second factor, how addresses are matched, and password sign-in (docs/sso.md).

The browser tests (tests/browser/test_sso_oidc.py, test_sso_saml.py) run the whole flow
against real providers; these pin the rules one at a time. A small real HTTP server on
127.0.0.1 stands in for a provider's discovery document.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import HASH_SESSION_KEY
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.fixtures import Settings

from tests.sso import config as sso_config
from waypoint.accounts import sso
from waypoint.accounts.models import User
from waypoint.accounts.saml import logout as saml_logout
from waypoint.accounts.tests.support import login_as, sign_in_with_password
from waypoint.institution.demo import institution_load_demo
from waypoint.institution.models import Institution

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_institution() -> Institution:
    return institution_load_demo()


def form_action(response: Any) -> str:
    for directive in response.headers["Content-Security-Policy"].split(";"):
        name, _, value = directive.strip().partition(" ")
        if name == "form-action":
            return str(value)
    raise AssertionError("no form-action directive")


@pytest.fixture
def discovery() -> Iterator[str]:
    """A provider whose sign-in page is on another host than its issuer (as some are)."""
    document = {
        "issuer": "",
        "authorization_endpoint": "https://login.university.example/authorize",
        "end_session_endpoint": "https://login.university.example/logout",
        "token_endpoint": "https://api.university.example/token",
    }

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            body = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sso.clear_cache()
    yield f"http://127.0.0.1:{server.server_address[1]}/tenant"
    sso.clear_cache()
    server.shutdown()
    server.server_close()


def oidc_on(settings: Settings, server_url: str) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = sso_config.providers(
        oidc=sso_config.oidc_app(server_url=server_url)
    )


# --- CSP form-action -------------------------------------------------------------------------


def test_without_sso_forms_may_only_post_to_waypoint(client: Client) -> None:
    response = client.get(reverse("account_login"))
    assert form_action(response) == "'self'"


def test_with_sso_the_sign_in_pages_may_lead_to_the_providers_sign_in_page(
    client: Client, settings: Settings, discovery: str
) -> None:
    oidc_on(settings, discovery)
    response = client.get(reverse("openid_connect_login", args=["university"]))
    assert response.status_code == 200
    # Both the authorization and the sign-out endpoint's origin, from discovery; never
    # 'self' alone (the browser would stop the redirect to the provider).
    assert form_action(response) == "'self' https://login.university.example"


def test_with_sso_public_pages_still_post_only_to_waypoint(
    client: Client, settings: Settings, discovery: str, demo_institution: Institution
) -> None:
    oidc_on(settings, discovery)
    assert form_action(client.get(reverse("hub:home"))) == "'self'"


def test_signed_in_staff_pages_may_lead_to_the_providers_sign_out(
    client: Client, settings: Settings, discovery: str, adviser: User
) -> None:
    oidc_on(settings, discovery)
    login_as(client, adviser)
    response = client.get(reverse("staff:home"))
    assert form_action(response) == "'self' https://login.university.example"


def test_while_the_provider_is_down_its_issuer_origin_stands_in(
    client: Client, settings: Settings
) -> None:
    sso.clear_cache()
    oidc_on(settings, "http://127.0.0.1:9/realms/staff")  # nothing listens on port 9
    response = client.get(reverse("account_login"))
    assert form_action(response) == "'self' http://127.0.0.1:9"
    sso.clear_cache()


def test_continuing_to_a_provider_that_is_down_shows_a_calm_page(
    client: Client, settings: Settings
) -> None:
    sso.clear_cache()
    oidc_on(settings, "http://127.0.0.1:9/realms/staff")
    response = client.post(reverse("openid_connect_login", args=["university"]))
    assert response.status_code == 503
    assert "University sign-in is not answering" in response.content.decode()
    sso.clear_cache()


def test_discovery_is_fetched_once_and_kept(settings: Settings, discovery: str) -> None:
    oidc_on(settings, discovery)
    first = sso.oidc_discovery({"server_url": discovery})
    assert first is not None
    assert sso.oidc_discovery({"server_url": discovery}) is first


def test_a_saml_idp_contributes_its_single_sign_on_origin(
    client: Client, settings: Settings
) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = sso_config.providers(
        saml=sso_config.saml_app(
            entity_id="https://idp.university.example/idp",
            sso_url="https://idp.university.example/idp/profile/SAML2/Redirect/SSO",
            x509cert="MIIB",
        )
    )
    response = client.get(reverse("saml_login", args=["waypoint"]))
    assert form_action(response) == "'self' https://idp.university.example"


def test_saml_metadata_gives_the_single_sign_on_locations() -> None:
    metadata = b"""<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
      entityID="https://idp.example/idp"><md:IDPSSODescriptor
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://sso.example/SAML2/Redirect/SSO"/></md:IDPSSODescriptor>
      </md:EntityDescriptor>"""
    assert sso.saml_sso_urls(metadata) == ["https://sso.example/SAML2/Redirect/SSO"]


def test_saml_metadata_gives_the_single_logout_locations() -> None:
    metadata = b"""<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
      entityID="https://idp.example/idp"><md:IDPSSODescriptor
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://logout.example/SAML2/Redirect/SLO"/>
      <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://sso.example/SAML2/Redirect/SSO"/></md:IDPSSODescriptor>
      </md:EntityDescriptor>"""
    assert sso.saml_slo_urls(metadata) == ["https://logout.example/SAML2/Redirect/SLO"]


def test_signed_in_staff_pages_may_lead_to_the_saml_idps_single_logout(
    client: Client, settings: Settings, adviser: User
) -> None:
    saml = sso_config.saml_app(
        entity_id="https://idp.university.example/idp",
        sso_url="https://idp.university.example/idp/profile/SAML2/Redirect/SSO",
        x509cert="MIIB",
    )
    idp_settings: Any = saml["settings"]
    idp_settings["idp"]["slo_url"] = "https://logout.university.example/SAML2/Redirect/SLO"
    settings.SOCIALACCOUNT_PROVIDERS = sso_config.providers(saml=saml)
    login_as(client, adviser)
    response = client.get(reverse("staff:home"))
    assert form_action(response) == (
        "'self' https://idp.university.example https://logout.university.example"
    )


def test_signing_out_after_saml_still_ends_waypoints_session_while_the_idp_is_unreachable(
    client: Client, settings: Settings, adviser: User, caplog: pytest.LogCaptureFixture
) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = sso_config.providers(
        saml=sso_config.saml_app(
            entity_id="http://127.0.0.1:9/idp",
            metadata_url="http://127.0.0.1:9/idp/metadata",  # nothing listens on port 9
        )
    )
    login_as(client, adviser)
    # The session as a SAML sign-in leaves it (saml/logout.py and allauth's records).
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        *session[AUTHENTICATION_METHODS_SESSION_KEY],
        {"method": "socialaccount", "at": 0, "provider": "waypoint-saml", "uid": "amira"},
    ]
    session[saml_logout.SESSION_KEY] = {"provider": "waypoint-saml", "name_id": "_n1"}
    session.save()
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in client.session
    assert "only Waypoint signs out" in caplog.text


# --- The provider's second factor --------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "evidence"),
    [
        ({"amr": ["pwd", "mfa"]}, "amr:mfa+pwd"),  # Entra ID
        ({"amr": ["pwd", "otp"]}, "amr:otp+pwd"),  # Keycloak with OTP
        ({"amr": ["hwk", "pwd"]}, "amr:hwk+pwd"),
        ({"amr": ["pwd"]}, None),
        ({"amr": ["otp"]}, None),  # one method alone is one factor
        ({"acr": "https://refeds.org/profile/mfa"}, "acr:https://refeds.org/profile/mfa"),
        ({"acr": "1"}, None),  # an acr the institution has not listed
        ({}, None),
    ],
)
def test_oidc_mfa_evidence_is_what_the_id_token_says(
    claims: dict[str, Any], evidence: str | None
) -> None:
    extra = {"userinfo": {"sub": "x"}, "id_token": {"sub": "x", **claims}}
    assert sso.mfa_evidence(provider="openid_connect", extra_data=extra) == evidence


def test_saml_mfa_evidence_is_a_listed_authn_context_class() -> None:
    mfa = {sso.SAML_AUTHN_CONTEXTS_KEY: ["https://refeds.org/profile/mfa"]}
    password = {
        sso.SAML_AUTHN_CONTEXTS_KEY: [
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        ]
    }
    assert sso.mfa_evidence(provider="saml", extra_data=mfa) == (
        "authn_context:https://refeds.org/profile/mfa"
    )
    assert sso.mfa_evidence(provider="saml", extra_data=password) is None


# --- Matching addresses ------------------------------------------------------------------------


def candidates(claims: dict[str, Any]) -> list[tuple[str, bool, str]]:
    found = sso.matching_candidates(
        provider="openid_connect", extra_data={"id_token": claims}, addresses=[]
    )
    return [(c.email, c.trusted, c.why) for c in found]


def test_a_verified_address_is_matched() -> None:
    assert candidates({"email": "a@uni.example", "email_verified": True}) == [
        ("a@uni.example", True, "verified")
    ]


def test_an_address_the_provider_says_is_unverified_is_never_matched(settings: Settings) -> None:
    settings.WAYPOINT_SSO_TRUST_EMAIL_CLAIMS = ["email"]
    settings.WAYPOINT_SSO_TRUSTED_ISSUER = "https://login.uni.example/t/v2.0"
    claims = {
        "email": "a@uni.example",
        "email_verified": False,
        "iss": "https://login.uni.example/t/v2.0",
    }
    assert candidates(claims) == [("a@uni.example", False, "not_verified")]


def test_without_email_verified_an_address_is_matched_only_from_the_trusted_issuer_and_tenant(
    settings: Settings,
) -> None:
    claims = {
        "email": "a@uni.example",
        "preferred_username": "a@uni.example",
        "iss": "https://login.microsoftonline.com/t-1/v2.0",
        "tid": "t-1",
    }
    assert candidates(claims) == [("a@uni.example", False, "not_verified")]

    settings.WAYPOINT_SSO_TRUST_EMAIL_CLAIMS = ["preferred_username"]
    settings.WAYPOINT_SSO_TRUSTED_ISSUER = "https://login.microsoftonline.com/t-1/v2.0"
    settings.WAYPOINT_SSO_TRUSTED_TENANT = "t-1"
    assert candidates(claims) == [("a@uni.example", True, "trusted_claim:preferred_username")]
    assert candidates({**claims, "tid": "another-tenant"})[0][1] is False
    assert candidates({**claims, "iss": "https://elsewhere.example"})[0][1] is False


# --- Password pages and password sign-in --------------------------------------------------------


def test_an_account_that_signs_in_only_through_sso_sees_no_password_pages(
    client: Client, adviser: User
) -> None:
    login_as(client, adviser)
    assert client.get(reverse("account_change_password")).status_code == 200
    # What the first SSO sign-in does (allauth wipes the password of an account it links
    # by email); the session stays valid, as it would after that sign-in.
    SocialAccount.objects.create(user=adviser, provider="university", uid="amira")
    adviser.set_unusable_password()
    adviser.save()
    session = client.session
    session[HASH_SESSION_KEY] = adviser.get_session_auth_hash()
    session.save()
    assert client.get(reverse("account_change_password")).status_code == 404
    assert client.get(reverse("account_set_password")).status_code == 404


def test_the_change_password_link_is_offered_only_to_accounts_with_a_password(
    adviser: User, rf: RequestFactory
) -> None:
    template = Template("{% load staff_policy %}{% offers_password_pages as offer %}{{ offer }}")
    request = rf.get("/staff/")
    request.user = adviser
    assert template.render(Context({"request": request})) == "True"
    SocialAccount.objects.create(user=adviser, provider="university", uid="amira")
    adviser.set_unusable_password()
    assert template.render(Context({"request": request})) == "False"


def test_password_sign_in_can_be_switched_off_for_all_but_break_glass_administrators(
    client: Client, adviser: User, administrator: User, demo_institution: Institution
) -> None:
    demo_institution.staff_password_sign_in = False
    demo_institution.break_glass_administrators = administrator.email.upper()
    demo_institution.save()

    response = sign_in_with_password(client, adviser)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("account_login"))
    assert "university sign-in button" in page.content.decode()

    response = sign_in_with_password(client, administrator)
    assert response["Location"] == reverse("mfa_authenticate")


def test_the_refusal_page_says_what_to_do_and_links_back_to_sign_in(
    client: Client, demo_institution: Institution
) -> None:
    for reason in ("unknown", "unverified"):
        response = client.get(reverse("sso_refused", args=[reason]))
        text = response.content.decode()
        assert response.status_code == 200
        assert "Contact your Waypoint administrator" in text
        assert reverse("account_login") in text
    assert client.get(reverse("sso_refused", args=["sample"])).status_code == 404
