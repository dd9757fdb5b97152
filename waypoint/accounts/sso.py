"""Single sign-on: where the providers' sign-in pages are, what a sign-in proved, and how
its email address is matched to a staff account (docs/sso.md, ADR 0030).

- form_action_origins(): the identity providers' origins that Waypoint's forms may lead
  to (the CSP `form-action`). A "Continue" or "Sign out" form posts to Waypoint, which
  answers 302 to the provider (its sign-in, end-session or SAML single logout page), and
  browsers check that redirect against `form-action`.
  OpenID Connect discovery is fetched on first use (never at start-up) and kept for an
  hour; while the provider cannot be reached the issuer's origin stands in, and
  discovery is tried again five minutes later.
- mfa_evidence(): the provider's own statement that a second factor was used (OIDC
  `amr`/`acr`, SAML AuthnContextClassRef), or None.
- matching_emails(): the addresses of an SSO sign-in that may be matched to an account,
  and why the others may not.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree

import requests
from django.conf import settings

logger = logging.getLogger(__name__)

DISCOVERY_TTL_SECONDS: Final = 3600
# While the provider is unreachable, the fallback is kept this long before trying again.
DISCOVERY_RETRY_SECONDS: Final = 300
DISCOVERY_TIMEOUT_SECONDS: Final = 3

# RFC 8176 method references. "mfa" says several factors were used; the others are a
# second factor when they come with another method (for example "pwd" and "otp").
MULTI_FACTOR_AMR: Final = frozenset({"mfa"})
SECOND_FACTOR_AMR: Final = frozenset({"otp", "hwk", "swk", "sms", "tel", "sc"})

_SAML_MD: Final = "{urn:oasis:names:tc:SAML:2.0:metadata}"

Refusal = Literal["unknown", "unverified"]


# --- Which providers are configured ----------------------------------------------------------


@dataclass(frozen=True)
class ConfiguredApp:
    provider: str  # "openid_connect" or "saml"
    provider_id: str
    client_id: str
    settings: Mapping[str, Any]


def configured_apps() -> list[ConfiguredApp]:
    apps = []
    providers: Mapping[str, Mapping[str, Any]] = settings.SOCIALACCOUNT_PROVIDERS
    for provider, config in providers.items():
        for app in config.get("APPS", []):
            apps.append(
                ConfiguredApp(
                    provider=provider,
                    provider_id=str(app.get("provider_id") or provider),
                    client_id=str(app.get("client_id") or ""),
                    settings=app.get("settings", {}),
                )
            )
    return apps


def sso_is_configured() -> bool:
    return bool(configured_apps())


# --- CSP form-action -------------------------------------------------------------------------


def origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


_cache: dict[str, tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def _cached(key: str, compute: Callable[[], tuple[Any, int]]) -> Any:
    """compute() -> (value, seconds to keep it). Per process: each worker asks once."""
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
    value, ttl = compute()
    with _cache_lock:
        _cache[key] = (now + ttl, value)
    return value


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _discovery_url(server_url: str) -> str:
    # allauth's rule (OpenIDConnectProvider.server_url): the issuer, or the document itself.
    if ".well-known/openid-configuration" in server_url:
        return server_url
    return server_url.rstrip("/") + "/.well-known/openid-configuration"


def oidc_discovery(app: Mapping[str, Any]) -> dict[str, Any] | None:
    """The provider's discovery document (with the app's overrides), or None while it
    cannot be fetched. Kept for an hour; a failure is kept for five minutes."""
    server_url = str(app.get("server_url", ""))
    overrides = dict(app.get("openid_configuration_overrides") or {})
    if overrides.get("authorization_endpoint"):
        return overrides

    def fetch() -> tuple[dict[str, Any] | None, int]:
        try:
            response = requests.get(_discovery_url(server_url), timeout=DISCOVERY_TIMEOUT_SECONDS)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError):
            logger.warning("OpenID Connect discovery failed; using the issuer's origin for now.")
            return None, DISCOVERY_RETRY_SECONDS
        if not isinstance(document, dict):
            return None, DISCOVERY_RETRY_SECONDS
        return {**document, **overrides}, DISCOVERY_TTL_SECONDS

    document: dict[str, Any] | None = _cached("oidc:" + server_url, fetch)
    return document


def _oidc_origins(app: Mapping[str, Any]) -> list[str]:
    document = oidc_discovery(app)
    if document is None:
        # The provider is down (or not reachable yet): nobody can sign in through it
        # now, and its issuer is where its sign-in page nearly always is.
        return [o for o in [origin_of(str(app.get("server_url", "")))] if o]
    found = [
        origin_of(str(document.get(name) or ""))
        for name in ("authorization_endpoint", "end_session_endpoint")
    ]
    return [o for o in found if o]


def oidc_end_session_url(app: ConfiguredApp, *, post_logout_redirect_uri: str) -> str | None:
    """Where to send someone who signs out, so that the provider's session ends too
    (OpenID Connect RP-initiated logout), or None if the provider offers no such page."""
    document = oidc_discovery(app.settings)
    endpoint = str((document or {}).get("end_session_endpoint") or "")
    if not endpoint:
        return None
    query = urlencode(
        {"client_id": app.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _saml_locations(metadata: bytes, service: str) -> list[str]:
    root = ElementTree.fromstring(metadata)  # noqa: S314 (the IdP's own metadata, no DTDs)
    return [
        str(element.get("Location"))
        for element in root.iter(_SAML_MD + service)
        if element.get("Location")
    ]


def saml_sso_urls(metadata: bytes) -> list[str]:
    """The SingleSignOnService locations in an IdP's metadata document."""
    return _saml_locations(metadata, "SingleSignOnService")


