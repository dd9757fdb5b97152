from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse

from waypoint.accounts.adapters import AccountAdapter, SocialAccountAdapter
from waypoint.accounts.models import User
from waypoint.accounts.tests.factories import PERSONA_PASSWORD
from waypoint.accounts.tests.support import (
    login_as,
    sign_in_with_password,
    submit_totp,
    totp_code,
)
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
THROTTLED = "Too many failed login attempts"


def wrong_password(client: Client, email: str) -> None:
    response = client.post(
        reverse("account_login"), {"login": email, "password": "not-the-password"}
    )
    assert response.status_code == 200


def test_the_sixth_attempt_within_5_minutes_is_refused_even_with_the_right_password(
    client: Client, adviser: User
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            wrong_password(client, adviser.email)
            traveller.shift(dt.timedelta(seconds=30))
        response = sign_in_with_password(client, adviser)
        assert response.status_code == 200
        assert THROTTLED in response.content.decode()
        assert "account_login" not in client.session  # no half-finished sign-in
        assert "_auth_user_id" not in client.session

        # Another address (or a spoofed X-Forwarded-For) does not reset the count.
        other = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
        response = sign_in_with_password(other, adviser)
        assert THROTTLED in response.content.decode()

        traveller.shift(dt.timedelta(minutes=5))
        response = sign_in_with_password(client, adviser)
        assert response["Location"] == reverse("mfa_authenticate")


def test_the_lockout_message_does_not_reveal_whether_an_account_exists(client: Client) -> None:
    for _ in range(5):
        wrong_password(client, "nobody@example.test")
    response = client.post(
        reverse("account_login"), {"login": "nobody@example.test", "password": "x"}
    )
    assert THROTTLED in response.content.decode()


def test_a_used_totp_code_cannot_be_replayed(adviser: User) -> None:
    with time_machine.travel(START, tick=False):
        code = totp_code(adviser)
        first = Client()
        sign_in_with_password(first, adviser)
        assert submit_totp(first, code).status_code == 302
        second = Client()
        sign_in_with_password(second, adviser)
        response = submit_totp(second, code)
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert "_auth_user_id" not in second.session


def test_wrong_totp_codes_are_throttled(client: Client, adviser: User) -> None:
    with time_machine.travel(START, tick=False):
        sign_in_with_password(client, adviser)
        wrong = "000000" if totp_code(adviser) != "000000" else "111111"
        for _ in range(5):
            assert submit_totp(client, wrong).status_code == 200
        response = submit_totp(client, totp_code(adviser))
    assert response.status_code == 200
    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_up_is_closed(client: Client, rf: RequestFactory) -> None:
    with pytest.raises(NoReverseMatch):
        reverse("account_signup")
    with pytest.raises(NoReverseMatch):
        reverse("socialaccount_signup")
    assert client.get("/accounts/signup/").status_code == 404
    request = rf.get("/")
    assert AccountAdapter(request).is_open_for_signup(request) is False
    assert SocialAccountAdapter(request).is_open_for_signup(request, None) is False
    assert SocialAccountAdapter(request).is_auto_signup_allowed(request, None) is False


def test_the_sign_in_page_offers_no_sign_up(client: Client) -> None:
    page = client.get(reverse("account_login")).content.decode()
    assert "Staff sign in" in page
    assert "sign up" not in page.lower()
    assert 'href="None"' not in page


def test_email_management_pages_are_not_offered(client: Client, adviser: User) -> None:
    login_as(client, adviser)
    for path in ["/accounts/email/", "/accounts/confirm-email/", "/accounts/3rdparty/"]:
        assert client.get(path).status_code == 404, path


def test_a_password_reset_signs_nobody_in_and_keeps_mfa(client: Client, adviser: User) -> None:
    response = client.post(reverse("account_reset_password"), {"email": adviser.email})
    assert response.status_code == 302
    body = str(mail.outbox[-1].body)
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", body)
    assert link
    response = client.get(link.group(1))
    set_password_url = response["Location"]
    new_password = "another long passphrase for the reset"
    response = client.post(set_password_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    response = sign_in_with_password(client, adviser, new_password)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_a_failed_sign_in_is_audited_by_account_id_only(client: Client, adviser: User) -> None:
    wrong_password(client, adviser.email)
    event = AuditEvent.objects.get(action="staff.sign_in_failed")
    assert event.object_id == str(adviser.pk)
    assert event.actor_id == ""
    assert adviser.email not in str(event.extra)


def test_a_failed_sign_in_for_an_unknown_address_is_not_recorded(client: Client) -> None:
    wrong_password(client, "someone@elsewhere.test")
    assert not AuditEvent.objects.filter(action="staff.sign_in_failed").exists()


def test_signing_in_and_out_is_audited_without_request_metadata(
    client: Client, adviser: User
) -> None:
    login_as(client, adviser)
    client.post(reverse("account_logout"))
    signed_in = AuditEvent.objects.get(action="staff.signed_in", actor_id=str(adviser.pk))
    assert signed_in.extra == {"methods": "mfa,password", "mfa": "waypoint_totp"}
    assert AuditEvent.objects.filter(action="staff.signed_out", actor_id=str(adviser.pk)).exists()
    for event in AuditEvent.objects.all():
        assert "127.0.0.1" not in str(event.extra)


def test_a_fresh_sign_in_does_not_skip_the_password(client: Client, adviser: User) -> None:
    response = client.post(
        reverse("account_login"), {"login": adviser.email, "password": PERSONA_PASSWORD + "x"}
    )
    assert response.status_code == 200
    assert client.get(reverse("mfa_authenticate"))["Location"].startswith(reverse("account_login"))
