"""The staff side of the two-way channel: the case page's messages panel, the reply form
with templates (with and without JavaScript), unread markers, and the nudge email."""

from __future__ import annotations

import uuid
from typing import Any, Final

import pytest
from django.core import mail
from django.http import Http404
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import DjangoAssertNumQueries

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import DepartmentFactory, UserFactory
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import Case, CaseConflict, Message, MessageDirection, ReplyTemplate
from waypoint.casework.services import message_send_from_reporter, messages_for_reporter
from waypoint.casework.templatetags.casework_work import MESSAGES_SHOWN
from waypoint.casework.tests.conftest import OpenCase
from waypoint.privacy.models import AuditEvent
from waypoint.reporting.models import Route

pytestmark = pytest.mark.django_db

OTHER_TOTP_SECRET: Final = "JBSWY3DPEHPK3PXPOTHERSTAFFTESTSE"
SAFE_EMAIL: Final = "safe-address@elsewhere.test"


def _client(user: User) -> Client:
    client = Client()
    login_as(client, user)
    return client


def _other(role: str, **extra: Any) -> User:
    return UserFactory.create(role=role, totp_secret=OTHER_TOTP_SECRET, **extra)


def _panel(user: User, case: Case, query: str = "") -> str:
    request = RequestFactory().get(f"/staff/cases/{case.pk}/{query}")
    request.user = user
    template = Template("{% load casework_work %}{% case_messages_panel case %}")
    return template.render(Context({"request": request, "case": case}))


def _send_url(case_id: object) -> str:
    return reverse("casework:message_send", kwargs={"case_id": case_id})


def _template(title: str = "Checking in", body: str = "How are you today?") -> ReplyTemplate:
    return ReplyTemplate.objects.create(title=title, body=body, position=1)


# --- The round trip ---------------------------------------------------------------------------


