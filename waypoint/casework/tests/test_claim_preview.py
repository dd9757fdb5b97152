"""The claim preview (issue 12, item 6; ADR 0032): before taking an unassigned case, an
adviser sees only facts chosen from fixed lists, never what anyone wrote, a name or an
identifier; the preview is decided by "case.preview" (the claim rule) and audited."""

from __future__ import annotations

from typing import Any, Final

import pytest
from django.test import Client

from waypoint.accounts.models import User
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import Case, CaseConflict
from waypoint.casework.tests.conftest import OpenCase
from waypoint.institution.models import Institution
from waypoint.privacy.models import AuditEvent
from waypoint.reporting.models import OptionKind, ReporterRole, ReportOption, Route

pytestmark = pytest.mark.django_db

MARKER: Final = "Zebediah-Quattlebaum"


def _answers() -> dict[str, Any]:
    """Answers as the report flow keeps them: slugs beside labels, and free text."""
    return {
        "what": {
            "behaviours": [
                {"slug": "following", "label": "Following you"},
                {"slug": "not-in-the-list", "label": f"{MARKER} label"},
            ],
            "what_text": f"{MARKER} keeps waiting outside my flat.",
        },
        "where": {
            "locations": [{"slug": "library", "label": "Library"}],
            "platforms": [{"slug": "instagram", "label": "Instagram"}],
            "off_campus": True,
            "where_text": f"Near {MARKER} Street",
        },
        "who": {"person_name": f"{MARKER} Person", "person_email": "zq@example.test"},
    }


@pytest.fixture
def options(db: None) -> None:
    for kind, slug, label in (
        (OptionKind.BEHAVIOUR, "following", "Following you"),
        (OptionKind.BEHAVIOUR, "threats", "Threats"),
        (OptionKind.LOCATION, "library", "Library"),
        (OptionKind.PLATFORM, "instagram", "Instagram"),
    ):
        ReportOption.objects.update_or_create(kind=kind, slug=slug, defaults={"label": label})


@pytest.fixture
def claimable(open_case: OpenCase, options: None, institution: Institution) -> Case:
    return open_case(
        urgent=True,
        route=Route.THIRD_PARTY,
        reporter_role=ReporterRole.STAFF,
        answers=_answers(),
    )


def _preview(client: Client, case: Case) -> Any:
    return client.get(f"/staff/cases/{case.pk}/preview/")


@pytest.fixture
def adviser_client(adviser: User) -> Client:
    client = Client()
    login_as(client, adviser)
    return client


def test_an_adviser_previews_a_case_they_may_claim_with_categories_only(
    claimable: Case, adviser_client: Client
) -> None:
    response = _preview(adviser_client, claimable)

    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.route == "For someone else"
    assert preview.reporter == "Member of staff"
    assert preview.behaviours == ("Following you",)
    assert set(preview.places) == {"Library", "Instagram", "Somewhere off campus"}
    assert preview.urgency == ("Immediate danger",)
    assert preview.age == "Less than an hour"
    html = response.content.decode()
    assert MARKER not in html
    assert "zq@example.test" not in html
    assert "Claim this case" in html


def test_the_inbox_offers_the_preview_beside_the_claim_button(
    claimable: Case, adviser_client: Client
) -> None:
    html = adviser_client.get("/staff/cases/").content.decode()
    assert f'href="/staff/cases/{claimable.pk}/preview/"' in html


def test_each_preview_is_audited_as_a_read_of_the_case(
    claimable: Case, adviser_client: Client, adviser: User
) -> None:
    _preview(adviser_client, claimable)

    [event] = AuditEvent.objects.filter(action="case.preview")
    assert event.object_id == str(claimable.pk)
    assert event.actor_id == str(adviser.pk)
    assert MARKER not in str(event.extra)


def test_a_case_someone_has_taken_a_restricted_or_conflicted_one_is_not_found(
    claimable: Case,
    open_case: OpenCase,
    adviser_client: Client,
    adviser: User,
    case_lead: User,
) -> None:
    taken = open_case(assign=[case_lead])
    restricted = open_case(restricted=True)
    conflicted = open_case()
    CaseConflict.objects.create(case=conflicted, user=adviser)

    for case in (taken, restricted, conflicted):
        response = _preview(adviser_client, case)
        assert response.status_code == 404
    nothing = "/staff/cases/00000000-0000-0000-0000-000000000000/preview/"
    assert adviser_client.get(nothing).status_code == 404
    assert not AuditEvent.objects.filter(action="case.preview", object_id=str(taken.pk)).exists()


def test_no_preview_for_advisers_when_the_institution_switches_claiming_off(
    claimable: Case, adviser_client: Client, institution: Institution
) -> None:
    institution.advisers_may_claim = False
    institution.save()
    assert _preview(adviser_client, claimable).status_code == 404


@pytest.mark.parametrize("persona", ["partner", "insights_viewer", "administrator"])
def test_people_without_case_access_are_refused_the_preview(
    claimable: Case, persona: str, request: pytest.FixtureRequest
) -> None:
    client = Client()
    login_as(client, request.getfixturevalue(persona))
    assert _preview(client, claimable).status_code == 403
