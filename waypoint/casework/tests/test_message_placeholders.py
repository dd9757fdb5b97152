"""Placeholders in the team's messages (issue 11): a message that still says "[your first
name]" is never sent, whatever the path; and inserting a reply template fills in what
Waypoint knows (the adviser's first name, the team's name, its working hours), the same
with and without JavaScript."""

from __future__ import annotations

import datetime
import html
from typing import Any, Final

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import Case, Message, MessageDirection, ReplyTemplate
from waypoint.casework.services import (
    MessageError,
    message_send_from_reporter,
    message_send_from_staff,
)
from waypoint.casework.tests.conftest import TEAM_NAME, OpenCase
from waypoint.institution.models import Institution
from waypoint.privacy.models import AuditEvent
from waypoint.reporting.models import Route

pytestmark = pytest.mark.django_db

SAFE_EMAIL: Final = "safe-address@elsewhere.test"
FIRST_NAME: Final = "Priya"
HOURS: Final = "Monday to Friday, 9am to 5pm"
TYPED: Final = "Hello,\n\nCould we meet on [day and time]? I am free most afternoons."


def _nudged_case(open_case: OpenCase, adviser: User) -> Case:
    """A named reporter who asked to be emailed when the team writes."""
    contact = {"name": "Sam Reporter", "email_nudges": True, "safe_email": SAFE_EMAIL}
    return open_case(assign=[adviser], route=Route.SUPPORT, contact=contact)


def _client(user: User) -> Client:
    client = Client()
    login_as(client, user)
    return client


def _send_url(case: Case) -> str:
    return reverse("casework:message_send", kwargs={"case_id": case.pk})


def _case_url(case: Case) -> str:
    # The Messages section of the case (ADR 0031): where the reply box is.
    return reverse("casework:message_send", kwargs={"case_id": case.pk})


def _named(user: User, first_name: str = FIRST_NAME) -> User:
    user.first_name = first_name
    user.save(update_fields=["first_name"])
    return user


def _first_reply() -> ReplyTemplate:
    return ReplyTemplate.objects.get(title="First reply")


def _box(page: str) -> str:
    """The words in the message box of a rendered page."""
    start = page.index('name="body"')
    opened = page.index(">", start) + 1
    return html.unescape(page[opened : page.index("</textarea>", opened)]).strip()


# --- The service refuses, whatever the path -------------------------------------------------------


