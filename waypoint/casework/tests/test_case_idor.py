"""Insecure direct object references: every object the case URLs take (a case, a file, a
timeline entry, a note being corrected, a person being assigned, granted or named) asked
for by someone who may not have it answers exactly as an id that does not exist, by GET
and by POST, and changes nothing."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Final

import pytest
from django.test import Client

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.casework.models import (
    Case,
    CaseAssignment,
    CaseConflict,
    CaseGrant,
    CaseOpening,
    EntryKind,
    TimelineEntry,
)
from waypoint.casework.services import workflow
from waypoint.casework.tests.conftest import OpenCase
from waypoint.casework.tests.test_case_page import (
    add_image,
    case_url,
    client_for,
    media_dir,  # noqa: F401 - a fixture, used by name
    rich_case,
    staff,
)
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

# Every URL of a case; GET and POST are both tried on each.
CASE_URLS: Final = (
    "case",
    "timeline",
    "evidence",
    "close",
    "access",
    "status",
    "claim",
    "assign",
    "unassign",
    "conflict",
    "note",
    "contact",
    "reopen",
)
OUTSIDERS: Final = ("adviser", "partner", "insights_viewer", "administrator", "outsider")


def _snapshot() -> dict[str, Any]:
    """Everything a case action could change (the audit log included)."""
    return {
        "entries": TimelineEntry.objects.count(),
        "assignments": sorted(CaseAssignment.objects.values_list("case", "user")),
        "grants": sorted(CaseGrant.objects.values_list("case", "user")),
        "conflicts": sorted(CaseConflict.objects.values_list("case", "user")),
        "openings": CaseOpening.objects.count(),
        "cases": sorted(Case.objects.values_list("pk", "status", "restricted", "closed_at")),
        "audit": AuditEvent.objects.count(),
    }


def _answer(response: Any) -> tuple[int, list[str]]:
    return response.status_code, [t.name for t in response.templates]


def _url(name: str, case_id: uuid.UUID, evidence_id: uuid.UUID) -> str:
    if name == "evidence":
        return case_url(case_id, name, evidence_id=evidence_id)
    return case_url(case_id, name)


def _post_data(someone: User) -> dict[str, Any]:
    """Valid-looking data for every form a case URL takes."""
    return {
        "status-to_status": "triaged",
        "status-reason": "x",
        "assign-user": str(someone.pk),
        "unassign-user": str(someone.pk),
        "conflict-confirm": "on",
        "note-text": "CANARY-INTRUDER",
        "contact-method": "phone",
        "contact-outcome": "reached",
        "reopen-reason": "x",
        "outcome": "supported",
        "reason": "x",
        "action": "restrict",
        "restrict-reason": "x",
    }


@pytest.fixture
def owner() -> User:
    return staff(Role.ADVISER, "Owning Adviser")


@pytest.fixture
def foreign(open_case: OpenCase, owner: User, media_dir: Path) -> Case:  # noqa: F811
    """A case that belongs to another adviser, with a note and a file."""
    case = rich_case(open_case, assign=[owner])
    workflow.note_add(case=case, actor=owner, text="CANARY-OWNERS-NOTE")
    add_image(case)
    return case


@pytest.mark.parametrize("persona", [*OUTSIDERS, "case_lead"])
def test_every_case_url_answers_a_foreign_case_exactly_as_a_missing_one(
    request: pytest.FixtureRequest,
    open_case: OpenCase,
    owner: User,
    foreign: Case,
    persona: str,
) -> None:
    if persona == "case_lead":
        # A lead sees unrestricted cases: theirs to refuse is a restricted one.
        foreign.restricted = True
        foreign.save(update_fields=["restricted"])
    user: User = request.getfixturevalue(persona)
    client = client_for(user)
    evidence_id = foreign.report.evidence.get().pk
    before = _snapshot()

    for name in CASE_URLS:
        for method in ("get", "post"):
            send = getattr(client, method)
            data = _post_data(owner) if method == "post" else {}
            real = send(_url(name, foreign.pk, evidence_id), data)
            missing = send(_url(name, uuid.uuid4(), uuid.uuid4()), data)
            assert _answer(real) == _answer(missing), f"{method.upper()} {name} as {persona}"
            assert real.status_code in (403, 404, 405), f"{method.upper()} {name} as {persona}"
            assert b"CANARY" not in real.content

    assert _snapshot() == before


# --- Objects inside a case the person may open -------------------------------------------------


@pytest.fixture
def mine(open_case: OpenCase, case_lead: User) -> Case:
    """A case the signed-in lead works on (assigned, so it stays theirs when restricted)."""
    return open_case(assign=[case_lead])


_CHANGES: Final = (
    "case.note_added",
    "case.assigned",
    "case.unassigned",
    "case.access_granted",
    "case.access_revoked",
    "case.conflict_recorded",
)


def _changes() -> int:
    return AuditEvent.objects.filter(action__in=_CHANGES).count()


def _same(
    client: Client, url: str, foreign_data: dict[str, Any], missing_data: dict[str, Any]
) -> None:
    before, changes = _snapshot(), _changes()
    real = client.post(url, foreign_data)
    missing = client.post(url, missing_data)
    assert _answer(real) == _answer(missing)
    assert real.status_code in (400, 404)
    after = _snapshot()
    # Showing the page again records an opening (audited), and nothing else changes.
    assert {k: v for k, v in after.items() if k not in ("audit", "openings")} == {
        k: v for k, v in before.items() if k not in ("audit", "openings")
    }
    assert _changes() == changes


def test_a_correction_naming_a_note_of_another_case_is_refused_like_a_missing_note(
    mine: Case, foreign: Case, case_lead: User
) -> None:
    foreign_note = TimelineEntry.objects.get(case=foreign, kind=EntryKind.NOTE)
    client = client_for(case_lead)
    url = case_url(mine, "note")

    _same(
        client,
        url,
        {"note-text": "Fix", "note-corrects": str(foreign_note.pk)},
        {"note-text": "Fix", "note-corrects": str(uuid.uuid4())},
    )
    # Asking to correct it through the page's address just opens an empty note form.
    page = client.get(case_url(mine, "timeline") + f"?correct={foreign_note.pk}")
    assert page.status_code == 200 and page.context["correcting"] is None
    assert b"CANARY-OWNERS-NOTE" not in page.content


def test_a_correction_naming_an_entry_that_is_not_a_note_is_refused(
    mine: Case, case_lead: User
) -> None:
    reported = TimelineEntry.objects.get(case=mine, kind=EntryKind.REPORTED)

    _same(
        client_for(case_lead),
        case_url(mine, "note"),
        {"note-text": "Fix", "note-corrects": str(reported.pk)},
        {"note-text": "Fix", "note-corrects": str(uuid.uuid4())},
    )


@pytest.mark.parametrize("who", ["conflicted", "partner", "insights_viewer", "inactive"])
def test_assigning_someone_who_may_not_be_assigned_is_refused_like_a_missing_person(
    request: pytest.FixtureRequest, mine: Case, case_lead: User, who: str
) -> None:
    if who == "conflicted":
        person = staff(Role.ADVISER, "Conflicted Adviser")
        CaseConflict.objects.create(case=mine, user=person, source="declared")
    elif who == "inactive":
        person = staff(Role.ADVISER, "Inactive Adviser", is_active=False)
    else:
        person = request.getfixturevalue(who)

    _same(
        client_for(case_lead),
        case_url(mine, "assign"),
        {"assign-user": str(person.pk)},
        {"assign-user": str(uuid.uuid4())},
    )


def test_taking_off_someone_assigned_only_to_another_case_is_refused_like_a_missing_person(
    mine: Case, foreign: Case, owner: User, case_lead: User
) -> None:
    _same(
        client_for(case_lead),
        case_url(mine, "unassign"),
        {"unassign-user": str(owner.pk)},
        {"unassign-user": str(uuid.uuid4())},
    )
    assert CaseAssignment.objects.filter(case=foreign, user=owner).exists()


def test_access_changes_naming_people_of_another_case_are_refused_like_missing_people(
    mine: Case, foreign: Case, case_lead: User, adviser: User
) -> None:
    other_lead = staff(Role.CASE_LEAD, "Other Lead")
    foreign.restricted = True
    foreign.save(update_fields=["restricted"])
    CaseGrant.objects.create(case=foreign, user=other_lead)
    workflow.case_set_restricted(case=mine, actor=case_lead, restricted=True, reason="x")
    CaseConflict.objects.create(case=mine, user=adviser, source="declared")
    client = client_for(case_lead)
    url = case_url(mine, "access")

    # Taking back a grant that exists only on another case.
    _same(
        client,
        url,
        {"action": "revoke", "revoke-user": str(other_lead.pk)},
        {"action": "revoke", "revoke-user": str(uuid.uuid4())},
    )
    # Naming an adviser (who cannot hold a grant) or a conflicted person.
    _same(
        client,
        url,
        {"action": "grant", "grant-user": str(adviser.pk)},
        {"action": "grant", "grant-user": str(uuid.uuid4())},
    )
    # Recording again a conflict already recorded.
    _same(
        client,
        url,
        {"action": "conflict", "conflict_for-user": str(adviser.pk)},
        {"action": "conflict", "conflict_for-user": str(uuid.uuid4())},
    )
    assert CaseGrant.objects.filter(case=foreign, user=other_lead).exists()


def test_a_file_or_timeline_entry_of_another_case_is_a_404_like_a_missing_one(
    mine: Case, foreign: Case, case_lead: User
) -> None:
    client = client_for(case_lead)
    foreign_file = foreign.report.evidence.get()
    foreign_entry = TimelineEntry.objects.filter(case=foreign).first()
    assert foreign_entry is not None
    before = _snapshot()
    viewed = AuditEvent.objects.filter(action="evidence.viewed").count()

    file_real = client.get(case_url(mine, "evidence", evidence_id=foreign_file.pk))
    file_missing = client.get(case_url(mine, "evidence", evidence_id=uuid.uuid4()))
    entry_real = client.get(case_url(mine, "timeline") + f"?before={foreign_entry.pk}")
    entry_missing = client.get(case_url(mine, "timeline") + f"?before={uuid.uuid4()}")

    assert _answer(file_real) == _answer(file_missing)
    assert file_real.status_code == 404
    assert _answer(entry_real) == _answer(entry_missing)
    assert entry_real.status_code == 404
    assert AuditEvent.objects.filter(action="evidence.viewed").count() == viewed
    assert _snapshot()["entries"] == before["entries"]


def test_an_adviser_cannot_name_anyone_when_declaring_a_conflict(
    open_case: OpenCase, adviser: User, owner: User
) -> None:
    case = open_case(assign=[adviser])

    # The form has no person to choose: the only conflict it records is your own.
    response = client_for(adviser).post(
        case_url(case, "conflict"), {"conflict-confirm": "on", "conflict-user": str(owner.pk)}
    )

    assert response.status_code == 302
    assert list(CaseConflict.objects.values_list("user", flat=True)) == [adviser.pk]
