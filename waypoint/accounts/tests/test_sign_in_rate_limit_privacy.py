"""Staff sign-in rate limits count clients without writing their address anywhere."""

from __future__ import annotations

import base64
import datetime as dt
import pickle

import pytest
import time_machine
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.fixtures import Settings

from waypoint.accounts.adapters import AccountAdapter
from waypoint.accounts.models import User
from waypoint.accounts.tests.support import sign_in_with_password

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
THROTTLED = "Too many failed login attempts"
ADDRESS = "203.0.113.77"
NETWORK = "203.0.113."


def wrong_password(client: Client, email: str) -> None:
    response = client.post(
        reverse("account_login"), {"login": email, "password": "not-the-password"}
    )
    assert response.status_code == 200


def cache_contents() -> list[str]:
    """Every key and value in the shared cache, as text."""
    assert isinstance(caches[DEFAULT_CACHE_ALIAS], DatabaseCache), (
        "the tests run on the database cache table"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM waypoint_cache")
        rows = cursor.fetchall()
    texts = []
    for key, value in rows:
        raw = base64.b64decode(value)
        texts += [key, raw.decode("latin-1"), repr(pickle.loads(raw))]  # noqa: S301 (our own cache)
    return texts


def test_failed_sign_ins_leave_no_address_or_network_in_the_cache(
    adviser: User, case_lead: User
) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    with time_machine.travel(START, tick=False):
        for user in (adviser, adviser, case_lead):
            wrong_password(client, user.email)
        sign_in_with_password(client, adviser)
    contents = cache_contents()
    assert any(":allauth:rl:allauth.account:login_failed:" in text for text in contents)
    assert any(":ip:net-" in text for text in contents)
    for text in contents:
        assert ADDRESS not in text
        assert NETWORK not in text


def test_ten_failures_from_one_address_block_it_but_not_another(adviser: User) -> None:
    attacker = Client(REMOTE_ADDR=ADDRESS)
    with time_machine.travel(START, tick=False):
        for n in range(10):
            wrong_password(attacker, f"guess-{n}@example.test")
        response = sign_in_with_password(attacker, adviser)
        assert THROTTLED in response.content.decode()
        assert "_auth_user_id" not in attacker.session

        colleague = Client(REMOTE_ADDR="198.51.100.20")
        response = sign_in_with_password(colleague, adviser)
    assert response["Location"] == reverse("mfa_authenticate")


def test_behind_one_proxy_each_client_address_still_has_its_own_bucket(
    settings: Settings, rf: RequestFactory
) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    adapter = AccountAdapter()

    def bucket(forwarded_for: str) -> str:
        request = rf.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)
        return str(adapter.get_client_ip(request))

    with time_machine.travel(START, tick=False):
        first = bucket(ADDRESS)
        assert bucket(f"192.0.2.1, {ADDRESS}") == first  # only the proxy's own hop counts
        assert bucket("198.51.100.20") != first
    assert ADDRESS not in first and NETWORK not in first
    assert first.startswith("net-")


def test_an_address_gets_an_unrelated_bucket_every_hour(rf: RequestFactory) -> None:
    request = rf.post("/", REMOTE_ADDR=ADDRESS)
    adapter = AccountAdapter()
    with time_machine.travel(START, tick=False) as traveller:
        first = adapter.get_client_ip(request)
        traveller.shift(dt.timedelta(minutes=59))
        assert adapter.get_client_ip(request) == first
        traveller.shift(dt.timedelta(minutes=1))
        assert adapter.get_client_ip(request) != first


def test_an_ipv6_client_is_counted_by_its_slash_64_as_allauth_did(rf: RequestFactory) -> None:
    adapter = AccountAdapter()

    def bucket(address: str) -> str:
        return str(adapter.get_client_ip(rf.post("/", REMOTE_ADDR=address)))

    with time_machine.travel(START, tick=False):
        home = bucket("2001:db8:1:2::10")
        assert bucket("2001:db8:1:2:ffff::1") == home
        assert bucket("2001:db8:1:3::10") != home
        assert bucket(f"::ffff:{ADDRESS}") == bucket(ADDRESS)
    assert "2001:db8" not in home
