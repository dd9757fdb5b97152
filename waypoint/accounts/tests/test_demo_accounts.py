from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.services import DEMO_PASSWORD, demo_staff_ensure
from waypoint.accounts.tests.support import (
    code_for_secret,
    sign_in_with_password,
    submit_totp,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_mode(settings: Settings) -> None:
    settings.WAYPOINT_DEMO = True


def test_it_creates_one_pre_enrolled_account_per_role() -> None:
    accounts = demo_staff_ensure()
    assert [a.email for a in accounts] == [
        "adviser@demo.waypoint.test",
        "lead@demo.waypoint.test",
        "security@demo.waypoint.test",
        "insights@demo.waypoint.test",
        "admin@demo.waypoint.test",
        "reviewer@demo.waypoint.test",
    ]
    roles = {u.email: u.role for u in User.objects.all()}
    assert set(roles.values()) == set(Role.values)
    assert roles["reviewer@demo.waypoint.test"] == Role.ADMINISTRATOR
    security = User.objects.get(email="security@demo.waypoint.test")
    assert security.role == Role.PARTNER
    assert security.department is not None
    assert security.department.slug == "security"
    assert security.department.name == "Security"
    for user in User.objects.all():
        kinds = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
        assert kinds == {"totp", "recovery_codes"}


def test_each_demo_account_signs_in_with_its_published_secret() -> None:
    for account in demo_staff_ensure():
        client = Client()
        user = User.objects.get(email=account.email)
        assert account.password == DEMO_PASSWORD
        assert sign_in_with_password(client, user, account.password)["Location"] == reverse(
            "mfa_authenticate"
        )
        assert submit_totp(client, code_for_secret(account.totp_secret)).status_code == 302
        assert client.get(reverse("staff:home")).status_code == 200


def test_it_is_idempotent_and_restores_the_published_state() -> None:
    first = demo_staff_ensure()
    adviser = User.objects.get(email="adviser@demo.waypoint.test")
    adviser.set_password("something else entirely")
    adviser.role = Role.INSIGHTS
    adviser.save()
    second = demo_staff_ensure()
    assert first == second
    assert User.objects.count() == len(first) == 6
    assert Authenticator.objects.count() == 2 * len(first)
    adviser.refresh_from_db()
    assert adviser.role == Role.ADVISER
    assert adviser.check_password(DEMO_PASSWORD)


def test_it_refuses_to_run_outside_demo_mode(settings: Settings) -> None:
    settings.WAYPOINT_DEMO = False
    with pytest.raises(ImproperlyConfigured):
        demo_staff_ensure()
    assert not User.objects.exists()
