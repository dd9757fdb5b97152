"""The case page: the report decrypted for those allowed, the timeline a page at a time,
evidence downloads, and a query count that does not grow with the database."""

from __future__ import annotations

import datetime
import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import UserFactory
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import (
    Case,
    CaseAssignment,
    CaseClock,
    CaseGrant,
    CaseOpening,
    EntryKind,
    TimelineEntry,
)
from waypoint.casework.selectors.case_page import TIMELINE_PAGE_SIZE
from waypoint.casework.services import message_send_from_reporter, timeline_add, workflow
from waypoint.casework.tests.conftest import OpenCase
from waypoint.institution.models import Institution
from waypoint.privacy.models import AuditEvent
from waypoint.reporting import evidence as evidence_files
from waypoint.reporting.models import Evidence, Report, ReportedPerson, Route
from waypoint.reporting.tests.sample_files import OWNER_NAME, png_with_text

pytestmark = pytest.mark.django_db

# The case page's queries (its Overview section, ADR 0031), whatever the number of cases
# and of timeline entries. Every section is pinned in test_case_sections.py; this keeps the
# guard against the number of cases. Before the page was split into sections it cost 58
# (everything read on every opening): re-pin this one number when the Overview changes.
CASE_PAGE_QUERIES: Final = 31

# --- Shared set-up (also used by test_workflow.py and test_case_idor.py) ----------------------

ANSWERS: Final[dict[str, Any]] = {
    "danger": {"immediate_danger": "no"},
    "what": {
        "behaviours": [{"slug": "following", "label": "Following me"}],
        "what_text": "CANARY-WHAT-TEXT waits outside my lectures",
    },
    "who": {"relationship": {"slug": "ex-partner", "label": "An ex-partner"}},
}
CONTACT: Final[dict[str, Any]] = {
    "name": "CANARY-CONTACT-NAME",
    "preferred_method": "phone",
    "phone": "07700 900123",
    "voicemail_ok": "no",
    "safe_times": "CANARY-SAFE-TIMES weekday mornings",
}
PERSON: Final[dict[str, Any]] = {
    "person_name": "CANARY-PERSON-NAME",
    "person_email": "named.person@example.test",
    "handles": ["@canary_handle"],
}
SECRETS: Final = itertools.cycle(
    ["JBSWY3DPEHPK3PXPSECONDADVISERSEC", "JBSWY3DPEHPK3PXPSECONDLEADSECRET"]
)


def client_for(user: User) -> Client:
    """A new browser, signed in as `user` (for tests with more than one person)."""
    client = Client()
    login_as(client, user)
    return client


def staff(role: str, name: str, **extra: Any) -> User:
    """Another member of staff who can sign in (password and TOTP, like the personas)."""
    return UserFactory.create(role=role, display_name=name, totp_secret=next(SECRETS), **extra)


def rich_case(open_case: OpenCase, **options: Any) -> Case:
    """A named report with answers, contact details and a person named, as intake makes it."""
    case = open_case(answers=ANSWERS, contact=CONTACT, **options)
    person = ReportedPerson(report=case.report, data_key=case.report.data_key)
    person.details = PERSON
    person.save()
    return case


def add_image(case: Case) -> Evidence:
    """A PNG with an author's name in it: kept as sent, with a clean copy for viewing."""
    upload = SimpleUploadedFile("CANARY-FILENAME.png", png_with_text(), "image/png")
    return evidence_files.evidence_add(upload=upload, report=case.report)


@pytest.fixture
def media_dir(tmp_path: Path, settings: Settings) -> Path:
    directory = tmp_path / "media"
    directory.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(directory)},
        },
    }
    return directory


def case_url(case: Case | uuid.UUID, name: str = "case", **kwargs: Any) -> str:
    case_id = case.pk if isinstance(case, Case) else case
    return reverse(f"casework:{name}", kwargs={"case_id": case_id, **kwargs})


def page_text(response: Any) -> str:
    return str(response.content.decode())


# --- Reading the case ----------------------------------------------------------------------------


