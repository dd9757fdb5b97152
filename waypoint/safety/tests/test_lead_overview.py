"""The lead's overview (issue 12, item 9): open measures by department, status and review
date; open tasks by person and department; caseloads and overdue first contacts.

Personas: Lee, the case lead (`case_lead`); Ada, the adviser on most cases (`adviser`);
the Security department (`security_department`) and Accommodation (`accommodation`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import UserFactory
from waypoint.casework.models import Case, CaseClock, CaseConflict, CaseGrant, Task
from waypoint.casework.services.work import task_create
from waypoint.casework.services.workflow import case_close
from waypoint.institution.models import Department
from waypoint.privacy.models import AuditEvent
from waypoint.safety.models import MeasureKind, MeasureStatus, SafetyMeasure
from waypoint.safety.selectors.overview import MEASURES_PER_PAGE, lead_overview_for_lead
from waypoint.safety.tests.plans_support import *  # noqa: F403  (fixtures)
from waypoint.safety.tests.plans_support import OpenCase, add_measure

pytestmark = pytest.mark.django_db

URL = "/staff/overview/"
TODAY = timezone.localdate()


@pytest.fixture
def departments(security_department: Department, accommodation: Department) -> list[Department]:
    """Security (the partner persona's) and Accommodation."""
    return [security_department, accommodation]


def _text(response: object) -> str:
    return re.sub(r"\s+", " ", response.content.decode())  # type: ignore[attr-defined]


def _overdue_first_contact(case: Case) -> None:
    CaseClock.objects.filter(case=case).update(
        first_contact_due_at=timezone.now() - datetime.timedelta(days=2)
    )


def test_the_address_is_the_one_leads_bookmark() -> None:
    assert reverse("safety:lead_overview") == URL


def test_lee_sees_every_open_measure_by_department_status_and_review_date(
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    departments: list[Department],
    signed_in_client: Callable[[User], Client],
) -> None:
    security_department, accommodation = departments
    first = open_case(assign=[adviser])
    second = open_case(assign=[adviser])
    late = add_measure(first, adviser, security_department, review_on=TODAY)
    # A review date that has passed since (the service takes only dates from today on).
    SafetyMeasure.objects.filter(pk=late.pk).update(review_on=TODAY - datetime.timedelta(days=1))
    add_measure(
        second,
        adviser,
        accommodation,
        kind=MeasureKind.ACCOMMODATION_MOVE,
        status=MeasureStatus.PROPOSED,
        review_on=TODAY + datetime.timedelta(days=5),
    )
    add_measure(first, adviser, accommodation, status=MeasureStatus.ENDED)

    page = _text(signed_in_client(case_lead).get(URL))

    assert "2 open measures, sorted by review date" in page
    assert first.report.reference in page and second.report.reference in page
    assert page.index(first.report.reference) < page.index(second.report.reference)
    assert "Review overdue" in page
    assert 'aria-sort="ascending"' in page
    # Never what the team wrote in a measure, nor what the department was told.
    assert "DETAIL-MARKER" not in page and "BRIEF-MARKER" not in page


def test_a_closed_case_s_measures_are_not_open_work(
    open_case: OpenCase, adviser: User, case_lead: User, security_department: Department
) -> None:
    case = open_case(assign=[adviser])
    add_measure(case, adviser, security_department)
    case_close(
        case=case, actor=adviser, outcome="supported", support_given=["one_to_one"], reason="Done"
    )

    overview = lead_overview_for_lead(user=case_lead)

    assert overview.measures == []
    assert overview.open_cases == 0


def test_hidden_cases_are_left_out_of_everything_counts_included(
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    security_department: Department,
    signed_in_client: Callable[[User], Client],
) -> None:
    shown = open_case(assign=[adviser])
    restricted = open_case(assign=[adviser], restricted=True)
    conflicted = open_case(assign=[adviser])
    CaseConflict.objects.create(case=conflicted, user=case_lead, source="declared")
    for case in (shown, restricted, conflicted):
        add_measure(case, adviser, security_department)
        task_create(case=case, actor=adviser, title="Call", brief="", assignee=adviser)
        _overdue_first_contact(case)

    overview = lead_overview_for_lead(user=case_lead)
    page = _text(signed_in_client(case_lead).get(URL))

    assert overview.open_cases == 1
    assert [row.reference for row in overview.measures] == [shown.report.reference]
    ada = next(load for load in overview.caseloads if load.adviser == str(adviser))
    assert (ada.open, ada.overdue_first_contact) == (1, 1)
    assert [(load.owner, load.open) for load in overview.tasks] == [(str(adviser), 1)]
    assert restricted.report.reference not in page
    assert conflicted.report.reference not in page


def test_a_restricted_case_lee_is_named_on_is_in_the_overview(
    open_case: OpenCase, adviser: User, case_lead: User, security_department: Department
) -> None:
    case = open_case(assign=[adviser], restricted=True)
    CaseGrant.objects.create(case=case, user=case_lead)
    add_measure(case, adviser, security_department)

    overview = lead_overview_for_lead(user=case_lead)

    assert [row.reference for row in overview.measures] == [case.report.reference]


def test_open_tasks_are_counted_by_person_and_by_department_most_overdue_first(
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    security_department: Department,
) -> None:
    case = open_case(assign=[adviser])
    yesterday = TODAY - datetime.timedelta(days=1)
    task_create(case=case, actor=adviser, title="A", brief="", assignee=adviser, due_on=None)
    late = task_create(
        case=case,
        actor=adviser,
        title="B",
        brief="b",
        department=security_department,
        due_on=TODAY,
    )
    Task.objects.filter(pk=late.pk).update(due_on=yesterday)  # fell due since
    task_create(
        case=case,
        actor=adviser,
        title="C",
        brief="c",
        department=security_department,
        due_on=TODAY + datetime.timedelta(days=3),
    )

    overview = lead_overview_for_lead(user=case_lead)

    assert [(t.owner, t.owner_kind, t.open, t.overdue, t.next_due) for t in overview.tasks] == [
        ("Security", "Department", 2, 1, yesterday),
        (str(adviser), "Person", 1, 0, None),
    ]


def test_each_adviser_s_caseload_shows_urgent_cases_and_overdue_first_contacts(
    open_case: OpenCase, adviser: User, case_lead: User
) -> None:
    UserFactory.create(role=Role.ADVISER, display_name="Ivy Idle")
    urgent = open_case(assign=[adviser], urgent=True)
    open_case(assign=[adviser])
    waiting = open_case()
    _overdue_first_contact(urgent)
    _overdue_first_contact(waiting)

    overview = lead_overview_for_lead(user=case_lead)

    loads = {load.adviser: load for load in overview.caseloads}
    ada = loads[str(adviser)]
    assert (ada.open, ada.urgent, ada.overdue_first_contact) == (2, 1, 1)
    # An adviser with nothing open is listed too: that is news for a lead.
    assert (loads["Ivy Idle"].open, loads["Ivy Idle"].overdue_first_contact) == (0, 0)
    assert (overview.unassigned_open, overview.unassigned_overdue) == (1, 1)


def test_the_department_filter_keeps_only_that_department_s_measures_and_tasks(
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    departments: list[Department],
    signed_in_client: Callable[[User], Client],
) -> None:
    security_department, accommodation = departments
    security_case = open_case(assign=[adviser])
    housing_case = open_case(assign=[adviser])
    add_measure(security_case, adviser, security_department)
    add_measure(housing_case, adviser, accommodation)
    task_create(case=housing_case, actor=adviser, title="T", brief="b", department=accommodation)

    response = signed_in_client(case_lead).get(URL, {"department": "security", "sort": "status"})
    page = _text(response)

    assert response.status_code == 200
    assert security_case.report.reference in page
    assert housing_case.report.reference not in page
    assert "No open tasks for Security." in page
    assert "Remove filter: Security" in page
    assert "sorted by status" in page


def test_an_unknown_department_or_sort_shows_everything_in_the_usual_order(
    case_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(case_lead).get(URL, {"department": "nope", "sort": "drop"})

    assert response.status_code == 200
    assert "sorted by review date" in _text(response) or "No open measures." in _text(response)


def test_each_showing_is_audited_with_the_cases_whose_references_it_shows(
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    security_department: Department,
    signed_in_client: Callable[[User], Client],
) -> None:
    case = open_case(assign=[adviser])
    add_measure(case, adviser, security_department)

    signed_in_client(case_lead).get(URL)

    event = AuditEvent.objects.get(action="lead.overview_viewed")
    assert event.extra["case_ids"] == [str(case.pk)]
    assert event.extra["open_cases"] == 1


def test_only_leads_see_the_overview_and_its_link(
    adviser: User,
    partner: User,
    administrator: User,
    case_lead: User,
    signed_in_client: Callable[[User], Client],
) -> None:
    for person in (adviser, partner, administrator):
        client = signed_in_client(person)
        assert client.get(URL).status_code == 403, person
        assert f'href="{URL}"' not in _text(client.get(reverse("staff:home")))
        client.logout()

    client = signed_in_client(case_lead)
    assert f'href="{URL}"' in _text(client.get(reverse("staff:home")))


def test_an_administrator_granted_case_access_sees_it_as_a_lead(
    administrator: User, signed_in_client: Callable[[User], Client]
) -> None:
    administrator.case_access_granted = True
    administrator.save(update_fields=["case_access_granted"])

    assert signed_in_client(administrator).get(URL).status_code == 200


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def _busy_cases(
    open_case: OpenCase, count: int, adviser: User, departments: list[Department]
) -> None:
    for number in range(count):
        case = open_case(assign=[adviser], urgent=number % 3 == 0)
        add_measure(case, adviser, departments[number % 2])
        task_create(
            case=case,
            actor=adviser,
            title="T",
            brief="b",
            department=departments[number % 2] if number % 2 else None,
            assignee=None if number % 2 else adviser,
        )


# The request's session, user and MFA checks, the departments, the six reads (measure
# counts and page, tasks, caseloads, unassigned, open cases), the staff named, the audit.
OVERVIEW_QUERIES = 19


def test_the_overview_takes_the_same_queries_for_10_and_100_cases(
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    departments: list[Department],
    signed_in_client: Callable[[User], Client],
) -> None:
    client = signed_in_client(case_lead)
    client.get(URL)  # the first request of a session saves it; count the usual ones

    _busy_cases(open_case, 10, adviser, departments)
    at_10 = _queries(client)
    _busy_cases(open_case, 90, adviser, departments)
    at_100 = _queries(client)

    assert at_10 == at_100 == OVERVIEW_QUERIES


def test_the_measures_come_forty_to_a_page_and_the_counts_cover_them_all(
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    security_department: Department,
    signed_in_client: Callable[[User], Client],
) -> None:
    cases = [open_case(assign=[adviser]) for _ in range(MEASURES_PER_PAGE + 1)]
    for case in cases:
        add_measure(case, adviser, security_department)
    client = signed_in_client(case_lead)

    first = lead_overview_for_lead(user=case_lead)
    last = lead_overview_for_lead(user=case_lead, page="2")
    page = _text(client.get(URL, {"page": "2"}))

    assert (len(first.measures), len(last.measures)) == (MEASURES_PER_PAGE, 1)
    assert first.measure_counts == [("Security", {"Proposed": 0, "Agreed": 41, "In place": 0})]
    assert "41 open measures, sorted by review date, page 2 of 2" in page
    assert "Previous page of measures" in page
    # Each showing names the cases of its own page only.
    shown = AuditEvent.objects.filter(action="lead.overview_viewed").order_by("pk").last()
    assert shown is not None and len(shown.extra["case_ids"]) == 1
    # A page number out of range shows the nearest page.
    assert lead_overview_for_lead(user=case_lead, page="99").page == 2
    assert lead_overview_for_lead(user=case_lead, page="x").page == 1
