"""Reporter rate limits: per reference and per network, with no IP address kept anywhere."""

from __future__ import annotations

import base64
import datetime as dt
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest
from django.test import RequestFactory
from tink import prf

from waypoint.privacy import keysets
from waypoint.reporting import ratelimit, receipts
from waypoint.reporting.models import Report, Route

pytestmark = pytest.mark.django_db

# The start of a 15-minute window (and of an hour), so every window boundary is known.
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ADDRESS = "203.0.113.77"
PREFIX = "203.0.113"


@pytest.fixture(autouse=True)
def receipt_keyset(tmp_path: Path, settings, monkeypatch) -> Iterator[Path]:
    # Until privacy/keysets.py maps RECEIPT to prf.PrfSet (a no-op once it does).
    if keysets.RECEIPT not in keysets._PRIMITIVES:
        monkeypatch.setitem(keysets._PRIMITIVES, keysets.RECEIPT, prf.PrfSet)
    path = tmp_path / "receipt.json"
    keysets.write_private_file(path, keysets.new_keyset_json(keysets.RECEIPT), exclusive=True)
    settings.WAYPOINT_KEYSETS = {**settings.WAYPOINT_KEYSETS, keysets.RECEIPT: path}
    keysets.reset_keyset_cache()
    yield path
    keysets.reset_keyset_cache()


@pytest.fixture(params=["database", "locmem"])
def any_cache(request, settings) -> str:
    """The database cache (local default) and a backend with its own incr (as Redis)."""
    if request.param == "locmem":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "ratelimit-tests",
            }
        }
        caches["default"].clear()
    return str(request.param)


@pytest.fixture
def traveller() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as coordinates:
        yield coordinates


def client(address: str = ADDRESS, forwarded_for: str | None = None) -> HttpRequest:
    request = RequestFactory().post("/my-report/", REMOTE_ADDR=address)
    if forwarded_for:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return request


def issued_report() -> tuple[Report, str]:
    passphrase = receipts.new_passphrase()
    encoded, key_id = receipts.hash_passphrase(passphrase)
    report = Report.objects.create(
        reference=receipts.new_reference(),
        route=Route.ANONYMOUS,
        receipt_hash=encoded,
        receipt_pepper_key_id=key_id,
    )
    return report, passphrase


def cache_rows() -> list[tuple[str, str]]:
    """Every (key, value) in the database cache table, values decoded as stored."""
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key, value FROM {table}")  # noqa: S608 (settings name)
        rows = cursor.fetchall()
    decoded = []
    for key, value in rows:
        raw = base64.b64decode(value)
        decoded.append((key, f"{value} {raw!r} {pickle.loads(raw)!r}"))  # noqa: S301 (ours)
    return decoded


# --- Per reference -----------------------------------------------------------------------------


def test_five_failures_for_one_reference_block_the_sixth_attempt(any_cache, traveller) -> None:
    limit = ratelimit.RECEIPT_PER_REFERENCE
    assert (limit.max_attempts, limit.window_seconds) == (5, 15 * 60)
    for attempt in range(1, 6):
        assert not ratelimit.is_blocked(limit, key="WP-7K3M9QXA")
        assert ratelimit.record_failure(limit, key="WP-7K3M9QXA") == attempt
    assert ratelimit.is_blocked(limit, key="WP-7K3M9QXA")
    assert not ratelimit.is_blocked(limit, key="WP-7K3M9QXB")


def test_a_blocked_reference_refuses_even_the_right_passphrase_from_a_guessing_network(
    traveller,
) -> None:
    report, passphrase = issued_report()
    for number in range(5):
        # Each from another network, so only the reference's bucket fills.
        result = receipts.check_receipt(
            client(f"198.51.{number}.1"), reference=report.reference, passphrase="wrong words"
        )
        assert not result.ok
        assert not result.blocked

    refused = receipts.check_receipt(
        client("198.51.0.1"), reference=report.reference, passphrase=passphrase
    )
    assert refused.blocked
    assert not refused.ok
    assert refused.retry_after == 15 * 60
    # However the reference is written.
    loose = report.reference.lower().replace("-", " ")
    assert receipts.check_receipt(
        client("198.51.1.2"), reference=loose, passphrase=passphrase
    ).blocked

    traveller.shift(dt.timedelta(minutes=14, seconds=59))
    assert receipts.check_receipt(
        client("198.51.2.1"), reference=report.reference, passphrase=passphrase
    ).blocked
    traveller.shift(dt.timedelta(seconds=1))  # the window ends
    assert receipts.check_receipt(
        client("198.51.2.1"), reference=report.reference, passphrase=passphrase
    ).ok


