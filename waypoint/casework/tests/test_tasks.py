"""Tasks on a case: who may add them and to whom, who may update them, what a partner
department sees (the minimum, never the case), and the case page's tasks panel."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Final

import pytest
from django.db import connection
from django.http import Http404
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import DjangoAssertNumQueries

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import DepartmentFactory, UserFactory
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import (
    Case,
    CaseConflict,
    CaseGrant,
    EntryKind,
    Task,
    TaskStatus,
    TimelineEntry,
)
from waypoint.casework.selectors.work import task_owner_people
from waypoint.casework.services import message_send_from_reporter
from waypoint.casework.services.work import TaskError, task_create, task_update
from waypoint.casework.tests.conftest import OpenCase
from waypoint.institution.models import Department
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

OTHER_TOTP_SECRET: Final = "JBSWY3DPEHPK3PXPOTHERSTAFFTESTSE"
MARKER: Final = "CANARY-7f3a"


def _client(user: User) -> Client:
    client = Client()
    login_as(client, user)
    return client


def _other(role: str, **extra: Any) -> User:
    return UserFactory.create(role=role, totp_secret=OTHER_TOTP_SECRET, **extra)


def _task_url(task_id: object) -> str:
    return reverse("casework:task", kwargs={"task_id": task_id})


def _create_url(case_id: object) -> str:
    return reverse("casework:task_create", kwargs={"case_id": case_id})


def _tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def _panel(user: User, case: Case) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load casework_work %}{% case_tasks_panel case %}")
    return template.render(Context({"request": request, "case": case}))


def _counts() -> tuple[int, int, int]:
    return (
        Task.objects.count(),
        TimelineEntry.objects.filter(kind=EntryKind.TASK).count(),
        AuditEvent.objects.filter(action__startswith="task.").exclude(action="task.view").count(),
    )


def _state(task: Task) -> tuple[str, datetime.datetime | None]:
    task.refresh_from_db()
    return task.status, task.completed_at


def _outcome(response: Any) -> tuple[int, list[str]]:
    return response.status_code, sorted({t.name for t in response.templates})


# --- Adding tasks ---------------------------------------------------------------------------


def test_a_lead_gives_a_task_to_the_assigned_adviser_sealed_timelined_and_audited(
    open_case: OpenCase, adviser: User, case_lead: User
) -> None:
    case = open_case(assign=[adviser])

    task = task_create(
        case=case,
        actor=case_lead,
        title=f"Call back {MARKER}",
        brief=f"Talk through options {MARKER}",
        assignee=adviser,
        due_on=_tomorrow(),
    )

    task = Task.objects.get(pk=task.pk)
    assert (task.title, task.brief) == (f"Call back {MARKER}", f"Talk through options {MARKER}")
    assert (task.assignee, task.department, task.status) == (adviser, None, TaskStatus.OPEN)
    with connection.cursor() as cursor:
        cursor.execute("SELECT title, brief FROM casework_task")
        raw = b"".join(bytes(value) for value in cursor.fetchone())
    assert MARKER.encode() not in raw
    entry = TimelineEntry.objects.get(kind=EntryKind.TASK)
    assert (entry.task_id, entry.actor, entry.detail["event"]) == (task.pk, case_lead, "created")
    event = AuditEvent.objects.get(action="task.created")
    assert (event.object_id, event.extra["case_id"]) == (str(task.pk), str(case.pk))
    assert MARKER not in str(entry.detail) + str(event.extra)


def test_an_adviser_adds_a_department_task_from_the_case_page(
    open_case: OpenCase, adviser: User, security_department: Department
) -> None:
    case = open_case(assign=[adviser])
    client = _client(adviser)

    response = client.post(
        _create_url(case.pk),
        {
            "title": "Patrol awareness",
            "owner": f"department:{security_department.pk}",
            "brief": "Evening patrols near the library.",
            "due_on": _tomorrow().isoformat(),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("casework:case", kwargs={"case_id": case.pk}) + "#tasks"
    task = Task.objects.get()
    assert (task.department, task.assignee, task.due_on) == (security_department, None, _tomorrow())


def test_the_add_a_task_page_offers_only_people_who_may_see_the_case_and_the_departments(
    open_case: OpenCase, adviser: User, case_lead: User, security_department: Department
) -> None:
    case = open_case(assign=[adviser])
    unassigned = _other(Role.ADVISER, display_name="Unassigned Adviser")
    conflicted = _other(Role.CASE_LEAD, display_name="Conflicted Lead")
    CaseConflict.objects.create(case=case, user=conflicted, source=CaseConflict.Source.NAMED)
    partner = _other(Role.PARTNER, display_name="Partner Person", department=security_department)

    html = _client(adviser).get(_create_url(case.pk)).content.decode()

    assert f'value="person:{adviser.pk}"' in html
    assert f'value="person:{case_lead.pk}"' in html
    assert f'value="department:{security_department.pk}"' in html
    for person in (unassigned, conflicted, partner):
        assert str(person.pk) not in html
        assert person.display_name not in html


def test_the_choice_of_people_follows_the_policy_on_a_restricted_case(
    open_case: OpenCase, adviser: User, case_lead: User
) -> None:
    case = open_case(assign=[adviser], restricted=True)
    named_lead = _other(Role.CASE_LEAD)
    CaseGrant.objects.create(case=case, user=named_lead)
    granted_admin = _other(Role.ADMINISTRATOR, case_access_granted=True)
    staff = [adviser, case_lead, named_lead, granted_admin, _other(Role.ADVISER)]

    offered = set(task_owner_people(case=case))

    assert offered == {user for user in staff if policy.can(user, "case.view", case)}
    assert offered == {adviser, named_lead}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"title": "", "owner": "self"}, "Give the task a short title."),
        ({"title": "A task", "owner": ""}, "Choose who will do the task."),
        ({"title": "A task", "owner": "department:security", "brief": ""}, "Write a brief"),
        ({"title": "A task", "owner": "self", "due_on": "2001-01-01"}, "from today onwards"),
        ({"title": "A task", "owner": "self", "due_on": "next week"}, "as a date"),
        ({"title": "x" * 201, "owner": "self"}, "at most 200 characters"),
    ],
)
def test_a_task_with_a_problem_comes_back_with_an_error_summary_and_nothing_is_saved(
    open_case: OpenCase,
    adviser: User,
    security_department: Department,
    data: dict[str, str],
    error: str,
) -> None:
    case = open_case(assign=[adviser])
    owner = data["owner"].replace("self", f"person:{adviser.pk}")
    owner = owner.replace("department:security", f"department:{security_department.pk}")

    response = _client(adviser).post(_create_url(case.pk), {**data, "owner": owner})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert error in html
    assert not Task.objects.exists()


def test_the_service_insists_on_exactly_one_owner_who_may_see_the_case(
    open_case: OpenCase, adviser: User, case_lead: User, security_department: Department
) -> None:
    case = open_case(assign=[adviser])
    common: dict[str, Any] = {"case": case, "actor": case_lead, "title": "T", "brief": "B"}

    with pytest.raises(TaskError, match="one person or one department"):
        task_create(**common)
    with pytest.raises(TaskError, match="one person or one department"):
        task_create(**common, assignee=adviser, department=security_department)
    with pytest.raises(TaskError, match="cannot see this case"):
        task_create(**common, assignee=_other(Role.ADVISER))
    with pytest.raises(TaskError, match="cannot see this case"):
        task_create(**common, assignee=_other(Role.PARTNER, department=security_department))
    with pytest.raises(Http404):
        task_create(**{**common, "actor": _other(Role.ADVISER)}, assignee=adviser)
    assert not Task.objects.exists()


@pytest.mark.parametrize("owner", ["unassigned_adviser", "conflicted_lead", "partner", "random"])
def test_a_tampered_owner_naming_someone_the_actor_may_not_use_is_refused(
    open_case: OpenCase, adviser: User, security_department: Department, owner: str
) -> None:
    case = open_case(assign=[adviser])
    if owner == "unassigned_adviser":
        value = f"person:{_other(Role.ADVISER).pk}"
    elif owner == "conflicted_lead":
        lead = _other(Role.CASE_LEAD)
        CaseConflict.objects.create(case=case, user=lead, source=CaseConflict.Source.DECLARED)
        value = f"person:{lead.pk}"
    elif owner == "partner":
        value = f"person:{_other(Role.PARTNER, department=security_department).pk}"
    else:
        value = f"department:{uuid.uuid4()}"
    before = _counts()

    response = _client(adviser).post(
        _create_url(case.pk), {"title": "T", "brief": "B", "owner": value}
    )

    assert response.status_code == 400
    assert "Choose someone from the list." in response.content.decode()
    assert _counts() == before


# --- Updating tasks ---------------------------------------------------------------------------


@pytest.fixture
def security_task(open_case: OpenCase, adviser: User, security_department: Department) -> Task:
    case = open_case(assign=[adviser])
    return task_create(
        case=case,
        actor=adviser,
        title="Patrol awareness",
        brief="Evening patrols near the library.",
        department=security_department,
        due_on=_tomorrow(),
    )


def test_a_partner_of_the_department_moves_the_task_on_with_a_note_for_the_team(
    security_task: Task, partner: User, adviser: User
) -> None:
    client = _client(partner)

    response = client.post(
        _task_url(security_task.pk), {"status": "in_progress", "note": "Patrols start tonight."}
    )
    assert response.status_code == 302
    assert _state(security_task) == (TaskStatus.IN_PROGRESS, None)

    client.post(_task_url(security_task.pk), {"status": "done"})
    status, completed_at = _state(security_task)
    assert status == TaskStatus.DONE
    assert completed_at is not None

    entries = TimelineEntry.objects.filter(task=security_task).order_by("occurred_at")
    assert [e.detail["event"] for e in entries] == ["created", "status", "status"]
    assert entries[1].text == "Patrols start tonight."
    assert entries[1].actor == partner
    events = AuditEvent.objects.filter(action="task.updated").order_by("seq")
    assert [e.extra["status"] for e in events] == ["in_progress", "done"]
    assert "Patrols" not in str([e.extra for e in events])
    # The team sees the update in the task's history.
    html = _client(adviser).get(_task_url(security_task.pk)).content.decode()
    assert "Patrols start tonight." in html
    assert "Status changed from In progress to Done" in html


def test_a_partner_may_not_cancel_a_task_but_the_case_team_may(
    security_task: Task, partner: User, adviser: User
) -> None:
    response = _client(partner).post(_task_url(security_task.pk), {"status": "cancelled"})
    assert response.status_code == 400
    assert _state(security_task) == (TaskStatus.OPEN, None)

    with pytest.raises(TaskError, match="Only the case team"):
        task_update(task=security_task, actor=partner, status=TaskStatus.CANCELLED)

    task_update(task=security_task, actor=adviser, status=TaskStatus.CANCELLED)
    assert _state(security_task) == (TaskStatus.CANCELLED, None)


def test_the_assignee_and_a_case_lead_may_update_a_person_s_task(
    open_case: OpenCase, adviser: User, case_lead: User
) -> None:
    case = open_case(assign=[adviser])
    task = task_create(case=case, actor=case_lead, title="T", brief="", assignee=adviser)

    task_update(task=task, actor=adviser, status=TaskStatus.DONE)
    assert _state(task)[0] == TaskStatus.DONE
    task_update(task=task, actor=case_lead, status=TaskStatus.OPEN, note="Reopened: more to do")
    assert _state(task) == (TaskStatus.OPEN, None)


def test_an_assignee_who_no_longer_sees_the_case_sees_only_the_minimum_and_may_update(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    task = task_create(case=case, actor=adviser, title="Ring back", brief="", assignee=adviser)
    case.assignments.filter(user=adviser).delete()

    response = _client(adviser).get(_task_url(task.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ring back" in html
    assert case.report.reference not in html
    assert reverse("casework:case", kwargs={"case_id": case.pk}) not in html
    assert 'value="cancelled"' not in html
    task_update(task=task, actor=adviser, status=TaskStatus.DONE)
    assert _state(task)[0] == TaskStatus.DONE


def test_an_unchanged_status_without_a_note_changes_nothing(
    security_task: Task, partner: User
) -> None:
    before = _counts()

    response = _client(partner).post(_task_url(security_task.pk), {"status": "open"})

    assert response.status_code == 400
    assert "Choose a new status, or write a note" in response.content.decode()
    assert _counts() == before


# --- What a partner sees ----------------------------------------------------------------------


def test_a_partner_sees_only_the_title_brief_due_date_and_status_of_their_department_s_task(
    open_case: OpenCase, adviser: User, partner: User, security_department: Department
) -> None:
    case = open_case(
        assign=[adviser],
        answers={"what": {"text": f"answer {MARKER}"}},
        contact={"name": f"Name {MARKER}", "email": "someone@student.test"},
    )
    message_send_from_reporter(case=case, body=f"message {MARKER}")
    task = task_create(
        case=case,
        actor=adviser,
        title="Patrol awareness",
        brief="Evening patrols near the library.",
        department=security_department,
        due_on=_tomorrow(),
    )
    task_create(case=case, actor=adviser, title=f"Other {MARKER}", brief="", assignee=adviser)
    task_update(task=task, actor=adviser, status=TaskStatus.IN_PROGRESS, note=f"note {MARKER}")

    response = _client(partner).get(_task_url(task.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Patrol awareness" in html
    assert "Evening patrols near the library." in html
    assert _tomorrow().strftime("%-d %B %Y") in html
    assert "In progress" in html
    assert 'name="status"' in html
    assert MARKER not in html
    assert case.report.reference not in html
    assert str(case.pk) not in html
    assert "/staff/cases/" not in html
    assert adviser.display_name not in html


@pytest.mark.parametrize(
    "who",
    ["other_partner", "other_adviser", "insights", "administrator", "outsider", "conflicted"],
)
def test_a_task_someone_may_not_see_answers_exactly_like_a_missing_one(
    security_task: Task, request: pytest.FixtureRequest, who: str
) -> None:
    if who == "other_partner":
        user = _other(Role.PARTNER, department=DepartmentFactory.create(slug="estates"))
    elif who == "other_adviser":
        user = _other(Role.ADVISER)
    elif who == "insights":
        user = request.getfixturevalue("insights_viewer")
    elif who == "conflicted":
        # A member of the right department, but named in the report.
        user = _other(Role.PARTNER, department=security_task.department)
        CaseConflict.objects.create(
            case=security_task.case, user=user, source=CaseConflict.Source.NAMED
        )
    else:
        user = request.getfixturevalue(who)
    client = _client(user)
    before = _counts()
    missing_id = uuid.uuid4()

    assert _outcome(client.get(_task_url(security_task.pk))) == _outcome(
        client.get(_task_url(missing_id))
    )
    for data in ({"status": "done"}, {"status": "in_progress", "note": "Hi"}):
        foreign = client.post(_task_url(security_task.pk), data)
        missing = client.post(_task_url(missing_id), data)
        assert foreign.status_code in (403, 404)
        assert _outcome(foreign) == _outcome(missing)
    assert _state(security_task) == (TaskStatus.OPEN, None)
    assert _counts() == before


@pytest.mark.parametrize(
    "who", ["other_adviser", "partner", "insights_viewer", "administrator", "outsider"]
)
def test_adding_a_task_to_a_foreign_case_answers_exactly_like_a_missing_case(
    open_case: OpenCase,
    adviser: User,
    security_department: Department,
    request: pytest.FixtureRequest,
    who: str,
) -> None:
    case = open_case(assign=[adviser])
    user = _other(Role.ADVISER) if who == "other_adviser" else request.getfixturevalue(who)
    client = _client(user)
    data = {
        "title": "T",
        "brief": "B",
        "owner": f"department:{security_department.pk}",
    }
    before = _counts()

    assert _outcome(client.get(_create_url(case.pk))) == _outcome(
        client.get(_create_url(uuid.uuid4()))
    )
    assert _outcome(client.post(_create_url(case.pk), data)) == _outcome(
        client.post(_create_url(uuid.uuid4()), data)
    )
    assert _counts() == before


def test_the_case_team_sees_the_task_with_its_case(
    security_task: Task, adviser: User, case_lead: User
) -> None:
    for user in (adviser, case_lead):
        html = _client(user).get(_task_url(security_task.pk)).content.decode()
        assert security_task.case.report.reference in html
        assert reverse("casework:case", kwargs={"case_id": security_task.case_id}) in html
        assert "Security" in html
        assert 'value="cancelled"' in html


def test_opening_a_task_is_audited_with_ids_only(security_task: Task, partner: User) -> None:
    _client(partner).get(_task_url(security_task.pk))

    event = AuditEvent.objects.filter(action="task.view").latest("seq")
    assert (event.actor_id, event.object_id) == (str(partner.pk), str(security_task.pk))
    assert event.extra == {"case_id": str(security_task.case_id), "full": False}


# --- The case page's panel --------------------------------------------------------------------


def test_the_panel_lists_the_case_s_tasks_open_and_overdue_first_with_the_add_form(
    open_case: OpenCase, adviser: User, security_department: Department
) -> None:
    case = open_case(assign=[adviser])
    later = task_create(
        case=case,
        actor=adviser,
        title="Later",
        brief="",
        assignee=adviser,
        due_on=_tomorrow() + datetime.timedelta(days=5),
    )
    done = task_create(case=case, actor=adviser, title="Finished", brief="", assignee=adviser)
    task_update(task=done, actor=adviser, status=TaskStatus.DONE)
    overdue = task_create(case=case, actor=adviser, title="Overdue one", brief="", assignee=adviser)
    Task.objects.filter(pk=overdue.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=2)
    )

    html = _panel(adviser, case)

    assert html.index("Overdue one") < html.index("Later") < html.index("Finished")
    assert "Overdue</strong>" in html
    assert _task_url(later.pk) in html
    assert f'action="{_create_url(case.pk)}"' in html
    assert f'value="department:{security_department.pk}"' in html


@pytest.mark.parametrize("count", [2, 30])
def test_the_panel_costs_the_same_number_of_queries_however_many_tasks(
    open_case: OpenCase,
    adviser: User,
    security_department: Department,
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    case = open_case(assign=[adviser])
    for number in range(count):
        task_create(
            case=case,
            actor=adviser,
            title=f"Task {number}",
            brief="Brief",
            assignee=adviser if number % 2 else None,
            department=None if number % 2 else security_department,
        )

    # The tasks with their owners (1); the policy asked about the case, to read (2) and to
    # add (2); the people who may take a task (1); the departments (1).
    with django_assert_num_queries(7):
        _panel(adviser, case)
