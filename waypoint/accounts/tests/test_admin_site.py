from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from django.urls import reverse

from conftest import ROLE_PERSONAS
from waypoint.accounts.admin_site import admin_site
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import UserFactory
from waypoint.accounts.tests.support import login_as
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(ROLE_PERSONAS))
def test_only_administrators_get_the_admin(
    client: Client, request: pytest.FixtureRequest, role: Role
) -> None:
    login_as(client, request.getfixturevalue(ROLE_PERSONAS[role]))
    expected = 200 if role == Role.ADMINISTRATOR else 403
    assert client.get(reverse("admin:index")).status_code == expected
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == expected


def test_the_admin_sign_in_page_sends_people_to_allauth(client: Client) -> None:
    response = client.get(reverse("admin:login"), {"next": "/staff/admin/hub/"})
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query) == {"next": ["/staff/admin/hub/"]}
    response = client.get(reverse("admin:index"))
    assert urlsplit(response["Location"]).path == reverse("account_login")


def test_the_admin_accepts_no_password_of_its_own(client: Client, administrator: User) -> None:
    response = client.post(
        reverse("admin:login"),
        {"username": administrator.email, "password": "persona-password-for-tests-only"},
    )
    assert urlsplit(response["Location"]).path == reverse("account_login")
    assert "_auth_user_id" not in client.session


def test_an_administrator_session_without_mfa_does_not_open_the_admin(
    rf: RequestFactory, administrator: User
) -> None:
    request = rf.get("/staff/admin/")
    request.user = administrator
    request.session = SessionStore()
    assert admin_site.has_permission(request) is False


def test_the_superuser_flag_does_not_open_the_admin(client: Client) -> None:
    user = UserFactory.create(
        role=Role.ADVISER, is_superuser=True, is_staff=True, totp_secret="JBSWY3DPEHPK3PXP"
    )
    login_as(client, user)
    assert client.get(reverse("admin:index")).status_code == 403


def test_the_user_form_has_no_password_field(client: Client, administrator: User) -> None:
    login_as(client, administrator)
    response = client.get(reverse("admin:accounts_user_add"))
    form = response.context["adminform"].form
    assert list(form.fields) == [
        "email",
        "display_name",
        "first_name",
        "role",
        "department",
        "case_access_granted",
        "is_active",
    ]


def _change(client: Client, user: User, **changes: object) -> object:
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "department": str(user.department_id or ""),
        "case_access_granted": "on" if user.case_access_granted else "",
        "is_active": "on" if user.is_active else "",
        **changes,
    }
    data = {k: v for k, v in data.items() if v != ""}
    return client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)


def test_changing_a_role_is_audited(
    client: Client, administrator: User, adviser: User, security_department: object
) -> None:
    login_as(client, administrator)
    department = str(security_department.pk)  # type: ignore[attr-defined]
    response = _change(client, adviser, role=Role.PARTNER, department=department)
    assert response.status_code == 302  # type: ignore[attr-defined]
    adviser.refresh_from_db()
    assert adviser.role == Role.PARTNER
    event = AuditEvent.objects.get(action="staff.role_changed")
    assert event.actor_id == str(administrator.pk)
    assert event.object_id == str(adviser.pk)
    assert event.extra["role_from"] == "adviser"
    assert event.extra["role_to"] == "partner"


def test_deactivating_an_account_is_audited(
    client: Client, administrator: User, adviser: User
) -> None:
    login_as(client, administrator)
    _change(client, adviser, is_active="")
    adviser.refresh_from_db()
    assert adviser.is_active is False
    assert AuditEvent.objects.filter(
        action="staff.account_deactivated", object_id=str(adviser.pk)
    ).exists()


def test_an_administrator_cannot_demote_themselves(client: Client, administrator: User) -> None:
    login_as(client, administrator)
    response = _change(client, administrator, role=Role.ADVISER)
    assert response.status_code == 200  # type: ignore[attr-defined]
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR


def test_a_partner_account_needs_a_department(
    client: Client, administrator: User, adviser: User
) -> None:
    login_as(client, administrator)
    response = _change(client, adviser, role=Role.PARTNER)
    assert response.status_code == 200  # type: ignore[attr-defined]
    adviser.refresh_from_db()
    assert adviser.role == Role.ADVISER


def test_an_account_created_in_the_admin_has_no_usable_password(
    client: Client, administrator: User
) -> None:
    login_as(client, administrator)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"email": "New.Person@Example.test", "role": Role.ADVISER, "is_active": "on"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.test")
    assert not user.has_usable_password()
    assert user.role == ""  # an adviser reads cases: that waits for a second administrator
    assert user.access_requests.get().role == Role.ADVISER
    assert AuditEvent.objects.filter(
        action="staff.account_created", object_id=str(user.pk)
    ).exists()


def test_accounts_cannot_be_deleted(client: Client, administrator: User, adviser: User) -> None:
    login_as(client, administrator)
    response = client.post(
        reverse("admin:accounts_user_delete", args=[adviser.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert User.objects.filter(pk=adviser.pk).exists()


def test_an_administrator_can_reset_someones_mfa(
    client: Client, administrator: User, adviser: User
) -> None:
    login_as(client, administrator)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_mfa", "_selected_action": [str(adviser.pk)]},
    )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user_id=adviser.pk).exists()
    assert AuditEvent.objects.filter(action="staff.mfa_reset", object_id=str(adviser.pk)).exists()
