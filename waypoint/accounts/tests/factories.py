# factory_boy has no type annotations.
# mypy: disable-error-code="attr-defined, no-untyped-call"
from __future__ import annotations

from typing import Final

import factory
from factory.django import DjangoModelFactory

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.services import staff_totp_enrol
from waypoint.institution.models import Department

PERSONA_PASSWORD: Final = "persona-password-for-tests-only"
# Fixed base32 secrets (160 bits each), one per persona.
PERSONA_TOTP_SECRETS: Final = {
    "adviser": "JBSWY3DPEHPK3PXPADVISERTESTSECRE",
    "case_lead": "JBSWY3DPEHPK3PXPCASELEADTESTSECR",
    "partner": "JBSWY3DPEHPK3PXPPARTNERTESTSECRE",
    "insights_viewer": "JBSWY3DPEHPK3PXPINSIGHTSTESTSECR",
    "administrator": "JBSWY3DPEHPK3PXPADMINTESTSECRETS",
    "outsider": "JBSWY3DPEHPK3PXPOUTSIDERTESTSECR",
}


class DepartmentFactory(DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")


class UserFactory(DjangoModelFactory[User]):
    """A staff account. Pass totp_secret="BASE32..." to enrol it in TOTP."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@example.test")
    display_name = factory.Sequence(lambda n: f"Staff Member {n}")
    role = Role.ADVISER
    password = factory.django.Password(PERSONA_PASSWORD)

    @factory.post_generation
    def totp_secret(obj: User, create: bool, extracted: str | None, **kwargs: object) -> None:  # noqa: N805
        if create and extracted:
            staff_totp_enrol(user=obj, secret=extracted)
