"""allauth's SAML provider with two changes, installed instead of allauth's own app.

- It keeps the assertion's AuthnContextClassRef values in extra_data, so that Waypoint
  can tell whether the identity provider used a second factor (sso.mfa_evidence).
- It offers the released `mail` attribute as the sign-in's email address: the identity
  provider is the university's own directory. An `email_verified` attribute that says
  false (where the IdP releases one) still marks it unverified. allauth's provider offers
  no address at all, so no SAML sign-in could ever be matched to a staff account.
- It keeps the assertion's NameID and SessionIndex in the session, which a SAML
  LogoutRequest must name when signing out ends the IdP's session too (logout.py).

URLs and views stay allauth's (`package`).
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from django.http import HttpRequest

from waypoint.accounts.saml.logout import remember_idp_session
from waypoint.accounts.sso import SAML_AUTHN_CONTEXTS_KEY


class WaypointSAMLProvider(SAMLProvider):  # type: ignore[misc]
    package = "allauth.socialaccount.providers.saml"

    def extract_extra_data(self, data: Any) -> dict[str, Any]:
        extra = dict(super().extract_extra_data(data))
        extra[SAML_AUTHN_CONTEXTS_KEY] = [str(c) for c in data.get_last_authn_contexts()]
        return extra

    def sociallogin_from_response(self, request: HttpRequest, response: Any) -> Any:
        sociallogin = super().sociallogin_from_response(request, response)
        remember_idp_session(request, provider_id=str(self.sub_id), auth=response)
        return sociallogin

    def extract_email_addresses(self, data: Any) -> list[EmailAddress]:
        attributes = self._extract(data)
        email = str(attributes.get("email") or "").strip()
        if not email:
            return []
        verified = attributes.get("email_verified", True) is not False
        return [EmailAddress(email=email, verified=verified, primary=True)]


provider_classes = [WaypointSAMLProvider]
