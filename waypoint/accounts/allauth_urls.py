"""The allauth pages Waypoint offers, under /accounts/.

An allow-list, so that a new allauth release cannot add pages without anyone noticing
(the route x role matrix test would fail on them anyway):

- kept: sign in and out, re-authentication, password change, password reset, the
  "account inactive" page, every MFA page (TOTP, recovery codes), the SSO error pages
  and the SSO endpoints of configured providers;
- left out: sign-up (accounts are created by administrators), email address management
  and email confirmation (the address is the account, set by an administrator), sign-in
  by emailed code, social sign-up, the "connections" page and allauth's legacy redirects.

allauth's own code still reverses a few of the left-out names; it catches NoReverseMatch
for all of them on the pages we serve (login: account_signup; AccountMiddleware:
account_email), and SocialAccountAdapter no longer sends anyone to "connections". The
one that is not caught, account_signup in the email allauth sends when a password reset
names an unknown address, is never reached: ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS is off, so
such a request sends nothing and answers like any other (docs/decisions/0007).
"""

from __future__ import annotations

from typing import Final

from allauth.account import urls as account_urls
from allauth.socialaccount import urls as socialaccount_urls
from allauth.urls import build_provider_urlpatterns
from django.urls import URLPattern, URLResolver, include, path

from waypoint.accounts import views

ACCOUNT_PAGES: Final = frozenset(
    {
        "account_login",
        "account_logout",
        "account_inactive",
        "account_reauthenticate",
        "account_change_password",
        "account_set_password",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
    }
)
SOCIALACCOUNT_PAGES: Final = frozenset(
    {"socialaccount_login_cancelled", "socialaccount_login_error"}
)


def _only(
    patterns: list[URLPattern | URLResolver], names: frozenset[str]
) -> list[URLPattern | URLResolver]:
    return [p for p in patterns if isinstance(p, URLPattern) and p.name in names]


urlpatterns: list[URLPattern | URLResolver] = [
    path("", include(_only(account_urls.urlpatterns, ACCOUNT_PAGES))),
    path("2fa/", include("allauth.mfa.urls")),
    path("3rdparty/", include(_only(socialaccount_urls.urlpatterns, SOCIALACCOUNT_PAGES))),
    # OpenID Connect and SAML; their pages answer 404 until a provider is configured.
    *build_provider_urlpatterns(),
    # Waypoint's own page for an SSO sign-in that matched no account (docs/sso.md).
    path("sso/not-signed-in/<slug:reason>/", views.sso_refused_view, name="sso_refused"),
]
