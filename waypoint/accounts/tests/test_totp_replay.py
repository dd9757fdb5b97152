"""A TOTP code that signed someone in is refused for as long as it could be valid."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.accounts.tests.support import (
    login_as,
    sign_in_with_password,
    submit_totp,
    totp_code,
)

pytestmark = pytest.mark.django_db

# The start of a 30-second TOTP period (and of an hour).
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def reauthenticate(client: Client, code: str) -> int:
    response = client.post(reverse("mfa_reauthenticate"), {"code": code})
    return response.status_code


@pytest.mark.parametrize(
    ("code_period", "replayed_after"),
    [
        (0, 31),  # allauth forgot the code after one period: this got through
        (0, 59),
        (1, 89),  # next period's code, used early (tolerance), is valid for 90 seconds
    ],
)
def test_amira_cannot_sign_in_again_with_a_code_she_used_earlier_in_its_window(
    adviser: User, code_period: int, replayed_after: int
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        code = totp_code(adviser, at=START.timestamp() + 30 * code_period)
        first = Client()
        sign_in_with_password(first, adviser)
        assert submit_totp(first, code).status_code == 302
        assert first.session.get("_auth_user_id") == str(adviser.pk)

        traveller.shift(dt.timedelta(seconds=replayed_after))
        second = Client()
        sign_in_with_password(second, adviser)
        response = submit_totp(second, code)
        assert response.status_code == 200
        assert "Incorrect code" in response.content.decode()
        assert "_auth_user_id" not in second.session


def test_amira_signs_in_with_a_fresh_code_once_the_old_one_has_expired(adviser: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        first = Client()
        sign_in_with_password(first, adviser)
        assert submit_totp(first, totp_code(adviser)).status_code == 302
        traveller.shift(dt.timedelta(seconds=95))
        second = Client()
        sign_in_with_password(second, adviser)
        assert submit_totp(second, totp_code(adviser)).status_code == 302
        assert second.session.get("_auth_user_id") == str(adviser.pk)


def test_amira_cannot_reauthenticate_with_the_code_she_signed_in_with(
    client: Client, adviser: User
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        code = totp_code(adviser)
        sign_in_with_password(client, adviser)
        assert submit_totp(client, code).status_code == 302
        traveller.shift(dt.timedelta(seconds=45))
        assert client.get(reverse("mfa_reauthenticate")).status_code == 200
        assert reauthenticate(client, code) == 200  # the form again, refused
        # A code she has not used yet works.
        assert reauthenticate(client, totp_code(adviser)) == 302


def test_a_code_used_to_reauthenticate_cannot_be_used_to_sign_in(adviser: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        first = Client()
        login_as(first, adviser)
        traveller.shift(dt.timedelta(seconds=30))
        code = totp_code(adviser)
        assert reauthenticate(first, code) == 302
        traveller.shift(dt.timedelta(seconds=40))
        second = Client()
        sign_in_with_password(second, adviser)
        response = submit_totp(second, code)
        assert "Incorrect code" in response.content.decode()
        assert "_auth_user_id" not in second.session


def test_the_used_code_marker_shows_neither_the_code_nor_the_account(adviser: User) -> None:
    with time_machine.travel(START, tick=False):
        code = totp_code(adviser)
        client = Client()
        sign_in_with_password(client, adviser)
        assert submit_totp(client, code).status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM waypoint_cache")
        rows = cursor.fetchall()
    markers = [key for key, _ in rows if "wp-totp-used:" in key]
    assert len(markers) == 1
    for key, value in rows:
        text = key + base64.b64decode(value).decode("latin-1")
        assert code not in text
        assert "totp.used" not in text
        assert f"user={adviser.pk}" not in text
