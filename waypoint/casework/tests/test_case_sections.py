"""The case split into sections under one identity bar (ADR 0031): each section is a page
of its own with the bar and the sub navigation, records the opening, reads only what it
shows (queries pinned at 10 and 1,000 timeline entries), and a change goes back to the
section it came from (a known section name, never an address)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, Final

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework.models import (
    Case,
    CaseOpening,
    EntryKind,
    Message,
    TimelineEntry,
)
from waypoint.casework.services import message_send_from_reporter, workflow
from waypoint.casework.tests.conftest import OpenCase
from waypoint.casework.tests.test_case_page import _filler, _recent, rich_case
from waypoint.institution.models import Department, Institution
from waypoint.privacy.models import AuditEvent
from waypoint.safety.models import MeasureKind, MeasureStatus
from waypoint.safety.services.plans import measure_create
from waypoint.safety.services.risk import assessment_create
from waypoint.safety.tests.risk_support import answers, current_version

pytestmark = pytest.mark.django_db

# (section, URL name): every section of a case, as the sub navigation offers them to a
# case lead (Access is for leads only).
SECTIONS: Final = (
    ("overview", "casework:case"),
    ("report", "casework:report"),
    ("messages", "casework:message_send"),
    ("timeline", "casework:timeline"),
    ("risk", "safety:assessments"),
    ("plan", "safety:plan"),
    ("referrals", "safety:referrals"),
    ("processes", "safety:processes"),
    ("people", "casework:people"),
    ("access", "casework:access"),
)

# Queries for each section, shown to the case lead, whatever the number of timeline entries
# (10 or 1,000) and of cases. Each includes the session and user, the case and its policy
# facts (read once: Case.access_facts_remembered), recording the opening, the identity bar
# (clock, assignees, latest risk band) and what the section itself shows. Re-pin a number
# when its section changes; it must never depend on the number of entries. (The one long
# case page these replace cost 58, reading everything every time.)
SECTION_QUERIES: Final[dict[str, int]] = {
    "overview": 31,
    "report": 29,
    "messages": 36,
    "timeline": 27,
    "risk": 30,
    "plan": 32,  # with the kept draft of a plan action (ADR 0034)
    "referrals": 32,
    "processes": 34,
    "people": 34,
    "access": 29,
}


def url(name: str, case: Case) -> str:
    return reverse(name, kwargs={"case_id": case.pk})


def html(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def security(db: None) -> Department:
    return Department.objects.get_or_create(name="Security")[0]


@pytest.fixture
def worked_case(
    open_case: OpenCase,
    case_lead: User,
    adviser: User,
    institution: Institution,
    security: Department,
) -> Case:
    """A case an adviser works: a report, a risk assessment, a measure, an unread message."""
    case = rich_case(open_case, assign=[adviser])
    version = current_version("dash-topics")
    assessment_create(
        case=case,
        actor=adviser,
        version=version,
        answers=answers(version, yes=2),
        judged_band="",
        judgement_reason="",
        next_review_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    measure_create(
        case=case,
        actor=adviser,
        kind=MeasureKind.ESCORT,
        department=security,
        brief="Walk the reporter to the library",
        detail="",
        status=MeasureStatus.AGREED,
        starts_on=None,
        review_on=timezone.localdate() + datetime.timedelta(days=3),
        ends_on=None,
    )
    message_send_from_reporter(case=case, body="CANARY-UNREAD it happened again today")
    return case


# --- The frame: identity bar and sub navigation ---------------------------------------------------


@pytest.mark.parametrize(("section", "name"), SECTIONS)
def test_every_section_shows_the_identity_bar_and_marks_itself_in_the_sub_navigation(
    worked_case: Case,
    case_lead: User,
    signed_in_client: Callable[[User], Client],
    section: str,
    name: str,
) -> None:
    response = signed_in_client(case_lead).get(url(name, worked_case))

    assert response.status_code == 200
    page = html(response)
    assert f'aria-label="Case {worked_case.report.reference}"' in page  # the identity bar
    assert 'class="case-sections"' in page
    current = "referrals" if section == "processes" else section
    href = url(name if section != "processes" else "safety:referrals", worked_case)
    assert f'<a href="{href}" aria-current="page">' in page, current
    assert page.count('aria-current="page"') == 1 + (section in ("referrals", "processes"))
    # Each has its own h1, and the tab names every section the lead may open.
    assert page.count("<h1") == 1
    for label in ("Overview", "What was reported", "Messages", "Timeline", "Risk", "Access"):
        assert f">{label}</a>" in page


def test_the_identity_bar_shows_status_assignees_clock_risk_band_and_actions(
    worked_case: Case, case_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    page = html(signed_in_client(case_lead).get(url("casework:case", worked_case)))

    bar = page[page.index('class="idbar"') : page.index('class="case-sections"')]
    assert worked_case.report.reference in bar
    assert "New" in bar  # the status
    assert "Adviser" in bar or "adviser" in bar.lower()  # who is assigned
    assert "First contact" in bar and "Due in" in bar  # the running clock
    assert "Risk" in bar and "review" in bar  # the latest band and its review date
    assert url("casework:people", worked_case) + "#assign" in bar
    assert url("casework:timeline", worked_case) + "#add-note" in bar
    assert url("casework:message_send", worked_case) + "#reply" in bar
    assert url("casework:close", worked_case) in bar


def test_an_adviser_is_not_offered_the_access_section_and_cannot_open_it(
    worked_case: Case, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(adviser)
    page = html(client.get(url("casework:case", worked_case)))

    assert url("casework:access", worked_case) not in page
    assert client.get(url("casework:access", worked_case)).status_code == 403


@pytest.mark.parametrize(
    "name", ["casework:case", "casework:report", "casework:message_send", "casework:people"]
)
def test_an_adviser_not_assigned_gets_the_404_of_a_missing_case_on_every_section(
    worked_case: Case, signed_in_client: Callable[[User], Client], name: str
) -> None:
    from waypoint.casework.tests.test_case_page import staff  # noqa: PLC0415

    other = staff("adviser", "Other Adviser")
    assert signed_in_client(other).get(url(name, worked_case)).status_code == 404


# --- Audit ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("section", "name"), SECTIONS)
def test_opening_any_section_records_the_opening(
    worked_case: Case,
    case_lead: User,
    signed_in_client: Callable[[User], Client],
    section: str,
    name: str,
) -> None:
    before = AuditEvent.objects.filter(action="case.view", object_id=str(worked_case.pk)).count()

    signed_in_client(case_lead).get(url(name, worked_case))

    after = AuditEvent.objects.filter(action="case.view", object_id=str(worked_case.pk)).count()
    assert after == before + 1
    assert CaseOpening.objects.filter(case=worked_case, role=case_lead.role).exists()


# --- The Overview ------------------------------------------------------------------------------


def test_the_overview_answers_what_to_know_and_do_now_without_reading_the_messages(
    worked_case: Case, case_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    page = html(signed_in_client(case_lead).get(url("casework:case", worked_case)))

    assert "CANARY-WHAT-TEXT" in page  # the report in a few lines
    assert "1 unread" in page  # unread messages, counted ...
    assert "CANARY-UNREAD" not in page  # ... but not read here
    assert Message.objects.get(case=worked_case).read_at is None
    assert "Measure review: " in page  # what is due
    assert "Security" in page  # an open measure and its department
    assert "band" in page  # the latest risk band


def test_the_messages_section_reads_the_messages_and_marks_them_read(
    worked_case: Case, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(adviser).get(url("casework:message_send", worked_case))

    assert response.status_code == 200
    assert "CANARY-UNREAD" in html(response)
    assert 'id="reply"' in html(response)
    assert Message.objects.get(case=worked_case).read_at is not None


def test_the_report_section_shows_the_whole_report_with_the_people_named(
    worked_case: Case, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    page = html(signed_in_client(adviser).get(url("casework:report", worked_case)))

    assert "CANARY-PERSON-NAME" in page and "CANARY-SAFE-TIMES" in page
    assert "Declare a conflict of interest" in page


# --- Changes go back to the section they came from --------------------------------------------


def test_a_note_goes_back_to_the_timeline_section(
    worked_case: Case, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(adviser).post(
        url("casework:note", worked_case), {"note-text": "Called back.", "next": "timeline"}
    )

    assert response.status_code == 302
    assert response["Location"] == url("casework:timeline", worked_case)


@pytest.mark.parametrize("next_value", ["https://evil.example/", "//evil.example", "nowhere", ""])
def test_a_next_that_is_not_a_section_name_goes_to_the_forms_own_section(
    worked_case: Case,
    adviser: User,
    signed_in_client: Callable[[User], Client],
    next_value: str,
) -> None:
    response = signed_in_client(adviser).post(
        url("casework:note", worked_case), {"note-text": "Called back.", "next": next_value}
    )

    assert response.status_code == 302
    assert response["Location"] == url("casework:timeline", worked_case)


def test_a_claim_from_a_safety_section_goes_back_to_it(
    open_case: OpenCase, case_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case()
    response = signed_in_client(case_lead).post(url("casework:claim", case), {"next": "plan"})

    assert response.status_code == 302
    assert response["Location"] == url("safety:plan", case)


def test_a_refused_note_shows_the_timeline_section_again_with_the_error_summary(
    worked_case: Case, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(adviser).post(
        url("casework:note", worked_case), {"note-text": "", "next": "overview"}
    )

    assert response.status_code == 400
    assert "casework/staff/case_timeline.html" in [t.name for t in response.templates]
    page = html(response)
    assert 'id="error-summary"' in page
    assert page.index('id="error-summary"') < page.index('id="timeline"')


def test_a_refused_status_change_shows_the_overview_again_with_the_form_open(
    worked_case: Case, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(adviser).post(
        url("casework:status", worked_case), {"status-to_status": "", "next": "overview"}
    )

    assert response.status_code == 400
    page = html(response)
    assert "casework/staff/case.html" in [t.name for t in response.templates]
    assert 'id="error-summary"' in page
    assert '<details class="card__form" id="status" open>' in page


def test_a_refused_assignment_shows_the_people_section_again(
    worked_case: Case, case_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(case_lead).post(
        url("casework:assign", worked_case), {"assign-user": "", "next": "people"}
    )

    assert response.status_code == 400
    assert "casework/staff/case_people.html" in [t.name for t in response.templates]


def test_a_refused_message_shows_the_messages_section_again_with_what_was_typed(
    worked_case: Case, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(adviser).post(
        url("casework:message_send", worked_case),
        {"action": "send", "body": "Hello [your first name] CANARY-TYPED"},
    )

    assert response.status_code == 400
    page = html(response)
    assert "casework/staff/message_send.html" in [t.name for t in response.templates]
    assert 'id="error-summary"' in page and "CANARY-TYPED" in page


def test_a_sent_message_goes_back_to_the_messages_section(
    worked_case: Case, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(adviser).post(
        url("casework:message_send", worked_case),
        {"action": "send", "body": "We can talk on Tuesday."},
    )

    assert response.status_code == 302
    assert response["Location"] == url("casework:message_send", worked_case) + "#messages"


def test_closing_and_reopening_go_back_to_the_overview(
    worked_case: Case, case_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    workflow.case_close(
        case=worked_case,
        actor=case_lead,
        outcome="supported",
        support_given=[],
        reason="Resolved with the reporter.",
    )
    response = signed_in_client(case_lead).post(
        url("casework:reopen", worked_case), {"reopen-reason": "New events.", "next": "overview"}
    )

    assert response.status_code == 302
    assert response["Location"] == url("casework:case", worked_case)


# --- Queries: each section reads only what it shows --------------------------------------------


@pytest.fixture
def lead_client(case_lead: User, signed_in_client: Callable[[User], Client]) -> Client:
    return signed_in_client(case_lead)


@pytest.fixture
def busy(worked_case: Case, case_lead: User, adviser: User) -> Case:
    _recent(worked_case, case_lead, adviser)
    return worked_case


@pytest.mark.parametrize("entries", [10, 1_000])
@pytest.mark.parametrize("section_name", SECTIONS, ids=[s for s, _ in SECTIONS])
def test_each_section_costs_the_same_queries_with_10_or_1000_timeline_entries(
    busy: Case,
    lead_client: Client,
    django_assert_num_queries: Any,
    section_name: tuple[str, str],
    entries: int,
) -> None:
    section, name = section_name
    _filler(busy, entries, days_ago=5)
    assert TimelineEntry.objects.filter(case=busy, kind=EntryKind.STATUS).count() >= entries
    client = lead_client
    address = url(name, busy)
    assert client.get(address).status_code == 200  # the first opening creates its row

    with django_assert_num_queries(SECTION_QUERIES[section]):
        response = client.get(address)

    assert response.status_code == 200