def test_an_adviser_replies_from_the_case_page_and_the_reporter_reads_it(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    message_send_from_reporter(case=case, body="He waited outside my lecture again.")
    html = _panel(adviser, case)
    assert "He waited outside my lecture again." in html
    assert f'action="{_send_url(case.pk)}"' in html

    response = _client(adviser).post(
        _send_url(case.pk), {"action": "send", "body": "  Thank you for telling us.  "}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{_send_url(case.pk)}#messages"  # the Messages section
    reply = Message.objects.get(direction=MessageDirection.FROM_STAFF)
    assert (reply.author, reply.body) == (adviser, "Thank you for telling us.")
    conversation = messages_for_reporter(case=Case.objects.get(pk=case.pk))
    assert [m.body for m in conversation] == [
        "He waited outside my lecture again.",
        "Thank you for telling us.",
    ]
    assert "Thank you for telling us." in _panel(adviser, case)


def test_the_panel_names_who_wrote_each_message(
    open_case: OpenCase, adviser: User, case_lead: User
) -> None:
    case = open_case(assign=[adviser])
    message_send_from_reporter(case=case, body="Hello")
    _client(case_lead).post(_send_url(case.pk), {"action": "send", "body": "Hi, I'm here."})

    html = _panel(adviser, case)

    assert "The reporter," in html
    assert f"{case_lead.display_name}," in html


def test_reading_the_panel_marks_the_reporter_s_messages_read_and_audits_it_without_content(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    sent = message_send_from_reporter(case=case, body="CANARY-panel-read")

    _panel(adviser, case)

    assert Message.objects.get(pk=sent.pk).read_at is not None
    event = AuditEvent.objects.filter(action="message.read").latest("seq")
    assert (event.actor_id, event.object_id) == (str(adviser.pk), str(case.pk))
    assert "CANARY" not in str(event.extra)


# --- Unread markers ---------------------------------------------------------------------------


def test_new_marks_the_reporter_s_messages_this_member_of_staff_has_not_seen_yet(
    open_case: OpenCase, adviser: User, case_lead: User
) -> None:
    case = open_case(assign=[adviser])
    message_send_from_reporter(case=case, body="First message")

    first_view = _panel(adviser, case)
    assert "1 new" in first_view
    assert first_view.count(">New</strong>") == 1

    second_view = _panel(adviser, case)
    assert ">New</strong>" not in second_view
    assert "new</span>" not in second_view

    message_send_from_reporter(case=case, body="Second message")
    third_view = _panel(adviser, case)
    assert third_view.count(">New</strong>") == 1
    assert third_view.index(">New</strong>") > third_view.index("First message")

    # Another member of the team has seen neither yet, though the adviser has.
    assert _panel(case_lead, case).count(">New</strong>") == 2


def test_the_team_s_own_messages_are_never_marked_new(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])
    _client(adviser).post(_send_url(case.pk), {"action": "send", "body": "Hello from us"})

    assert ">New</strong>" not in _panel(adviser, case)


# --- Reply templates --------------------------------------------------------------------------


def test_the_default_reply_templates_are_there_to_start_from() -> None:
    titles = list(ReplyTemplate.objects.filter(is_active=True).values_list("title", flat=True))

    assert 4 <= len(titles) <= 5
    assert "First reply" in titles


def test_without_javascript_insert_template_fills_the_message_box_on_the_case_page(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    template = _template(body="Are you somewhere safe right now?")

    response = _client(adviser).post(
        _send_url(case.pk), {"action": "insert", "template": str(template.pk), "body": ""}
    )

    assert response.status_code == 302
    # Only the template's id travels in the address, never any words.
    assert response["Location"] == f"{_send_url(case.pk)}?template={template.pk}#reply"
    html = _panel(adviser, case, f"?template={template.pk}")
    assert "Are you somewhere safe right now?</textarea>" in html
    assert not Message.objects.exists()


def test_inserting_a_template_keeps_the_words_already_typed_and_sends_nothing(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    template = _template(body="Take care, and message us any time.")

    response = _client(adviser).post(
        _send_url(case.pk),
        {"action": "insert", "template": str(template.pk), "body": "Thanks for the update."},
    )

    assert response.status_code == 200
    assert "casework/staff/message_send.html" in [t.name for t in response.templates]
    assert (
        ">\nThanks for the update.\n\nTake care, and message us any time.</textarea>"
        in response.content.decode()
    )
    assert not Message.objects.exists()


def test_the_options_carry_the_template_words_for_the_optional_script(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    template = _template(body="Words for the script")

    html = _panel(adviser, case)
    section = _client(adviser).get(_send_url(case.pk)).content.decode()

    assert f'value="{template.pk}" data-body="Words for the script"' in html
    assert "js/reply-templates.js" in section  # the Messages section loads it
    assert "<script>" not in section  # no inline script under the strict CSP


def test_an_unknown_or_retired_template_is_refused_with_a_plain_explanation(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    retired = _template()
    retired.is_active = False
    retired.save()
    client = _client(adviser)

    for value in (str(retired.pk), "999999", "not-a-number", ""):
        response = client.post(_send_url(case.pk), {"action": "insert", "template": value})
        assert response.status_code == 400
        assert "Choose a template" in response.content.decode()
    # A retired template named in the address fills in nothing.
    assert "How are you today?" not in _panel(adviser, case, f"?template={retired.pk}")


# --- Problems ---------------------------------------------------------------------------------


def test_an_empty_message_comes_back_with_an_error_summary_linking_to_the_box(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])

    response = _client(adviser).post(_send_url(case.pk), {"action": "send", "body": "   "})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_body"' in html
    assert "Write a message before sending it." in html
    assert not Message.objects.exists()


def test_a_message_over_ten_thousand_characters_is_refused_and_kept_to_edit(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    long_text = "a" * 10_001

    response = _client(adviser).post(_send_url(case.pk), {"action": "send", "body": long_text})

    assert response.status_code == 400
    assert "the limit is 10,000 characters" in response.content.decode()
    assert long_text in response.content.decode()
    assert not Message.objects.exists()


def test_get_on_the_send_address_shows_the_messages_section(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])

    response = _client(adviser).get(_send_url(case.pk))

    assert response.status_code == 200
    assert "casework/staff/message_send.html" in [t.name for t in response.templates]
    assert f'<a href="{_send_url(case.pk)}" aria-current="page">Messages</a>' in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"wants_messages": False}, "chose not to receive messages"),
        ({"withdrawn": True}, "withdrew this report"),
    ],
)
def test_when_the_reporter_opted_out_or_withdrew_the_form_is_replaced_by_the_reason(
    open_case: OpenCase, adviser: User, change: dict[str, Any], reason: str
) -> None:
    case = open_case(assign=[adviser])
    message_send_from_reporter(case=case, body="An earlier message")
    report = case.report
    if change.get("withdrawn"):
        report.withdrawn_at = timezone.now()
    else:
        report.wants_messages = False
    report.save()
    case = Case.objects.select_related("report").get(pk=case.pk)

    html = _panel(adviser, case)
    assert reason in html
    assert "An earlier message" in html
    assert "<textarea" not in html

    response = _client(adviser).post(_send_url(case.pk), {"action": "send", "body": "Hello?"})
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Message.objects.filter(direction=MessageDirection.FROM_STAFF).exists()


# --- The nudge ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("nudges", "expected"), [(True, [[SAFE_EMAIL]]), (False, [])])
def test_sending_from_the_page_nudges_the_reporter_only_if_they_asked(
    open_case: OpenCase,
    adviser: User,
    django_capture_on_commit_callbacks: Any,
    nudges: bool,
    expected: list[list[str]],
) -> None:
    case = open_case(
        assign=[adviser],
        route=Route.SUPPORT,
        contact={
            "name": "Sam",
            "email": "sam@student.test",
            "safe_email": SAFE_EMAIL,
            "email_nudges": nudges,
        },
    )
    client = _client(adviser)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_send_url(case.pk), {"action": "send", "body": "CANARY-nudge"})

    assert response.status_code == 302
    assert [email.to for email in mail.outbox] == expected
    for email in mail.outbox:
        text = f"{email.subject}\n{email.body}"
        assert "CANARY" not in text
        assert case.report.reference not in text


# --- Who may (IDOR) ---------------------------------------------------------------------------