def saml_slo_urls(metadata: bytes) -> list[str]:
    """The SingleLogoutService locations in an IdP's metadata document (where signing
    out of Waypoint sends the browser, saml/logout.py)."""
    return _saml_locations(metadata, "SingleLogoutService")


def _saml_origins(app: Mapping[str, Any]) -> list[str]:
    idp = app.get("idp") or {}
    if idp.get("sso_url"):
        configured = [str(idp["sso_url"]), str(idp.get("slo_url") or "")]
        return sorted({o for o in (origin_of(u) for u in configured) if o})
    metadata_url = str(idp.get("metadata_url") or "")
    fallback = [o for o in [origin_of(metadata_url)] if o]

    def compute() -> tuple[list[str], int]:
        try:
            response = requests.get(metadata_url, timeout=DISCOVERY_TIMEOUT_SECONDS)
            response.raise_for_status()
            urls = saml_sso_urls(response.content) + saml_slo_urls(response.content)
        except (requests.RequestException, ElementTree.ParseError):
            logger.warning("SAML metadata could not be read; using its origin for now.")
            return fallback, DISCOVERY_RETRY_SECONDS
        found = sorted({o for o in (origin_of(u) for u in urls) if o})
        return found or fallback, DISCOVERY_TTL_SECONDS

    return list(_cached("saml:" + metadata_url, compute)) if metadata_url else []


def form_action_origins() -> list[str]:
    """Every configured identity provider's sign-in (and sign-out) origin, sorted."""
    origins: set[str] = set()
    for app in configured_apps():
        if app.provider == "openid_connect":
            origins.update(_oidc_origins(app.settings))
        elif app.provider == "saml":
            origins.update(_saml_origins(app.settings))
    return sorted(origins)


# --- What the provider says about the second factor ----------------------------------------


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return []


def oidc_claims(extra_data: Mapping[str, Any]) -> dict[str, Any]:
    """The ID token's claims, with the userinfo response's where the token has none."""
    claims: dict[str, Any] = {}
    for part in ("userinfo", "id_token"):
        value = extra_data.get(part)
        if isinstance(value, Mapping):
            claims.update(value)
    if not claims:
        claims.update(extra_data)
    return claims


def mfa_evidence(*, provider: str, extra_data: Mapping[str, Any]) -> str | None:
    """What the provider said that shows a second factor, e.g. "amr:pwd+otp", or None.

    Trusted only as far as this deployment says (WAYPOINT_SSO_MFA_CONTEXTS): an `acr` or
    AuthnContextClassRef value counts only if it is listed there.
    """
    contexts = set(settings.WAYPOINT_SSO_MFA_CONTEXTS)
    if provider == "saml":
        for ref in _as_list(extra_data.get(SAML_AUTHN_CONTEXTS_KEY)):
            if ref in contexts:
                return f"authn_context:{ref}"
        return None
    claims = oidc_claims(extra_data)
    amr = set(_as_list(claims.get("amr")))
    if amr & MULTI_FACTOR_AMR or (amr & SECOND_FACTOR_AMR and len(amr) >= 2):
        return "amr:" + "+".join(sorted(amr))
    acr = claims.get("acr")
    if isinstance(acr, str) and acr in contexts:
        return f"acr:{acr}"
    return None


# The SAML provider keeps the AuthnContextClassRef values under this key in extra_data.
SAML_AUTHN_CONTEXTS_KEY: Final = "waypoint:authn_contexts"


# --- Matching an SSO sign-in to an account ---------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    email: str
    trusted: bool
    why: str  # "verified", "trusted_claim:<name>", "not_verified"


def _oidc_candidates(claims: Mapping[str, Any]) -> Iterator[Candidate]:
    email = str(claims.get("email") or "").strip()
    verified = claims.get("email_verified")
    if isinstance(verified, str):  # some providers send "true"
        verified = verified.lower() == "true"
    if email and verified is True:
        yield Candidate(email, True, "verified")
        return
    if verified is False:
        # The provider says the address is not confirmed: never trusted.
        if email:
            yield Candidate(email, False, "not_verified")
        return
    # No `email_verified` at all (Entra ID's habit): trusted only for the claims, issuer
    # and tenant this deployment names (WAYPOINT_SSO_TRUST_EMAIL_CLAIMS and friends).
    trusted_claims: list[str] = settings.WAYPOINT_SSO_TRUST_EMAIL_CLAIMS
    issuer, tenant = settings.WAYPOINT_SSO_TRUSTED_ISSUER, settings.WAYPOINT_SSO_TRUSTED_TENANT
    issuer_ok = bool(issuer) and claims.get("iss") == issuer
    tenant_ok = not tenant or claims.get("tid") == tenant
    for name in trusted_claims:
        value = str(claims.get(name) or "").strip()
        if value and "@" in value:
            if issuer_ok and tenant_ok:
                yield Candidate(value, True, f"trusted_claim:{name}")
            else:
                yield Candidate(value, False, "not_verified")
    if email and not trusted_claims:
        yield Candidate(email, False, "not_verified")


def matching_candidates(
    *, provider: str, extra_data: Mapping[str, Any], addresses: Iterable[tuple[str, bool]]
) -> list[Candidate]:
    """The addresses of one SSO sign-in, each saying whether it may be matched.

    `addresses`: allauth's (email, verified) pairs. For SAML the IdP's released `mail`
    attribute is trusted unless the IdP says otherwise (waypoint/accounts/saml/provider.py).
    """
    if provider == "openid_connect":
        return list(_oidc_candidates(oidc_claims(extra_data)))
    return [
        Candidate(email, verified, "saml_attribute" if verified else "not_verified")
        for email, verified in addresses
        if email
    ]
