import pytest

from waypoint.hub.demo import SERVICES, support_directory_load_demo
from waypoint.hub.models import SupportPhone, SupportService
from waypoint.institution.demo import institution_load_demo
from waypoint.institution.selectors import institution_get_current

pytestmark = pytest.mark.django_db

SEED_NUMBERS = {
    ("security-team", SupportPhone.Kind.NON_EMERGENCY, "0116 252 2023"),
    ("security-team", SupportPhone.Kind.EMERGENCY, "0116 252 2888"),
    ("victim-first", SupportPhone.Kind.HELPLINE, "0800 953 9595"),
    ("leicestershire-police", SupportPhone.Kind.NON_EMERGENCY, "101"),
    ("leicestershire-police", SupportPhone.Kind.EMERGENCY, "999"),
    ("paladin", SupportPhone.Kind.HELPLINE, "020 3866 4107"),
    ("suzy-lamplugh-trust", SupportPhone.Kind.HELPLINE, "0808 802 0300"),
}


def test_it_loads_every_seed_service_with_its_numbers_labelled():
    support_directory_load_demo()
    loaded = {
        (p.service.slug, p.kind, p.number) for p in SupportPhone.objects.select_related("service")
    }
    assert loaded >= SEED_NUMBERS
    assert SupportService.objects.count() == len(SERVICES)


def test_it_can_load_the_demo_twice_without_duplicates():
    support_directory_load_demo()
    support_directory_load_demo()
    assert SupportService.objects.count() == len(SERVICES)
    assert SupportPhone.objects.filter(service__slug="security-team").count() == 2


def test_it_loads_the_demo_institution_with_campus_security_numbers():
    institution_load_demo()
    institution_load_demo()
    institution = institution_get_current()
    assert institution is not None
    assert institution.name == "University of Leicester"
    assert institution.team_name == "Standing Together"
    assert institution.security_emergency_phone == "0116 252 2888"
    assert institution.security_non_emergency_phone == "0116 252 2023"


def test_it_makes_tel_links_from_numbers_with_spaces():
    support_directory_load_demo()
    phone = SupportPhone.objects.get(service__slug="paladin")
    assert phone.tel_href == "tel:02038664107"


SEED_SERVICES = {
    # slug: (name, provider)
    "security-team": ("Security Team", "internal"),
    "standing-together": ("Standing Together", "internal"),
    "student-wellbeing": ("Student Wellbeing Service", "internal"),
    "health-assured": ("Health Assured", "external"),
    "student-welfare": ("Student Welfare Service", "internal"),
    "accessability": ("AccessAbility Centre", "internal"),
    "academic-support": ("Academic support in your department", "internal"),
    "su-advice": ("Students' Union Advice Service", "internal"),
    "victim-first": ("Victim First", "external"),
    "leicestershire-police": ("Leicestershire Police", "external"),
    "paladin": ("Paladin", "external"),
    "suzy-lamplugh-trust": ("Suzy Lamplugh Trust", "external"),
    "alice-ruggles-trust": ("Alice Ruggles Trust", "external"),
}


def test_it_loads_every_seed_service_published_inside_or_outside_the_university():
    support_directory_load_demo()
    loaded = {
        s.slug: (s.name, s.provider) for s in SupportService.objects.filter(is_published=True)
    }
    # The seed's services, plus the ones added for searches in people's own words (0027).
    assert loaded.items() >= SEED_SERVICES.items()


def test_it_keeps_the_seeds_flags_and_online_routes():
    support_directory_load_demo()
    services = {s.slug: s for s in SupportService.objects.all()}
    assert services["health-assured"].is_24_7
    assert services["health-assured"].is_free and services["health-assured"].is_confidential
    assert services["student-wellbeing"].is_free and services["student-wellbeing"].is_confidential
    assert services["victim-first"].webchat_url
    assert services["leicestershire-police"].online_reporting_url
    assert "Safezone" in services["security-team"].description
    assert services["accessability"].categories.filter(slug="disability").exists()


def test_reloading_the_demo_keeps_edits_made_since():
    support_directory_load_demo()
    SupportService.objects.filter(slug="paladin").update(summary="Edited and approved.")
    support_directory_load_demo()
    assert SupportService.objects.get(slug="paladin").summary == "Edited and approved."
    assert SupportPhone.objects.filter(service__slug="paladin").count() == 1
