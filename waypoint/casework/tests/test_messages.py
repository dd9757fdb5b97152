"""The two-way channel between a reporter and the team: round trip, limits, encryption at
rest, audit, and the email nudge that tells a reporter (who asked for it) and nobody else."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework import tasks
from waypoint.casework.models import Case, Message, MessageDirection
from waypoint.casework.selectors import case_get_for_staff, unread_count_for_reporter
from waypoint.casework.services import (
    MESSAGE_MAX_CHARS,
    MessageError,
    case_open_from_report,
    case_record_opening,
    message_send_from_reporter,
    message_send_from_staff,
    messages_for_reporter,
    messages_for_staff,
)
from waypoint.casework.tests.conftest import (
    TEAM_NAME,
    TRIAGE_EMAIL,
    MakeReport,
    OpenCase,
)
from waypoint.institution.models import Institution
from waypoint.privacy.models import AuditEvent
from waypoint.reporting.models import Route

pytestmark = pytest.mark.django_db

REPORTER_EMAIL = "reporter@student.test"
SAFE_EMAIL = "safe-address@elsewhere.test"


def _canary() -> str:
    return f"CANARY-{uuid.uuid4()}"


def _contact(
    *, nudges: bool = True, safe: bool = True, name: str = "Sam Reporter"
) -> dict[str, Any]:
    contact: dict[str, Any] = {"name": name, "email": REPORTER_EMAIL, "email_nudges": nudges}
    if safe:
        contact["safe_email"] = SAFE_EMAIL
    return contact


# --- The round trip -----------------------------------------------------------------------


def test_a_reporter_and_their_adviser_exchange_messages_from_report_to_reply(
    make_report: MakeReport,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # A report opens a case, and the triage inbox is told.
    report = make_report(route=Route.SUPPORT, contact=_contact(nudges=False))
    with django_capture_on_commit_callbacks(execute=True):
        case = case_open_from_report(
            report=report,
            immediate_danger=False,
            threat_of_violence=False,
            high_risk_indicator=False,
        )
    assert [email.to for email in mail.outbox] == [[TRIAGE_EMAIL]]

    # The reporter writes before anyone is assigned.
    sent = message_send_from_reporter(case=case, body="  He was outside my flat again.  ")
    assert sent.body == "He was outside my flat again."
    assert sent.direction == MessageDirection.FROM_REPORTER
    assert sent.author is None
    assert sent.data_key_id == case.data_key_id

    # The assigned adviser opens the case and reads the message, decrypted.
    case.assignments.create(user=adviser)
    staff_case = case_get_for_staff(user=adviser, case_id=str(case.pk))
    case_record_opening(case=staff_case, user=adviser)
    [received] = messages_for_staff(user=adviser, case=staff_case)
    assert received.body == "He was outside my flat again."
    assert received.read_at is not None
    assert Message.objects.get(pk=sent.pk).read_at is not None

    # The adviser replies; the reporter sees one unread message, then reads it.
    with django_capture_on_commit_callbacks(execute=True):
        reply = message_send_from_staff(
            case=staff_case, author=adviser, body="Thank you. Are you safe right now?"
        )
    assert reply.author == adviser
    assert unread_count_for_reporter(case=case) == 1

    conversation = messages_for_reporter(case=Case.objects.get(pk=case.pk))
    assert [(m.direction, m.body) for m in conversation] == [
        (MessageDirection.FROM_REPORTER, "He was outside my flat again."),
        (MessageDirection.FROM_STAFF, "Thank you. Are you safe right now?"),
    ]
    assert unread_count_for_reporter(case=case) == 0
    assert all(message.read_at is not None for message in conversation)
    # The reporter did not ask for nudges: only the triage notice was sent.
    assert len(mail.outbox) == 1


def test_the_reporter_reading_their_messages_leaves_no_audit_trace_of_the_visit(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    message_send_from_staff(case=case, author=adviser, body="Hello")
    before = AuditEvent.objects.count()

    messages_for_reporter(case=case)

    assert AuditEvent.objects.count() == before


# --- Limits and refusals ------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   ", "\n\t\n"])
def test_an_empty_message_is_refused_with_a_plain_explanation(
    open_case: OpenCase, adviser: User, body: str
) -> None:
    case = open_case(assign=[adviser])

    with pytest.raises(ValueError, match="Write a message"):
        message_send_from_reporter(case=case, body=body)
    with pytest.raises(ValueError, match="Write a message"):
        message_send_from_staff(case=case, author=adviser, body=body)
    assert not Message.objects.exists()


def test_a_message_may_be_up_to_ten_thousand_characters(open_case: OpenCase) -> None:
    case = open_case()

    message = message_send_from_reporter(case=case, body="a" * MESSAGE_MAX_CHARS)

    assert len(message.body) == 10_000
    with pytest.raises(ValueError, match="limit is 10,000"):
        message_send_from_reporter(case=case, body="a" * (MESSAGE_MAX_CHARS + 1))
    assert Message.objects.count() == 1


def test_a_withdrawn_report_takes_no_more_messages_either_way(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser], withdrawn_at=timezone.now())

    with pytest.raises(MessageError, match="withdrawn"):
        message_send_from_reporter(case=case, body="Hello")
    with pytest.raises(MessageError, match="withdrew"):
        message_send_from_staff(case=case, author=adviser, body="Hello")
    assert not Message.objects.exists()


def test_a_reporter_who_turned_messages_off_is_not_messaged(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser], wants_messages=False)

    with pytest.raises(MessageError, match="turned off"):
        message_send_from_reporter(case=case, body="Hello")
    with pytest.raises(MessageError, match="chose not to receive"):
        message_send_from_staff(case=case, author=adviser, body="Hello")
    assert not Message.objects.exists()


def test_message_errors_are_value_errors() -> None:
    assert issubclass(MessageError, ValueError)


# --- Encryption and audit ----------------------------------------------------------------


def test_message_bodies_are_stored_encrypted(open_case: OpenCase, adviser: User) -> None:
    canary = _canary()
    case = open_case(assign=[adviser])
    message_send_from_reporter(case=case, body=f"From the reporter: {canary}")
    message_send_from_staff(case=case, author=adviser, body=f"From the adviser: {canary}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM casework_message")
        raw = [bytes(row[0]) for row in cursor.fetchall()]

    assert len(raw) == 2
    assert all(canary.encode() not in column for column in raw)
    assert all(b"From the" not in column for column in raw)
    assert [m.body for m in Message.objects.order_by("sent_at")] == [
        f"From the reporter: {canary}",
        f"From the adviser: {canary}",
    ]


def test_sending_and_reading_messages_is_audited_without_content_or_reference(
    open_case: OpenCase, adviser: User
) -> None:
    canary = _canary()
    case = open_case(assign=[adviser])
    reference = case.report.reference
    first_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    from_reporter = message_send_from_reporter(case=case, body=canary)
    from_staff = message_send_from_staff(case=case, author=adviser, body=canary)
    messages_for_staff(user=adviser, case=case)
    messages_for_staff(user=adviser, case=case)

    events = list(AuditEvent.objects.filter(seq__gt=first_seq).order_by("seq"))
    assert [event.action for event in events] == [
        "message.sent",
        "message.sent",
        "message.read",
        "message.read",
    ]
    reporter_sent, staff_sent, first_read, second_read = events
    assert (reporter_sent.actor_kind, reporter_sent.actor_id) == ("reporter", "")
    assert reporter_sent.object_id == str(from_reporter.pk)
    assert (staff_sent.actor_kind, staff_sent.actor_id) == ("staff", str(adviser.pk))
    assert staff_sent.object_id == str(from_staff.pk)
    assert first_read.actor_id == str(adviser.pk)
    assert first_read.object_id == str(case.pk)
    assert first_read.extra == {"count": 2, "marked_read": 1}
    assert second_read.extra == {"count": 2, "marked_read": 0}
    for event in events:
        recorded = f"{event.actor_id} {event.object_id} {event.extra}"
        assert canary not in recorded
        assert reference not in recorded


# --- The email nudge ----------------------------------------------------------------------


def _reply(case: Case, adviser: User, capture: Any, body: str = "A reply") -> Message:
    with capture(execute=True):
        return message_send_from_staff(case=case, author=adviser, body=body)


def test_a_named_reporter_who_asked_for_nudges_is_told_at_their_safe_address(
    open_case: OpenCase, adviser: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = open_case(assign=[adviser], route=Route.SUPPORT, contact=_contact())

    _reply(case, adviser, django_capture_on_commit_callbacks)

    [nudge] = mail.outbox
    assert nudge.to == [SAFE_EMAIL]
    assert nudge.subject == "You have a new message"
    assert "/my-report/" in nudge.body
    assert "receipt" in nudge.body


def test_without_a_safe_address_the_nudge_goes_to_the_ordinary_one(
    open_case: OpenCase, adviser: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = open_case(assign=[adviser], route=Route.SUPPORT, contact=_contact(safe=False))

    _reply(case, adviser, django_capture_on_commit_callbacks)

    assert [email.to for email in mail.outbox] == [[REPORTER_EMAIL]]


@pytest.mark.parametrize(
    ("route", "contact"),
    [
        pytest.param(Route.SUPPORT, _contact(nudges=False), id="named, nudges off"),
        pytest.param(Route.SUPPORT, {"email": REPORTER_EMAIL}, id="named, nudges not chosen"),
        pytest.param(Route.SUPPORT, {"email_nudges": True}, id="named, no address"),
        pytest.param(Route.SUPPORT, None, id="named, no contact details"),
        pytest.param(Route.ANONYMOUS, _contact(), id="anonymous"),
        pytest.param(Route.THIRD_PARTY, _contact(), id="someone else"),
    ],
)
def test_nobody_else_is_nudged(
    open_case: OpenCase,
    adviser: User,
    django_capture_on_commit_callbacks: Any,
    route: str,
    contact: dict[str, Any] | None,
) -> None:
    case = open_case(assign=[adviser], route=route, contact=contact)

    _reply(case, adviser, django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_a_message_from_the_reporter_nudges_nobody(
    open_case: OpenCase, django_capture_on_commit_callbacks: Any
) -> None:
    case = open_case(route=Route.SUPPORT, contact=_contact())

    with django_capture_on_commit_callbacks(execute=True):
        message_send_from_reporter(case=case, body="Hello")

    assert mail.outbox == []


def test_no_nudge_once_the_reporter_has_already_read_the_message(
    open_case: OpenCase, adviser: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = open_case(assign=[adviser], route=Route.SUPPORT, contact=_contact())
    with django_capture_on_commit_callbacks(execute=False):
        message = message_send_from_staff(case=case, author=adviser, body="Hello")
    messages_for_reporter(case=case)

    assert tasks.message_nudge_send.call(message_id=str(message.pk)) == 0
    assert mail.outbox == []


def test_no_email_carries_the_reference_a_name_or_a_word_of_the_report_or_messages(
    make_report: MakeReport,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    canary = _canary()
    report = make_report(
        route=Route.SUPPORT,
        answers={"what_happened": canary, "who": {"name": f"{canary}-person"}},
        contact=_contact(name=f"{canary}-reporter"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = case_open_from_report(
            report=report,
            immediate_danger=True,
            threat_of_violence=True,
            high_risk_indicator=True,
        )
    case.assignments.create(user=adviser)
    message_send_from_reporter(case=case, body=f"reporter says {canary}")
    _reply(case, adviser, django_capture_on_commit_callbacks, body=f"adviser says {canary}")

    assert sorted(email.to[0] for email in mail.outbox) == sorted([TRIAGE_EMAIL, SAFE_EMAIL])
    for email in mail.outbox:
        text = email.message().as_string()
        assert canary not in text
        assert report.reference not in text
        assert "Sam Reporter" not in text
        assert adviser.display_name not in text
        assert adviser.email not in text
        assert TEAM_NAME not in text
        assert institution.name not in text
        assert REPORTER_EMAIL not in text
