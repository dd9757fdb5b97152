"""SAML Single Logout started by Waypoint (docs/sso.md, ADR 0030).

After a SAML sign-in, signing out of Waypoint also ends the IdP's session when the IdP's
metadata lists a SingleLogoutService: Waypoint ends its own session first, then sends
the browser to the IdP with a LogoutRequest. The IdP answers at allauth's SLS view
(/accounts/saml/<organization>/sls/), which sends the person on to the sign-in page.

allauth answers LogoutResponses (and LogoutRequests the IdP starts) but never sends a
LogoutRequest itself, so one is built here with allauth's own python3-saml settings.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from allauth.socialaccount.providers.saml.utils import build_auth, get_app_or_404
from django.http import HttpRequest
from django.urls import reverse

from waypoint.accounts.sso import ConfiguredApp

logger = logging.getLogger(__name__)

# What a LogoutRequest must name: the assertion's subject and the IdP's session.
SESSION_KEY: Final = "waypoint:saml_idp_session"


def remember_idp_session(request: HttpRequest, *, provider_id: str, auth: Any) -> None:
    """Keep, in this browser's session only, what the IdP said identifies its session."""
    request.session[SESSION_KEY] = {
        "provider": provider_id,
        "name_id": auth.get_nameid(),
        "name_id_format": auth.get_nameid_format(),
        "nq": auth.get_nameid_nq(),
        "spnq": auth.get_nameid_spnq(),
        "session_index": auth.get_session_index(),
    }


def single_logout_url(request: HttpRequest, app: ConfiguredApp) -> str | None:
    """The IdP's single logout URL with a LogoutRequest for this session's sign-in, or
    None when the IdP offers none. Called before Waypoint's session ends (it is read
    from there)."""
    remembered = request.session.get(SESSION_KEY)
    if not isinstance(remembered, dict) or remembered.get("provider") != app.provider_id:
        return None
    try:
        provider = get_app_or_404(request, app.client_id).get_provider(request)
        auth = build_auth(request, provider)
        if not auth.get_slo_url():
            return None
        url = auth.logout(
            return_to=request.build_absolute_uri(reverse("account_login")),
            name_id=remembered.get("name_id"),
            session_index=remembered.get("session_index"),
            nq=remembered.get("nq"),
            name_id_format=remembered.get("name_id_format"),
            spnq=remembered.get("spnq"),
        )
    except Exception:
        # Metadata unreachable or unreadable: Waypoint's own session still ends.
        logger.warning("SAML single logout could not be started; only Waypoint signs out.")
        return None
    return str(url)
