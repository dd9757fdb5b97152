"""allauth adapters: signup closed, sign-in failures audited, MFA secrets encrypted.

- Nobody can sign up, with a password or through SSO: administrators create staff
  accounts (or the demo loader does). SSO only signs in existing staff, matched by a
  verified email address (SOCIALACCOUNT_EMAIL_AUTHENTICATION, docs/sso.md).
- TOTP secrets and recovery-code seeds are encrypted with the key-encryption key, which
  lives outside the database, and stored as base64 text in Authenticator.data.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from waypoint.accounts.services import staff_sign_in_failure_record
from waypoint.accounts.sessions import session_may_enrol_without_reauthentication
from waypoint.privacy.crypto import DecryptionError, decrypt_with_kek, encrypt_with_kek

# Stored values look like "kek1:<base64>"; the prefix says how they were encrypted.
_MFA_PREFIX: Final = "kek1:"
_MFA_ASSOCIATED_DATA: Final = b"waypoint:v1|mfa.authenticator.secret"


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        staff_sign_in_failure_record(email=str(credentials.get("email") or ""))

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


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def get_connect_redirect_url(self, request: HttpRequest, socialaccount: Any) -> str:
        # allauth's "connections" page is not offered (waypoint/accounts/allauth_urls.py).
        return reverse("staff:home")


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
