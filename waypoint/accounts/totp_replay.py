"""A TOTP code, once used, is refused for as long as it could still be valid.

allauth accepts a code from MFA_TOTP_TOLERANCE periods either side of now, so one code is
valid for (2 * tolerance + 1) periods (90 seconds with Waypoint's settings), but it
remembers a used code for one period only: the same code then signs in again 30 to 60
seconds later. Waypoint keeps the "used" marker for the whole window instead, in the
shared cache (every process sees it), under

    "wp-totp-used:" + hex(PRF_k("waypoint.accounts.totp-used.v1|<user id>|<code>"))[:32]

where PRF_k is the identifier keyset's primary key, so neither the code nor the secret
is ever in the cache in clear. Sign-in and reauthentication both validate through
allauth's TOTP.validate_code, which calls the two methods replaced here (install(), from
AccountsConfig.ready); ADR 0007.
"""

from __future__ import annotations

from typing import Any, Final

from allauth.core.internal.cryptokit import normalize_user_code
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache

from waypoint.privacy import keysets

KEY_PREFIX: Final = "wp-totp-used"
_PURPOSE: Final = "waypoint.accounts.totp-used.v1"
_DIGEST_BYTES: Final = 16  # 128 bits


def replay_window_seconds() -> int:
    """How long a code stays valid after it is first accepted, at most."""
    return int((2 * mfa_settings.TOTP_TOLERANCE + 1) * mfa_settings.TOTP_PERIOD)


def used_code_cache_key(user_id: object, code: str) -> str:
    data = f"{_PURPOSE}|{user_id}|{normalize_user_code(code)}".encode()
    prf_set = keysets.load_keyset(keysets.IDENTIFIER).primitive
    return f"{KEY_PREFIX}:{bytes(prf_set.primary().compute(data, _DIGEST_BYTES)).hex()}"


def _get_used_cache_key(self: Any, code: str) -> str:
    return used_code_cache_key(self.instance.user_id, code)


def _mark_code_used(self: Any, code: str) -> bool:
    # add() is atomic in every shared backend: of two sign-ins racing with one code,
    # only the first gets True.
    return bool(cache.add(self._get_used_cache_key(code), "y", timeout=replay_window_seconds()))


def install() -> None:
    """Replace allauth's 30-second, clear-text marker with Waypoint's (at start-up)."""
    for name in ("_get_used_cache_key", "_mark_code_used", "validate_code"):
        if not hasattr(TOTP, name):
            # Fail at start-up, not silently, if an allauth upgrade moves the hook.
            raise RuntimeError(f"allauth's TOTP has no {name}(): review totp_replay.py.")
    TOTP._get_used_cache_key = _get_used_cache_key
    TOTP._mark_code_used = _mark_code_used
