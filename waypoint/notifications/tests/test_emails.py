"""Notification emails: content-free (the marker test), per each person's choice, and the
daily summary sent once."""

from __future__ import annotations

from io import StringIO
from typing import Any, Final

import pytest
from django.core import mail
from django.core.management import call_command

from waypoint.accounts.models import User
from waypoint.casework.models import CaseAssignment
from waypoint.casework.services import message_send_from_reporter
from waypoint.casework.services.work import task_create
from waypoint.casework.tests.conftest import TEAM_NAME, TRIAGE_EMAIL, OpenCase
from waypoint.institution.models import Department, Institution
from waypoint.notifications.models import EmailChoice, Notification
from waypoint.notifications.services import (
    DIGEST_SUBJECT,
    EMAIL_SUBJECT,
    digests_send,
    email_choice_set,
)
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

MARKER: Final = "CANARY-5e1b"


@pytest.fixture(autouse=True)
def _triage_inbox(institution: Institution) -> Institution:
    return institution


def _everything_said() -> list[str]:
    return [f"{message.subject}\n{message.body}" for message in mail.outbox]


def test_notification_emails_carry_no_reference_name_or_content(
    *,
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    partner: User,
    security_department: Department,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(
            answers={"what": {"text": f"answer {MARKER}"}},
            contact={"name": f"Name {MARKER}", "email": "reporter@student.test"},
        )
        unassigned = open_case(answers={"what": {"text": f"other {MARKER}"}})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        CaseAssignment.objects.create(case=case, user=adviser)
        message_send_from_reporter(case=case, body=f"message {MARKER}")
        message_send_from_reporter(case=unassigned, body=f"message {MARKER}")
        task_create(
            case=case,
            actor=case_lead,
            title=f"Task {MARKER}",
            brief=f"Brief {MARKER}",
            department=security_department,
        )

    assert {tuple(message.to) for message in mail.outbox} >= {
        (adviser.email,),
        (case_lead.email,),
        (partner.email,),
        (TRIAGE_EMAIL,),
    }
    forbidden = [
        MARKER,
        case.report.reference,
        unassigned.report.reference,
        adviser.display_name,
        case_lead.display_name,
        partner.display_name,
        TEAM_NAME,
        "Security",
    ]
    for text in _everything_said():
        assert "/staff/notifications/" in text
        for word in forbidden:
            assert word not in text
    assert {message.subject for message in mail.outbox} == {EMAIL_SUBJECT}


def test_an_email_goes_straight_away_by_default_and_only_once(
    open_case: OpenCase, adviser: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = open_case(assign=[adviser])
    with django_capture_on_commit_callbacks(execute=True):
        message_send_from_reporter(case=case, body="Again.")

    assert [message.to for message in mail.outbox] == [[adviser.email]]
    assert Notification.objects.get(recipient=adviser).emailed_at is not None
    assert digests_send() == 0  # already emailed: not in a summary too


def test_someone_who_chose_no_emails_gets_none(
    open_case: OpenCase, adviser: User, django_capture_on_commit_callbacks: Any
) -> None:
    email_choice_set(user=adviser, choice=EmailChoice.NONE)
    case = open_case(assign=[adviser])
    with django_capture_on_commit_callbacks(execute=True):
        message_send_from_reporter(case=case, body="Again.")

    assert mail.outbox == []
    assert digests_send() == 0
    assert Notification.objects.filter(recipient=adviser).count() == 1  # still on the page


def test_a_daily_summary_is_one_email_sent_once(
    open_case: OpenCase, adviser: User, django_capture_on_commit_callbacks: Any
) -> None:
    email_choice_set(user=adviser, choice=EmailChoice.DAILY)
    case = open_case(assign=[adviser])
    with django_capture_on_commit_callbacks(execute=True):
        message_send_from_reporter(case=case, body="Again.")
        message_send_from_reporter(case=case, body="And again.")
    assert mail.outbox == []

    out = StringIO()
    call_command("send_notification_digests", stdout=out)
    call_command("send_notification_digests", stdout=out)

    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([adviser.email], DIGEST_SUBJECT)
    ]
    assert case.report.reference not in mail.outbox[0].body
    assert "Summary emails sent: 1." in out.getvalue()


def test_a_notification_read_before_the_summary_is_not_emailed(
    open_case: OpenCase, adviser: User, django_capture_on_commit_callbacks: Any
) -> None:
    email_choice_set(user=adviser, choice=EmailChoice.DAILY)
    case = open_case(assign=[adviser])
    with django_capture_on_commit_callbacks(execute=True):
        message_send_from_reporter(case=case, body="Again.")
    Notification.objects.filter(recipient=adviser).update(read_at="2026-01-01T00:00Z")

    assert digests_send() == 0


def test_the_email_choice_is_audited(adviser: User) -> None:
    email_choice_set(user=adviser, choice=EmailChoice.DAILY)

    event = AuditEvent.objects.get(action="notifications.email_choice")
    assert event.actor_id == str(adviser.pk)
