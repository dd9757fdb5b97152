"""The returning reporter's view of their safety plan (/my-report/safety-plan/), signed in
with a real receipt from the report flow: a kind sentence until the adviser shares it,
then the agreed actions by area and the measures' kinds and statuses in plain words.
Never a measure's brief or notes, never a retired action, never a department."""

from __future__ import annotations

from typing import Final

import pytest
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.institution.models import Department, Institution
from waypoint.privacy.models import AuditEvent
from waypoint.reporting.tests import flow
from waypoint.reporting.tests.flow import Made, reporter_client, sign_in
from waypoint.safety.models import MeasureKind, MeasureStatus
from waypoint.safety.services.plans import plan_action_retire, plan_share
from waypoint.safety.tests.plans_support import *  # noqa: F403  (fixtures)
from waypoint.safety.tests.plans_support import (
    BRIEF_MARKER,
    DETAIL_MARKER,
    add_action,
    add_measure,
    client_for,
)

pytestmark = pytest.mark.django_db

PLAN: Final = "/my-report/safety-plan/"
HOME: Final = "/my-report/"
NOT_YET: Final = "Your adviser will share your safety plan with you here when it is ready."


def _reporter(made: Made) -> Client:
    client = reporter_client()
    assert sign_in(client, made.reference, made.passphrase).status_code == 302
    return client


def _html(response: object) -> str:
    content: bytes = getattr(response, "content", b"")
    return content.decode()


@pytest.fixture
def made(institution: Institution, adviser: User) -> Made:
    """A report made through the real flow, its case assigned to the `adviser` persona."""
    report = flow.make_report(reporter_client(), "support", marker="CANARY-PLAN")
    Case.objects.get(report=report.report).assignments.create(user=adviser)
    return report


def test_the_url_is_the_one_named_in_the_brief() -> None:
    assert reverse("safety:reporter_plan") == PLAN


def test_before_the_plan_is_shared_the_reporter_reads_a_kind_sentence(
    made: Made, adviser: User
) -> None:
    case = Case.objects.get(report=made.report)
    add_action(case, adviser, "travel", "Walk with a friend UNSHARED-ACTION")
    client = _reporter(made)

    response = client.get(PLAN)
    assert response.status_code == 200
    html = _html(response)
    assert NOT_YET in html
    assert "UNSHARED-ACTION" not in html
    assert "quick-exit" in html  # the public layout, with the quick exit
    assert "Your safety plan" not in _html(client.get(HOME))
    assert not AuditEvent.objects.filter(action="safety_plan.reporter_viewed").exists()


def test_a_shared_plan_shows_actions_by_area_and_measures_in_plain_words(
    made: Made,
    adviser: User,
    security_department: Department,
    accommodation: Department,
) -> None:
    case = Case.objects.get(report=made.report)
    add_action(case, adviser, "travel", "Take the bus with a friend after lectures")
    add_action(case, adviser, "digital", "Turn off location sharing on Instagram")
    retired = add_action(case, adviser, "travel", "Walk home by the canal RETIRED-ACTION")
    plan_action_retire(action=retired, actor=adviser)
    add_measure(case, adviser, security_department, status=MeasureStatus.IN_PLACE)
    add_measure(
        case,
        adviser,
        accommodation,
        kind=MeasureKind.ACCOMMODATION_MOVE,
        status=MeasureStatus.PROPOSED,
    )
    plan_share(case=case, actor=adviser, shared=True)
    client = _reporter(made)

    home = _html(client.get(HOME))
    assert "Your safety plan" in home
    assert f'href="{PLAN}"' in home

    response = client.get(PLAN)
    assert response.status_code == 200
    html = _html(response)
    assert NOT_YET not in html
    travel = html.split("<h3>Travel</h3>", 1)[1].split("</ul>", 1)[0]
    assert "Take the bus with a friend after lectures" in travel
    digital = html.split("<h3>Digital and technology safety</h3>", 1)[1].split("</ul>", 1)[0]
    assert "Turn off location sharing on Instagram" in digital
    assert "<h3>Personal safety</h3>" not in html  # an area with nothing agreed is left out
    assert "<strong>Escort on campus</strong>: In place" in html
    assert "<strong>Accommodation move</strong>: Being talked through" in html

    # Never the briefs, the team's notes, a retired action or a department.
    assert BRIEF_MARKER not in html
    assert DETAIL_MARKER not in html
    assert "RETIRED-ACTION" not in html
    plan_part = html.split('id="plan-actions-title"', 1)[1].split('class="get-help', 1)[0]
    assert "Security" not in plan_part
    assert "(Accommodation)" not in plan_part

    [event] = AuditEvent.objects.filter(action="safety_plan.reporter_viewed")
    assert event.actor_kind == AuditEvent.ActorKind.REPORTER
    assert event.actor_id == made.reference
    assert event.extra == {"case_id": str(case.pk)}


def test_stopping_sharing_hides_the_plan_again(made: Made, adviser: User) -> None:
    case = Case.objects.get(report=made.report)
    add_action(case, adviser, "home", "Change the locks SHARED-THEN-HIDDEN")
    plan_share(case=case, actor=adviser, shared=True)
    client = _reporter(made)
    assert "SHARED-THEN-HIDDEN" in _html(client.get(PLAN))

    plan_share(case=case, actor=adviser, shared=False)
    html = _html(client.get(PLAN))
    assert "SHARED-THEN-HIDDEN" not in html
    assert NOT_YET in html
    assert "Your safety plan" not in _html(client.get(HOME))


def test_a_reporter_sees_only_the_plan_of_the_report_they_signed_in_with(
    made: Made, institution: Institution, adviser: User
) -> None:
    case = Case.objects.get(report=made.report)
    add_action(case, adviser, "study_work", "Sit near the door in seminars FIRST-REPORTER")
    plan_share(case=case, actor=adviser, shared=True)
    other = flow.make_report(reporter_client(), "anonymous", marker="CANARY-OTHER")

    html = _html(_reporter(other).get(PLAN))
    assert NOT_YET in html
    assert "FIRST-REPORTER" not in html


def test_without_a_receipt_sign_in_the_page_goes_to_the_sign_in_form(
    made: Made, adviser: User
) -> None:
    case = Case.objects.get(report=made.report)
    add_action(case, adviser, "travel", "Walk with a friend NOT-FOR-STRANGERS")
    plan_share(case=case, actor=adviser, shared=True)

    anonymous = Client().get(PLAN)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == reverse("reporting:return")

    # A member of staff signed in to the staff area is not a reporter either.
    staff = client_for(adviser)
    response = staff.get(PLAN)
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:return")

    # After signing out, the plan is gone from this browser.
    client = _reporter(made)
    assert "NOT-FOR-STRANGERS" in _html(client.get(PLAN))
    client.post(reverse("reporting:return_sign_out"))
    after = client.get(PLAN)
    assert after.status_code == 302
    assert "NOT-FOR-STRANGERS" not in _html(after)


def test_the_page_only_answers_get(made: Made) -> None:
    client = _reporter(made)
    assert client.post(PLAN, {}).status_code == 405


def test_the_report_page_works_and_offers_no_plan_link_when_there_is_no_plan(
    made: Made,
) -> None:
    client = _reporter(made)
    home = client.get(HOME)
    assert home.status_code == 200
    assert "Your safety plan" not in _html(home)
    assert NOT_YET in _html(client.get(PLAN))
