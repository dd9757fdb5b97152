"""The safety plan page: actions in five areas (added or retired, never edited), the next
review, sharing with the reporter, the case page's panel, audit and timeline, bounded
queries, and IDOR for case and plan action ids."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable
from typing import Any, Final

import pytest
from django.http import Http404
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import UserFactory
from waypoint.casework.models import Case, CaseConflict, EntryKind, TimelineEntry
from waypoint.institution.models import Department
from waypoint.privacy.models import AuditEvent
from waypoint.safety.models import (
    MeasureKind,
    MeasureStatus,
    PlanAction,
    PlanArea,
    SafetyMeasure,
    SafetyPlan,
)
from waypoint.safety.services.plans import (
    PlanError,
    plan_action_retire,
    plan_set_review,
    plan_share,
)
from waypoint.safety.tests.plans_support import *  # noqa: F403  (fixtures)
from waypoint.safety.tests.plans_support import (
    BRIEF_MARKER,
    DETAIL_MARKER,
    OpenCase,
    add_action,
    add_measure,
    client_for,
    fingerprint,
    other_adviser,
    raw_column,
)

pytestmark = pytest.mark.django_db

ACTION_TEXT: Final = "Text Sam before leaving the library ACTION-MARKER-3391"


def _plan_url(case: Case | uuid.UUID) -> str:
    case_id = case.pk if isinstance(case, Case) else case
    return reverse("safety:plan", kwargs={"case_id": case_id})


def _share_url(case: Case | uuid.UUID) -> str:
    case_id = case.pk if isinstance(case, Case) else case
    return reverse("safety:plan_share", kwargs={"case_id": case_id})


def _html(response: Any) -> str:
    return str(response.content.decode())


def _events(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=since).order_by("seq"))


def _last_seq() -> int:
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    return int(last or 0)


# --- Actions by area -------------------------------------------------------------------------


def test_an_adviser_adds_actions_in_each_area_and_sees_each_under_its_area(
    plan_case: Case, adviser: User
) -> None:
    client = client_for(adviser)
    page = client.get(_plan_url(plan_case))
    assert page.status_code == 200
    assert not SafetyPlan.objects.exists()  # reading the page never writes

    for area in PlanArea.values:
        response = client.post(
            _plan_url(plan_case),
            {"intent": "add_action", "area": area, "text": f"  Action for {area} {ACTION_TEXT} "},
        )
        assert response.status_code == 302
        assert response["Location"] == f"{_plan_url(plan_case)}#area-{area}"

    plan = SafetyPlan.objects.get(case=plan_case)
    assert plan.data_key_id == plan_case.data_key_id
    assert plan.shared_with_reporter_at is None
    actions = list(PlanAction.objects.filter(plan=plan).order_by("created_at"))
    assert [a.area for a in actions] == list(PlanArea.values)
    assert actions[0].text == f"Action for personal {ACTION_TEXT}"
    assert all(a.created_by == adviser and a.is_active for a in actions)
    # Sealed at rest.
    assert b"ACTION-MARKER" not in raw_column(PlanAction, "text", actions[0].pk)

    html = _html(client.get(_plan_url(plan_case)))
    for area, label in PlanArea.choices:
        section = html.split(f'id="area-{area}"', 1)[1].split("</section>", 1)[0]
        assert label in section
        assert f"Action for {area} " in section
        others = [other for other in PlanArea.values if other != area]
        assert not any(f"Action for {other} " in section for other in others)


def test_an_empty_or_overlong_action_is_explained_and_nothing_is_saved(
    plan_case: Case, adviser: User
) -> None:
    client = client_for(adviser)
    empty = client.post(_plan_url(plan_case), {"intent": "add_action", "area": "travel"})
    assert empty.status_code == 400
    html = _html(empty)
    assert 'href="#add-travel-text"' in html
    assert "Write the action that was agreed." in html
    assert 'id="add-travel-text"' in html
    assert "<title>Error:" in html

    long = client.post(
        _plan_url(plan_case), {"intent": "add_action", "area": "digital", "text": "x" * 1001}
    )
    assert long.status_code == 400
    assert 'href="#add-digital-text"' in _html(long)

    unknown = client.post(_plan_url(plan_case), {"intent": "add_action", "area": "garden"})
    assert unknown.status_code == 400
    odd = client.post(_plan_url(plan_case), {"intent": "rewrite"})
    assert odd.status_code == 400
    assert "not recognised" in _html(odd)
    assert not PlanAction.objects.exists()
    assert not SafetyPlan.objects.exists()


def test_retiring_an_action_keeps_it_in_the_history_and_takes_it_out_of_the_plan(
    plan_case: Case, adviser: User
) -> None:
    kept = add_action(plan_case, adviser, "travel", "Take the bus with a friend")
    retired = add_action(plan_case, adviser, "travel", "Walk home by the canal RETIRED-TEXT")
    client = client_for(adviser)

    response = client.post(
        _plan_url(plan_case), {"intent": "retire_action", "action_id": str(retired.pk)}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#area-travel")
    retired.refresh_from_db()
    assert retired.is_active is False
    assert retired.text == "Walk home by the canal RETIRED-TEXT"  # kept, unchanged
    assert PlanAction.objects.filter(plan__case=plan_case).count() == 2

    # A second click changes nothing more.
    again = client.post(
        _plan_url(plan_case), {"intent": "retire_action", "action_id": str(retired.pk)}
    )
    assert again.status_code == 302
    retirements = TimelineEntry.objects.filter(
        case=plan_case, kind=EntryKind.SAFETY_PLAN, detail__event="action_retired"
    )
    assert retirements.count() == 1

    html = _html(client.get(_plan_url(plan_case)))
    travel = html.split('id="area-travel"', 1)[1].split("</section>", 1)[0]
    current, history = travel.split("Retired actions (1)", 1)
    assert "Take the bus with a friend" in current
    assert "RETIRED-TEXT" not in current
    assert "RETIRED-TEXT" in history
    assert f"retired {timezone.localdate():%-d %B %Y}" in history
    kept.refresh_from_db()
    assert kept.is_active


def test_there_is_no_way_to_edit_an_action_in_place(plan_case: Case, adviser: User) -> None:
    action = add_action(plan_case, adviser, "home", "Change the locks")
    client = client_for(adviser)
    response = client.post(
        _plan_url(plan_case),
        {"intent": "edit_action", "action_id": str(action.pk), "text": "Something else"},
    )
    assert response.status_code == 400
    action.refresh_from_db()
    assert action.text == "Change the locks"


# --- Next review ----------------------------------------------------------------------------


def test_the_review_date_is_set_and_a_new_date_clears_the_reminder_mark(
    plan_case: Case, adviser: User
) -> None:
    client = client_for(adviser)
    soon = timezone.localdate() + datetime.timedelta(days=14)
    response = client.post(
        _plan_url(plan_case), {"intent": "set_review", "next_review_on": soon.isoformat()}
    )
    assert response.status_code == 302
    assert _review() == (soon, None)
    assert f"{soon:%-d %B %Y}" in _html(client.get(_plan_url(plan_case)))

    # The reminders job marks it; the same date again keeps the mark, a new one clears it.
    marked = timezone.now()
    SafetyPlan.objects.update(review_notified_at=marked)
    plan_set_review(case=plan_case, actor=adviser, next_review_on=soon)
    assert _review() == (soon, marked)
    later = soon + datetime.timedelta(days=7)
    plan_set_review(case=plan_case, actor=adviser, next_review_on=later)
    assert _review() == (later, None)

    # Cleared with an empty date.
    client.post(_plan_url(plan_case), {"intent": "set_review", "next_review_on": ""})
    assert _review() == (None, None)


def _review() -> tuple[Any, ...]:
    return tuple(SafetyPlan.objects.values_list("next_review_on", "review_notified_at").get())


def test_a_review_date_in_the_past_is_refused(plan_case: Case, adviser: User) -> None:
    client = client_for(adviser)
    past = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        _plan_url(plan_case), {"intent": "set_review", "next_review_on": past.isoformat()}
    )
    assert response.status_code == 400
    html = _html(response)
    assert "Choose a review date from today onwards." in html
    assert 'href="#id_next_review_on"' in html
    assert not SafetyPlan.objects.exists()  # the whole change was rolled back
    with pytest.raises(PlanError):
        plan_set_review(case=plan_case, actor=adviser, next_review_on=past)


# --- Sharing ------------------------------------------------------------------------------------


def test_the_adviser_shares_the_plan_and_stops_sharing_it(plan_case: Case, adviser: User) -> None:
    client = client_for(adviser)
    page = _html(client.get(_plan_url(plan_case)))
    assert "Not shared." in page
    assert "Share with the reporter" in page
    assert "They never see the notes for the case team" in page

    response = client.post(_share_url(plan_case), {"shared": "yes"})
    assert response.status_code == 302
    assert response["Location"] == f"{_plan_url(plan_case)}#sharing"
    plan = SafetyPlan.objects.get(case=plan_case)
    assert plan.shared_with_reporter_at is not None
    page = _html(client.get(_plan_url(plan_case)))
    assert "Shared with the person" in page
    assert "Stop sharing" in page

    # Sharing twice changes nothing; stopping clears it.
    client.post(_share_url(plan_case), {"shared": "yes"})
    assert TimelineEntry.objects.filter(case=plan_case, detail__event="shared").count() == 1
    client.post(_share_url(plan_case), {"shared": "no"})
    assert SafetyPlan.objects.get().shared_with_reporter_at is None

    assert client.get(_share_url(plan_case)).status_code == 405
    assert client.post(_share_url(plan_case), {"shared": "maybe"}).status_code == 400


# --- Audit and timeline ---------------------------------------------------------------------------


def test_every_change_is_audited_with_ids_only_and_appears_in_the_timeline(
    plan_case: Case, adviser: User
) -> None:
    client = client_for(adviser)
    since = _last_seq()
    review = timezone.localdate() + datetime.timedelta(days=10)
    client.post(
        _plan_url(plan_case), {"intent": "add_action", "area": "digital", "text": ACTION_TEXT}
    )
    action = PlanAction.objects.get()
    client.post(_plan_url(plan_case), {"intent": "retire_action", "action_id": str(action.pk)})
    client.post(
        _plan_url(plan_case), {"intent": "set_review", "next_review_on": review.isoformat()}
    )
    client.post(_share_url(plan_case), {"shared": "yes"})
    client.post(_share_url(plan_case), {"shared": "no"})
    client.get(_plan_url(plan_case))

    actions = [event.action for event in _events(since)]
    assert actions == [
        "safety_plan.created",
        "safety_plan.action_added",
        "safety_plan.action_retired",
        "safety_plan.review_set",
        "safety_plan.shared",
        "safety_plan.unshared",
        "safety_plan.viewed",
        "case.view",  # the plan is a section of the case: opening it opens the case
    ]
    for event in _events(since):
        assert event.actor_id == str(adviser.pk)
        assert "MARKER" not in str(event.extra)
        case_id = event.object_id if event.action == "case.view" else event.extra["case_id"]
        assert case_id == str(plan_case.pk)

    entries = list(
        TimelineEntry.objects.filter(case=plan_case, kind=EntryKind.SAFETY_PLAN).order_by(
            "occurred_at", "id"
        )
    )
    assert [entry.detail["event"] for entry in entries] == [
        "created",
        "action_added",
        "action_retired",
        "review_set",
        "shared",
        "unshared",
    ]
    added = entries[1]
    assert added.detail == {
        "event": "action_added",
        "plan_id": SafetyPlan.objects.get().pk,
        "action_id": str(action.pk),
        "area": "digital",
    }
    assert added.text == ACTION_TEXT  # typed words only in the sealed text
    assert "MARKER" not in str([entry.detail for entry in entries])
    assert all(entry.actor == adviser for entry in entries)


# --- Measures on the plan page -------------------------------------------------------------------


def test_the_plan_page_lists_the_measures_with_status_dates_and_department(
    plan_case: Case, adviser: User, security_department: Department, accommodation: Department
) -> None:
    review = timezone.localdate() + datetime.timedelta(days=5)
    add_measure(plan_case, adviser, security_department, kind=MeasureKind.ESCORT, review_on=review)
    add_measure(
        plan_case,
        adviser,
        accommodation,
        kind=MeasureKind.ACCOMMODATION_MOVE,
        status=MeasureStatus.IN_PLACE,
    )
    html = _html(client_for(adviser).get(_plan_url(plan_case)))
    measures = html.split('id="measures"', 1)[1]
    assert "Escort on campus" in measures
    assert "Security" in measures
    assert "Accommodation move" in measures
    assert "Accommodation" in measures
    assert "In place" in measures
    assert f"{review:%-d %B %Y}" in measures
    assert reverse("safety:measure_new", kwargs={"case_id": plan_case.pk}) in measures
    # The briefs and notes are on each measure's own page, not in this list.
    assert BRIEF_MARKER not in html
    assert DETAIL_MARKER not in html


# --- Bounded queries ------------------------------------------------------------------------

# Session, user and the MFA checks (middleware); the case with its report; case.view and
# safety.plan (conflict and assignment, twice); the plan, its actions, the retirements,
# the measures; the audit event (keyset, head, insert, head update, savepoints); the
# institution for the layout.
# Since the case frame (ADR 0031): also the identity bar and sub navigation (clock, holidays,
# assignees, latest risk band, the claim and section policy checks) and the recorded opening
# of the case (case.view audit entry and CaseOpening), and the staff header's own queries.
PLAN_PAGE_QUERIES: Final = 37


@pytest.mark.parametrize("size", [2, 40])
def test_the_plan_page_makes_the_same_number_of_queries_however_big_the_plan(
    plan_case: Case,
    adviser: User,
    accommodation: Any,
    django_assert_num_queries: DjangoAssertNumQueries,
    size: int,
) -> None:
    for index in range(size):
        action = add_action(plan_case, adviser, PlanArea.values[index % 5])
        if index % 2:
            plan_action_retire(action=action, actor=adviser)
        add_measure(plan_case, adviser, accommodation)
    client = client_for(adviser)
    client.get(_plan_url(plan_case))  # session and keysets warm

    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        response = client.get(_plan_url(plan_case))
    assert response.status_code == 200
    assert len(response.context["page"].measures) == size


# --- The case page's panel ---------------------------------------------------------------------


def _panel(user: User, case: Case) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load safety_plans %}{% case_plan_panel case %}")
    return template.render(Context({"request": request, "case": case}))


def test_the_case_panel_summarises_sharing_review_and_measures_by_status(
    plan_case: Case, adviser: User, security_department: Department, accommodation: Department
) -> None:
    assert "No safety plan yet." in _panel(adviser, plan_case)
    add_action(plan_case, adviser, "travel")
    add_action(plan_case, adviser, "home")
    retired = add_action(plan_case, adviser, "home")
    plan_action_retire(action=retired, actor=adviser)
    review = timezone.localdate() + datetime.timedelta(days=3)
    plan_set_review(case=plan_case, actor=adviser, next_review_on=review)
    plan_share(case=plan_case, actor=adviser, shared=True)
    add_measure(plan_case, adviser, security_department, status=MeasureStatus.IN_PLACE)
    add_measure(
        plan_case,
        adviser,
        accommodation,
        kind=MeasureKind.ACCOMMODATION_MOVE,
        status=MeasureStatus.PROPOSED,
    )

    html = _panel(adviser, plan_case)
    assert "Shared with the person since" in html
    assert "2 agreed actions." in html
    assert f"Next review: {review:%-d %B %Y}." in html
    assert "<dt>Proposed</dt><dd><ul><li>Accommodation move (Accommodation)</li>" in html
    assert "<dt>In place</dt><dd><ul><li>Escort on campus (Security)</li>" in html
    assert _plan_url(plan_case) in html
    assert BRIEF_MARKER not in html
    assert DETAIL_MARKER not in html


def test_the_case_panel_is_empty_for_anyone_who_may_not_work_on_the_plan(
    plan_case: Case, adviser: User, partner: User, insights_viewer: User, administrator: User
) -> None:
    add_action(plan_case, adviser)
    for user in (other_adviser(), partner, insights_viewer, administrator):
        assert _panel(user, plan_case) == ""


@pytest.mark.parametrize("measures", [1, 30])
def test_the_case_panel_makes_a_fixed_number_of_queries(
    plan_case: Case,
    adviser: User,
    security_department: Department,
    django_assert_num_queries: DjangoAssertNumQueries,
    measures: int,
) -> None:
    for _ in range(measures):
        add_action(plan_case, adviser)
        add_measure(plan_case, adviser, security_department)
    case = Case.objects.get(pk=plan_case.pk)
    # safety.plan (conflict, assignment), the plan with its count, the measures.
    with django_assert_num_queries(4):
        html = _panel(adviser, case)
    assert f"{measures} agreed action" in html


# --- IDOR: case ids and plan action ids -------------------------------------------------------

OUTSIDERS: Final = ("other_adviser", "partner", "insights_viewer", "administrator", "outsider")


def _principal(request: pytest.FixtureRequest, name: str) -> User:
    if name == "other_adviser":
        return other_adviser()
    user: User = request.getfixturevalue(name)
    return user


def _state() -> tuple[Any, ...]:
    plan = SafetyPlan.objects.values_list("shared_with_reporter_at", "next_review_on").first()
    actions = sorted(PlanAction.objects.values_list("id", "is_active"))
    return plan, actions, SafetyMeasure.objects.count(), TimelineEntry.objects.count()


@pytest.mark.parametrize("name", OUTSIDERS)
def test_a_foreign_case_answers_exactly_like_a_missing_one(
    request: pytest.FixtureRequest, plan_case: Case, adviser: User, name: str
) -> None:
    add_action(plan_case, adviser)
    user = _principal(request, name)
    client = client_for(user)
    before = _state()
    missing = uuid.uuid4()
    today = timezone.localdate().isoformat()
    attempts: list[tuple[str, Callable[[uuid.UUID], str], dict[str, str] | None]] = [
        ("get", _plan_url, None),
        ("post", _plan_url, {"intent": "add_action", "area": "travel", "text": "x"}),
        ("post", _plan_url, {"intent": "set_review", "next_review_on": today}),
        ("post", _share_url, {"shared": "yes"}),
        ("get", lambda c: reverse("safety:measure_new", kwargs={"case_id": c}), None),
        (
            "post",
            lambda c: reverse("safety:measure_new", kwargs={"case_id": c}),
            {"kind": "escort"},
        ),
    ]
    for method, url, data in attempts:
        send = getattr(client, method)
        foreign = send(url(plan_case.pk), data or {})
        absent = send(url(missing), data or {})
        assert fingerprint(foreign) == fingerprint(absent), (name, method, url(plan_case.pk))
        assert foreign.status_code in (403, 404)
    assert _state() == before


def test_an_adviser_with_a_conflict_of_interest_cannot_open_the_plan(
    plan_case: Case, adviser: User
) -> None:
    CaseConflict.objects.create(case=plan_case, user=adviser, source=CaseConflict.Source.DECLARED)
    client = client_for(adviser)
    assert fingerprint(client.get(_plan_url(plan_case))) == fingerprint(
        client.get(_plan_url(uuid.uuid4()))
    )


def test_an_action_of_another_case_cannot_be_retired_through_this_one(
    plan_case: Case, open_case: OpenCase, adviser: User
) -> None:
    other = open_case(assign=[adviser])
    theirs = add_action(other, adviser, "travel")
    mine = add_action(plan_case, adviser, "travel")
    client = client_for(adviser)
    before = _state_of([theirs, mine])

    tampered = client.post(
        _plan_url(plan_case), {"intent": "retire_action", "action_id": str(theirs.pk)}
    )
    random = client.post(
        _plan_url(plan_case), {"intent": "retire_action", "action_id": str(uuid.uuid4())}
    )
    garbage = client.post(_plan_url(plan_case), {"intent": "retire_action", "action_id": "1 OR 1"})
    assert fingerprint(tampered) == fingerprint(random) == fingerprint(garbage)
    assert tampered.status_code == 404
    assert _state_of([theirs, mine]) == before


def test_an_adviser_not_on_the_case_cannot_retire_its_actions_by_id(
    plan_case: Case, open_case: OpenCase, adviser: User
) -> None:
    action = add_action(plan_case, adviser, "home")
    stranger = other_adviser()
    own_case = open_case(assign=[stranger])
    client = client_for(stranger)
    # Through their own case's page, naming an action of a case they cannot see.
    response = client.post(
        _plan_url(own_case), {"intent": "retire_action", "action_id": str(action.pk)}
    )
    missing = client.post(
        _plan_url(own_case), {"intent": "retire_action", "action_id": str(uuid.uuid4())}
    )
    assert fingerprint(response) == fingerprint(missing)
    action.refresh_from_db()
    assert action.is_active
    # And the service refuses on its own.
    with pytest.raises(Http404):
        plan_action_retire(action=action, actor=stranger)


def _state_of(actions: list[PlanAction]) -> list[bool]:
    return [PlanAction.objects.get(pk=a.pk).is_active for a in actions]


def test_the_services_refuse_anyone_the_policy_does_not_allow(
    plan_case: Case, partner: User
) -> None:
    lead = UserFactory.create(role=Role.CASE_LEAD)
    assert plan_share(case=plan_case, actor=lead, shared=True).shared_with_reporter_at
    for user in (partner, other_adviser()):
        with pytest.raises(Http404):
            plan_share(case=plan_case, actor=user, shared=False)
        with pytest.raises(Http404):
            add_action(plan_case, user)
    assert SafetyPlan.objects.get().shared_with_reporter_at is not None


def test_an_anonymous_visitor_is_sent_to_sign_in(plan_case: Case) -> None:
    response = Client().get(_plan_url(plan_case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Markup the browser tests and assistive technology rely on ----------------------------------


def _duplicate_ids(html: str) -> list[str]:
    ids = re.findall(r'\sid="([^"]+)"', html)
    return sorted({value for value in ids if ids.count(value) > 1})


def test_the_plan_page_and_measure_pages_use_each_id_once_and_label_every_control(
    plan_case: Case, adviser: User, security_department: Department
) -> None:
    for area in PlanArea.values:
        add_action(plan_case, adviser, area)
    retired = add_action(plan_case, adviser, "travel")
    plan_action_retire(action=retired, actor=adviser)
    measure = add_measure(plan_case, adviser, security_department)
    client = client_for(adviser)
    pages = [
        _plan_url(plan_case),
        reverse("safety:measure_new", kwargs={"case_id": plan_case.pk}),
        reverse("safety:measure", kwargs={"measure_id": measure.pk}),
    ]
    for url in pages:
        html = _html(client.get(url))
        assert _duplicate_ids(html) == [], url
        for tag in re.findall(r"<(?:textarea|select|input)[^>]*>", html):
            control = re.search(r'\sid="([^"]+)"', tag)
            if control and 'type="hidden"' not in tag:
                assert f'for="{control.group(1)}"' in html, (url, tag)
    plan = _html(client.get(_plan_url(plan_case)))
    assert '<label for="add-travel-text">New action for travel:</label>' in plan
    assert '<label for="id_next_review_on">Next review date:</label>' in plan
