"""The "my work" page: an adviser's or lead's open tasks and cases; a partner department's
open tasks and nothing else; a fixed number of queries however many tasks there are."""

from __future__ import annotations

import datetime
from typing import Any, Final

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import DjangoAssertNumQueries

from waypoint.accounts.models import User
from waypoint.accounts.tests.factories import DepartmentFactory
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import Case, CaseConflict, CaseStatus, Task, TaskStatus
from waypoint.casework.selectors.work import WORK_PAGE_SIZE
from waypoint.casework.services.work import task_create
from waypoint.casework.tests.conftest import OpenCase
from waypoint.institution.models import Department
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

OTHER_TOTP_SECRET: Final = "JBSWY3DPEHPK3PXPOTHERSTAFFTESTSE"
MARKER: Final = "CANARY-5c1e"
MY_WORK: Final = "/staff/work/"


def _client(user: User) -> Client:
    client = Client()
    login_as(client, user)
    return client


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _task(case: Case, title: str, *, due: int | None = None, **owner: Any) -> Task:
    task = task_create(case=case, actor=owner.pop("actor"), title=title, brief="Brief", **owner)
    if due is not None:
        # Past dates are refused when a task is added; set them afterwards.
        Task.objects.filter(pk=task.pk).update(due_on=_days(due))
    return task


def test_my_work_has_a_stable_address() -> None:
    assert reverse("casework:my_work") == MY_WORK


def test_an_adviser_sees_their_open_tasks_overdue_first_and_their_cases_with_clocks(
    open_case: OpenCase, adviser: User, case_lead: User
) -> None:
    mine = open_case(assign=[adviser])
    _task(mine, "Due next week", due=7, actor=adviser, assignee=adviser)
    _task(mine, "Overdue by two days", due=-2, actor=adviser, assignee=adviser)
    _task(mine, "No date", actor=adviser, assignee=adviser)
    done = _task(mine, "Already done", actor=adviser, assignee=adviser)
    Task.objects.filter(pk=done.pk).update(status=TaskStatus.DONE)
    _task(mine, f"Lead's own {MARKER}", actor=case_lead, assignee=case_lead)
    closed = open_case(assign=[adviser])
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    someone_elses = open_case()

    response = _client(adviser).get(MY_WORK)

    assert response.status_code == 200
    html = response.content.decode()
    order = [html.index(t) for t in ("Overdue by two days", "Due next week", "No date")]
    assert order == sorted(order)
    assert "Overdue</strong>" in html
    assert "Already done" not in html
    assert MARKER not in html
    assert "My cases" in html
    assert mine.report.reference in html
    assert "Due in" in html or "Due today" in html
    assert closed.report.reference not in html
    assert someone_elses.report.reference not in html


def test_a_partner_sees_only_their_department_s_open_tasks_and_no_case(
    open_case: OpenCase, adviser: User, partner: User, security_department: Department
) -> None:
    case = open_case(
        assign=[adviser],
        answers={"what": {"text": f"answer {MARKER}"}},
        contact={"name": f"Name {MARKER}"},
    )
    estates = DepartmentFactory.create(name="Estates", slug="estates")
    _task(case, "Patrol awareness", due=-1, actor=adviser, department=security_department)
    _task(case, "Check the CCTV", due=3, actor=adviser, department=security_department)
    _task(case, f"Estates {MARKER}", actor=adviser, department=estates)
    _task(case, f"Adviser's {MARKER}", actor=adviser, assignee=adviser)

    response = _client(partner).get(MY_WORK)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Patrol awareness") < html.index("Check the CCTV")
    assert "Security" in html
    assert MARKER not in html
    assert case.report.reference not in html
    assert "/staff/cases/" not in html
    assert "My cases" not in html


def test_a_partner_never_sees_a_task_of_a_case_they_are_named_in(
    open_case: OpenCase, adviser: User, partner: User, security_department: Department
) -> None:
    case = open_case(assign=[adviser])
    _task(case, f"Named {MARKER}", actor=adviser, department=security_department)
    CaseConflict.objects.create(case=case, user=partner, source=CaseConflict.Source.NAMED)

    html = _client(partner).get(MY_WORK).content.decode()

    assert MARKER not in html
    assert "There are no open tasks for your department" in html


@pytest.mark.parametrize("who", ["insights_viewer", "administrator", "outsider"])
def test_people_without_work_of_their_own_are_refused(
    request: pytest.FixtureRequest, who: str
) -> None:
    user: User = request.getfixturevalue(who)
    if who == "administrator":
        user.case_access_granted = True
        user.save()

    assert _client(user).get(MY_WORK).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(MY_WORK)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_listing_is_audited_with_the_ids_shown(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])
    task = _task(case, "T", actor=adviser, assignee=adviser)

    _client(adviser).get(MY_WORK)

    event = AuditEvent.objects.filter(action="work.view").latest("seq")
    assert event.actor_id == str(adviser.pk)
    assert event.extra["task_ids"] == [str(task.pk)]
    assert event.extra["case_ids"] == [str(case.pk)]


def test_long_lists_come_a_page_at_a_time(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])
    _bulk_tasks(case, WORK_PAGE_SIZE + 3, assignee=adviser)
    client = _client(adviser)

    first = client.get(MY_WORK).content.decode()
    second = client.get(MY_WORK, {"page": "2"}).content.decode()

    assert first.count('href="/staff/tasks/') == WORK_PAGE_SIZE
    assert second.count('href="/staff/tasks/') == 3
    assert "Page 2 of 2" in second
    assert client.get(MY_WORK, {"page": "nonsense"}).status_code == 200


# --- Cost -------------------------------------------------------------------------------------


def _bulk_tasks(case: Case, count: int, **owner: Any) -> None:
    today = timezone.localdate()
    Task.objects.bulk_create(
        Task(
            case=case,
            data_key=case.data_key,
            title=f"Task {number}",
            due_on=today + datetime.timedelta(days=(number % 40) - 20),
            **owner,
        )
        for number in range(count)
    )


def _bulk_cases(open_case: OpenCase, count: int, user: User) -> None:
    for _ in range(count):
        open_case(assign=[user])


@pytest.mark.parametrize("count", [10, 1_000])
def test_an_adviser_s_page_costs_the_same_number_of_queries_at_10_and_1000_tasks(
    open_case: OpenCase,
    adviser: User,
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    case = open_case(assign=[adviser])
    _bulk_tasks(case, count, assignee=adviser)
    _bulk_cases(open_case, 3 if count == 10 else 25, adviser)
    client = _client(adviser)

    with django_assert_num_queries(ADVISER_PAGE_QUERIES):
        response = client.get(MY_WORK)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 1_000])
def test_a_partner_s_page_costs_the_same_number_of_queries_at_10_and_1000_tasks(
    open_case: OpenCase,
    partner: User,
    security_department: Department,
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    case = open_case()
    _bulk_tasks(case, count, department=security_department)
    _bulk_tasks(case, count, department=DepartmentFactory.create(slug="estates"))
    client = _client(partner)

    with django_assert_num_queries(PARTNER_PAGE_QUERIES):
        response = client.get(MY_WORK)
    assert response.status_code == 200


# Signing the request in: session, user, MFA check twice (4); the institution for the
# layout (1); the tasks: count and page (2); the audit entry (3, in a savepoint: 2). An
# adviser's cases: count and page (2), holidays for the clocks (1), the institution (1).
# A partner's department name (1). The header's notification count (1, ADR 0033).
ADVISER_PAGE_QUERIES: Final = 17
PARTNER_PAGE_QUERIES: Final = 15
