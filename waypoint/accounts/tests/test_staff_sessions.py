from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.accounts.sessions import SEEN_AT
from waypoint.accounts.tests.support import (
    login_as,
    sign_in_with_password,
    submit_totp,
    totp_code,
)
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def signed_out_to_sign_in(response: object, client: Client) -> bool:
    location = urlsplit(response["Location"]).path  # type: ignore[index]
    return location == reverse("account_login") and "_auth_user_id" not in client.session


def test_signing_in_issues_a_new_session_key(client: Client, adviser: User) -> None:
    sign_in_with_password(client, adviser)
    before = client.session.session_key
    assert before
    submit_totp(client, totp_code(adviser))
    after = client.session.session_key
    assert after
    assert after != before
    assert not SessionStore().exists(before)
    assert client.session["_auth_user_id"] == str(adviser.pk)


def test_a_planted_session_key_is_not_kept_at_sign_in(client: Client, adviser: User) -> None:
    planted = SessionStore()
    planted["innocent"] = "yes"
    planted.create()
    key = planted.session_key
    assert key
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    login_as(client, adviser)
    assert client.session.session_key != key
    assert not SessionStore().exists(key)


def test_signing_out_deletes_the_session_on_the_server(client: Client, adviser: User) -> None:
    login_as(client, adviser)
    key = client.session.session_key
    assert key
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not SessionStore().exists(key)
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    response = replay.get(reverse("staff:home"))
    assert urlsplit(response["Location"]).path == reverse("account_login")
    assert AuditEvent.objects.filter(action="staff.signed_out", actor_id=str(adviser.pk)).exists()


def test_the_session_ends_after_15_minutes_without_activity(client: Client, adviser: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        login_as(client, adviser)
        traveller.shift(dt.timedelta(minutes=14, seconds=59))
        assert client.get(reverse("staff:home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=14, seconds=59))
        assert client.get(reverse("staff:home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=15))
        response = client.get(reverse("staff:home"))
    assert signed_out_to_sign_in(response, client)
    assert urlsplit(response["Location"]).query == "next=/staff/"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("15 minutes" in m for m in messages), messages
    event = AuditEvent.objects.get(action="staff.session_expired", object_id=str(adviser.pk))
    assert event.extra == {"reason": "idle"}


def test_the_expiry_message_is_shown_on_the_sign_in_page(client: Client, adviser: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        login_as(client, adviser)
        traveller.shift(dt.timedelta(minutes=16))
        response = client.get(reverse("staff:home"), follow=True)
    assert response.status_code == 200
    assert "not used for 15 minutes" in response.content.decode()


def test_the_session_ends_after_8_hours_however_active(client: Client, adviser: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        login_as(client, adviser)
        for _ in range(47):  # every 10 minutes for 7 h 50 min
            traveller.shift(dt.timedelta(minutes=10))
            assert client.get(reverse("staff:home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=10))
        response = client.get(reverse("staff:home"))
    assert signed_out_to_sign_in(response, client)
    event = AuditEvent.objects.get(action="staff.session_expired", object_id=str(adviser.pk))
    assert event.extra == {"reason": "absolute"}


def test_last_seen_is_written_at_most_once_a_minute(client: Client, adviser: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        login_as(client, adviser)
        first = client.session[SEEN_AT]
        traveller.shift(dt.timedelta(seconds=59))
        client.get(reverse("staff:home"))
        assert client.session[SEEN_AT] == first
        traveller.shift(dt.timedelta(seconds=2))
        client.get(reverse("staff:home"))
        assert client.session[SEEN_AT] == first + 61


def test_an_expired_session_is_ended_on_public_pages_too(client: Client, adviser: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        login_as(client, adviser)
        traveller.shift(dt.timedelta(minutes=20))
        response = client.get(reverse("hub:home"))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="staff.session_expired").exists()


def test_deactivating_an_account_ends_its_sessions(client: Client, adviser: User) -> None:
    login_as(client, adviser)
    adviser.is_active = False
    adviser.save()
    response = client.get(reverse("staff:home"))
    assert urlsplit(response["Location"]).path == reverse("account_login")


def test_changing_the_password_ends_other_sessions(adviser: User) -> None:
    here, elsewhere = Client(), Client()
    login_as(here, adviser)
    login_as(elsewhere, adviser)
    new_password = "a new and rather long passphrase"
    response = here.post(
        reverse("account_change_password"),
        {"oldpassword": "persona-password-for-tests-only", "password1": new_password,
         "password2": new_password},
    )  # fmt: skip
    assert response.status_code == 302
    response = elsewhere.get(reverse("staff:home"))
    assert urlsplit(response["Location"]).path == reverse("account_login")