def test_guessing_at_a_reference_does_not_lock_its_owner_out(traveller) -> None:
    # Sam's reference was guessed at five times from one network (someone who knows it).
    report, passphrase = issued_report()
    for _ in range(5):
        receipts.check_receipt(client("203.0.113.9"), reference=report.reference, passphrase="no")
    assert ratelimit.is_blocked(ratelimit.RECEIPT_PER_REFERENCE, key=report.reference)
    assert receipts.check_receipt(
        client("203.0.113.9"), reference=report.reference, passphrase=passphrase
    ).blocked

    # Sam, at home on another network, still gets in with the right words.
    assert receipts.check_receipt(
        client("192.0.2.1"), reference=report.reference, passphrase=passphrase
    ).ok


def test_a_new_network_gets_one_try_at_a_blocked_reference_and_no_more(traveller) -> None:
    report, passphrase = issued_report()
    for number in range(5):
        receipts.check_receipt(
            client(f"198.51.{number}.1"), reference=report.reference, passphrase="no"
        )
    # A wrong try from a fresh network is answered as the block, and marks that network.
    first = receipts.check_receipt(
        client("192.0.2.3"), reference=report.reference, passphrase="still wrong"
    )
    assert first.blocked
    assert not first.ok
    assert receipts.check_receipt(
        client("192.0.2.3"), reference=report.reference, passphrase=passphrase
    ).blocked
    # The per-network limit still applies to the owner's network as before.
    assert ratelimit.count(ratelimit.RECEIPT_PER_NETWORK, request=client("192.0.2.3")) == 1


def test_an_unknown_reference_is_blocked_just_like_a_real_one(traveller) -> None:
    for reference in ("WP-00000000", "not a reference"):
        for _ in range(5):
            receipts.check_receipt(client("192.0.2.9"), reference=reference, passphrase="x")
        assert ratelimit.is_blocked(
            ratelimit.RECEIPT_PER_REFERENCE, key=receipts.reference_bucket_key(reference)
        )


def test_a_success_clears_the_reference_count_but_not_the_network_count(traveller) -> None:
    report, passphrase = issued_report()
    request = client()
    for _ in range(4):
        receipts.check_receipt(request, reference=report.reference, passphrase="wrong")
    assert receipts.check_receipt(request, reference=report.reference, passphrase=passphrase).ok
    assert ratelimit.count(ratelimit.RECEIPT_PER_REFERENCE, key=report.reference) == 0
    assert ratelimit.count(ratelimit.RECEIPT_PER_NETWORK, request=request) == 4


def test_the_block_holds_past_the_database_caches_default_timeout(any_cache, traveller) -> None:
    # The generic cache incr re-sets the value with the default 300 s timeout; the
    # counter must still live until its window ends.
    for _ in range(5):
        ratelimit.hit(ratelimit.RECEIPT_PER_REFERENCE, key="WP-7K3M9QXA")
    traveller.shift(dt.timedelta(minutes=10))
    assert ratelimit.is_blocked(ratelimit.RECEIPT_PER_REFERENCE, key="WP-7K3M9QXA")
    traveller.shift(dt.timedelta(minutes=5))
    assert not ratelimit.is_blocked(ratelimit.RECEIPT_PER_REFERENCE, key="WP-7K3M9QXA")


def test_reset_forgets_the_attempts(any_cache, traveller) -> None:
    for _ in range(5):
        ratelimit.hit(ratelimit.MESSAGE_PER_REPORT, key="report-1")
    ratelimit.reset(ratelimit.MESSAGE_PER_REPORT, key="report-1")
    assert ratelimit.count(ratelimit.MESSAGE_PER_REPORT, key="report-1") == 0


# --- Per network -------------------------------------------------------------------------------


