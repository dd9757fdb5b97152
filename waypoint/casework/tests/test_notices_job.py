"""The scheduled notices job: first-contact breaches and overdue tasks, each notice sent
once however often (or however concurrently) the job runs, and never a word of a case."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any, Final

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.accounts.tests.factories import DepartmentFactory
from waypoint.casework.models import Case, CaseClock, CaseStatus, Task, TaskStatus
from waypoint.casework.services import message_send_from_reporter
from waypoint.casework.services import work as work_services
from waypoint.casework.services.work import NoticeRun, notices_send_due, task_create
from waypoint.casework.tests.conftest import TEAM_NAME, TRIAGE_EMAIL, OpenCase
from waypoint.institution.models import Department, Institution
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

MARKER: Final = "CANARY-91d0"


@pytest.fixture(autouse=True)
def _triage_inbox(institution: Institution) -> Institution:
    return institution


def _run(django_capture_on_commit_callbacks: Any, **kwargs: Any) -> NoticeRun:
    with django_capture_on_commit_callbacks(execute=True):
        return notices_send_due(**kwargs)


def _overdue_clock(case: Case, hours: int = 1) -> None:
    CaseClock.objects.filter(case=case).update(
        first_contact_due_at=timezone.now() - datetime.timedelta(hours=hours)
    )


def _overdue(task: Task, days: int = 1) -> Task:
    Task.objects.filter(pk=task.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=days)
    )
    return task


def _marked_case(open_case: OpenCase, **kwargs: Any) -> Case:
    case = open_case(
        answers={"what": {"text": f"answer {MARKER}"}},
        contact={"name": f"Name {MARKER}", "email": "reporter@student.test"},
        **kwargs,
    )
    message_send_from_reporter(case=case, body=f"message {MARKER}")
    return case


def _assert_nothing_identifying(case: Case) -> None:
    for email in mail.outbox:
        text = f"{email.subject}\n{email.body}"
        assert MARKER not in text
        assert case.report.reference not in text
        assert str(case.pk) not in text
        assert TEAM_NAME not in text


# --- First-contact breaches -------------------------------------------------------------------


def test_a_case_past_its_first_contact_target_is_notified_once_to_triage_and_its_staff(
    open_case: OpenCase, adviser: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = _marked_case(open_case, assign=[adviser])
    _overdue_clock(case)
    mail.outbox.clear()

    first = _run(django_capture_on_commit_callbacks)

    assert first == NoticeRun(breaches=1, overdue_tasks=0)
    [email] = mail.outbox
    assert email.subject == "A case has passed its first-contact target"
    assert sorted(email.to) == sorted([TRIAGE_EMAIL, adviser.email])
    assert "/staff/" in email.body
    assert "no details of the case" in email.body
    _assert_nothing_identifying(case)
    assert CaseClock.objects.get(case=case).breach_notified_at is not None

    second = _run(django_capture_on_commit_callbacks)

    assert second == NoticeRun(breaches=0, overdue_tasks=0)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("situation", ["not_due_yet", "contacted", "closed", "notified"])
def test_no_breach_notice_when_the_target_is_met_stopped_or_already_notified(
    open_case: OpenCase, django_capture_on_commit_callbacks: Any, situation: str
) -> None:
    case = open_case()
    now = timezone.now()
    if situation != "not_due_yet":
        _overdue_clock(case)
    if situation == "contacted":
        CaseClock.objects.filter(case=case).update(first_contact_at=now)
    elif situation == "closed":
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    elif situation == "notified":
        CaseClock.objects.filter(case=case).update(breach_notified_at=now)
    mail.outbox.clear()

    assert _run(django_capture_on_commit_callbacks).breaches == 0
    assert mail.outbox == []


# --- Overdue tasks ----------------------------------------------------------------------------


def test_an_overdue_task_is_notified_once_to_its_assignee_with_a_link_to_my_work(
    open_case: OpenCase, adviser: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = _marked_case(open_case, assign=[adviser])
    task = _overdue(
        task_create(
            case=case, actor=adviser, title=f"T {MARKER}", brief=f"B {MARKER}", assignee=adviser
        )
    )
    mail.outbox.clear()

    assert _run(django_capture_on_commit_callbacks) == NoticeRun(breaches=0, overdue_tasks=1)
    assert _run(django_capture_on_commit_callbacks) == NoticeRun(breaches=0, overdue_tasks=0)

    [email] = mail.outbox
    assert (email.subject, email.to) == ("A task is overdue", [adviser.email])
    assert "/staff/work/" in email.body
    _assert_nothing_identifying(case)
    task.refresh_from_db()
    assert task.overdue_notified_at is not None


def test_a_department_s_overdue_task_goes_to_its_inbox_or_else_to_the_triage_inbox(
    open_case: OpenCase,
    adviser: User,
    security_department: Department,
    django_capture_on_commit_callbacks: Any,
) -> None:
    security_department.email = "security-desk@university.test"
    security_department.save()
    no_inbox = DepartmentFactory.create(name="Estates", slug="estates", email="")
    case = _marked_case(open_case, assign=[adviser])
    for department in (security_department, no_inbox):
        _overdue(
            task_create(case=case, actor=adviser, title=MARKER, brief=MARKER, department=department)
        )
    mail.outbox.clear()

    assert _run(django_capture_on_commit_callbacks).overdue_tasks == 2

    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        ["security-desk@university.test", TRIAGE_EMAIL]
    )
    _assert_nothing_identifying(case)


@pytest.mark.parametrize("situation", ["due_today", "done", "cancelled", "no_date"])
def test_no_overdue_notice_for_a_task_due_today_finished_or_without_a_date(
    open_case: OpenCase,
    adviser: User,
    django_capture_on_commit_callbacks: Any,
    situation: str,
) -> None:
    case = open_case(assign=[adviser])
    task = task_create(
        case=case,
        actor=adviser,
        title="T",
        brief="",
        assignee=adviser,
        due_on=None if situation == "no_date" else timezone.localdate(),
    )
    if situation in ("done", "cancelled"):
        _overdue(task)
        Task.objects.filter(pk=task.pk).update(
            status=TaskStatus.DONE if situation == "done" else TaskStatus.CANCELLED
        )
    mail.outbox.clear()

    assert _run(django_capture_on_commit_callbacks).overdue_tasks == 0
    assert mail.outbox == []


# --- Idempotency ------------------------------------------------------------------------------


def test_a_run_that_loses_the_race_for_a_notice_sends_nothing_for_it(
    open_case: OpenCase,
    adviser: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case(assign=[adviser])
    _overdue_clock(case)
    task = _overdue(task_create(case=case, actor=adviser, title="T", brief="", assignee=adviser))
    mail.outbox.clear()
    real_candidates = work_services._candidates
    fields = {CaseClock: "breach_notified_at", Task: "overdue_notified_at"}
    won_by_the_other_run: list[list[tuple[str, str]]] = []

    def candidates_then_another_run(model: Any, condition: Any) -> list[tuple[str, str]]:
        # This run finds the due notices; before it claims them, another run (another
        # machine, or the same command started twice) claims them.
        found = real_candidates(model, condition)
        monkeypatch.setattr(work_services, "_candidates", real_candidates)
        won = work_services._claim(model, condition, fields[model], timezone.now())
        monkeypatch.setattr(work_services, "_candidates", candidates_then_another_run)
        won_by_the_other_run.append(won)
        return found

    monkeypatch.setattr(work_services, "_candidates", candidates_then_another_run)

    late = _run(django_capture_on_commit_callbacks)

    assert won_by_the_other_run == [
        [(str(case.clock.pk), str(case.pk))],
        [(str(task.pk), str(case.pk))],
    ]
    assert late == NoticeRun(breaches=0, overdue_tasks=0)
    assert mail.outbox == []


def test_a_notice_is_not_claimed_once_it_stopped_being_due(open_case: OpenCase) -> None:
    case = open_case()
    _overdue_clock(case)
    now = timezone.now()
    condition = work_services._due_breaches(now)
    found = work_services._candidates(CaseClock, condition)
    assert len(found) == 1
    # First contact is recorded between the look and the claim.
    CaseClock.objects.filter(case=case).update(first_contact_at=now)

    assert work_services._claim(CaseClock, condition, "breach_notified_at", now) == []
    assert CaseClock.objects.get(case=case).breach_notified_at is None


def test_each_run_is_audited_once_with_its_counts_and_nothing_else(
    open_case: OpenCase, adviser: User, django_capture_on_commit_callbacks: Any
) -> None:
    _overdue_clock(open_case())
    _overdue_clock(open_case())

    _run(django_capture_on_commit_callbacks)
    _run(django_capture_on_commit_callbacks)

    events = list(AuditEvent.objects.filter(action="notices.sent").order_by("seq"))
    assert [event.extra for event in events] == [
        {"breaches": 2, "overdue_tasks": 0},
        {"breaches": 0, "overdue_tasks": 0},
    ]
    assert all(event.actor_kind == "system" for event in events)


def test_the_command_runs_the_job_and_says_what_it_did(
    open_case: OpenCase, django_capture_on_commit_callbacks: Any
) -> None:
    _overdue_clock(open_case())
    mail.outbox.clear()
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("casework_notices", stdout=out)

    assert out.getvalue().strip() == "First-contact breaches: 1. Overdue tasks: 0."
    assert [email.to for email in mail.outbox] == [[TRIAGE_EMAIL]]