def _outcome(response: Any) -> tuple[int, list[str]]:
    return response.status_code, sorted({t.name for t in response.templates})


@pytest.mark.parametrize(
    "who",
    ["other_adviser", "other_partner", "insights", "administrator", "outsider", "conflicted_lead"],
)
def test_a_foreign_case_answers_exactly_like_a_missing_one_and_nothing_is_sent(
    open_case: OpenCase,
    adviser: User,
    request: pytest.FixtureRequest,
    who: str,
) -> None:
    case = open_case(assign=[adviser])
    template = _template()
    if who == "other_adviser":
        user = _other(Role.ADVISER)
    elif who == "other_partner":
        user = _other(Role.PARTNER, department=DepartmentFactory.create(slug="estates"))
    elif who == "insights":
        user = request.getfixturevalue("insights_viewer")
    elif who == "conflicted_lead":
        user = _other(Role.CASE_LEAD)
        CaseConflict.objects.create(case=case, user=user, source=CaseConflict.Source.DECLARED)
    else:
        user = request.getfixturevalue(who)
    client = _client(user)
    before = (Message.objects.count(), AuditEvent.objects.filter(action="message.sent").count())

    for data in (
        None,
        {"action": "send", "body": "Hello"},
        {"action": "insert", "template": str(template.pk)},
    ):
        if data is None:
            foreign, missing = client.get(_send_url(case.pk)), client.get(_send_url(uuid.uuid4()))
        else:
            foreign = client.post(_send_url(case.pk), data)
            missing = client.post(_send_url(uuid.uuid4()), data)
        assert foreign.status_code in (403, 404)
        assert _outcome(foreign) == _outcome(missing)

    after = (Message.objects.count(), AuditEvent.objects.filter(action="message.sent").count())
    assert after == before


def test_the_panel_refuses_someone_who_may_not_see_the_case(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    stranger = _other(Role.ADVISER)

    with pytest.raises(Http404):
        _panel(stranger, case)


# --- Cost ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 40])
def test_the_panel_costs_the_same_number_of_queries_however_long_the_conversation(
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    case = open_case(assign=[adviser])
    for number in range(count):
        message_send_from_reporter(case=case, body=f"Message {number}")
        Message.objects.create(
            case=case, direction=MessageDirection.FROM_STAFF, author=case_lead, body=None
        )
    case = Case.objects.select_related("report").get(pk=case.pk)

    with django_assert_num_queries(PANEL_QUERIES):
        _panel(adviser, case)


# Last seen (1); messages_for_staff: policy (2), conversation (1), marking read (1), the
# audit entry (3), and its two savepoints (4: in a request they are one transaction); the
# authors' names (1); the channel check (0: the report came with the case); the reply
# form's policy check (2); the reply templates (1); the kept draft of the reply (ADR 0034:
# its policy check, 2, remembered on a real page, and the person's drafts, 1).
PANEL_QUERIES: Final = 19


def test_a_long_conversation_shows_the_latest_messages_and_every_unread_one(
    open_case: OpenCase, adviser: User, case_lead: User
) -> None:
    case = open_case(assign=[adviser])
    message_send_from_reporter(case=case, body="Oldest, never read")
    for number in range(MESSAGES_SHOWN + 5):
        Message.objects.create(
            case=case,
            data_key=case.data_key,
            direction=MessageDirection.FROM_STAFF,
            author=case_lead,
            body=f"Team message {number:02d}.",
        )

    html = _panel(adviser, case)

    assert "Oldest, never read" in html  # unread: shown however old, and now marked read
    assert f"Team message {MESSAGES_SHOWN + 4:02d}." in html
    assert f"Team message {5:02d}." in html
    assert f"Team message {4:02d}." not in html
    assert "?messages=all#messages" in html
    read = AuditEvent.objects.filter(action="message.read").order_by("-seq").first()
    assert read is not None
    assert read.extra["count"] == MESSAGES_SHOWN + 1

    again = _panel(adviser, case)
    assert "Oldest, never read" not in again  # read now, and older than the latest
    everything = _panel(adviser, case, "?messages=all")
    assert "Oldest, never read" in everything
    assert "Team message 00." in everything
    assert "?messages=all#messages" not in everything


# --- On the case page itself -------------------------------------------------------------------


def test_the_case_page_shows_the_conversation_and_fills_in_a_chosen_template(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    message_send_from_reporter(case=case, body="Is anyone there?")
    template = _template(body="Yes, we are here for you.")
    client = _client(adviser)

    response = client.post(
        _send_url(case.pk), {"action": "insert", "template": str(template.pk), "body": ""}
    )
    page = client.get(response["Location"])

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="messages"' in html
    assert "Is anyone there?" in html
    assert ">New</strong>" in html
    assert "Yes, we are here for you.</textarea>" in html
    messages = html[html.index('id="messages"') :]
    assert 'name="csrfmiddlewaretoken"' in messages
    # The tasks and their form are a section of their own now (People and matches).
    people = client.get(reverse("casework:people", kwargs={"case_id": case.pk}))
    tasks = people.content.decode()[people.content.decode().index('id="tasks"') :]
    assert 'name="csrfmiddlewaretoken"' in tasks
