from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.test import Client
from django.urls import resolve, reverse

from tests.routes import Route, site_routes
from waypoint.accounts.middleware import ENROLMENT_VIEWS
from waypoint.accounts.models import User
from waypoint.accounts.tests.support import (
    code_for_secret,
    login_as,
    sign_in_with_password,
    submit_totp,
    totp_code,
)
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db


def staff_routes() -> list[Route]:
    """Every page that needs a signed-in session, apart from MFA enrolment."""
    routes = []
    for route in site_routes():
        match = resolve(urlsplit(route.url).path)
        if getattr(match.func, "login_required", True) and match.view_name not in ENROLMENT_VIEWS:
            routes.append(route)
    return routes


def test_staff_without_mfa_reaches_no_staff_page(client: Client, staff_without_mfa: User) -> None:
    login_as(client, staff_without_mfa)
    routes = staff_routes()
    assert len(routes) > 20
    for route in routes:
        response = client.get(route.url)
        assert response.status_code == 302, route.key
        assert response["Location"] == reverse("mfa_activate_totp"), route.key


def test_staff_without_mfa_is_sent_to_enrolment_after_signing_in(
    client: Client, staff_without_mfa: User
) -> None:
    response = sign_in_with_password(client, staff_without_mfa)
    assert response["Location"] == reverse("staff:home")
    response = client.get(reverse("staff:home"))
    assert response["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_staff_without_mfa_may_still_read_public_pages_and_sign_out(
    client: Client, staff_without_mfa: User
) -> None:
    login_as(client, staff_without_mfa)
    assert client.get(reverse("hub:home")).status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_password_without_the_totp_step_reaches_nothing(client: Client, adviser: User) -> None:
    response = sign_in_with_password(client, adviser)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    for route in staff_routes():
        response = client.get(route.url)
        assert response.status_code == 302, route.key
        assert urlsplit(response["Location"]).path == reverse("account_login"), route.key
    assert "_auth_user_id" not in client.session


def test_a_wrong_totp_code_signs_nobody_in(client: Client, adviser: User) -> None:
    sign_in_with_password(client, adviser)
    wrong = "000000" if totp_code(adviser) != "000000" else "111111"
    response = submit_totp(client, wrong)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="staff.mfa_failed", object_id=str(adviser.pk)).exists()


# allauth announces a new authenticator on commit, inside the request; only a test with
# real transactions sees that happen before the response.
@pytest.fixture
def empty_cache_afterwards() -> Iterator[None]:
    # Committed rate-limit counters would otherwise outlive a transactional test.
    yield
    cache.clear()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("empty_cache_afterwards")
def test_after_enrolment_and_totp_the_staff_home_works(
    client: Client, staff_without_mfa: User
) -> None:
    sign_in_with_password(client, staff_without_mfa)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    code = code_for_secret(secret)
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    # Enrolling proved the second factor: the recovery codes and staff pages open at once.
    assert client.get(reverse("mfa_view_recovery_codes")).status_code == 200
    assert client.get(reverse("staff:home")).status_code == 200
    assert AuditEvent.objects.filter(
        action="staff.mfa_enrolled", object_id=str(staff_without_mfa.pk)
    ).exists()

    # From now on, signing in asks for the code.
    client.post(reverse("account_logout"))
    response = sign_in_with_password(client, staff_without_mfa)
    assert response["Location"] == reverse("mfa_authenticate")
    login_as(Client(), staff_without_mfa)


def test_a_session_that_skipped_mfa_is_ended(client: Client, adviser: User) -> None:
    client.force_login(adviser)  # a session with no record of the TOTP step
    response = client.get(reverse("staff:home"))
    assert urlsplit(response["Location"]).path == reverse("account_login")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        action="staff.session_rejected", object_id=str(adviser.pk)
    ).exists()


def test_a_session_that_skipped_mfa_is_ended_on_public_pages_too(
    client: Client, adviser: User
) -> None:
    client.force_login(adviser)
    assert client.get(reverse("hub:home")).status_code == 200
    assert "_auth_user_id" not in client.session


def _sso_session(client: Client, user: User, *, provider_mfa: str = "") -> None:
    """A session signed in through SSO; `provider_mfa`: the evidence of a second factor
    the IdP reported, as stages.AuthenticateStage records it."""
    client.force_login(user)
    session = client.session
    records: list[dict[str, object]] = [
        {"method": "socialaccount", "at": time.time(), "provider": "university", "uid": "x"}
    ]
    if provider_mfa:
        records.append(
            {
                "method": "mfa",
                "at": time.time(),
                "type": "identity_provider",
                "evidence": provider_mfa,
            }
        )
    session["account_authentication_methods"] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def test_sso_does_not_count_as_mfa_by_default(client: Client, adviser: User) -> None:
    _sso_session(client, adviser, provider_mfa="amr:mfa+pwd")
    response = client.get(reverse("staff:home"))
    assert urlsplit(response["Location"]).path == reverse("account_login")


def test_the_providers_reported_mfa_counts_when_the_institution_trusts_it(
    client: Client, staff_without_mfa: User, settings: object
) -> None:
    settings.WAYPOINT_SSO_SATISFIES_MFA = True  # type: ignore[attr-defined]
    _sso_session(client, staff_without_mfa, provider_mfa="amr:mfa+pwd")
    assert client.get(reverse("staff:home")).status_code == 200


def test_an_sso_sign_in_without_reported_mfa_never_counts_as_mfa(
    client: Client, staff_without_mfa: User, adviser: User, settings: object
) -> None:
    settings.WAYPOINT_SSO_SATISFIES_MFA = True  # type: ignore[attr-defined]
    _sso_session(client, staff_without_mfa)
    assert client.get(reverse("staff:home"))["Location"] == reverse("mfa_activate_totp")
    _sso_session(client, adviser)
    response = client.get(reverse("staff:home"))
    assert urlsplit(response["Location"]).path == reverse("account_login")


def test_removing_the_authenticator_sends_the_person_back_to_enrolment(
    client: Client, adviser: User
) -> None:
    login_as(client, adviser)
    Authenticator.objects.filter(user_id=adviser.pk).delete()
    response = client.get(reverse("staff:home"))
    assert response["Location"] == reverse("mfa_activate_totp")


def test_an_outsider_with_mfa_may_only_sign_out(client: Client, outsider: User) -> None:
    login_as(client, outsider)
    assert client.get(reverse("staff:home")).status_code == 403
    assert client.get(reverse("mfa_index")).status_code == 403
    assert client.get(reverse("account_change_password")).status_code == 403
    assert client.post(reverse("account_logout")).status_code == 302
