"""The client address allauth's sign-in rate limits count by, as a keyed digest.

allauth keys its per-address limits (login, login_failed, reset_password, ...) by
AccountAdapter.get_client_ip(), and would put the address itself into the cache key
("allauth:rl:allauth.account:login:30/60.0/m:ip:203.0.113.9"), in the database cache
table where there is no Redis. Waypoint hands it a digest instead, as the reporter
limits do (waypoint/reporting/ratelimit.py):

    "net-" + hex(HMAC-SHA256(K_w, address))[:32]
    K_w = key derived from settings.SECRET_KEY and the purpose
          "waypoint.accounts.ratelimit.v1|<hour number>"

The address is allauth's: the client as WAYPOINT_TRUSTED_PROXY_COUNT says, an IPv6
address reduced to its /64 (ALLAUTH_RATE_LIMIT_IPV6_PREFIX); so each staff address keeps
its own bucket, as before. The hour number is part of the key, so the same address gets
an unrelated bucket every hour and entries cannot be linked across hours. The cost: at
the turn of the hour an address's count starts again, so it may make one extra
minute's allowance of attempts once an hour; the per-account limit (5 failures in 5
minutes) is keyed by the address typed in, not the client, and is unaffected.
"""

from __future__ import annotations

import ipaddress
import time
from typing import Final

from allauth import app_settings as allauth_settings
from django.utils.crypto import salted_hmac

BUCKET_PREFIX: Final = "net-"
WINDOW_SECONDS: Final = 60 * 60
_DIGEST_HEX_CHARS: Final = 32  # 128 bits
_PURPOSE: Final = "waypoint.accounts.ratelimit.v1"


def _client_network(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        prefix = int(allauth_settings.RATE_LIMIT_IPV6_PREFIX)
        return str(ipaddress.ip_network((ip, prefix), strict=False))
    return str(ip)


def client_bucket(address: str, *, now: float | None = None) -> str:
    """The digest standing in for `address` in this hour's rate-limit keys."""
    moment = time.time() if now is None else now
    purpose = f"{_PURPOSE}|{int(moment // WINDOW_SECONDS)}"
    digest = salted_hmac(purpose, _client_network(address), algorithm="sha256").hexdigest()
    return BUCKET_PREFIX + digest[:_DIGEST_HEX_CHARS]