def test_twenty_failures_from_one_network_block_it_for_every_reference(traveller) -> None:
    limit = ratelimit.RECEIPT_PER_NETWORK
    assert (limit.max_attempts, limit.window_seconds) == (20, 15 * 60)
    report, passphrase = issued_report()
    for number in range(20):
        reference = receipts.new_reference()
        result = receipts.check_receipt(
            client(f"203.0.113.{number}"), reference=reference, passphrase="wrong"
        )
        assert not result.blocked
    # Any address in the same /24, even with a spoofed X-Forwarded-For, and the right
    # passphrase for a reference never tried.
    spoofed = client("203.0.113.250", forwarded_for="198.51.100.7")
    result = receipts.check_receipt(spoofed, reference=report.reference, passphrase=passphrase)
    assert result.blocked
    # The next network along is not affected.
    assert receipts.check_receipt(
        client("203.0.114.1"), reference=report.reference, passphrase=passphrase
    ).ok


@pytest.mark.parametrize(
    ("first", "same_bucket", "other_bucket"),
    [
        ("203.0.113.77", "203.0.113.1", "203.0.112.77"),
        ("2001:db8:1:2::1", "2001:db8:1:ffff::9", "2001:db8:2::1"),
        ("::ffff:203.0.113.77", "203.0.113.5", "::ffff:203.0.114.77"),
    ],
)
def test_a_network_is_an_ipv4_24_or_an_ipv6_48(first, same_bucket, other_bucket) -> None:
    limit = ratelimit.SUBMIT_PER_NETWORK
    assert (limit.max_attempts, limit.window_seconds) == (30, 60 * 60)
    ratelimit.hit(limit, request=client(first))
    assert ratelimit.count(limit, request=client(same_bucket)) == 1
    assert ratelimit.count(limit, request=client(other_bucket)) == 0


def test_a_trusted_proxy_count_takes_the_client_from_x_forwarded_for(settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = client("127.0.0.1", forwarded_for="198.51.100.7, 203.0.113.77")
    assert ratelimit.network_of(request) == "203.0.113.0/24"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert ratelimit.network_of(request) == "127.0.0.0/24"
    assert ratelimit.network_of(client("not an address")) == "unknown"


def test_a_limit_takes_a_request_or_a_key_not_both() -> None:
    with pytest.raises(TypeError):
        ratelimit.is_blocked(ratelimit.RECEIPT_PER_NETWORK)
    with pytest.raises(TypeError):
        ratelimit.hit(ratelimit.RECEIPT_PER_NETWORK, request=client(), key="x")


# --- What the cache holds ----------------------------------------------------------------------


def test_the_cache_holds_no_ip_address_network_or_reference(traveller) -> None:
    assert "DatabaseCache" in settings.CACHES["default"]["BACKEND"]
    report, _ = issued_report()
    for _ in range(6):
        receipts.check_receipt(client(), reference=report.reference, passphrase="wrong")
    ratelimit.hit(ratelimit.SUBMIT_PER_NETWORK, request=client())
    rows = cache_rows()
    # Network, reference and (reference, network) buckets for receipts, one for submitting.
    assert len(rows) == 4
    body = report.reference.removeprefix("WP-")
    for key, value in rows:
        for needle in (ADDRESS, PREFIX, f"{PREFIX}.0/24", report.reference, body):
            assert needle not in key
            assert needle not in value
        assert key.startswith(":1:wp-rl:")  # Django's version prefix, then ours


def test_a_networks_bucket_key_changes_every_window_and_expires_with_it(traveller) -> None:
    limit = ratelimit.RECEIPT_PER_NETWORK
    ratelimit.hit(limit, request=client())
    traveller.shift(dt.timedelta(minutes=15))
    ratelimit.hit(limit, request=client())
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key, expires FROM {table} ORDER BY expires")  # noqa: S608
        (first_key, first_expires), (second_key, second_expires) = cursor.fetchall()
    assert first_key != second_key  # the same network cannot be linked across windows

    def as_utc(value: dt.datetime) -> dt.datetime:
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

    margin = dt.timedelta(seconds=10)
    assert as_utc(first_expires) <= START + dt.timedelta(minutes=15) + margin
    assert as_utc(second_expires) <= START + dt.timedelta(minutes=30) + margin
