"""The notification centre, the header count and the staff home's "Today"."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment, CaseClock, CaseConflict, Task
from waypoint.casework.services import message_send_from_reporter
from waypoint.casework.services.work import task_create
from waypoint.casework.tests.conftest import OpenCase
from waypoint.institution.models import Department, Institution
from waypoint.notifications.models import (
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from waypoint.notifications.services import notify
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]
LIST = reverse("notifications:list")
HOME = reverse("staff:home")
# Session, user, MFA (twice), the page's count and rows, the unread count, the audit
# event (savepoint, head, insert, update, release), the email choice, the institution
# and the header's count. Fixed however many notifications.
LIST_QUERIES = 15
# As above, plus "my work" (task count and rows, case count, holidays and rows, its
# audit event), the cases with unread messages and the newest notifications, less the
# email choice. Fixed however many tasks, cases and notifications.
TODAY_QUERIES = 24


@pytest.fixture(autouse=True)
def _institution(institution: Institution) -> Institution:
    return institution


def _messages(case: Case, n: int) -> None:
    for i in range(n):
        message_send_from_reporter(case=case, body=f"Message {i}")


def test_the_list_shows_a_persons_notifications_newest_first_with_the_reference(
    open_case: OpenCase, adviser: User, signed_in_client: SignIn
) -> None:
    older = open_case(assign=[adviser])
    newer = open_case(assign=[adviser])
    _messages(older, 1)
    _messages(newer, 1)

    page = signed_in_client(adviser).get(LIST).content.decode()

    assert page.index(newer.report.reference) < page.index(older.report.reference)
    assert "The reporter sent a new message on case" in page
    assert "Unread" in page
    assert "You have 2 unread notifications." in page


def test_the_header_says_how_many_are_unread_in_words_a_screen_reader_reads(
    open_case: OpenCase, adviser: User, signed_in_client: SignIn
) -> None:
    case = open_case(assign=[adviser])
    _messages(case, 3)

    page = signed_in_client(adviser).get(HOME).content.decode()

    assert (
        f'<a href="{LIST}" class="nav-notify">Notifications<span class="visually-hidden">,'
        '</span> <span class="nav-notify__count">3<span class="visually-hidden"> unread'
    ) in page


def test_a_case_the_person_lost_shows_nothing_and_is_not_counted(
    open_case: OpenCase, adviser: User, signed_in_client: SignIn
) -> None:
    case = open_case(assign=[adviser])
    _messages(case, 1)
    CaseConflict.objects.create(case=case, user=adviser, source="declared")

    response = signed_in_client(adviser).get(LIST)
    page = response.content.decode()

    assert case.report.reference not in page
    assert "You have no unread notifications." in page
    assert 'class="nav-notify__count"' not in page


def test_an_adviser_unassigned_no_longer_sees_the_cases_notifications(
    open_case: OpenCase, adviser: User, signed_in_client: SignIn
) -> None:
    case = open_case(assign=[adviser])
    _messages(case, 1)
    CaseAssignment.objects.filter(case=case, user=adviser).delete()

    assert case.report.reference not in signed_in_client(adviser).get(LIST).content.decode()


def test_a_partner_sees_their_departments_task_without_the_case_reference(
    open_case: OpenCase,
    adviser: User,
    partner: User,
    security_department: Department,
    signed_in_client: SignIn,
) -> None:
    case = open_case(assign=[adviser])
    task = task_create(
        case=case, actor=adviser, title="Patrol", brief="Patrols", department=security_department
    )

    page = signed_in_client(partner).get(LIST).content.decode()

    assert "Your department has been given a task." in page
    assert reverse("casework:task", args=[task.pk]) in page
    assert case.report.reference not in page


def test_mark_as_read_is_a_post_that_works_without_javascript(
    open_case: OpenCase, adviser: User, signed_in_client: SignIn
) -> None:
    case = open_case(assign=[adviser])
    _messages(case, 2)
    first = Notification.objects.filter(recipient=adviser).first()
    assert first is not None
    client = signed_in_client(adviser)

    response = client.post(reverse("notifications:mark_read", args=[first.pk]), {"next": LIST})

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert Notification.objects.filter(recipient=adviser, read_at__isnull=True).count() == 1
    assert "You have 1 unread notification." in client.get(LIST).content.decode()


def test_mark_as_read_refuses_someone_elses_notification_as_if_missing(
    open_case: OpenCase, adviser: User, case_lead: User, signed_in_client: SignIn
) -> None:
    case = open_case(assign=[adviser])
    _messages(case, 1)
    theirs = Notification.objects.get(recipient=adviser)

    response = signed_in_client(case_lead).post(
        reverse("notifications:mark_read", args=[theirs.pk])
    )

    assert response.status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_as_read_never_sends_someone_off_the_site(
    open_case: OpenCase, adviser: User, signed_in_client: SignIn
) -> None:
    case = open_case(assign=[adviser])
    _messages(case, 1)
    row = Notification.objects.get(recipient=adviser)

    response = signed_in_client(adviser).post(
        reverse("notifications:mark_read", args=[row.pk]), {"next": "https://evil.test/"}
    )

    assert response["Location"] == LIST


def test_mark_all_as_read(open_case: OpenCase, adviser: User, signed_in_client: SignIn) -> None:
    case = open_case(assign=[adviser])
    _messages(case, 3)
    client = signed_in_client(adviser)

    response = client.post(reverse("notifications:mark_all_read"))

    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=adviser, read_at__isnull=True).exists()
    assert "All your notifications are marked as read." in client.get(LIST).content.decode()


def test_the_email_choice_is_saved_from_the_page(adviser: User, signed_in_client: SignIn) -> None:
    client = signed_in_client(adviser)
    page = client.get(LIST).content.decode()
    assert 'value="immediately" required id="id_email_0" checked' in page or (
        'value="immediately"' in page and "checked" in page
    )

    response = client.post(reverse("notifications:email_choice"), {"email": "daily"})

    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=adviser).email == EmailChoice.DAILY


def test_an_unknown_email_choice_is_refused_with_a_summary(
    adviser: User, signed_in_client: SignIn
) -> None:
    response = signed_in_client(adviser).post(reverse("notifications:email_choice"), {"email": "x"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert not NotificationPreference.objects.filter(user=adviser).exists()


def test_the_list_is_paginated(
    open_case: OpenCase, adviser: User, signed_in_client: SignIn
) -> None:
    case = open_case(assign=[adviser])
    notify(kind=NotificationKind.REPORTER_MESSAGE, recipients=[adviser] * 1, case=case)
    for _ in range(24):
        notify(kind=NotificationKind.REPORTER_MESSAGE, recipients=[adviser], case=case)

    client = signed_in_client(adviser)
    page = client.get(LIST).content.decode()

    assert "Page 1 of 2" in page
    assert page.count('class="notify-item ') == 20
    assert client.get(LIST + "?page=2").content.decode().count('class="notify-item ') == 5


def test_the_list_records_which_case_references_it_showed(
    open_case: OpenCase, adviser: User, signed_in_client: SignIn
) -> None:
    case = open_case(assign=[adviser])
    _messages(case, 1)

    signed_in_client(adviser).get(LIST)

    event = AuditEvent.objects.filter(action="notifications.view").latest("seq")
    assert event.extra["case_ids"] == [str(case.pk)]


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_costs_the_same_queries_however_many_notifications(
    count: int,
    open_case: OpenCase,
    adviser: User,
    signed_in_client: SignIn,
    django_assert_num_queries: Any,
) -> None:
    cases = [open_case(assign=[adviser]) for _ in range(min(count, 3))]
    for i in range(count):
        notify(
            kind=NotificationKind.REPORTER_MESSAGE,
            recipients=[adviser],
            case=cases[i % 3 if count > 1 else 0],
        )
    client = signed_in_client(adviser)

    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(LIST).status_code == 200


# --- Today ----------------------------------------------------------------------------------


def _busy_day(open_case: OpenCase, adviser: User, case_lead: User) -> tuple[Case, Case, Task]:
    overdue_case = open_case(assign=[adviser], urgent=True)
    CaseClock.objects.filter(case=overdue_case).update(
        first_contact_due_at=timezone.now() - datetime.timedelta(hours=2)
    )
    chatty = open_case(assign=[adviser])
    _messages(chatty, 2)
    task = task_create(
        case=chatty,
        actor=case_lead,
        title="Ring the reporter back",
        brief="",
        assignee=adviser,
        due_on=timezone.localdate(),
    )
    Task.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    return overdue_case, chatty, task


def test_today_shows_what_is_overdue_due_and_unread_each_linking_to_act(
    open_case: OpenCase, adviser: User, case_lead: User, signed_in_client: SignIn
) -> None:
    overdue_case, chatty, task = _busy_day(open_case, adviser, case_lead)

    page = signed_in_client(adviser).get(HOME).content.decode()

    assert "<title>Today" in page
    assert reverse("casework:task", args=[task.pk]) in page
    assert "Ring the reporter back" in page
    assert "Overdue" in page
    overdue_href = reverse("casework:case", args=[overdue_case.pk])
    assert f'href="{overdue_href}">Case {overdue_case.report.reference}' in page
    assert (
        f'href="{reverse("casework:case", args=[chatty.pk])}">Case {chatty.report.reference}'
        in page
    )
    assert "2 unread messages" in page
    assert "You have been given a task on case" in page
    assert reverse("casework:inbox") in page  # the role's usual links stay


def test_today_for_a_partner_shows_their_departments_tasks_and_no_case(
    open_case: OpenCase,
    adviser: User,
    partner: User,
    security_department: Department,
    signed_in_client: SignIn,
) -> None:
    case = open_case(assign=[adviser])
    task_create(
        case=case,
        actor=adviser,
        title="Evening patrols",
        brief="Patrols",
        department=security_department,
        due_on=timezone.localdate(),
    )

    page = signed_in_client(partner).get(HOME).content.decode()

    assert "Your department&#x27;s tasks due" in page or "Your department's tasks due" in page
    assert "Evening patrols" in page
    assert case.report.reference not in page
    assert "Unread messages from reporters" not in page


def test_today_for_someone_with_nothing_to_do_says_so(
    insights_viewer: User, signed_in_client: SignIn
) -> None:
    page = signed_in_client(insights_viewer).get(HOME).content.decode()

    assert "You have no unread notifications." in page
    assert "Your tasks due" not in page


@pytest.mark.parametrize("days", [1, 4])
def test_today_costs_the_same_queries_however_busy_the_day(
    *,
    days: int,
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    signed_in_client: SignIn,
    django_assert_num_queries: Any,
) -> None:
    for _ in range(days):
        _busy_day(open_case, adviser, case_lead)
    client = signed_in_client(adviser)

    with django_assert_num_queries(TODAY_QUERIES):
        assert client.get(HOME).status_code == 200
