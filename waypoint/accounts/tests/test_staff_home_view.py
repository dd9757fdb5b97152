from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.accounts.tests.support import login_as

pytestmark = pytest.mark.django_db


def test_it_requires_sign_in(client: Client) -> None:
    response = client.get(reverse("staff:home"))
    assert urlsplit(response["Location"]).path == reverse("account_login")


def test_it_greets_the_person_and_names_their_role(client: Client, partner: User) -> None:
    login_as(client, partner)
    page = client.get(reverse("staff:home")).content.decode()
    assert "Hello, Partner" in page
    assert "Partner department" in page
    assert "Security" in page
    assert reverse("mfa_index") in page
    assert reverse("admin:index") not in page


def test_an_administrator_is_offered_the_admin(client: Client, administrator: User) -> None:
    login_as(client, administrator)
    page = client.get(reverse("staff:home")).content.decode()
    assert f'href="{reverse("admin:index")}"' in page


def test_signing_out_is_a_post_form(client: Client, adviser: User) -> None:
    login_as(client, adviser)
    page = client.get(reverse("staff:home")).content.decode()
    assert f'<form method="post" action="{reverse("account_logout")}">' in page


def test_it_refuses_an_outsider(client: Client, outsider: User) -> None:
    login_as(client, outsider)
    assert client.get(reverse("staff:home")).status_code == 403


def test_it_is_never_cached(client: Client, adviser: User) -> None:
    login_as(client, adviser)
    assert "no-store" in client.get(reverse("staff:home"))["Cache-Control"]
