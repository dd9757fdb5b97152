"""IDOR: matches and cases a person may not see answer exactly like ones that do not exist.

For every object the matching URLs take (a match id, a case id, a reference typed in a
form, a case id in a hidden field), someone who may not see the object gets the same
status and template as for a random id, and the database does not change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import (
    Case,
    CaseConflict,
    CaseLink,
    CaseMatch,
    MatchStatus,
    TimelineEntry,
)
from waypoint.casework.services.matching import matches_find_for_case
from waypoint.casework.tests.conftest import OpenCase
from waypoint.privacy.models import AuditEvent
from waypoint.reporting import services as reporting_services

pytestmark = pytest.mark.django_db

# Who tries: another adviser (assigned to one of the two cases only), a partner, an
# insights viewer, an administrator without a case grant, an account with no role, a
# case lead with a conflict on one case, a case lead kept out of a restricted case.
INTRUDERS = [
    "adviser",
    "partner",
    "insights_viewer",
    "administrator",
    "outsider",
    "conflicted_lead",
    "lead_outside_restricted_case",
]


@dataclass(frozen=True)
class Scene:
    user: User
    client: Client
    mine: Case  # a case the intruder may open, where they have one
    foreign: Case  # a case they may not open
    match: CaseMatch  # between the two


def _named(open_case: OpenCase, **kwargs: Any) -> Case:
    case = open_case(**kwargs)
    reporting_services._record_person(case.report, {"person_email": "sam@example.test"})
    return case


@pytest.fixture(params=INTRUDERS)
def scene(request: pytest.FixtureRequest, open_case: OpenCase) -> Scene:
    persona: str = request.param
    lead = persona in {"conflicted_lead", "lead_outside_restricted_case"}
    user: User = request.getfixturevalue("case_lead" if lead else persona)
    mine = _named(open_case, assign=[user] if persona == "adviser" else [])
    foreign = _named(open_case, restricted=persona == "lead_outside_restricted_case")
    if persona == "conflicted_lead":
        CaseConflict.objects.create(case=foreign, user=user, source=CaseConflict.Source.DECLARED)
    [match] = matches_find_for_case(case=foreign)
    client = Client()
    login_as(client, user)
    client.get(reverse("staff:home"))  # clears the "signed in" message
    return Scene(user=user, client=client, mine=mine, foreign=foreign, match=match)


def _snapshot() -> tuple[Any, ...]:
    return (
        list(CaseMatch.objects.values_list("pk", "status", "decided_by")),
        CaseLink.objects.count(),
        TimelineEntry.objects.count(),
        sorted(
            AuditEvent.objects.filter(
                action__in=["case.linked", "case.match_linked", "case.match_dismissed"]
            ).values_list("action", flat=True)
        ),
    )


def _shape(response: Any) -> tuple[int, list[str | None], str]:
    templates = [template.name for template in getattr(response, "templates", [])]
    return response.status_code, templates, response.get("Location", "")


def _said(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _decide_url(match_id: uuid.UUID) -> str:
    return reverse("casework:match_decide", kwargs={"match_id": match_id})


def _link_url(case_id: uuid.UUID) -> str:
    return reverse("casework:link", kwargs={"case_id": case_id})


def test_a_foreign_match_id_answers_like_a_missing_one(scene: Scene) -> None:
    before = _snapshot()
    missing = uuid.uuid4()

    for decision in ("link", "dismiss"):
        foreign = scene.client.post(_decide_url(scene.match.pk), {"decision": decision})
        absent = scene.client.post(_decide_url(missing), {"decision": decision})
        assert _shape(foreign) == _shape(absent)
        assert foreign.status_code in (403, 404)
    assert _shape(scene.client.get(_decide_url(scene.match.pk))) == _shape(
        scene.client.get(_decide_url(missing))
    )
    assert _snapshot() == before
    assert CaseMatch.objects.get(pk=scene.match.pk).status == MatchStatus.NEW


def test_a_foreign_case_id_answers_like_a_missing_one(scene: Scene) -> None:
    before = _snapshot()
    data = {"reference": scene.mine.report.reference}

    foreign = scene.client.post(_link_url(scene.foreign.pk), data)
    absent = scene.client.post(_link_url(uuid.uuid4()), data)

    assert _shape(foreign) == _shape(absent)
    assert foreign.status_code in (403, 404)
    assert _shape(scene.client.get(_link_url(scene.foreign.pk))) == _shape(
        scene.client.get(_link_url(uuid.uuid4()))
    )
    assert _snapshot() == before


def test_a_foreign_reference_typed_in_the_form_reads_like_an_unknown_one(scene: Scene) -> None:
    before = _snapshot()
    url = _link_url(scene.mine.pk)

    foreign = scene.client.post(url, {"reference": scene.foreign.report.reference})
    said_for_foreign = _said(foreign)
    scene.client.get(reverse("staff:home"))
    unknown = scene.client.post(url, {"reference": "WP-ZZZZZZZZ"})

    assert _shape(foreign) == _shape(unknown)
    assert said_for_foreign == _said(unknown)
    assert _snapshot() == before


def test_no_list_or_panel_shows_the_foreign_case(scene: Scene) -> None:
    response = scene.client.get(reverse("casework:matches"))

    assert scene.foreign.report.reference not in response.content.decode()
    assert str(scene.match.pk) not in response.content.decode()


def test_a_foreign_case_id_in_the_hidden_field_sends_a_lead_to_the_list(
    open_case: OpenCase, case_lead: User
) -> None:
    first, second = _named(open_case), _named(open_case)
    elsewhere = open_case()
    [match] = matches_find_for_case(case=second)
    client = Client()
    login_as(client, case_lead)

    response = client.post(
        _decide_url(match.pk), {"decision": "dismiss", "from_case": str(elsewhere.pk)}
    )

    assert response["Location"] == reverse("casework:matches")
    assert str(elsewhere.pk) not in response["Location"]
    assert {first, second} == {match.case_a, match.case_b}