def test_an_assigned_adviser_reads_the_report_decrypted(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = rich_case(open_case, assign=[adviser])

    response = signed_in_client(adviser).get(case_url(case, "report"))

    assert response.status_code == 200
    assert "casework/staff/case_report.html" in [t.name for t in response.templates]
    html = page_text(response)
    assert case.report.reference in html
    assert "CANARY-WHAT-TEXT waits outside my lectures" in html
    assert "Following me" in html
    assert "An ex-partner" in html
    assert "CANARY-PERSON-NAME" in html and "@canary_handle" in html
    assert "CANARY-CONTACT-NAME" in html and "CANARY-SAFE-TIMES" in html
    assert "Is it safe to leave a voicemail?" in html
    assert "Sensitive" in html
    assert "First contact" in html and "Due in" in html  # in the identity bar


def test_the_case_page_shows_urgency_route_and_assignees(
    open_case: OpenCase, case_lead: User, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case(urgent=True, route=Route.ANONYMOUS, assign=[adviser])

    html = page_text(signed_in_client(case_lead).get(case_url(case, "report")))

    assert "Immediate danger" in html
    assert "Anonymous" in html
    assert "this report is anonymous" in html.lower()
    assert adviser.display_name in html


def test_opening_the_case_page_is_audited_and_shown_to_the_reporter_by_role(
    open_case: OpenCase, adviser: User, case_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = rich_case(open_case, assign=[adviser])
    views_before = AuditEvent.objects.filter(action="case.view", object_id=str(case.pk)).count()

    client_for(adviser).get(case_url(case))
    client_for(case_lead).get(case_url(case))

    events = AuditEvent.objects.filter(action="case.view", object_id=str(case.pk))
    assert events.count() == views_before + 2
    assert {e.actor_id for e in events} >= {str(adviser.pk), str(case_lead.pk)}
    assert set(CaseOpening.objects.filter(case=case).values_list("role", flat=True)) == {
        Role.ADVISER,
        Role.CASE_LEAD,
    }
    for event in events:
        assert "CANARY" not in str(event.extra)


def test_a_case_lead_reads_any_case_that_is_not_restricted(
    open_case: OpenCase, case_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = rich_case(open_case)

    response = signed_in_client(case_lead).get(case_url(case))

    assert response.status_code == 200
    assert "CANARY-WHAT-TEXT" in page_text(response)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("adviser", 404),  # not assigned
        ("partner", 403),  # refused at the door, for any case or none
        ("insights_viewer", 403),
        ("administrator", 403),  # not granted case access
        ("outsider", 403),
    ],
)
def test_everyone_else_gets_the_same_answer_as_for_a_missing_case(
    request: pytest.FixtureRequest,
    open_case: OpenCase,
    signed_in_client: Callable[[User], Client],
    persona: str,
    status: int,
) -> None:
    case = rich_case(open_case)
    client = signed_in_client(request.getfixturevalue(persona))

    existing = client.get(case_url(case))
    missing = client.get(case_url(uuid.uuid4()))

    assert existing.status_code == missing.status_code == status
    assert "CANARY" not in page_text(existing)
    assert [t.name for t in existing.templates] == [t.name for t in missing.templates]
    assert not CaseOpening.objects.filter(case=case).exists()


def test_a_restricted_case_is_a_404_to_a_lead_without_a_grant_and_open_to_named_staff(
    open_case: OpenCase,
    case_lead: User,
    adviser: User,
    signed_in_client: Callable[[User], Client],
) -> None:
    case = rich_case(open_case, restricted=True, assign=[adviser])
    granted_lead = staff(Role.CASE_LEAD, "Granted Lead")

    assert client_for(case_lead).get(case_url(case)).status_code == 404
    assert client_for(adviser).get(case_url(case)).status_code == 200
    CaseGrant.objects.create(case=case, user=granted_lead)
    response = client_for(granted_lead).get(case_url(case))
    assert response.status_code == 200
    assert "Restricted" in page_text(response)


def test_an_administrator_granted_case_access_reads_it_like_a_lead(
    open_case: OpenCase, administrator: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = rich_case(open_case)
    administrator.case_access_granted = True
    administrator.save(update_fields=["case_access_granted"])

    response = signed_in_client(administrator).get(case_url(case))

    assert response.status_code == 200
    assert CaseOpening.objects.get(case=case).role == Role.ADMINISTRATOR


def test_a_case_whose_key_was_shredded_says_it_was_erased(
    open_case: OpenCase, case_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = rich_case(open_case)
    workflow.note_add(case=case, actor=case_lead, text="CANARY-NOTE")
    Report.objects.filter(pk=case.report_id).update(data_key=None)
    TimelineEntry.objects.filter(case=case).update(data_key=None)

    response = signed_in_client(case_lead).get(case_url(case))

    assert response.status_code == 200
    html = page_text(response)
    assert "has been erased" in html
    assert "CANARY" not in html


# --- The timeline --------------------------------------------------------------------------------


def test_every_kind_of_entry_reads_plainly_on_the_timeline(
    open_case: OpenCase,
    case_lead: User,
    adviser: User,
    media_dir: Path,
    signed_in_client: Callable[[User], Client],
) -> None:
    case = rich_case(open_case)
    other_lead = staff(Role.CASE_LEAD, "Other Lead")
    workflow.case_status_change(
        case=case, actor=case_lead, to_status="triaged", reason="CANARY-REASON-TRIAGE"
    )
    workflow.case_assign(case=case, actor=case_lead, user=adviser)
    workflow.contact_record(
        case=case, actor=adviser, method="phone", outcome="no_answer", text="CANARY-CONTACT"
    )
    workflow.note_add(case=case, actor=adviser, text="CANARY-NOTE-FIRST")
    message_send_from_reporter(case=case, body="CANARY-MESSAGE-FROM-REPORTER")
    item = add_image(case)
    timeline_add(case=case, kind=EntryKind.EVIDENCE, evidence=item)
    workflow.case_set_restricted(
        case=case, actor=case_lead, restricted=True, reason="CANARY-RESTRICT"
    )
    workflow.case_grant(case=case, actor=case_lead, user=other_lead)
    workflow.case_unassign(case=case, actor=case_lead, user=adviser)
    workflow.case_close(
        case=case,
        actor=case_lead,
        outcome="supported",
        support_given=["one_to_one", "safety_plan"],
        reason="CANARY-CLOSING",
    )
    workflow.case_reopen(case=case, actor=case_lead, reason="CANARY-REOPEN")
    timeline_add(case=case, kind=EntryKind.WITHDRAWN)
    timeline_add(case=case, kind=EntryKind.DELETION_REQUESTED)

    html = page_text(signed_in_client(case_lead).get(case_url(case, "timeline")))

    for words in [
        "Report received",
        "Status changed",
        "CANARY-REASON-TRIAGE",
        f"{adviser.display_name} assigned",
        "Contact attempt",
        "Phone call",
        "No answer",
        "CANARY-CONTACT",
        "CANARY-NOTE-FIRST",
        "Message from the reporter",
        "CANARY-MESSAGE-FROM-REPORTER",
        "The reporter added a file",
        reverse("casework:evidence", kwargs={"case_id": case.pk, "evidence_id": item.pk}),
        "Case restricted to named staff",
        "CANARY-RESTRICT",
        "Access given to Other Lead",
        f"{adviser.display_name} taken off the case",
        "Case closed",
        "Support given; no further action needed",
        "1:1 support from an adviser, Safety plan or safety measures on campus",
        "CANARY-CLOSING",
        "Case reopened",
        "CANARY-REOPEN",
        "Withdrawn by the reporter",
        "Reporter asked for deletion",
    ]:
        assert words in html, words
    assert html.index("Case reopened") < html.index("Report received")  # newest first


def test_a_corrected_note_links_to_its_correction_and_the_correction_to_the_note(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = rich_case(open_case, assign=[adviser])
    first = workflow.note_add(case=case, actor=adviser, text="CANARY-NOTE-WRONG")
    second = workflow.note_add(case=case, actor=adviser, text="CANARY-NOTE-RIGHT", corrects=first)

    html = page_text(signed_in_client(adviser).get(case_url(case, "timeline")))

    assert "Corrected by a later note" in html
    assert f'href="#entry-{second.pk}"' in html
    assert "This corrects" in html
    assert f'href="#entry-{first.pk}"' in html
    assert "CANARY-NOTE-WRONG" in html  # never edited away


def test_correct_this_note_opens_the_note_form_pointing_at_that_note(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = rich_case(open_case, assign=[adviser])
    note = workflow.note_add(case=case, actor=adviser, text="CANARY-NOTE")

    response = signed_in_client(adviser).get(case_url(case, "timeline") + f"?correct={note.pk}")

    assert response.context["correcting"] == note
    assert response.context["note_form"]["corrects"].value() == note.pk
    assert "You are correcting the note" in page_text(response)


def _filler(case: Case, count: int, *, days_ago: int) -> None:
    """`count` old entries, all before the ones a first page shows."""
    base = timezone.now() - datetime.timedelta(days=days_ago)
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(
                case=case,
                data_key_id=case.data_key_id,
                kind=EntryKind.STATUS,
                occurred_at=base - datetime.timedelta(minutes=i),
                detail={"from": "new", "to": "triaged"},
            )
            for i in range(count)
        ]
    )


def _recent(case: Case, actor: User, subject: User) -> None:
    """A first page's worth of mixed entries: notes (sealed), contacts, assignments."""
    now = timezone.now()
    entries = []
    for i in range(TIMELINE_PAGE_SIZE):
        entry = TimelineEntry(
            case=case,
            data_key=case.data_key,
            actor=actor,
            occurred_at=now - datetime.timedelta(seconds=i),
        )
        if i % 3 == 0:
            entry.kind = EntryKind.NOTE
            entry.text = f"CANARY-BULK-NOTE-{i}"
        elif i % 3 == 1:
            entry.kind = EntryKind.CONTACT
            entry.detail = {"method": "email", "outcome": "message_sent"}
        else:
            entry.kind = EntryKind.ASSIGNED
            entry.detail = {"user_id": str(subject.pk)}
        entries.append(entry)
    TimelineEntry.objects.bulk_create(entries)


def test_the_timeline_shows_fifty_entries_and_pages_to_older_ones(
    open_case: OpenCase, case_lead: User, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case()
    _filler(case, 9, days_ago=3)
    _recent(case, case_lead, adviser)
    client = signed_in_client(case_lead)

    first = client.get(case_url(case, "timeline"))
    rows = first.context["timeline"].rows
    assert len(rows) == TIMELINE_PAGE_SIZE
    cursor = first.context["timeline"].older_than
    assert cursor == rows[-1].entry.pk
    assert f"?before={cursor}" in page_text(first)

    older = client.get(case_url(case, "timeline") + f"?before={cursor}")
    assert older.status_code == 200
    rest = older.context["timeline"].rows
    # 60 entries in all: 9 old ones, 50 recent ones, and "report received"
    assert len(rest) == 10
    assert older.context["timeline"].older_than is None
    shown = [r.entry.pk for r in rows] + [r.entry.pk for r in rest]
    assert len(set(shown)) == len(shown) == TimelineEntry.objects.filter(case=case).count()

    one = client.get(case_url(case, "timeline") + f"?start={rest[3].entry.pk}")
    assert one.context["timeline"].rows[0].entry.pk == rest[3].entry.pk


def test_a_timeline_cursor_of_another_case_or_malformed_is_a_404(
    open_case: OpenCase, case_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    case, other = open_case(), open_case()
    foreign = TimelineEntry.objects.filter(case=other).first()
    assert foreign is not None
    client = signed_in_client(case_lead)

    for query in [f"?before={foreign.pk}", f"?start={foreign.pk}", f"?before={uuid.uuid4()}"]:
        assert client.get(case_url(case, "timeline") + query).status_code == 404
    assert client.get(case_url(case, "timeline") + "?before=not-an-id").status_code == 404


def test_a_correction_on_another_page_links_to_that_page(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case(assign=[adviser])
    old_note = workflow.note_add(case=case, actor=adviser, text="CANARY-OLD")
    TimelineEntry.objects.filter(pk=old_note.pk).update(
        occurred_at=timezone.now() - datetime.timedelta(days=30)
    )
    _recent(case, adviser, adviser)
    correction = workflow.note_add(case=case, actor=adviser, text="CANARY-FIX", corrects=old_note)

    html = page_text(signed_in_client(adviser).get(case_url(case, "timeline")))

    timeline = case_url(case, "timeline")
    assert f'href="{timeline}?start={old_note.pk}#entry-{old_note.pk}"' in html
    assert f"entry-{correction.pk}" in html


# --- Query counts --------------------------------------------------------------------------------


def _bulk_cases(count: int) -> None:
    """`count` other cases, fast: no sealed fields, no per-row encryption."""
    stamp = uuid.uuid4().hex[:4].upper()
    reports = Report.objects.bulk_create(
        [Report(reference=f"WP{stamp}{i:07d}", route=Route.ANONYMOUS) for i in range(count)],
        batch_size=2000,
    )
    cases = Case.objects.bulk_create([Case(report=r) for r in reports], batch_size=2000)
    due = timezone.now() + datetime.timedelta(days=2)
    CaseClock.objects.bulk_create(
        [CaseClock(case=c, first_contact_due_at=due) for c in cases], batch_size=2000
    )


def _measured_page(
    case: Case, client: Client, django_assert_num_queries: Any, expected: int
) -> None:
    url = case_url(case)
    assert client.get(url).status_code == 200  # the first opening creates its row
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200


@pytest.fixture
def busy_case(
    open_case: OpenCase, case_lead: User, adviser: User, institution: Institution
) -> Iterator[Case]:
    case = rich_case(open_case, assign=[adviser])
    _recent(case, case_lead, adviser)
    yield case


@pytest.mark.parametrize("others", [10, 10_000])
def test_the_case_page_costs_the_same_queries_with_10_or_10000_cases(
    busy_case: Case,
    case_lead: User,
    signed_in_client: Callable[[User], Client],
    django_assert_num_queries: Any,
    others: int,
) -> None:
    _bulk_cases(others)
    assert Case.objects.count() == others + 1

    _measured_page(
        busy_case, signed_in_client(case_lead), django_assert_num_queries, CASE_PAGE_QUERIES
    )


@pytest.mark.parametrize("entries", [60, 1_000])
def test_the_case_page_costs_the_same_queries_with_60_or_1000_timeline_entries(
    busy_case: Case,
    case_lead: User,
    signed_in_client: Callable[[User], Client],
    django_assert_num_queries: Any,
    entries: int,
) -> None:
    have = TimelineEntry.objects.filter(case=busy_case).count()
    _filler(busy_case, entries - have, days_ago=5)
    assert TimelineEntry.objects.filter(case=busy_case).count() == entries

    _measured_page(
        busy_case, signed_in_client(case_lead), django_assert_num_queries, CASE_PAGE_QUERIES
    )


# --- Evidence ------------------------------------------------------------------------------------


def test_evidence_downloads_as_a_neutral_attachment_that_cannot_run(
    open_case: OpenCase, adviser: User, media_dir: Path, signed_in_client: Callable[[User], Client]
) -> None:
    case = rich_case(open_case, assign=[adviser])
    item = add_image(case)

    response = signed_in_client(adviser).get(case_url(case, "evidence", evidence_id=item.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        f'attachment; filename="evidence-{item.pk.hex[:8]}.png"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert "no-store" in response["Cache-Control"]
    assert "CANARY-FILENAME" not in str(response.headers)
    # The clean copy by default: the author's name written into the PNG is gone.
    assert OWNER_NAME.encode() not in response.content
    assert response.content == evidence_files.evidence_read(evidence=item, clean=True)


def test_the_original_file_is_served_only_when_asked_for_and_both_are_audited(
    open_case: OpenCase, adviser: User, media_dir: Path, signed_in_client: Callable[[User], Client]
) -> None:
    case = rich_case(open_case, assign=[adviser])
    item = add_image(case)
    client = signed_in_client(adviser)
    url = case_url(case, "evidence", evidence_id=item.pk)
    before = AuditEvent.objects.filter(action="evidence.viewed").count()

    clean = client.get(url)
    original = client.get(url + "?original=1")

    assert OWNER_NAME.encode() not in clean.content
    assert OWNER_NAME.encode() in original.content
    events = list(
        AuditEvent.objects.filter(action="evidence.viewed", object_id=str(item.pk)).order_by("pk")
    )
    assert AuditEvent.objects.filter(action="evidence.viewed").count() == before + 2
    assert [e.extra["original"] for e in events] == [False, True]
    assert all(e.actor_id == str(adviser.pk) for e in events)
    assert all(e.extra["case_id"] == str(case.pk) for e in events)


def test_evidence_of_another_case_is_a_404_like_a_missing_file(
    open_case: OpenCase,
    case_lead: User,
    media_dir: Path,
    signed_in_client: Callable[[User], Client],
) -> None:
    mine, other = rich_case(open_case), rich_case(open_case)
    foreign = add_image(other)
    client = signed_in_client(case_lead)
    viewed = AuditEvent.objects.filter(action="evidence.viewed").count()

    wrong_case = client.get(case_url(mine, "evidence", evidence_id=foreign.pk))
    missing = client.get(case_url(mine, "evidence", evidence_id=uuid.uuid4()))

    assert wrong_case.status_code == missing.status_code == 404
    assert AuditEvent.objects.filter(action="evidence.viewed").count() == viewed


# --- Changes are POST only -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["status", "claim", "assign", "unassign", "conflict", "note", "contact", "reopen"]
)
def test_a_change_asked_for_with_get_is_refused_with_405(
    open_case: OpenCase,
    case_lead: User,
    signed_in_client: Callable[[User], Client],
    name: str,
) -> None:
    case = open_case()

    response = signed_in_client(case_lead).get(case_url(case, name))

    assert response.status_code == 405
    assert not CaseAssignment.objects.filter(case=case).exists()
