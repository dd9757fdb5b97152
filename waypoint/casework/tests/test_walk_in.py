"""Walk-in disclosure: an adviser records a report on someone's behalf, with or without
a receipt for the return page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.accounts.tests.factories import UserFactory
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import Case, CaseAssignment, EntryKind, TimelineEntry
from waypoint.casework.services.matching import matches_find_for_case
from waypoint.casework.services.walk_in import WALK_IN_NOTE, WalkInError, walk_in_report_create
from waypoint.casework.views.walk_in import SESSION_KEY
from waypoint.privacy.models import AuditEvent
from waypoint.reporting.default_options import load_default_options
from waypoint.reporting.models import Draft, PersonIdentifier, Report, ReportOption
from waypoint.reporting.tests.flow import answers_for, reporter_client, sign_in

pytestmark = pytest.mark.django_db

MARKER = "WALKIN-7Q"
OTHER_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _options(db: None) -> None:
    load_default_options(ReportOption)


def _client(user: User) -> Client:
    client = Client()
    login_as(client, user)
    return client


def walk_in_data(
    route: str = "support",
    *,
    receipt: bool = True,
    role: str = "student",
    answers: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The walk-in form's POST data: each step's answers under its prefix."""
    data: dict[str, Any] = {"route": route, "reporter_role": role}
    if receipt:
        data["issue_receipt"] = "on"
    for slug, values in (answers if answers is not None else answers_for(route, MARKER)).items():
        for name, value in values.items():
            data[f"{slug}-{name}"] = value
    return data


