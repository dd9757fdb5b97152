"""Route x principal access matrix (security.md T2): every URL pattern, every principal.

Every URL pattern the site serves (found by walking get_resolver(), Django admin and
allauth included) is requested with GET by every principal, and with POST by anonymous
and outsider. What each principal should get is declared in tests/access_matrix.py; a
URL with no declaration fails the test, and a principal not declared for a URL must be
denied (302 to sign-in or to MFA enrolment, 403 or 404; never 2xx).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.http import HttpResponse, HttpResponseBase
from django.test import Client
from django.urls import URLResolver, path, reverse
from django.urls.resolvers import RoutePattern
from pytest_django.fixtures import Settings

from tests.access_matrix import (
    DENIED,
    EXPECTATION_PATTERNS,
    EXPECTATIONS,
    OK,
    POST_BEACONS,
    POST_NOT_DENIED,
    PRINCIPALS,
    REDIRECT_LOGIN,
    REDIRECT_MFA_SETUP,
    SIGNS_OUT_ON_GET,
    SSO_CONFIGURED,
    SSO_POST_ANSWERED,
    Expectation,
)
from tests.routes import Route, iter_routes, site_routes
from tests.sso import config as sso_config
from waypoint.accounts.tests.support import login_as

pytestmark = pytest.mark.django_db


# --- Expectations ----------------------------------------------------------------------------


def expectation_for(route: Route, *, sso: bool = False) -> dict[str, Expectation]:
    """The declared row for `route`: an exact key first, then the first matching pattern.

    With `sso`, the rows for a deployment with single sign-on configured win."""
    if sso and route.key in SSO_CONFIGURED:
        return SSO_CONFIGURED[route.key]
    if route.key in EXPECTATIONS:
        return EXPECTATIONS[route.key]
    for pattern, row in EXPECTATION_PATTERNS.items():
        if fnmatch.fnmatchcase(route.key, pattern):
            return row
    raise LookupError(
        f"No access expectation is declared for {route.key!r} ({route.url}). "
        "Add a row to tests/access_matrix.py saying who may open it."
    )


def undeclared(routes: Iterable[Route]) -> list[str]:
    missing = []
    for route in routes:
        try:
            expectation_for(route)
        except LookupError:
            missing.append(route.key)
    return missing


def _location_path(response: HttpResponseBase) -> str:
    return urlsplit(response.get("Location", "")).path


def mismatch(expected: Expectation, response: HttpResponseBase) -> str | None:
    """None if `response` is what `expected` says, otherwise a description."""
    status = response.status_code
    location = _location_path(response) if 300 <= status < 400 else ""
    login, enrol = reverse("account_login"), reverse("mfa_activate_totp")
    if expected == OK:
        good = 200 <= status < 300
    elif expected == REDIRECT_LOGIN:
        good = status == 302 and location == login
    elif expected == REDIRECT_MFA_SETUP:
        good = status == 302 and location == enrol
    elif expected == DENIED:
        good = status in (403, 404) or (status == 302 and location in (login, enrol))
    elif isinstance(expected, tuple):
        expected_status, url_name = expected
        good = status == expected_status and location == reverse(url_name)
    else:
        good = status == expected
    if good:
        return None
    got = f"{status} -> {location}" if location else str(status)
    return f"expected {expected}, got {got}"


# --- Signing in each principal ---------------------------------------------------------------


def _client_for(principal: str, request: pytest.FixtureRequest) -> Client:
    # A Host header, as every browser sends (allauth's SAML views read it).
    client = Client(HTTP_HOST="127.0.0.1")
    if principal != "anonymous":
        login_as(client, request.getfixturevalue(principal))
    return client


def _still_signed_in(client: Client, principal: str, request: pytest.FixtureRequest) -> Client:
    if principal != "anonymous" and "_auth_user_id" not in client.session:
        return _client_for(principal, request)
    return client


def _routes_in_safe_order(routes: list[Route]) -> list[Route]:
    # Sign-out (and quick exit, which ends any session) last, so that it does not end the
    # session the other requests use.
    last = {"account_logout", "admin:logout", *SIGNS_OUT_ON_GET}
    return sorted(routes, key=lambda r: r.key in last)


# --- The tests -------------------------------------------------------------------------------


def test_every_url_pattern_has_a_declared_expectation() -> None:
    assert undeclared(site_routes()) == []


def test_it_fails_when_a_url_has_no_declared_expectation() -> None:
    def view(request: Any) -> HttpResponse:
        return HttpResponse()

    fake = [
        URLResolver(
            RoutePattern("fake/"), [path("<int:pk>/", view, name="nowhere")], namespace="fake"
        )
    ]
    routes = list(iter_routes(fake))
    assert routes == [Route(key="fake:nowhere", route="fake/<int:pk>/", url="/fake/1/")]
    assert undeclared(routes) == ["fake:nowhere"]
    with pytest.raises(LookupError, match="fake:nowhere"):
        expectation_for(routes[0])


def test_every_declaration_names_a_url_that_exists() -> None:
    keys = {route.key for route in site_routes()}
    stale = [key for key in EXPECTATIONS if key not in keys]
    stale += [p for p in EXPECTATION_PATTERNS if not fnmatch.filter(keys, p)]
    assert stale == []


def test_it_builds_sample_urls_for_regex_and_typed_patterns() -> None:
    urls = {route.key: route.url for route in site_routes()}
    assert urls["admin:app_list"] == "/staff/admin/accounts/"
    assert urls["admin:accounts_user_change"] == "/staff/admin/accounts/user/sample/change/"
    assert urls["account_reset_password_from_key"] == "/accounts/password/reset/key/sample-sample/"


# Single sign-on "on": an OpenID Connect provider and a SAML IdP, both named "sample" so
# that the sample URLs reach them. Nothing answers on the OIDC port (discovery fails at
# once and the issuer's origin stands in, as when an IdP is down).
_SSO_ON = sso_config.providers(
    oidc=sso_config.oidc_app(server_url="http://127.0.0.1:9/sample", provider_id="sample"),
    saml=sso_config.saml_app(
        organization="sample",
        entity_id="https://idp.example.test/saml",
        sso_url="https://idp.example.test/saml/sso",
        x509cert=sso_config.certificate_body(sso_config.self_signed_certificate("idp")[1]),
    ),
)


@pytest.fixture(params=["without SSO", "with SSO"])
def sso_configured(request: pytest.FixtureRequest, settings: Settings) -> bool:
    """The matrix holds with and without single sign-on configured (docs/sso.md)."""
    on: bool = request.param == "with SSO"
    settings.SOCIALACCOUNT_PROVIDERS = _SSO_ON if on else {}
    return on


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_get_matches_the_matrix(
    principal: str, request: pytest.FixtureRequest, sso_configured: bool
) -> None:
    client = _client_for(principal, request)
    failures = []
    for route in _routes_in_safe_order(site_routes()):
        expected = expectation_for(route, sso=sso_configured).get(principal, DENIED)
        response = client.get(route.url)
        problem = mismatch(expected, response)
        if problem:
            failures.append(f"GET {route.url} ({route.key}) as {principal}: {problem}")
        if principal != "anonymous" and "_auth_user_id" not in client.session:
            if route.key not in SIGNS_OUT_ON_GET:
                failures.append(f"GET {route.url} ({route.key}) signed {principal} out")
            client = _still_signed_in(client, principal, request)
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("principal", ["anonymous", "outsider"])
def test_post_is_never_accepted_from_anonymous_or_outsider(
    principal: str, request: pytest.FixtureRequest, sso_configured: bool
) -> None:
    client = _client_for(principal, request)
    failures = []
    for route in _routes_in_safe_order(site_routes()):
        response = client.post(route.url, {})
        allowed = route.key in POST_NOT_DENIED.get(principal, frozenset()) | POST_BEACONS or (
            sso_configured and route.key in SSO_POST_ANSWERED
        )
        if 200 <= response.status_code < 300 and not allowed:
            failures.append(
                f"POST {route.url} ({route.key}) as {principal}: {response.status_code}"
            )
        client = _still_signed_in(client, principal, request)
    assert failures == [], "\n".join(failures)


def test_post_exceptions_only_re_render_forms_with_errors(client: Client) -> None:
    urls = {route.key: route.url for route in site_routes()}
    for key in POST_NOT_DENIED["anonymous"]:
        response = client.post(urls[key], {})
        assert response.status_code == 200, key
        assert "_auth_user_id" not in client.session
        form = response.context.get("form")
        assert form is None or form.errors, key
