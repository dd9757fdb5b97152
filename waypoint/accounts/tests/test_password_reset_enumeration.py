"""A password reset request answers the same whether or not the address is a staff account.

Someone outside must not learn who works on the team by asking for a reset (issue 13,
item 6); only the account holder receives anything.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User

pytestmark = pytest.mark.django_db

STRANGER = "someone.curious@example.org"
# Every response carries a fresh CSP nonce; nothing else may differ.
NONCE = re.compile(rb'nonce="[^"]*"')


def without_nonces(body: bytes) -> bytes:
    return NONCE.sub(b'nonce=""', body)


def test_a_reset_for_an_unknown_address_looks_exactly_like_one_for_a_staff_address(
    adviser: User,
) -> None:
    # Two separate visitors, each following their own redirect (so a flash message left
    # in one session but not the other would show).
    staff_visitor, stranger_visitor = Client(), Client()
    url = reverse("account_reset_password")
    for_staff = staff_visitor.post(url, {"email": adviser.email})
    for_stranger = stranger_visitor.post(url, {"email": STRANGER})

    assert for_staff.status_code == for_stranger.status_code == 302
    assert for_staff["Location"] == for_stranger["Location"]
    staff_page = staff_visitor.get(for_staff["Location"])
    stranger_page = stranger_visitor.get(for_stranger["Location"])
    assert staff_page.status_code == stranger_page.status_code == 200
    assert for_staff.content == for_stranger.content
    assert without_nonces(staff_page.content) == without_nonces(stranger_page.content)


def test_only_the_staff_address_receives_an_email(adviser: User) -> None:
    Client().post(reverse("account_reset_password"), {"email": STRANGER})
    assert mail.outbox == []

    Client().post(reverse("account_reset_password"), {"email": adviser.email})
    assert [message.to for message in mail.outbox] == [[adviser.email]]
    assert "/accounts/password/reset/key/" in str(mail.outbox[0].body)