def _recorded(client: Client, data: dict[str, Any]) -> Report:
    before = set(Report.objects.values_list("pk", flat=True))
    response = client.post(reverse("casework:walk_in"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("casework:walk_in_receipt")
    [report] = Report.objects.exclude(pk__in=before)
    return report


# --- The page --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["adviser", "case_lead"])
def test_advisers_and_leads_get_the_whole_report_form_on_one_page(
    request: pytest.FixtureRequest, persona: str
) -> None:
    client = _client(request.getfixturevalue(persona))

    response = client.get(reverse("casework:walk_in"))

    assert response.status_code == 200
    page = response.content.decode()
    for name in (
        "danger-immediate_danger",
        "contact-email",
        "your-part-your_part",
        "replies-wants_messages",
        "what-behaviours",
        "who-person_email",
        "support-support_text",
        "issue_receipt",
    ):
        assert f'name="{name}"' in page, name
    assert "evidence" not in [section.slug for section in response.context["sections"]]
    assert "Asked only in named reports" in page
    # The adviser's browser must not fill in the adviser's own details.
    for own in ('autocomplete="name"', 'autocomplete="email"', 'autocomplete="tel"'):
        assert own not in page


@pytest.mark.parametrize("persona", ["partner", "insights_viewer", "administrator", "outsider"])
def test_no_one_else_may_record_a_walk_in(request: pytest.FixtureRequest, persona: str) -> None:
    user: User = request.getfixturevalue(persona)
    client = _client(user)

    assert client.get(reverse("casework:walk_in")).status_code == 403
    assert client.post(reverse("casework:walk_in"), walk_in_data()).status_code == 403
    assert client.get(reverse("casework:walk_in_receipt")).status_code == 403
    assert not Report.objects.exists()
    with pytest.raises(PermissionDenied):
        walk_in_report_create(
            actor=user, route="support", reporter_role="student", answers={}, issue_receipt=True
        )


# --- Recording -------------------------------------------------------------------------------


def test_a_walk_in_makes_a_report_and_a_case_assigned_to_the_adviser(adviser: User) -> None:
    client = _client(adviser)

    report = _recorded(client, walk_in_data("support"))

    assert report.made_by_staff
    assert report.route == "support"
    assert report.reporter_role == "student"
    case = Case.objects.get(report=report)
    assert list(CaseAssignment.objects.filter(case=case).values_list("user", "assigned_by")) == [
        (adviser.pk, adviser.pk)
    ]
    note = TimelineEntry.objects.get(case=case, kind=EntryKind.NOTE)
    assert (note.text, note.actor) == (WALK_IN_NOTE, adviser)
    assert TimelineEntry.objects.filter(case=case, kind=EntryKind.ASSIGNED).exists()
    event = AuditEvent.objects.get(action="case.walk_in")
    assert (event.actor_id, event.object_id) == (str(adviser.pk), str(case.pk))
    assert event.extra == {"report_id": str(report.pk), "route": "support", "receipt": True}
    # Answers are kept as the online flow keeps them: options with labels, sealed.
    answers = Report.objects.get(pk=report.pk).answers
    assert answers["what"]["what_text"] == f"What {MARKER}"
    assert "following" in [option["slug"] for option in answers["what"]["behaviours"]]
    assert all(option["label"] for option in answers["what"]["behaviours"])
    assert (
        Report.objects.get(pk=report.pk).contact["email"] == f"alex.{MARKER.lower()}@example.test"
    )
    assert PersonIdentifier.objects.filter(person__report=report, kind="email").exists()


def test_steps_the_chosen_route_does_not_ask_are_neither_checked_nor_kept(adviser: User) -> None:
    client = _client(adviser)
    answers = answers_for("anonymous", MARKER)
    # Contact details typed into the named-report section, then "anonymous" chosen.
    data = walk_in_data("anonymous", answers=answers)
    data.update({"contact-name": "Someone Named", "contact-email": "not-an-email"})

    report = _recorded(client, data)

    stored = Report.objects.get(pk=report.pk)
    assert stored.contact is None
    assert "contact" not in (stored.answers or {})
    assert stored.route == "anonymous"


def test_urgency_comes_from_the_answers_as_online(adviser: User) -> None:
    client = _client(adviser)
    answers = answers_for("support", MARKER)
    answers["danger"] = {"immediate_danger": "yes"}

    report = _recorded(client, walk_in_data(answers=answers))

    case = Case.objects.get(report=report)
    assert case.immediate_danger and case.is_urgent


def test_missing_answers_are_listed_with_links_and_nothing_is_saved(adviser: User) -> None:
    client = _client(adviser)
    answers = answers_for("support", MARKER)
    del answers["danger"]
    answers["contact"] = {"name": "Alex"}  # no email and no phone on a named report

    response = client.post(reverse("casework:walk_in"), walk_in_data(answers=answers))

    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_danger-immediate_danger_0"' in page
    assert 'href="#step-contact"' in page
    # Steps for other routes are not checked, and what was typed is still there.
    assert 'href="#step-contact-optional"' not in page
    assert f"What {MARKER}" in page
    assert not Report.objects.exists()
    assert not Draft.objects.exists()


def test_a_missing_route_is_asked_for_before_anything_else(adviser: User) -> None:
    client = _client(adviser)
    data = walk_in_data()
    del data["route"]

    response = client.post(reverse("casework:walk_in"), data)

    assert response.status_code == 400
    assert [error.anchor for error in response.context["errors"]] == ["id_route_0"]
    assert not Report.objects.exists()


def test_the_service_refuses_a_report_without_the_answers_its_route_needs(adviser: User) -> None:
    answers = answers_for("anonymous", MARKER)
    del answers["replies"]

    with pytest.raises(WalkInError, match="Getting replies"):
        walk_in_report_create(
            actor=adviser,
            route="anonymous",
            reporter_role="student",
            answers=answers,
            issue_receipt=True,
        )
    with pytest.raises(WalkInError):
        walk_in_report_create(
            actor=adviser, route="letter", reporter_role="student", answers={}, issue_receipt=True
        )
    assert not Report.objects.exists()
    assert not Draft.objects.exists()


# --- The receipt -----------------------------------------------------------------------------


def test_the_receipt_is_shown_once_and_works_on_the_return_page(adviser: User) -> None:
    client = _client(adviser)
    report = _recorded(client, walk_in_data())

    first = client.get(reverse("casework:walk_in_receipt"))
    again = client.get(reverse("casework:walk_in_receipt"))

    passphrase = first.context["passphrase"]
    assert passphrase and len(passphrase.split()) == 8
    page = first.content.decode()
    assert report.reference in page and passphrase in page
    assert "Hand this receipt to them now" in page
    assert "data-print" in page
    assert again.context["report"] is None and again.context["passphrase"] is None
    assert passphrase not in again.content.decode()
    signed_in = sign_in(reporter_client(), report.reference, passphrase)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("reporting:return")


def test_the_passphrase_is_kept_in_no_url_no_session_and_no_row(adviser: User) -> None:
    client = _client(adviser)
    response = client.post(reverse("casework:walk_in"), walk_in_data())
    report = Report.objects.get()

    passphrase = client.get(reverse("casework:walk_in_receipt")).context["passphrase"]

    assert passphrase not in response["Location"]
    for session in Session.objects.all():
        assert passphrase not in str(session.get_decoded())
    for event in AuditEvent.objects.all():
        assert passphrase not in str(event.extra)
    assert passphrase not in report.receipt_hash
    sealed = response.cookies["waypoint-walk-in"]
    assert sealed["httponly"] and sealed["samesite"] == "Strict"
    assert passphrase.split()[0] not in sealed.value


def test_without_a_receipt_nobody_can_sign_in(adviser: User) -> None:
    client = _client(adviser)

    report = _recorded(client, walk_in_data(receipt=False))
    page = client.get(reverse("casework:walk_in_receipt"))

    stored = Report.objects.get(pk=report.pk)
    assert stored.receipt_hash == ""
    assert stored.receipt_pepper_key_id is None
    assert page.context["passphrase"] is None
    assert "No receipt was issued" in page.content.decode()
    assert "waypoint-walk-in" not in client.cookies or not client.cookies["waypoint-walk-in"].value
    assert sign_in(reporter_client(), report.reference, "").status_code == 400
    words = "correct horse battery staple with seven words"
    assert sign_in(reporter_client(), report.reference, words).status_code == 400


def test_a_receipt_copied_to_another_adviser_shows_them_nothing(adviser: User) -> None:
    client = _client(adviser)
    report = _recorded(client, walk_in_data())
    sealed = client.cookies["waypoint-walk-in"].value
    other = _client(UserFactory.create(role="adviser", totp_secret=OTHER_TOTP_SECRET))
    # The other adviser's browser gets both the marker and the sealed passphrase.
    session = other.session
    session[SESSION_KEY] = str(report.pk)
    session.save()
    other.cookies["waypoint-walk-in"] = sealed

    response = other.get(reverse("casework:walk_in_receipt"))

    assert response.status_code == 200
    assert response.context["report"] is None and response.context["passphrase"] is None
    assert report.reference not in response.content.decode()
    # The adviser who recorded it still gets it.
    assert client.get(reverse("casework:walk_in_receipt")).context["passphrase"]


def test_a_walk_in_report_is_matched_like_any_other(adviser: User) -> None:
    client = _client(adviser)
    first = answers_for("support", MARKER)
    first["who"] = {"person_email": " Jane.Doe+x@GoogleMail.com"}
    second = answers_for("anonymous", MARKER)
    second["who"] = {"person_email": "janedoe@gmail.com"}

    one = _recorded(client, walk_in_data("support", answers=first))
    two = _recorded(client, walk_in_data("anonymous", answers=second, receipt=False))

    [match] = matches_find_for_case(case=Case.objects.get(report=two))
    assert {match.case_a.report_id, match.case_b.report_id} == {one.pk, two.pk}
    assert match.kinds == ["email"]


def test_the_receipt_page_with_nothing_waiting_says_so(adviser: User) -> None:
    client = _client(adviser)

    response = client.get(reverse("casework:walk_in_receipt"))

    assert response.status_code == 200
    assert "There is no receipt to show" in response.content.decode()
    assert SESSION_KEY not in client.session
