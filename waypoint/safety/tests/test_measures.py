"""University measures: the case team adds and runs them; a partner department sees only
its own department's measures (kind, brief, status, dates) and may update their status,
never their brief or notes. Audit, timeline, review reminders' marks, IDOR for measure
ids, and bounded queries for /staff/measures/."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Final

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import PERSONA_TOTP_SECRETS, UserFactory
from waypoint.casework.models import Case, CaseConflict, EntryKind, TimelineEntry
from waypoint.institution.models import Department
from waypoint.privacy.models import AuditEvent
from waypoint.safety.models import MeasureKind, MeasureStatus, SafetyMeasure
from waypoint.safety.selectors.plans import MEASURE_PAGE_SIZE
from waypoint.safety.services.plans import (
    PlanError,
    measure_revise,
    measure_update,
)
from waypoint.safety.tests.plans_support import *  # noqa: F403  (fixtures)
from waypoint.safety.tests.plans_support import (
    BRIEF_MARKER,
    DETAIL_MARKER,
    REPORT_MARKER,
    OpenCase,
    add_measure,
    client_for,
    fingerprint,
    other_adviser,
    raw_column,
    report_answers,
)

pytestmark = pytest.mark.django_db

LIST: Final = "/staff/measures/"
OTHER_BRIEF: Final = "OTHER-DEPARTMENT-BRIEF-5150"


def _measure_url(measure: SafetyMeasure | uuid.UUID) -> str:
    measure_id = measure.pk if isinstance(measure, SafetyMeasure) else measure
    return reverse("safety:measure", kwargs={"measure_id": measure_id})


def _new_url(case: Case) -> str:
    return reverse("safety:measure_new", kwargs={"case_id": case.pk})


def _html(response: Any) -> str:
    return str(response.content.decode())


def _accommodation_partner(department: Department) -> User:
    return UserFactory.create(
        role=Role.PARTNER, department=department, totp_secret=PERSONA_TOTP_SECRETS["partner"]
    )


def _snapshot(measure: SafetyMeasure) -> tuple[Any, ...]:
    fresh = SafetyMeasure.objects.get(pk=measure.pk)
    return (
        fresh.status,
        fresh.starts_on,
        fresh.review_on,
        fresh.ends_on,
        fresh.brief,
        fresh.detail,
        fresh.review_notified_at,
        TimelineEntry.objects.filter(kind=EntryKind.MEASURE).count(),
    )


# --- The case team adds a measure -----------------------------------------------------------


def test_the_team_adds_a_measure_owned_by_a_department(
    plan_case: Case, adviser: User, security_department: Department
) -> None:
    client = client_for(adviser)
    form = client.get(_new_url(plan_case))
    assert form.status_code == 200
    html = _html(form)
    assert "It never sees the case, its reference, the report or your notes." in html
    assert "<legend" in html  # the status choices are a fieldset with a legend

    review = timezone.localdate() + datetime.timedelta(days=14)
    response = client.post(
        _new_url(plan_case),
        {
            "kind": MeasureKind.SECURITY_AWARENESS,
            "department": str(security_department.pk),
            "brief": f"Patrol awareness near the library, evenings {BRIEF_MARKER}",
            "detail": f"He waits by the side door {DETAIL_MARKER}",
            "status": MeasureStatus.AGREED,
            "review_on": review.isoformat(),
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#measures")
    measure = SafetyMeasure.objects.get()
    assert (measure.case, measure.department, measure.kind, measure.status) == (
        plan_case,
        security_department,
        MeasureKind.SECURITY_AWARENESS,
        MeasureStatus.AGREED,
    )
    assert measure.review_on == review
    assert measure.data_key_id == plan_case.data_key_id
    assert measure.created_by == adviser
    assert BRIEF_MARKER.encode() not in raw_column(SafetyMeasure, "brief", measure.pk)
    assert DETAIL_MARKER.encode() not in raw_column(SafetyMeasure, "detail", measure.pk)

    [entry] = TimelineEntry.objects.filter(case=plan_case, kind=EntryKind.MEASURE)
    assert entry.detail == {
        "event": "created",
        "measure_id": str(measure.pk),
        "kind": "security_awareness",
        "department_id": str(security_department.pk),
        "status": "agreed",
    }
    assert entry.text is None
    event = AuditEvent.objects.filter(action="measure.created").get()
    assert event.object_id == str(measure.pk)
    assert "MARKER" not in str(event.extra)


def test_a_measure_without_a_brief_or_with_dates_out_of_order_is_explained(
    plan_case: Case, adviser: User, security_department: Department
) -> None:
    client = client_for(adviser)
    today = timezone.localdate()
    response = client.post(
        _new_url(plan_case),
        {
            "kind": MeasureKind.ESCORT,
            "department": str(security_department.pk),
            "brief": "   ",
            "status": MeasureStatus.PROPOSED,
            "starts_on": (today + datetime.timedelta(days=5)).isoformat(),
            "ends_on": today.isoformat(),
        },
    )
    assert response.status_code == 400
    html = _html(response)
    assert 'href="#id_brief"' in html
    assert 'href="#id_ends_on"' in html
    assert "The end date is before the start date." in html
    assert not SafetyMeasure.objects.exists()

    missing = client.post(_new_url(plan_case), {})
    assert missing.status_code == 400
    assert 'href="#id_status_0"' in _html(missing)
    assert not SafetyMeasure.objects.exists()


# --- A partner department sees only its own measures --------------------------------------------


@pytest.fixture
def two_departments(
    open_case: OpenCase,
    adviser: User,
    security_department: Department,
    accommodation: Department,
) -> dict[str, SafetyMeasure]:
    """Two cases, each with a Security measure, and an Accommodation measure."""
    first = open_case(assign=[adviser], answers=report_answers())
    second = open_case(assign=[adviser], answers=report_answers())
    return {
        "security_1": add_measure(first, adviser, security_department, kind=MeasureKind.ESCORT),
        "security_2": add_measure(
            second, adviser, security_department, kind=MeasureKind.SECURITY_AWARENESS
        ),
        "accommodation": add_measure(
            first,
            adviser,
            accommodation,
            kind=MeasureKind.ACCOMMODATION_MOVE,
            brief=OTHER_BRIEF,
        ),
    }


def test_a_partner_department_sees_only_its_own_measures_and_nothing_of_the_case(
    two_departments: dict[str, SafetyMeasure], partner: User
) -> None:
    client = client_for(partner)
    response = client.get(LIST)
    assert response.status_code == 200
    listed = {m.pk for m in response.context["listing"].measures}
    assert listed == {two_departments["security_1"].pk, two_departments["security_2"].pk}

    html = _html(response)
    assert "Security: safety measures" in html
    assert "Escort on campus" in html
    assert "Security patrol awareness" in html
    assert BRIEF_MARKER in html  # the brief is what they need
    assert OTHER_BRIEF not in html
    assert "Accommodation move" not in html
    assert DETAIL_MARKER not in html
    assert REPORT_MARKER not in html
    for measure in two_departments.values():
        case = measure.case
        assert case.report.reference not in html
        assert str(case.pk) not in html
    assert "/staff/cases/" not in html

    # One measure's page: the minimum, and the status form.
    page = client.get(_measure_url(two_departments["security_1"]))
    assert page.status_code == 200
    assert page.templates[0].name == "safety/measure_department.html"
    html = _html(page)
    assert BRIEF_MARKER in html
    assert DETAIL_MARKER not in html
    assert REPORT_MARKER not in html
    assert two_departments["security_1"].case.report.reference not in html
    assert "/staff/cases/" not in html
    assert "Save the update" in html
    assert 'name="brief"' not in html
    # The measure was read without its team notes.
    assert "detail" in page.context["measure"].get_deferred_fields()


def test_another_departments_measure_is_a_404_exactly_like_a_missing_one(
    two_departments: dict[str, SafetyMeasure], partner: User
) -> None:
    client = client_for(partner)
    theirs = two_departments["accommodation"]
    before = _snapshot(theirs)
    for method, data in (("get", {}), ("post", {"status": "ended", "note": "x"})):
        foreign = getattr(client, method)(_measure_url(theirs), data)
        missing = getattr(client, method)(_measure_url(uuid.uuid4()), data)
        assert foreign.status_code == 404
        assert fingerprint(foreign) == fingerprint(missing)
        assert OTHER_BRIEF not in _html(foreign)
    assert _snapshot(theirs) == before


def test_a_partner_updates_the_status_but_never_the_brief_or_the_notes(
    two_departments: dict[str, SafetyMeasure], partner: User
) -> None:
    measure = two_departments["security_1"]
    client = client_for(partner)
    review = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        _measure_url(measure),
        {
            "intent": "revise",  # tampered: the department's form has no such choice
            "status": MeasureStatus.IN_PLACE,
            "review_on": review.isoformat(),
            "note": "Patrols briefed NOTE-MARKER-4410",
            "brief": "Rewritten by the department",
            "detail": "Rewritten by the department",
        },
    )
    assert response.status_code == 302
    fresh = SafetyMeasure.objects.get(pk=measure.pk)
    assert fresh.status == MeasureStatus.IN_PLACE
    assert fresh.starts_on == timezone.localdate()  # in place from today
    assert fresh.review_on == review
    assert fresh.brief == BRIEF_MARKER
    assert fresh.detail == DETAIL_MARKER

    entry = TimelineEntry.objects.filter(case=measure.case, detail__event="updated").get()
    assert entry.actor == partner
    assert entry.text == "Patrols briefed NOTE-MARKER-4410"  # sealed, for the case team
    assert entry.detail["by"] == "department"
    assert entry.detail["status"] == "in_place"
    assert entry.detail["previous"] == "agreed"
    event = AuditEvent.objects.filter(action="measure.updated").get()
    assert event.actor_id == str(partner.pk)
    assert event.extra["with_note"] is True
    assert "MARKER" not in str(event.extra)

    # And the services refuse a department's rewrite on their own.
    with pytest.raises(Http404):
        measure_revise(measure=measure, actor=partner, brief="New", detail="New")
    assert SafetyMeasure.objects.get(pk=measure.pk).brief == BRIEF_MARKER


def test_the_team_sees_the_full_measure_and_may_rewrite_the_brief(
    two_departments: dict[str, SafetyMeasure], adviser: User
) -> None:
    measure = two_departments["security_1"]
    client = client_for(adviser)
    page = client.get(_measure_url(measure))
    assert page.status_code == 200
    html = _html(page)
    assert DETAIL_MARKER in html
    assert BRIEF_MARKER in html
    assert reverse("casework:case", kwargs={"case_id": measure.case_id}) in html
    assert measure.case.report.reference in html
    assert "Security" in html

    response = client.post(
        _measure_url(measure),
        {"intent": "revise", "brief": "Evening patrols only", "detail": "Changed NEW-DETAIL"},
    )
    assert response.status_code == 302
    fresh = SafetyMeasure.objects.get(pk=measure.pk)
    assert (fresh.brief, fresh.detail) == ("Evening patrols only", "Changed NEW-DETAIL")
    entry = TimelineEntry.objects.filter(detail__event="revised").get()
    assert entry.detail == {
        "event": "revised",
        "measure_id": str(measure.pk),
        "changed": ["brief", "detail"],
    }
    assert AuditEvent.objects.filter(action="measure.revised").count() == 1

    empty = client.post(_measure_url(measure), {"intent": "revise", "brief": ""})
    assert empty.status_code == 400
    assert 'href="#id_brief"' in _html(empty)


def test_each_showing_of_a_measure_and_of_the_list_is_audited_with_ids_only(
    two_departments: dict[str, SafetyMeasure], partner: User, adviser: User
) -> None:
    measure = two_departments["security_1"]
    client_for(partner).get(LIST)
    client_for(partner).get(_measure_url(measure))
    client_for(adviser).get(_measure_url(measure))
    listing = AuditEvent.objects.filter(action="measure.list").get()
    assert sorted(listing.extra["measure_ids"]) == sorted(
        str(two_departments[key].pk) for key in ("security_1", "security_2")
    )
    views = list(AuditEvent.objects.filter(action="measure.viewed").order_by("seq"))
    assert [(v.actor_id, v.extra["team"]) for v in views] == [
        (str(partner.pk), False),
        (str(adviser.pk), True),
    ]


def test_a_new_review_date_clears_the_reminder_mark_and_the_same_one_keeps_it(
    plan_case: Case, adviser: User, security_department: Department
) -> None:
    review = timezone.localdate() + datetime.timedelta(days=7)
    measure = add_measure(plan_case, adviser, security_department, review_on=review)
    marked = timezone.now()
    SafetyMeasure.objects.update(review_notified_at=marked)

    measure_update(
        measure=measure,
        actor=adviser,
        status=MeasureStatus.IN_PLACE,
        review_on=review,
        ends_on=None,
    )
    assert SafetyMeasure.objects.get().review_notified_at == marked
    later = review + datetime.timedelta(days=7)
    measure_update(
        measure=measure, actor=adviser, status=MeasureStatus.IN_PLACE, review_on=later, ends_on=None
    )
    fresh = SafetyMeasure.objects.get()
    assert (fresh.review_on, fresh.review_notified_at) == (later, None)

    # Ending it without a date ends it today; a past review date is refused.
    measure_update(
        measure=measure, actor=adviser, status=MeasureStatus.ENDED, review_on=later, ends_on=None
    )
    with pytest.raises(PlanError):
        measure_update(
            measure=measure,
            actor=adviser,
            status=MeasureStatus.ENDED,
            review_on=timezone.localdate() - datetime.timedelta(days=1),
            ends_on=None,
        )
    fresh = SafetyMeasure.objects.get()
    assert (fresh.status, fresh.ends_on) == (MeasureStatus.ENDED, timezone.localdate())


def test_saving_an_unchanged_measure_changes_nothing(
    plan_case: Case, adviser: User, security_department: Department
) -> None:
    measure = add_measure(plan_case, adviser, security_department)
    before = _snapshot(measure)
    measure_update(
        measure=measure, actor=adviser, status=measure.status, review_on=None, ends_on=None
    )
    assert _snapshot(measure) == before


def test_ended_measures_are_listed_apart(
    two_departments: dict[str, SafetyMeasure], partner: User, adviser: User
) -> None:
    ended = two_departments["security_2"]
    measure_update(
        measure=ended, actor=adviser, status=MeasureStatus.ENDED, review_on=None, ends_on=None
    )
    client = client_for(partner)
    current = client.get(LIST)
    assert {m.pk for m in current.context["listing"].measures} == {two_departments["security_1"].pk}
    past = client.get(LIST, {"show": "ended"})
    assert {m.pk for m in past.context["listing"].measures} == {ended.pk}
    assert 'aria-current="page">Ended' in _html(past)


def test_a_partner_with_a_conflict_of_interest_on_the_case_does_not_see_its_measures(
    two_departments: dict[str, SafetyMeasure], partner: User
) -> None:
    measure = two_departments["security_1"]
    CaseConflict.objects.create(case=measure.case, user=partner, source=CaseConflict.Source.NAMED)
    client = client_for(partner)
    listed = {m.pk for m in client.get(LIST).context["listing"].measures}
    assert listed == {two_departments["security_2"].pk}
    assert fingerprint(client.get(_measure_url(measure))) == fingerprint(
        client.get(_measure_url(uuid.uuid4()))
    )
    with pytest.raises(Http404):
        measure_update(
            measure=measure, actor=partner, status=MeasureStatus.ENDED, review_on=None, ends_on=None
        )


def test_only_partners_open_the_department_list(
    adviser: User, case_lead: User, insights_viewer: User
) -> None:
    for user in (adviser, case_lead, insights_viewer):
        assert client_for(user).get(LIST).status_code == 403


# --- IDOR: measure ids -------------------------------------------------------------------------

STRANGERS: Final = (
    "other_adviser",
    "other_partner",
    "insights_viewer",
    "administrator",
    "outsider",
)


@pytest.mark.parametrize("name", STRANGERS)
def test_a_measure_answers_strangers_exactly_like_a_missing_one(
    request: pytest.FixtureRequest,
    two_departments: dict[str, SafetyMeasure],
    name: str,
) -> None:
    measure = two_departments["security_1"]
    if name == "other_adviser":
        user = other_adviser()
    elif name == "other_partner":
        user = _accommodation_partner(request.getfixturevalue("accommodation"))
    else:
        user = request.getfixturevalue(name)
    client = client_for(user)
    before = _snapshot(measure)
    attempts: tuple[tuple[str, dict[str, str]], ...] = (
        ("get", {}),
        ("post", {"status": "ended", "note": "x"}),
        ("post", {"intent": "revise", "brief": "Taken over", "detail": "Taken over"}),
    )
    for method, data in attempts:
        foreign = getattr(client, method)(_measure_url(measure), data)
        missing = getattr(client, method)(_measure_url(uuid.uuid4()), data)
        assert fingerprint(foreign) == fingerprint(missing), (name, method, data)
        assert foreign.status_code in (403, 404)
        assert BRIEF_MARKER not in _html(foreign)
    assert _snapshot(measure) == before


def test_a_case_lead_sees_the_team_view_and_a_restricted_case_stays_hidden(
    two_departments: dict[str, SafetyMeasure], case_lead: User
) -> None:
    measure = two_departments["security_1"]
    client = client_for(case_lead)
    assert client.get(_measure_url(measure)).status_code == 200
    Case.objects.filter(pk=measure.case_id).update(restricted=True)
    assert fingerprint(client.get(_measure_url(measure))) == fingerprint(
        client.get(_measure_url(uuid.uuid4()))
    )


def test_a_measure_cannot_be_added_to_a_case_through_a_tampered_department(
    plan_case: Case, adviser: User
) -> None:
    response = client_for(adviser).post(
        _new_url(plan_case),
        {
            "kind": MeasureKind.ESCORT,
            "department": str(uuid.uuid4()),
            "brief": "Walk with them",
            "status": MeasureStatus.PROPOSED,
        },
    )
    assert response.status_code == 400
    assert not SafetyMeasure.objects.exists()


# --- Bounded queries ------------------------------------------------------------------------------

# Session, user and the MFA checks (middleware); the count; one page of measures with
# their keys; the department's name; the audit event (keyset, head, insert, head update,
# savepoints); the institution for the layout; the header's notification count (ADR 0033).
LIST_QUERIES: Final = 14


def _bulk_measures(cases: list[Case], department: Department, count: int) -> None:
    today = timezone.localdate()
    rows = []
    for index in range(count):
        measure = SafetyMeasure(
            case=cases[index % len(cases)],
            data_key_id=cases[index % len(cases)].data_key_id,
            kind=MeasureKind.values[index % len(MeasureKind.values)],
            department=department,
            status=MeasureStatus.AGREED,
            review_on=today + datetime.timedelta(days=index % 60),
        )
        measure.brief = f"Brief {index}"
        rows.append(measure)
    SafetyMeasure.objects.bulk_create(rows, batch_size=500)


@pytest.mark.parametrize("count", [10, 500])
def test_the_department_list_makes_the_same_number_of_queries_for_10_or_500_measures(
    open_case: OpenCase,
    partner: User,
    security_department: Department,
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    cases = [open_case() for _ in range(5)]
    _bulk_measures(cases, security_department, count)
    client: Client = client_for(partner)
    client.get(LIST)  # session and keysets warm

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST, {"page": "2" if count > MEASURE_PAGE_SIZE else "1"})

    assert response.status_code == 200
    assert len(response.context["listing"].measures) == min(MEASURE_PAGE_SIZE, count)
    assert response.context["listing"].page.paginator.count == count
    assert "Brief " in _html(response)
