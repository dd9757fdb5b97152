"""Helpers for tests that sign staff in: TOTP codes and the real sign-in flow."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.accounts.tests.factories import PERSONA_PASSWORD

if TYPE_CHECKING:
    # What the test client returns (a name that exists only in django-stubs).
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

__all__ = [
    "PERSONA_PASSWORD",
    "code_for_secret",
    "login_as",
    "sign_in_with_password",
    "submit_totp",
    "totp_code",
]


def totp_secret(user: User) -> str:
    totp = Authenticator.objects.get(user_id=user.pk, type=Authenticator.Type.TOTP)
    return str(decrypt(totp.data["secret"]))


def code_for_secret(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app holding `secret` shows now (or at time `at`)."""
    moment = time.time() if at is None else at
    counter = int(moment) // mfa_settings.TOTP_PERIOD
    return str(format_hotp_value(hotp_value(secret, counter)))


def totp_code(user: User, *, at: float | None = None) -> str:
    """The code `user`'s authenticator app shows now (or at time `at`)."""
    return code_for_secret(totp_secret(user), at=at)


def sign_in_with_password(
    client: Client, user: User, password: str = PERSONA_PASSWORD
) -> TestResponse:
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def submit_totp(client: Client, code: str) -> TestResponse:
    return client.post(reverse("mfa_authenticate"), {"code": code})


def login_as(client: Client, user: User, password: str = PERSONA_PASSWORD) -> TestResponse:
    """Sign `user` in through the real allauth pages: password, then TOTP if enrolled.

    The session ends up exactly as a person's would. A TOTP code that was already used is
    refused (for its whole validity window, totp_replay.py); so that a test can sign the
    same persona in twice within one 30-second period, the current code's "used" marker
    is cleared first (tests of replay protection drive the pages themselves instead).
    """
    response = sign_in_with_password(client, user, password)
    assert response.status_code == 302, f"password step failed for {user.email}"
    if Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists():
        assert response["Location"] == reverse("mfa_authenticate"), response["Location"]
        code = totp_code(user)
        cache.delete(TOTP(Authenticator(user_id=user.pk))._get_used_cache_key(code))
        response = submit_totp(client, code)
        assert response.status_code == 302, f"TOTP step failed for {user.email}"
    assert client.session.get("_auth_user_id") == str(user.pk), "not signed in"
    return response
