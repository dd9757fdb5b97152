from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.services import StaffAccountError, staff_user_create, staff_user_save
from waypoint.institution.models import Department
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_it_creates_an_account_without_a_usable_password_by_default() -> None:
    user = staff_user_create(email="Someone@Example.TEST", role=Role.ADVISER)
    assert user.email == "someone@example.test"
    assert not user.has_usable_password()
    event = AuditEvent.objects.get(action="staff.account_created")
    assert event.object_id == str(user.pk)
    assert event.extra["role"] == "adviser"


def test_it_checks_a_given_password_against_the_validators() -> None:
    with pytest.raises(ValidationError):
        staff_user_create(email="a@example.test", role=Role.ADVISER, password="short")
    user = staff_user_create(
        email="a@example.test", role=Role.ADVISER, password="a perfectly long passphrase"
    )
    assert user.check_password("a perfectly long passphrase")


def test_a_partner_account_needs_a_department() -> None:
    with pytest.raises(ValidationError):
        staff_user_create(email="p@example.test", role=Role.PARTNER)
    department = Department.objects.create(name="Security", slug="security")
    user = staff_user_create(email="p@example.test", role=Role.PARTNER, department=department)
    assert user.department == department


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValidationError):
        staff_user_create(email="x@example.test", role="superhero")


def test_an_administrator_cannot_deactivate_themselves(administrator: User) -> None:
    administrator.is_active = False
    with pytest.raises(StaffAccountError):
        staff_user_save(user=administrator, actor=administrator)


def test_a_change_that_does_not_touch_access_is_not_a_role_change(
    administrator: User, adviser: User
) -> None:
    adviser.display_name = "New name"
    staff_user_save(user=adviser, actor=administrator)
    assert not AuditEvent.objects.filter(action="staff.role_changed").exists()
