"""The sealed cookie that carries a new passphrase to its receipt page, and the receipt as
a text file: shared by the report's receipt and the incident log's (ADR 0016, 0042).

The server keeps only the passphrase's Argon2id hash; the browser holds a ciphertext that
only the server can open, sealed with the key-encryption key and bound to one report or
log (`binding`), so a reload of the receipt page still shows it. Both receipts use one
cookie name, so the quick exit clears either.
"""

from __future__ import annotations

import base64
from typing import Final

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.debug import sensitive_variables

from waypoint.privacy import crypto

COOKIE_SECONDS: Final = 60 * 60


def cookie_name() -> str:
    return "__Host-waypoint-receipt" if settings.SESSION_COOKIE_SECURE else "waypoint-receipt"


def _aad(binding: str) -> bytes:
    return f"waypoint:v1|{binding}".encode()


@sensitive_variables("passphrase")
def set_receipt_cookie(response: HttpResponseBase, *, binding: str, passphrase: str) -> None:
    sealed = crypto.encrypt_with_kek(passphrase.encode(), associated_data=_aad(binding))
    response.set_cookie(
        cookie_name(),
        base64.urlsafe_b64encode(sealed).decode(),
        max_age=COOKIE_SECONDS,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def read_receipt_cookie(request: HttpRequest, *, binding: str) -> str | None:
    raw = request.COOKIES.get(cookie_name())
    if not raw:
        return None
    try:
        sealed = base64.urlsafe_b64decode(raw.encode())
        return crypto.decrypt_with_kek(sealed, associated_data=_aad(binding)).decode()
    except (ValueError, crypto.CryptoError):
        return None


def clear_receipt_cookie(response: HttpResponseBase) -> None:
    response.delete_cookie(cookie_name(), path="/", samesite="Strict")


@sensitive_variables("passphrase")
def receipt_text_response(
    *, title: str, reference: str, passphrase: str, use_at: str, to_do: str
) -> HttpResponse:
    """The receipt as a text file, under a name that does not say what it is for."""
    text = (
        f"{title}\n\n"
        f"Reference: {reference}\n"
        f"Passphrase: {passphrase}\n\n"
        f"Use them at {use_at} {to_do}\n"
        "Keep this somewhere only you can reach.\n"
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="receipt.txt"'
    return response