def test_a_message_from_the_team_with_a_placeholder_left_is_not_sent_stored_or_nudged(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = _nudged_case(open_case, adviser)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(MessageError) as refused:
        message_send_from_staff(
            case=case, author=adviser, body="Hello, my name is [your first name]."
        )

    assert str(refused.value).startswith("Replace “[your first name]” before sending")
    assert refused.value.field == "body"
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(action="message.sent").exists()
    assert mail.outbox == []
    # The same reporter, written to without a placeholder, is nudged: the refusal is why.
    with django_capture_on_commit_callbacks(execute=True):
        message_send_from_staff(case=case, author=adviser, body="Hello, my name is Priya.")
    assert [email.to for email in mail.outbox] == [[SAFE_EMAIL]]


def test_every_placeholder_left_is_named_once_in_the_order_it_appears(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    body = "On [date] at [time], or [date] if [Your Name] can't. [day/time] [their tutor's name]"

    with pytest.raises(MessageError) as refused:
        message_send_from_staff(case=case, author=adviser, body=body)

    assert str(refused.value).startswith(
        "Replace “[date]”, “[time]”, “[Your Name]”, “[day/time]” and “[their tutor's name]” "
        "before sending"
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("Your reference is [WP-7K3M9QXA].", id="a reference"),
        pytest.param("Your reference is [WP-ABCDEFGH].", id="a reference with no digit"),
        pytest.param("See the guidance [1] and [2].", id="footnotes"),
        pytest.param("We met on [2 May] and [14/05/2026].", id="dates"),
        pytest.param("Details are at [https://example.org/support].", id="a web address"),
        pytest.param("An empty pair [] or [ ] by mistake.", id="empty brackets"),
        pytest.param("Room (B12) and a bracket [ on its own.", id="round brackets"),
    ],
)
def test_brackets_that_are_not_a_gap_to_fill_are_sent_as_written(
    open_case: OpenCase, adviser: User, body: str
) -> None:
    case = open_case(assign=[adviser])

    message = message_send_from_staff(case=case, author=adviser, body=body)

    assert message.body == body


def test_the_reporter_may_write_words_in_square_brackets(open_case: OpenCase) -> None:
    case = open_case()

    message = message_send_from_reporter(case=case, body="He said [something] again.")

    assert message.body == "He said [something] again."


# --- The reply form shows the refusal ------------------------------------------------------------


def test_sending_a_placeholder_puts_the_error_on_the_message_box_and_keeps_the_words(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = _nudged_case(open_case, adviser)

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(adviser).post(_send_url(case), {"action": "send", "body": TYPED})

    assert response.status_code == 400
    page = response.content.decode()
    error = "Replace “[day and time]” before sending"
    # In the summary, linked to the box, and by the box itself (described by it).
    assert f'<a href="#id_body">Message to the reporter: {error}' in page
    assert f'<ul class="errorlist" id="id_body_error"><li>{error}' in page
    assert 'aria-describedby="id_body_helptext id_body_error"' in page
    assert _box(page) == TYPED
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_the_case_page_without_javascript_fills_in_the_adviser_the_team_and_the_hours(
    open_case: OpenCase, adviser: User, institution: Institution
) -> None:
    case = open_case(assign=[_named(adviser)])
    template = _first_reply()

    page = _client(adviser).get(f"{_case_url(case)}?template={template.pk}").content.decode()

    text = _box(page)
    assert f"My name is {FIRST_NAME} and" in text
    assert f"getting in touch with {TEAM_NAME}." in text
    assert f"we read and answer messages {HOURS}." in text
    assert text.endswith(f"\n\n{FIRST_NAME}")
    assert "[" not in text


def test_the_script_is_given_the_same_filled_in_words_as_the_no_script_path(
    open_case: OpenCase, adviser: User, institution: Institution
) -> None:
    case = open_case(assign=[_named(adviser)])
    template = _first_reply()
    client = _client(adviser)

    page = client.get(_case_url(case)).content.decode()
    inserted = client.post(
        _send_url(case), {"action": "insert", "template": str(template.pk), "body": "Hi."}
    ).content.decode()

    marker = f'value="{template.pk}" data-body="'
    start = page.index(marker) + len(marker)
    for_the_script = html.unescape(page[start : page.index('"', start)])
    assert f"My name is {FIRST_NAME} and" in for_the_script
    assert "[" not in for_the_script
    assert _box(inserted) == f"Hi.\n\n{for_the_script}"


def test_the_words_come_from_the_institution_s_own_working_week(
    open_case: OpenCase, adviser: User, institution: Institution
) -> None:
    institution.team_name = "Report and Support"
    institution.working_weekdays = "1234"
    institution.working_day_starts = datetime.time(8, 30)
    institution.working_day_ends = datetime.time(12, 0)
    institution.save()
    case = open_case(assign=[_named(adviser)])

    page = _client(adviser).get(f"{_case_url(case)}?template={_first_reply().pk}")

    text = _box(page.content.decode())
    assert "getting in touch with Report and Support." in text
    assert "messages Monday to Thursday, 8:30am to midday." in text


def test_an_adviser_with_no_first_name_recorded_keeps_the_placeholder_and_cannot_send_it(
    open_case: OpenCase, adviser: User, institution: Institution
) -> None:
    adviser.first_name = ""
    adviser.display_name = ""
    adviser.save(update_fields=["first_name", "display_name"])
    case = open_case(assign=[adviser])
    client = _client(adviser)

    page = client.get(f"{_case_url(case)}?template={_first_reply().pk}").content.decode()
    text = _box(page)
    assert "My name is [your first name] and" in text
    assert f"getting in touch with {TEAM_NAME}." in text  # what could be filled, was

    response = client.post(_send_url(case), {"action": "send", "body": text})

    assert response.status_code == 400
    assert "Replace “[your first name]” before sending" in response.content.decode()
    assert _box(response.content.decode()) == text
    assert not Message.objects.filter(direction=MessageDirection.FROM_STAFF).exists()


def test_once_the_placeholder_is_replaced_the_message_is_sent(
    open_case: OpenCase, adviser: User, institution: Institution
) -> None:
    case = open_case(assign=[adviser])

    response = _client(adviser).post(
        _send_url(case),
        {"action": "send", "body": TYPED.replace("[day and time]", "Tuesday at 2pm")},
    )

    assert (response.status_code, response["Location"]) == (302, f"{_case_url(case)}#messages")
    assert Message.objects.get().body == TYPED.replace("[day and time]", "Tuesday at 2pm")
