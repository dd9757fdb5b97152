"""The demo institution: the University of Leicester and its Standing Together team."""

from __future__ import annotations

from django.db import transaction

from waypoint.institution.models import Department, Institution

DEPARTMENTS = [
    ("Security", "security"),
    ("Accommodation", "accommodation"),
    ("Student Wellbeing", "wellbeing"),
    ("Academic Registry", "registry"),
    ("Student Conduct", "conduct"),
    ("IT Services", "it"),
]


@transaction.atomic
def institution_load_demo() -> Institution:
    institution = Institution.objects.order_by("pk").first() or Institution()
    institution.name = "University of Leicester"
    institution.short_name = "Leicester"
    institution.team_name = "Standing Together"
    institution.security_emergency_phone = "0116 252 2888"
    institution.security_non_emergency_phone = "0116 252 2023"
    institution.emergency_phone = "999"
    if not institution.triage_email:
        institution.triage_email = "standing-together@demo.waypoint.test"
    institution.full_clean()
    institution.save()
    for name, slug in DEPARTMENTS:
        Department.objects.update_or_create(slug=slug, defaults={"name": name})
    return institution
