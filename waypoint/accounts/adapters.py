"""allauth adapters: signup closed, sign-in failures audited, MFA secrets encrypted.

- Nobody can sign up, with a password or through SSO: administrators create staff
  accounts (or the demo loader does). SSO only signs in existing staff, matched by an
  address the provider vouches for (sso.matching_candidates, docs/sso.md); anything else
  ends on Waypoint's "could not sign you in" page and is audited by a digest.
- allauth's rate limits count clients by a keyed digest, never the address (ratelimit.py).
- The TOTP step is Waypoint's (stages.py), and the institution may switch password
  sign-in off for all but its break-glass administrators.
- TOTP secrets and recovery-code seeds are encrypted with the key-encryption key, which
  lives outside the database, and stored as base64 text in Authenticator.data.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from waypoint.accounts import sso
from waypoint.accounts.models import User
from waypoint.accounts.ratelimit import client_bucket
from waypoint.accounts.saml.logout import single_logout_url
from waypoint.accounts.selectors import password_sign_in_allowed
from waypoint.accounts.services import (
    staff_sign_in_failure_record,
    staff_sso_link_record,
    staff_sso_refusal_record,
)
from waypoint.accounts.sessions import session_may_enrol_without_reauthentication
from waypoint.accounts.stages import provider_kind
from waypoint.privacy.crypto import DecryptionError, decrypt_with_kek, encrypt_with_kek

# Stored values look like "kek1:<base64>"; the prefix says how they were encrypted.
_MFA_PREFIX: Final = "kek1:"
_MFA_ASSOCIATED_DATA: Final = b"waypoint:v1|mfa.authenticator.secret"
SIGN_IN_WITH_SSO_MESSAGE: Final = (
    "Staff sign in through the university's single sign-on here. Please use the "
    "university sign-in button below."
)


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        staff_sign_in_failure_record(email=str(credentials.get("email") or ""))

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits key their cache entries by this value: a keyed, hourly
        # digest, so no address is ever written to the cache (ratelimit.py).
        return client_bucket(str(super().get_client_ip(request)))

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        # Someone who has just signed in and has no second factor yet is sent straight to
        # TOTP activation: asking for the password they typed a moment ago adds nothing.
        # Every later MFA change asks again (allauth's default).
        request = getattr(context, "request", None)
        if (
            app == "allauth.mfa"
            and request is not None
            and session_may_enrol_without_reauthentication(request)
        ):
            return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        # Called before the session ends: a session signed in through an OpenID Connect
        # provider goes on to the provider's sign-out page, which comes back to sign-in;
        # one signed in through SAML goes to the IdP's single logout with a
        # LogoutRequest, and the IdP answers at allauth's SLS view (saml/logout.py).
        user = request.user
        used = (
            {
                str(record.get("provider"))
                for record in get_authentication_records(request, user)
                if record.get("method") == "socialaccount"
            }
            if isinstance(user, User)
            else set()
        )
        for app in sso.configured_apps():
            if app.provider == "openid_connect" and app.provider_id in used:
                url = sso.oidc_end_session_url(
                    app,
                    post_logout_redirect_uri=request.build_absolute_uri(reverse("account_login")),
                )
                if url:
                    return url
            if app.provider == "saml" and app.provider_id in used:
                url = single_logout_url(request, app)
                if url:
                    return url
        return str(super().get_logout_redirect_url(request))

    def get_login_stages(self) -> list[str]:
        # Waypoint's TOTP step knows when the identity provider's second factor counts.
        return [
            "waypoint.accounts.stages.AuthenticateStage"
            if stage == "allauth.mfa.stages.AuthenticateStage"
            else stage
            for stage in super().get_login_stages()
        ]

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> Any:
        # The institution may switch password sign-in off for all but named break-glass
        # administrators; SSO sign-ins (which carry a sociallogin) are not affected.
        signal_kwargs = kwargs.get("signal_kwargs") or {}
        if (
            "sociallogin" not in signal_kwargs
            and isinstance(user, User)
            and not password_sign_in_allowed(user)
        ):
            messages.error(request, SIGN_IN_WITH_SSO_MESSAGE)
            return HttpResponseRedirect(reverse("account_login"))
        return super().pre_login(request, user, **kwargs)


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def authenticate_by_email(self, sociallogin: Any) -> tuple[Any, str] | None:
        """Match the sign-in to a staff account by an address the provider vouches for.

        Case-insensitive (the address is the account); docs/sso.md says which addresses
        count as vouched for.
        """
        for candidate in _candidates(sociallogin):
            if not candidate.trusted:
                continue
            user = User.objects.filter(email__iexact=candidate.email).first()
            if user is not None:
                sociallogin.waypoint_matched = candidate
                return user, user.email
        return None

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        provider = str(sociallogin.account.provider)
        if not sociallogin.is_existing:
            candidates = _candidates(sociallogin)
            reason = (
                "unknown"
                if any(c.trusted for c in candidates) or not candidates
                else ("unverified")
            )
            staff_sso_refusal_record(
                provider=provider, reason=reason, emails=[c.email for c in candidates]
            )
            raise ImmediateHttpResponse(
                HttpResponseRedirect(reverse("sso_refused", kwargs={"reason": reason}))
            )
        matched = getattr(sociallogin, "waypoint_matched", None)
        if matched is not None:
            staff_sso_link_record(
                user=sociallogin.user,
                provider=provider,
                how=matched.why,
                case_differs=matched.email != sociallogin.user.email,
            )

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def get_connect_redirect_url(self, request: HttpRequest, socialaccount: Any) -> str:
        # allauth's "connections" page is not offered (waypoint/accounts/allauth_urls.py).
        return reverse("staff:home")


def _candidates(sociallogin: Any) -> list[sso.Candidate]:
    return sso.matching_candidates(
        provider=provider_kind(sociallogin),
        extra_data=sociallogin.account.extra_data or {},
        addresses=[(str(e.email), bool(e.verified)) for e in sociallogin.email_addresses],
    )


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    def encrypt(self, text: str) -> str:
        ciphertext = encrypt_with_kek(text.encode(), associated_data=_MFA_ASSOCIATED_DATA)
        return _MFA_PREFIX + base64.b64encode(ciphertext).decode("ascii")

    def decrypt(self, encrypted_text: str) -> str:
        # Fails closed: a value that is not ours (for example a plaintext secret written
        # by another tool) is refused rather than used as it is.
        if not encrypted_text.startswith(_MFA_PREFIX):
            raise DecryptionError("This MFA secret is not encrypted by Waypoint.")
        try:
            ciphertext = base64.b64decode(encrypted_text[len(_MFA_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            raise DecryptionError("This MFA secret is not valid base64.") from None
        return decrypt_with_kek(ciphertext, associated_data=_MFA_ASSOCIATED_DATA).decode()
