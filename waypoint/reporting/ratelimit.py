"""Rate limits for the reporter routes that store no IP address anywhere (ADR 0016).

A limit allows `max_attempts` per bucket in fixed windows of `window_seconds`. A bucket
is one counter in the shared cache (settings.CACHES["default"]: Redis when REDIS_URL is
set, else the database cache table; never per-process memory). Its cache key is

    "wp-rl:" + limit.name + ":" + hex(HMAC-SHA256(K_w, subject))[:32]
    K_w = key derived from settings.SECRET_KEY, the purpose
          "waypoint.reporting.ratelimit.v1|<limit name>|<window number>"
    subject = "net|" + the client's network (IPv4 /24, IPv6 /48)   (request=...)
            | "key|" + a caller-given key, e.g. the normalised reference  (key=...)

and its value is a small integer. The address is reduced to its network prefix and
hashed in memory; it is never logged, stored or put in an exception. The window number
is part of the HMAC key, so the same network gets an unrelated key in every window and
entries cannot be linked across windows. Each entry expires when its window ends (plus a
few seconds), so nothing outlives it.

Honest limit: a keyed hash of a small space (2^24 IPv4 networks) protects only while
SECRET_KEY is secret. Someone holding both the key and a live cache can test which
networks made attempts in the current window; after the window the entry is gone.

The client address is REMOTE_ADDR. Behind proxies, set ALLAUTH_TRUSTED_PROXY_COUNT (or
ALLAUTH_TRUSTED_CLIENT_IP_HEADER), which staff sign-in throttling reads too; otherwise
X-Forwarded-For is ignored, so a spoofed header never moves a client to a new bucket.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from typing import Final

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.db import router, transaction
from django.http import HttpRequest
from django.utils.crypto import salted_hmac


@dataclass(frozen=True)
class Limit:
    name: str
    max_attempts: int
    window_seconds: int


# Wrong receipts for one reference: 5 in 15 minutes (security.md T7: block at attempt <= 6).
RECEIPT_PER_REFERENCE: Final = Limit("receipt-ref", 5, 15 * 60)
# Wrong receipts for one reference from one network. A reference that is blocked still
# lets the right passphrase through from a network that has not guessed wrong at it in
# this window, so that guessing at someone's reference cannot lock its owner out
# (ADR 0035). Same window as RECEIPT_PER_REFERENCE; one wrong guess marks the network.
RECEIPT_PER_REFERENCE_NETWORK: Final = Limit("receipt-ref-net", 1, 15 * 60)
# Wrong receipts from one network, whatever the reference: 20 in 15 minutes.
RECEIPT_PER_NETWORK: Final = Limit("receipt-net", 20, 15 * 60)
# Reports submitted from one network: 30 an hour (a campus shares a few networks).
SUBMIT_PER_NETWORK: Final = Limit("submit-net", 30, 60 * 60)
# Messages a reporter sends on one report: 20 an hour (key: the report id).
MESSAGE_PER_REPORT: Final = Limit("message-report", 20, 60 * 60)

KEY_PREFIX: Final = "wp-rl"
IPV4_PREFIX: Final = 24
IPV6_PREFIX: Final = 48
_DIGEST_HEX_CHARS: Final = 32  # 128 bits
_EXPIRY_MARGIN_SECONDS: Final = 5
_PURPOSE: Final = "waypoint.reporting.ratelimit.v1"


def _now() -> float:
    return time.time()


def _window(limit: Limit, now: float) -> int:
    return int(now // limit.window_seconds)


def _seconds_left(limit: Limit, now: float) -> int:
    window_end = (_window(limit, now) + 1) * limit.window_seconds
    return max(1, int(window_end - now))


def retry_after(limit: Limit) -> int:
    """Seconds until the current window ends (for a Retry-After header)."""
    return _seconds_left(limit, _now())


def _client_address(request: HttpRequest) -> str | None:
    header = getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    if header:
        value = request.headers.get(header)
        return value.strip() if value else None
    proxies = int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.headers.get("x-forwarded-for")
    if proxies > 0 and forwarded:
        hops = forwarded.split(",")
        if len(hops) >= proxies:
            return hops[-proxies].strip()
    remote = request.META.get("REMOTE_ADDR")
    return remote.strip() if isinstance(remote, str) else None


def network_of(request: HttpRequest) -> str:
    """The client's network as text ("203.0.113.0/24", "2001:db8:1::/48"), in memory only.

    IPv4-mapped IPv6 addresses count as IPv4. Anything unreadable shares one bucket.
    """
    address = _client_address(request)
    if not address:
        return "unknown"
    if address.startswith("[") and "]" in address:
        address = address[1 : address.index("]")]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network((ip, prefix), strict=False))


def reference_network_key(reference_key: str, request: HttpRequest) -> str:
    """The key of the (reference, network) bucket; hashed like every other subject."""
    return f"{reference_key}|{network_of(request)}"


def _subject(request: HttpRequest | None, key: str | None) -> str:
    if (request is None) == (key is None):
        raise TypeError("Give exactly one of request= (network bucket) or key=.")
    if request is not None:
        return "net|" + network_of(request)
    return "key|" + str(key)


def _cache_key(limit: Limit, subject: str, now: float) -> str:
    purpose = f"{_PURPOSE}|{limit.name}|{_window(limit, now)}"
    digest = salted_hmac(purpose, subject, algorithm="sha256").hexdigest()
    return f"{KEY_PREFIX}:{limit.name}:{digest[:_DIGEST_HEX_CHARS]}"


def count(limit: Limit, request: HttpRequest | None = None, key: str | None = None) -> int:
    """Attempts recorded in this bucket in the current window."""
    value = caches[DEFAULT_CACHE_ALIAS].get(_cache_key(limit, _subject(request, key), _now()), 0)
    return value if isinstance(value, int) else 0


def is_blocked(limit: Limit, request: HttpRequest | None = None, key: str | None = None) -> bool:
    """Has this bucket used up its attempts for the current window?"""
    return count(limit, request=request, key=key) >= limit.max_attempts


def _increment(cache: BaseCache, cache_key: str, ttl: int) -> int:
    cache.add(cache_key, 0, timeout=ttl)
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 0, timeout=ttl)
        return int(cache.incr(cache_key))


def hit(limit: Limit, request: HttpRequest | None = None, key: str | None = None) -> int:
    """Count one attempt in this bucket; returns the new count."""
    now = _now()
    cache_key = _cache_key(limit, _subject(request, key), now)
    ttl = _seconds_left(limit, now) + _EXPIRY_MARGIN_SECONDS
    cache = caches[DEFAULT_CACHE_ALIAS]
    if type(cache).incr is not BaseCache.incr:
        # A backend with its own increment (Redis INCR: atomic, keeps the expiry).
        return _increment(cache, cache_key, ttl)
    # The generic incr is get + set with the default timeout: serialise it (SQLite takes
    # its write lock at BEGIN here) and put the window's expiry back.
    using = None
    if isinstance(cache, DatabaseCache):
        using = router.db_for_write(cache.cache_model_class)
    with transaction.atomic(using=using):
        value = _increment(cache, cache_key, ttl)
        cache.touch(cache_key, timeout=ttl)
    return value


record_failure = hit


def reset(limit: Limit, request: HttpRequest | None = None, key: str | None = None) -> None:
    """Forget this bucket's attempts in the current window."""
    caches[DEFAULT_CACHE_ALIAS].delete(_cache_key(limit, _subject(request, key), _now()))
