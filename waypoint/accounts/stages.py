"""The TOTP step of signing in, skipped only when the identity provider's second factor
may stand in for it.

allauth's own stage asks every account that has an authenticator for a code, whatever
the identity provider did. Waypoint skips it for an SSO sign-in only when both hold:
WAYPOINT_SSO_SATISFIES_MFA is on, and the provider says, for this sign-in, that a
second factor was used (sso.mfa_evidence). It then records an "mfa" authentication of
type "identity_provider" in the session, which StaffSessionMiddleware accepts in place
of the TOTP step.
"""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.stages import AuthenticateStage as AllauthAuthenticateStage
from django.conf import settings

from waypoint.accounts import sso

IDENTITY_PROVIDER: str = "identity_provider"


def provider_kind(sociallogin: Any) -> str:
    """ "openid_connect" or "saml": the allauth provider behind a social login."""
    return str(sociallogin.account.get_provider().app.provider)


def sociallogin_mfa_evidence(sociallogin: Any) -> str | None:
    return sso.mfa_evidence(
        provider=provider_kind(sociallogin), extra_data=sociallogin.account.extra_data or {}
    )


class AuthenticateStage(AllauthAuthenticateStage):  # type: ignore[misc]
    def handle(self) -> tuple[Any, bool]:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if sociallogin is not None and self.login.user is not None:
            evidence = sociallogin_mfa_evidence(sociallogin)
            if settings.WAYPOINT_SSO_SATISFIES_MFA and evidence:
                record_authentication(
                    self.request, self.login.user, "mfa", type=IDENTITY_PROVIDER, evidence=evidence
                )
                return None, True
        result: tuple[Any, bool] = super().handle()
        return result
