"""Case access needs a second administrator (issue 13, item 7): nobody widens who reads
cases alone, least of all for themself."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import AccessRequest, User
from waypoint.accounts.roles import Role
from waypoint.accounts.services import (
    StaffAccountError,
    staff_access_decide,
    staff_user_save,
)
from waypoint.accounts.tests.factories import UserFactory
from waypoint.accounts.tests.support import login_as
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db


def _grant_self_in_the_admin(client: Client, administrator: User) -> None:
    login_as(client, administrator)
    data = {
        "email": administrator.email,
        "display_name": administrator.display_name,
        "role": administrator.role,
        "case_access_granted": "on",
        "is_active": "on",
    }
    response = client.post(reverse("admin:accounts_user_change", args=[administrator.pk]), data)
    assert response.status_code == 302


@pytest.fixture
def second_administrator(administrator: User) -> User:
    return UserFactory.create(
        role=Role.ADMINISTRATOR, totp_secret="WAYPOINTSECONDADMINTOTPSECRET234"
    )


def test_an_administrator_ticking_case_access_for_themself_does_not_get_it(
    client: Client, administrator: User
) -> None:
    _grant_self_in_the_admin(client, administrator)
    administrator.refresh_from_db()
    assert administrator.case_access_granted is False
    pending = AccessRequest.objects.get(user=administrator)
    assert pending.state == AccessRequest.State.PENDING
    assert pending.case_access_granted is True
    asked = AuditEvent.objects.get(action="staff.access_requested", object_id=str(administrator.pk))
    assert asked.extra["for_self"] is True
    assert not AuditEvent.objects.filter(
        action="staff.role_changed", object_id=str(administrator.pk)
    ).exists()


def test_the_person_who_asked_cannot_approve_it(client: Client, administrator: User) -> None:
    _grant_self_in_the_admin(client, administrator)
    pending = AccessRequest.objects.get(user=administrator)
    with pytest.raises(StaffAccountError, match="Another administrator"):
        staff_access_decide(request=pending, actor=administrator, approve=True)
    # Nor through the admin's action.
    response = client.post(
        reverse("admin:accounts_accessrequest_changelist"),
        {"action": "approve", "_selected_action": [str(pending.pk)]},
        follow=True,
    )
    assert "Another administrator must decide this" in response.content.decode()
    administrator.refresh_from_db()
    assert administrator.case_access_granted is False


def test_the_person_it_is_for_cannot_approve_it(
    administrator: User, second_administrator: User
) -> None:
    # Robin asks for Alex; Alex cannot approve access for Alex.
    administrator.case_access_granted = True
    staff_user_save(user=administrator, actor=second_administrator)
    pending = AccessRequest.objects.get(user=administrator)
    with pytest.raises(StaffAccountError):
        staff_access_decide(request=pending, actor=administrator, approve=True)


def test_a_second_administrator_approves_and_the_grant_is_audited(
    client: Client, administrator: User, second_administrator: User
) -> None:
    _grant_self_in_the_admin(client, administrator)
    pending = AccessRequest.objects.get(user=administrator)
    other = Client()
    login_as(other, second_administrator)
    response = other.post(
        reverse("admin:accounts_accessrequest_changelist"),
        {"action": "approve", "_selected_action": [str(pending.pk)]},
        follow=True,
    )
    assert "Approved 1 request(s)." in response.content.decode()
    administrator.refresh_from_db()
    assert administrator.case_access_granted is True
    pending.refresh_from_db()
    assert (pending.state, pending.decided_by) == (
        AccessRequest.State.APPROVED,
        second_administrator,
    )
    approved = AuditEvent.objects.get(action="staff.access_approved")
    assert approved.actor_id == str(second_administrator.pk)
    assert approved.extra["requested_by"] == str(administrator.pk)
    assert approved.extra["case_access_to"] is True
    with pytest.raises(StaffAccountError, match="already been decided"):
        staff_access_decide(request=pending, actor=second_administrator, approve=False)


def test_making_an_adviser_a_case_lead_waits_but_narrowing_access_does_not(
    administrator: User, adviser: User, case_lead: User
) -> None:
    adviser.role = Role.CASE_LEAD
    staff_user_save(user=adviser, actor=administrator)
    adviser.refresh_from_db()
    assert adviser.role == Role.ADVISER
    assert AccessRequest.objects.get(user=adviser).role == Role.CASE_LEAD

    case_lead.role = Role.ADVISER
    staff_user_save(user=case_lead, actor=administrator)
    case_lead.refresh_from_db()
    assert case_lead.role == Role.ADVISER
    assert not AccessRequest.objects.filter(user=case_lead).exists()


def test_a_refused_request_changes_nothing(
    administrator: User, second_administrator: User, adviser: User
) -> None:
    adviser.role = Role.CASE_LEAD
    staff_user_save(user=adviser, actor=administrator)
    staff_access_decide(
        request=AccessRequest.objects.get(user=adviser), actor=second_administrator, approve=False
    )
    adviser.refresh_from_db()
    assert adviser.role == Role.ADVISER
    assert AuditEvent.objects.filter(action="staff.access_refused").count() == 1


def test_a_newer_request_replaces_the_one_still_waiting(administrator: User, adviser: User) -> None:
    adviser.role = Role.CASE_LEAD
    staff_user_save(user=adviser, actor=administrator)
    adviser.refresh_from_db()
    adviser.role = Role.CASE_LEAD
    staff_user_save(user=adviser, actor=administrator)
    states = sorted(AccessRequest.objects.filter(user=adviser).values_list("state", flat=True))
    assert states == [AccessRequest.State.PENDING, AccessRequest.State.REPLACED]
