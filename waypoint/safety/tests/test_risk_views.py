"""The risk assessment pages: history, the form, the read-only assessment page and the
case page's panel; access through the policy, IDOR, and pinned query counts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Final

import pytest
from django.http import HttpResponseBase
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import DepartmentFactory, UserFactory
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import Case, TimelineEntry
from waypoint.safety import instruments
from waypoint.safety.models import Assessment
from waypoint.safety.tests.risk_support import (  # noqa: F401  (fixtures)
    DASH,
    MARKER,
    SCREENING,
    OpenCase,
    answers,
    assess,
    current_version,
    fixture_assigned_case,
    fixture_open_case,
    fixture_tasks_must_succeed,
    load_changed,
)

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]


def _list_url(case: Case) -> str:
    return reverse("safety:assessments", kwargs={"case_id": case.pk})


def _new_url(case: Case | uuid.UUID, slug: str = DASH) -> str:
    case_id = case.pk if isinstance(case, Case) else case
    return reverse("safety:assessment_new", kwargs={"case_id": case_id, "instrument": slug})


def _page_url(assessment_id: uuid.UUID) -> str:
    return reverse("safety:assessment", kwargs={"assessment_id": assessment_id})


def _form_data(slug: str = DASH, *, yes: int = 0, **extra: str) -> dict[str, str]:
    """A filled-in form: the first `yes` questions yes, the rest no."""
    version = current_version(slug)
    definition = instruments.parse_definition(version.definition)
    data = {"version": str(version.pk), "band": "", "judgement_reason": "", "next_review_on": ""}
    for number in range(1, len(definition.items) + 1):
        data[f"item_{number}"] = "yes" if number <= yes else "no"
        data[f"comment_{number}"] = ""
    data.update(extra)
    return data


def _templates(response: HttpResponseBase) -> list[str]:
    return [template.name for template in getattr(response, "templates", []) if template.name]


# --- The history ------------------------------------------------------------------------------


def test_an_adviser_sees_the_history_and_can_start_each_active_instrument(
    assigned_case: Case, adviser: User, signed_in_client: SignIn
) -> None:
    assess(assigned_case, adviser, yes=14)
    assess(assigned_case, adviser, SCREENING, yes=2, band="medium", reason="Frightened")
    client = signed_in_client(adviser)

    response = client.get(_list_url(assigned_case))

    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{_new_url(assigned_case, DASH)}"' in body
    assert f'href="{_new_url(assigned_case, SCREENING)}"' in body
    assert "14 of 24" in body and "2 of 11" in body
    assert "None (no cut-off)" in body
    assert "(by judgement)" in body
    assert '<th scope="col">Next review</th>' in body
    assert reverse("casework:case", kwargs={"case_id": assigned_case.pk}) in body


def test_a_retired_instrument_cannot_be_started(
    assigned_case: Case, adviser: User, signed_in_client: SignIn
) -> None:
    instrument = current_version(SCREENING).instrument
    instrument.is_active = False
    instrument.save()
    client = signed_in_client(adviser)

    assert (
        _new_url(assigned_case, SCREENING)
        not in client.get(_list_url(assigned_case)).content.decode()
    )
    assert client.get(_new_url(assigned_case, SCREENING)).status_code == 404


# --- The form ---------------------------------------------------------------------------------


def test_the_form_shows_each_question_as_a_fieldset_with_three_answers_and_a_comment(
    assigned_case: Case, adviser: User, signed_in_client: SignIn
) -> None:
    response = signed_in_client(adviser).get(_new_url(assigned_case))

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<fieldset class="question risk-item') == 24
    assert (
        '<legend class="question__legend">14. Has the other person threatened to kill them or '
        "someone else, and did they believe it?"
    ) in body
    assert body.count('type="radio" name="item_1"') == 3
    assert '<label for="id_item_1_2">Don&#x27;t know</label>' in body
    assert 'name="comment_24"' in body
    assert f'name="version" value="{current_version(DASH).pk}"' in body
    # The band the answers give is chosen until the practitioner decides otherwise.
    assert '<input type="radio" name="band" value="" id="id_band_0" checked>' in body


def test_saving_the_form_records_the_assessment_and_shows_the_result(
    assigned_case: Case, adviser: User, signed_in_client: SignIn
) -> None:
    client = signed_in_client(adviser)
    data = _form_data(yes=14, comment_3=f"Afraid {MARKER}")

    response = client.post(_new_url(assigned_case), data)

    assessment = Assessment.objects.get(case=assigned_case)
    assert response.status_code == 302
    assert response["Location"] == _page_url(assessment.pk)
    assert assessment.band == "high"
    assert assessment.answers["fears"] == {"answer": "yes", "comment": f"Afraid {MARKER}"}
    page = client.get(response["Location"]).content.decode()
    assert "Visible high risk. Act today" in page
    assert "Refer to MARAC where the abuse is domestic" in page  # an action
    assert "MARAC (where the abuse is domestic)" in page  # a suggested referral
    assert reverse("safety:referrals", kwargs={"case_id": assigned_case.pk}) in page
    assert "The case leads are told by email" in page
    assert f"Afraid {MARKER}" in page
    assert MARKER not in response["Location"]


def test_a_missing_answer_is_summarised_at_the_top_and_linked_to_its_question(
    assigned_case: Case, adviser: User, signed_in_client: SignIn
) -> None:
    data = _form_data(yes=3)
    del data["item_5"]

    response = signed_in_client(adviser).post(_new_url(assigned_case), data)

    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="error-summary"' in body
    assert '<a href="#id_item_5_0">Question 5: choose yes, no or don&#x27;t know.</a>' in body
    assert 'aria-describedby="id_item_5_error"' in body
    assert not Assessment.objects.exists()
    # What was answered is kept.
    assert 'value="yes" id="id_item_1_0" required checked' in body


def test_raising_the_band_without_a_reason_is_explained_next_to_the_reason(
    assigned_case: Case, adviser: User, signed_in_client: SignIn
) -> None:
    response = signed_in_client(adviser).post(
        _new_url(assigned_case), _form_data(yes=11, band="high")
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert '<a href="#id_judgement_reason">Say why you chose this band' in body
    assert 'id="id_judgement_reason_error"' in body
    assert not Assessment.objects.exists()


def test_lowering_the_band_is_refused_on_the_form(
    assigned_case: Case, adviser: User, signed_in_client: SignIn
) -> None:
    response = signed_in_client(adviser).post(
        _new_url(assigned_case), _form_data(yes=15, band="medium", judgement_reason="No")
    )

    assert response.status_code == 400
    assert '<a href="#id_band_0">Professional judgement can raise the band, never lower it' in (
        response.content.decode()
    )
    assert not Assessment.objects.exists()


def test_a_screening_shows_the_count_and_the_high_concern_answers(
    assigned_case: Case, adviser: User, signed_in_client: SignIn
) -> None:
    client = signed_in_client(adviser)
    # Questions 1 (very frightened, high concern) and 2 (not high concern) answered yes.
    response = client.post(_new_url(assigned_case, SCREENING), _form_data(SCREENING, yes=2))

    page = client.get(response["Location"]).content.decode()
    assert "2 of 11" in page
    assert "None: these questions have no cut-off" in page
    assert "Questions of high concern answered yes" in page
    assert "<li>Are they very frightened?</li>" in page
    assert "<li>Has the other person harassed them, or anyone else, before?</li>" not in page


def test_answers_given_to_another_version_are_not_saved(
    assigned_case: Case, adviser: User, signed_in_client: SignIn
) -> None:
    client = signed_in_client(adviser)
    data = _form_data(yes=3)
    load_changed(DASH, version=2, label="Reworded first question")

    response = client.post(_new_url(assigned_case), data)

    assert response.status_code == 400
    body = response.content.decode()
    assert "This checklist was updated while you were answering it" in body
    assert "Reworded first question" in body
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("tampered", ["screening", "random", "garbage"])
def test_a_tampered_version_is_refused_like_a_missing_one(
    assigned_case: Case, adviser: User, signed_in_client: SignIn, tampered: str
) -> None:
    client = signed_in_client(adviser)
    values = {
        "screening": str(current_version(SCREENING).pk),
        "random": str(uuid.uuid4()),
        "garbage": "not-a-version",
    }

    response = client.post(_new_url(assigned_case), _form_data(yes=3, version=values[tampered]))
    baseline = client.post(_new_url(assigned_case), _form_data(yes=3, version=str(uuid.uuid4())))

    assert response.status_code == baseline.status_code == 400
    assert _templates(response) == _templates(baseline)
    assert not Assessment.objects.exists()


def test_an_assessment_page_keeps_its_own_wording_after_a_new_version(
    assigned_case: Case, adviser: User, signed_in_client: SignIn
) -> None:
    old = assess(assigned_case, adviser, yes=10)
    load_changed(DASH, version=2, label="Reworded first question")
    client = signed_in_client(adviser)

    body = client.get(_page_url(old.pk)).content.decode()

    assert "Were they hurt in what happened most recently?" in body
    assert "Reworded first question" not in body
    assert "This checklist has been updated since" in body
    assert "version 1" in body


def test_an_assessment_cannot_be_changed_through_its_page(
    assigned_case: Case, adviser: User, signed_in_client: SignIn
) -> None:
    assessment = assess(assigned_case, adviser, yes=10)

    response = signed_in_client(adviser).post(_page_url(assessment.pk), {"band": "standard"})

    assert response.status_code == 405
    assessment.refresh_from_db()
    assert assessment.band == "medium"


def test_the_form_works_for_a_case_lead_and_adds_a_timeline_entry(
    open_case: OpenCase, case_lead: User, signed_in_client: SignIn
) -> None:
    case = open_case()

    response = signed_in_client(case_lead).post(_new_url(case), _form_data(yes=1))

    assert response.status_code == 302
    assert TimelineEntry.objects.filter(case=case, kind="assessment").count() == 1


# --- IDOR: case ids, assessment ids and instrument slugs -----------------------------------------

OUTSIDERS: Final = ("other_adviser", "partner", "insights_viewer", "administrator", "outsider")


def _client_for(persona: str, request: pytest.FixtureRequest) -> Client:
    if persona == "other_adviser":
        user = UserFactory.create(
            email="another-adviser@personas.waypoint.test",
            role=Role.ADVISER,
            totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        )
    elif persona == "partner":
        # A partner of another department than any involved.
        user = request.getfixturevalue("partner")
        user.department = DepartmentFactory.create(name="Library", slug="library")
        user.save()
    else:
        user = request.getfixturevalue(persona)
    client = Client()
    login_as(client, user)
    return client


def _same(a: HttpResponseBase, b: HttpResponseBase) -> bool:
    return a.status_code == b.status_code and _templates(a) == _templates(b)


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_someone_without_access_gets_what_a_missing_id_gets(
    request: pytest.FixtureRequest, assigned_case: Case, adviser: User, persona: str
) -> None:
    existing = assess(assigned_case, adviser, yes=14, comment=MARKER)
    client = _client_for(persona, request)
    missing_case, missing_assessment = uuid.uuid4(), uuid.uuid4()
    before = (Assessment.objects.count(), TimelineEntry.objects.count())
    data = _form_data(yes=1)

    pairs = [
        (client.get(_list_url(assigned_case)), client.get(_list_url_for(missing_case))),
        (client.get(_new_url(assigned_case)), client.get(_new_url(missing_case))),
        (client.post(_new_url(assigned_case), data), client.post(_new_url(missing_case), data)),
        (client.get(_page_url(existing.pk)), client.get(_page_url(missing_assessment))),
        (
            client.post(_page_url(existing.pk), data),
            client.post(_page_url(missing_assessment), data),
        ),
        (
            client.get(_new_url(assigned_case, "no-such-instrument")),
            client.get(_new_url(missing_case, "no-such-instrument")),
        ),
    ]

    for foreign, missing in pairs:
        assert foreign.status_code in (403, 404, 405)
        assert _same(foreign, missing), (foreign.status_code, missing.status_code)
        assert MARKER not in foreign.content.decode()
    assert (Assessment.objects.count(), TimelineEntry.objects.count()) == before


def _list_url_for(case_id: uuid.UUID) -> str:
    return reverse("safety:assessments", kwargs={"case_id": case_id})


def test_an_unknown_instrument_on_an_allowed_case_is_a_404(
    assigned_case: Case, adviser: User, signed_in_client: SignIn
) -> None:
    assert signed_in_client(adviser).get(_new_url(assigned_case, "nothing")).status_code == 404


def test_an_assessment_id_of_another_case_is_not_reached_through_an_allowed_case(
    open_case: OpenCase, adviser: User, signed_in_client: SignIn
) -> None:
    mine = open_case(assign=[adviser])
    theirs = open_case()
    foreign = assess(theirs, UserFactory.create(role=Role.CASE_LEAD), yes=1, comment=MARKER)
    client = signed_in_client(adviser)

    listing = client.get(_list_url(mine)).content.decode()
    page = client.get(_page_url(foreign.pk))

    assert str(foreign.pk) not in listing
    assert page.status_code == 404
    assert MARKER not in page.content.decode()


# --- Query counts -------------------------------------------------------------------------------

# Session, user and two MFA checks (middleware); the case with its report; the policy's
# questions (conflict, assignment) for case.view and again for safety.assess; the
# assessments with their versions and assessors; the audit entry (savepoint, head, insert,
# update, release); the instruments; the institution (context processor).
# Since the case frame (ADR 0031): also the identity bar and sub navigation (clock, holidays,
# assignees, latest risk band, the claim and section policy checks) and the recorded opening
# of the case (case.view audit entry and CaseOpening), and the staff header's own queries.
LIST_QUERIES: Final = 32


@pytest.mark.parametrize("count", [1, 6])
def test_the_history_takes_the_same_number_of_queries_however_many_assessments(
    assigned_case: Case,
    adviser: User,
    signed_in_client: SignIn,
    django_assert_num_queries: Any,
    count: int,
) -> None:
    for _ in range(count):
        assess(assigned_case, adviser, yes=3)
    assess(assigned_case, adviser, SCREENING, yes=1)
    load_changed(DASH, version=2, label="A second version")
    assess(assigned_case, adviser, yes=3)
    client = signed_in_client(adviser)
    client.get(_list_url(assigned_case))  # warm the session

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(_list_url(assigned_case))

    assert response.status_code == 200


# The policy's questions (conflict, assignment) and the latest assessment with its version.
PANEL_QUERIES: Final = 3


def _panel(case: Case, user: User) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load safety_risk %}{% case_risk_panel case %}").render(
        Context({"case": case, "request": request})
    )


@pytest.mark.parametrize("count", [0, 1, 6])
def test_the_case_panel_takes_a_fixed_number_of_queries(
    assigned_case: Case, adviser: User, django_assert_num_queries: Any, count: int
) -> None:
    for _ in range(count):
        assess(assigned_case, adviser, yes=14)
    case = Case.objects.get(pk=assigned_case.pk)

    with django_assert_num_queries(PANEL_QUERIES):
        html = _panel(case, adviser)

    assert _list_url(case) in html
    if count:
        assert "High" in html
        assert "Next review" in html
    else:
        assert "No risk assessment yet." in html


def test_the_case_panel_shows_the_latest_band_date_and_review(
    assigned_case: Case, adviser: User
) -> None:
    assess(assigned_case, adviser, yes=14)
    latest = assess(assigned_case, adviser, SCREENING, yes=2, band="medium", reason="Worried")

    html = _panel(assigned_case, adviser)

    assert "Medium" in html and "(professional judgement)" in html
    assert _page_url(latest.pk) in html
    assert latest.next_review_on is not None
    assert f"{latest.next_review_on.day} {latest.next_review_on:%B %Y}" in html


@pytest.mark.parametrize("persona", ["partner", "insights_viewer", "administrator", "outsider"])
def test_the_case_panel_shows_nothing_to_someone_who_may_not_assess_the_case(
    request: pytest.FixtureRequest, assigned_case: Case, adviser: User, persona: str
) -> None:
    assess(assigned_case, adviser, yes=14)

    assert _panel(assigned_case, request.getfixturevalue(persona)) == ""


def test_the_case_panel_shows_nothing_to_an_adviser_not_on_the_case(
    open_case: OpenCase, adviser: User
) -> None:
    assert _panel(open_case(), adviser) == ""
