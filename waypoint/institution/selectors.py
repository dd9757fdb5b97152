from __future__ import annotations

from waypoint.institution.models import Department, Institution


def institution_get_current() -> Institution | None:
    """The deployment's institution, or None before the first set-up."""
    return Institution.objects.order_by("pk").first()


def department_list() -> list[Department]:
    return list(Department.objects.all())
