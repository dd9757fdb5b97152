"""The case workflow: status with reasons, claiming (one owner), assignment, restriction,
conflicts of interest, notes and corrections, the contact log, closing and reopening."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.casework.models import (
    Case,
    CaseAssignment,
    CaseClock,
    CaseConflict,
    CaseGrant,
    CaseStatus,
    EntryKind,
    TimelineEntry,
)
from waypoint.casework.selectors import case_get_for_staff
from waypoint.casework.services import workflow
from waypoint.casework.services.workflow import CaseAlreadyClaimedError, WorkflowError
from waypoint.casework.tests.conftest import OpenCase
from waypoint.casework.tests.test_case_page import case_url, client_for, staff
from waypoint.institution.models import Institution
from waypoint.privacy import identifiers
from waypoint.privacy.models import AuditEvent
from waypoint.reporting.models import PersonIdentifier, ReportedPerson

pytestmark = pytest.mark.django_db


def _events(action: str, case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(case.pk)).order_by("pk"))


def _entries(case: Case, kind: str) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(case=case, kind=kind).order_by("occurred_at", "id"))


def _no_words_in_audit(case: Case) -> None:
    for event in AuditEvent.objects.filter(object_id=str(case.pk)):
        assert "CANARY" not in str(event.extra), event.action


# --- Status ----------------------------------------------------------------------------------


def test_a_case_moves_forward_with_a_reason_kept_sealed_on_the_timeline(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])

    workflow.case_status_change(
        case=case, actor=adviser, to_status=CaseStatus.TRIAGED, reason="CANARY-TRIAGED"
    )
    workflow.case_status_change(
        case=case, actor=adviser, to_status=CaseStatus.IN_CONTACT, reason="CANARY-PHONED"
    )
    workflow.case_status_change(
        case=case, actor=adviser, to_status=CaseStatus.ACTIVE_SUPPORT, reason="CANARY-PLAN"
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE_SUPPORT
    entries = _entries(case, EntryKind.STATUS)
    assert [(e.detail["from"], e.detail["to"]) for e in entries] == [
        ("new", "triaged"),
        ("triaged", "in_contact"),
        ("in_contact", "active_support"),
    ]
    assert [e.text for e in entries] == ["CANARY-TRIAGED", "CANARY-PHONED", "CANARY-PLAN"]
    assert all(e.actor == adviser for e in entries)
    raw = TimelineEntry.objects.filter(case=case, kind=EntryKind.STATUS).values_list(
        "text", flat=True
    )
    assert all(b"CANARY" not in bytes(value or b"") for value in raw)  # sealed in the database
    assert [e.extra for e in _events("case.status_changed", case)] == [
        {"from": "new", "to": "triaged"},
        {"from": "triaged", "to": "in_contact"},
        {"from": "in_contact", "to": "active_support"},
    ]
    _no_words_in_audit(case)


def test_a_status_change_needs_a_reason(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])

    with pytest.raises(WorkflowError, match="reason"):
        workflow.case_status_change(case=case, actor=adviser, to_status="triaged", reason="  ")

    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    assert not _entries(case, EntryKind.STATUS)


def test_a_step_may_be_skipped_but_a_case_never_moves_back(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])

    workflow.case_status_change(case=case, actor=adviser, to_status="in_contact", reason="Walk-in")
    with pytest.raises(WorkflowError, match="forward only"):
        workflow.case_status_change(case=case, actor=adviser, to_status="triaged", reason="Oops")
    with pytest.raises(WorkflowError, match="forward only"):
        workflow.case_status_change(case=case, actor=adviser, to_status="in_contact", reason="x")

    case.refresh_from_db()
    assert case.status == CaseStatus.IN_CONTACT


def test_closing_is_not_a_status_change(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])

    with pytest.raises(WorkflowError, match="Close this case"):
        workflow.case_status_change(case=case, actor=adviser, to_status="closed", reason="Done")
    with pytest.raises(WorkflowError):
        workflow.case_status_change(case=case, actor=adviser, to_status="archived", reason="x")


def test_reaching_in_contact_stops_the_response_clock_once(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    assert CaseClock.objects.get(case=case).first_contact_at is None

    workflow.case_status_change(case=case, actor=adviser, to_status="in_contact", reason="Phoned")
    first = CaseClock.objects.get(case=case).first_contact_at
    workflow.case_status_change(case=case, actor=adviser, to_status="active_support", reason="x")

    assert first is not None
    assert CaseClock.objects.get(case=case).first_contact_at == first


def test_an_adviser_not_on_the_case_cannot_change_it(
    open_case: OpenCase, adviser: User, partner: User
) -> None:
    case = open_case()

    for person in (adviser, partner):
        with pytest.raises(Http404):
            workflow.case_status_change(case=case, actor=person, to_status="triaged", reason="x")
    assert not _entries(case, EntryKind.STATUS)


def test_changing_the_status_from_the_case_page(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case(assign=[adviser])
    client = signed_in_client(adviser)

    refused = client.post(case_url(case, "status"), {"status-to_status": "triaged"})
    done = client.post(
        case_url(case, "status"), {"status-to_status": "triaged", "status-reason": "Read it"}
    )

    assert refused.status_code == 400
    assert "Give a reason for this change." in refused.content.decode()
    assert 'href="#id_status-reason"' in refused.content.decode()
    assert done.status_code == 302 and done["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.status == CaseStatus.TRIAGED


# --- Claiming --------------------------------------------------------------------------------


def test_an_adviser_claims_an_unassigned_case(open_case: OpenCase, adviser: User) -> None:
    case = open_case()

    workflow.case_claim(case=case, actor=adviser)

    assert list(case.assignees.all()) == [adviser]
    [entry] = _entries(case, EntryKind.ASSIGNED)
    assert entry.detail == {"user_id": str(adviser.pk), "claimed": True}
    assert [e.extra for e in _events("case.claimed", case)] == [{"user_id": str(adviser.pk)}]
    assert case_get_for_staff(user=adviser, case_id=case.pk) == case


def test_a_second_claim_rechecks_under_the_lock_and_leaves_one_owner(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case()
    rival = staff(Role.ADVISER, "Rival Adviser")
    stale = Case.objects.get(pk=case.pk)  # read before the first claim, as a racing request

    workflow.case_claim(case=case, actor=rival)
    with pytest.raises(CaseAlreadyClaimedError, match="moment before you"):
        workflow.case_claim(case=stale, actor=adviser)

    assert list(CaseAssignment.objects.filter(case=case).values_list("user", flat=True)) == [
        rival.pk
    ]
    assert len(_entries(case, EntryKind.ASSIGNED)) == 1


def test_claiming_a_case_already_yours_changes_nothing(open_case: OpenCase, adviser: User) -> None:
    case = open_case()
    first = workflow.case_claim(case=case, actor=adviser)

    again = workflow.case_claim(case=case, actor=adviser)

    assert again == first
    assert len(_entries(case, EntryKind.ASSIGNED)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's shared in-memory test database raises 'table is locked' at once for "
    "a second writer instead of waiting; CI runs this on PostgreSQL.",
)
def test_two_claims_at_the_same_moment_end_with_exactly_one_owner(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case()
    rival = staff(Role.ADVISER, "Rival Adviser")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def claim(person: User) -> None:
        try:
            barrier.wait()
            workflow.case_claim(case=Case.objects.get(pk=case.pk), actor=person)
            outcomes.append("claimed")
        except CaseAlreadyClaimedError:
            outcomes.append("too late")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(p,)) for p in (adviser, rival)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["claimed", "too late"]
    assert CaseAssignment.objects.filter(case=case).count() == 1
    assert TimelineEntry.objects.filter(case=case, kind=EntryKind.ASSIGNED).count() == 1


def test_restricted_assigned_and_conflicted_cases_cannot_be_claimed(
    open_case: OpenCase, adviser: User
) -> None:
    restricted = open_case(restricted=True)
    conflicted = open_case()
    CaseConflict.objects.create(case=conflicted, user=adviser, source="declared")

    for case in (restricted, conflicted):
        with pytest.raises(Http404):
            workflow.case_claim(case=case, actor=adviser)
        assert not CaseAssignment.objects.filter(case=case).exists()


def test_when_claiming_is_switched_off_only_a_lead_takes_a_case(
    open_case: OpenCase, institution: Institution, adviser: User, case_lead: User
) -> None:
    institution.advisers_may_claim = False
    institution.save()
    case = open_case()

    with pytest.raises(Http404):
        workflow.case_claim(case=case, actor=adviser)
    workflow.case_claim(case=case, actor=case_lead)

    assert list(case.assignees.all()) == [case_lead]


def test_a_claim_from_the_inbox_lands_on_the_case_and_a_taken_case_is_a_404(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case()
    rival = staff(Role.ADVISER, "Rival Adviser")

    mine = client_for(adviser).post(case_url(case, "claim"))
    theirs = client_for(rival).post(case_url(case, "claim"))

    assert mine.status_code == 302 and mine["Location"] == case_url(case)
    assert theirs.status_code == 404
    assert list(case.assignees.all()) == [adviser]


# --- Assignment ------------------------------------------------------------------------------


def test_a_lead_assigns_several_advisers(
    open_case: OpenCase, case_lead: User, adviser: User
) -> None:
    case = open_case()
    second = staff(Role.ADVISER, "Second Adviser")

    workflow.case_assign(case=case, actor=case_lead, user=adviser)
    workflow.case_assign(case=case, actor=case_lead, user=second)

    assert set(case.assignees.all()) == {adviser, second}
    assert [e.extra["user_id"] for e in _events("case.assigned", case)] == [
        str(adviser.pk),
        str(second.pk),
    ]
    with pytest.raises(WorkflowError, match="already assigned"):
        workflow.case_assign(case=case, actor=case_lead, user=adviser)


def test_a_member_of_staff_with_a_conflict_cannot_be_assigned(
    open_case: OpenCase, case_lead: User, adviser: User
) -> None:
    case = open_case()
    CaseConflict.objects.create(case=case, user=adviser, source="declared")

    with pytest.raises(WorkflowError, match="conflict of interest"):
        workflow.case_assign(case=case, actor=case_lead, user=adviser)

    assert not CaseAssignment.objects.filter(case=case).exists()


@pytest.mark.parametrize("persona", ["partner", "insights_viewer", "administrator", "outsider"])
def test_only_people_who_work_on_cases_can_be_assigned(
    request: pytest.FixtureRequest, open_case: OpenCase, case_lead: User, persona: str
) -> None:
    case = open_case()
    person: User = request.getfixturevalue(persona)

    with pytest.raises(WorkflowError, match="cannot be assigned"):
        workflow.case_assign(case=case, actor=case_lead, user=person)


def test_an_inactive_account_cannot_be_assigned(open_case: OpenCase, case_lead: User) -> None:
    case = open_case()
    gone = staff(Role.ADVISER, "Left The University", is_active=False)

    with pytest.raises(WorkflowError, match="cannot be assigned"):
        workflow.case_assign(case=case, actor=case_lead, user=gone)


def test_an_adviser_cannot_assign_or_unassign(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])
    second = staff(Role.ADVISER, "Second Adviser")

    with pytest.raises(Http404):
        workflow.case_assign(case=case, actor=adviser, user=second)
    with pytest.raises(Http404):
        workflow.case_unassign(case=case, actor=adviser, user=adviser)
    assert list(case.assignees.all()) == [adviser]


def test_a_lead_takes_someone_off_a_case_and_they_lose_it(
    open_case: OpenCase, case_lead: User, adviser: User
) -> None:
    case = open_case(assign=[adviser])

    workflow.case_unassign(case=case, actor=case_lead, user=adviser)

    assert not case.assignees.exists()
    assert _entries(case, EntryKind.UNASSIGNED)[0].detail == {"user_id": str(adviser.pk)}
    with pytest.raises(Http404):
        case_get_for_staff(user=adviser, case_id=case.pk)
    with pytest.raises(WorkflowError, match="not assigned"):
        workflow.case_unassign(case=case, actor=case_lead, user=adviser)


def test_the_assign_list_offers_only_eligible_staff_and_refuses_a_conflicted_one(
    open_case: OpenCase, case_lead: User, adviser: User, partner: User
) -> None:
    case = open_case()
    conflicted = staff(Role.ADVISER, "Conflicted Adviser")
    CaseConflict.objects.create(case=case, user=conflicted, source="declared")
    client = client_for(case_lead)

    page = client.get(case_url(case, "people"))
    offered = list(page.context["assign_form"].fields["user"].queryset)
    refused = client.post(case_url(case, "assign"), {"assign-user": str(conflicted.pk)})
    done = client.post(case_url(case, "assign"), {"assign-user": str(adviser.pk)})

    assert adviser in offered and case_lead in offered
    assert conflicted not in offered and partner not in offered
    assert refused.status_code == 400
    assert "That person cannot be assigned to this case." in refused.content.decode()
    assert done.status_code == 302
    assert list(case.assignees.all()) == [adviser]


# --- Restriction and grants ------------------------------------------------------------------


def test_a_lead_restricts_a_case_keeps_it_and_other_leads_lose_it(
    open_case: OpenCase, case_lead: User, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    other_lead = staff(Role.CASE_LEAD, "Other Lead")

    workflow.case_set_restricted(
        case=case, actor=case_lead, restricted=True, reason="CANARY-STAFF-NAMED"
    )

    case.refresh_from_db()
    assert case.restricted is True
    assert CaseGrant.objects.filter(case=case, user=case_lead).exists()
    assert case_get_for_staff(user=case_lead, case_id=case.pk) == case
    assert case_get_for_staff(user=adviser, case_id=case.pk) == case  # assigned: named
    with pytest.raises(Http404):
        case_get_for_staff(user=other_lead, case_id=case.pk)
    [entry] = _entries(case, EntryKind.RESTRICTED)
    assert entry.detail == {"change": "restricted", "user_id": str(case_lead.pk)}
    assert entry.text == "CANARY-STAFF-NAMED"
    _no_words_in_audit(case)


def test_a_lead_names_another_lead_on_a_restricted_case_and_takes_it_back(
    open_case: OpenCase, case_lead: User
) -> None:
    case = open_case(restricted=True, assign=[case_lead])
    other_lead = staff(Role.CASE_LEAD, "Other Lead")

    workflow.case_grant(case=case, actor=case_lead, user=other_lead)
    assert case_get_for_staff(user=other_lead, case_id=case.pk) == case
    workflow.case_revoke_grant(case=case, actor=case_lead, user=other_lead)

    with pytest.raises(Http404):
        case_get_for_staff(user=other_lead, case_id=case.pk)
    assert [e.detail["change"] for e in _entries(case, EntryKind.RESTRICTED)] == [
        "granted",
        "grant_revoked",
    ]
    assert len(_events("case.access_granted", case)) == len(_events("case.access_revoked", case))


def test_grants_are_for_leads_on_restricted_cases_only(
    open_case: OpenCase, case_lead: User, adviser: User
) -> None:
    open_one = open_case()
    restricted = open_case(restricted=True, assign=[case_lead])
    other_lead = staff(Role.CASE_LEAD, "Other Lead")

    with pytest.raises(WorkflowError, match="not restricted"):
        workflow.case_grant(case=open_one, actor=case_lead, user=other_lead)
    with pytest.raises(WorkflowError, match="not a case lead"):
        workflow.case_grant(case=restricted, actor=case_lead, user=adviser)
    with pytest.raises(Http404):
        workflow.case_set_restricted(case=open_one, actor=adviser, restricted=True, reason="x")


def test_lifting_a_restriction_needs_a_reason_and_opens_the_case_to_leads(
    open_case: OpenCase, case_lead: User
) -> None:
    case = open_case(restricted=True, assign=[case_lead])
    other_lead = staff(Role.CASE_LEAD, "Other Lead")

    with pytest.raises(WorkflowError, match="reason"):
        workflow.case_set_restricted(case=case, actor=case_lead, restricted=False, reason="")
    workflow.case_set_restricted(case=case, actor=case_lead, restricted=False, reason="Resolved")

    assert case_get_for_staff(user=other_lead, case_id=case.pk) == case
    with pytest.raises(WorkflowError, match="not restricted"):
        workflow.case_set_restricted(case=case, actor=case_lead, restricted=False, reason="x")


def test_the_access_page_restricts_and_names_a_lead(open_case: OpenCase, case_lead: User) -> None:
    case = open_case()
    other_lead = staff(Role.CASE_LEAD, "Other Lead")
    client = client_for(case_lead)

    page = client.get(case_url(case, "access"))
    no_reason = client.post(case_url(case, "access"), {"action": "restrict"})
    restricted = client.post(
        case_url(case, "access"), {"action": "restrict", "restrict-reason": "Named staff"}
    )
    granted = client.post(
        case_url(case, "access"), {"action": "grant", "grant-user": str(other_lead.pk)}
    )

    assert page.status_code == 200
    assert no_reason.status_code == 400
    assert restricted.status_code == granted.status_code == 302
    case.refresh_from_db()
    assert case.restricted
    assert set(case.grants.values_list("user", flat=True)) == {case_lead.pk, other_lead.pk}
    assert client.post(case_url(case, "access"), {"action": "nonsense"}).status_code == 400


# --- Conflicts of interest --------------------------------------------------------------------


def test_declaring_a_conflict_takes_the_person_off_the_case_at_once(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])

    workflow.case_declare_conflict(case=case, actor=adviser)

    assert CaseConflict.objects.get(case=case, user=adviser).source == "declared"
    assert not case.assignees.exists()
    with pytest.raises(Http404):
        case_get_for_staff(user=adviser, case_id=case.pk)
    [entry] = _entries(case, EntryKind.RESTRICTED)
    assert entry.detail["change"] == "conflict" and entry.detail["unassigned"] is True
    assert _events("case.conflict_recorded", case)[0].extra == {
        "user_id": str(adviser.pk),
        "source": "declared",
        "unassigned": True,
    }


def test_a_conflict_outranks_a_grant_and_declaring_twice_changes_nothing(
    open_case: OpenCase, case_lead: User
) -> None:
    case = open_case(restricted=True)
    CaseGrant.objects.create(case=case, user=case_lead)

    workflow.case_declare_conflict(case=case, actor=case_lead)
    with pytest.raises(Http404):
        workflow.case_declare_conflict(case=case, actor=case_lead)  # can no longer see it

    assert not CaseGrant.objects.filter(case=case).exists()
    assert CaseConflict.objects.filter(case=case).count() == 1


def test_a_lead_records_a_conflict_for_someone_who_cannot_see_the_case(
    open_case: OpenCase, case_lead: User, adviser: User
) -> None:
    case = open_case()

    workflow.case_declare_conflict(case=case, actor=case_lead, user=adviser)
    workflow.case_declare_conflict(case=case, actor=case_lead, user=adviser)

    assert CaseConflict.objects.filter(case=case, user=adviser).count() == 1
    with pytest.raises(WorkflowError, match="conflict of interest"):
        workflow.case_assign(case=case, actor=case_lead, user=adviser)


def test_an_adviser_cannot_record_a_conflict_for_someone_else(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    second = staff(Role.ADVISER, "Second Adviser")

    with pytest.raises(Http404):
        workflow.case_declare_conflict(case=case, actor=adviser, user=second)
    assert not CaseConflict.objects.exists()


def test_declaring_a_conflict_from_the_case_page_loses_access_immediately(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case(assign=[adviser])
    client = signed_in_client(adviser)

    unconfirmed = client.post(case_url(case, "conflict"), {})
    declared = client.post(case_url(case, "conflict"), {"conflict-confirm": "on"})

    assert unconfirmed.status_code == 400
    assert declared.status_code == 302 and declared["Location"] == reverse("casework:inbox")
    assert client.get(case_url(case)).status_code == 404
    assert client.post(case_url(case, "note"), {"note-text": "x"}).status_code == 404


def _name_in_report(case: Case, email: str) -> None:
    person = ReportedPerson(report=case.report, data_key=case.report.data_key)
    person.details = {"person_email": email}
    person.save()
    PersonIdentifier.objects.create(
        person=person,
        kind=identifiers.EMAIL,
        digest=identifiers.identifier_digest(identifiers.EMAIL, email),
    )


def test_staff_named_in_a_report_get_a_conflict_recorded(
    open_case: OpenCase, adviser: User, case_lead: User
) -> None:
    case = open_case()
    gone = staff(Role.ADVISER, "Former Adviser", email="former@personas.waypoint.test")
    gone.is_active = False
    gone.save()
    _name_in_report(case, adviser.email.upper())  # written differently, same person
    _name_in_report(case, "former@personas.waypoint.test")
    _name_in_report(case, "someone.else@example.test")

    recorded = workflow.conflicts_record_named(case=case)

    assert recorded == 1
    conflict = CaseConflict.objects.get(case=case)
    assert (conflict.user, conflict.source) == (adviser, "named")
    assert workflow.conflicts_record_named(case=case) == 0
    with pytest.raises(WorkflowError, match="conflict of interest"):
        workflow.case_assign(case=case, actor=case_lead, user=adviser)
    assert _entries(case, EntryKind.RESTRICTED)[0].actor is None


def test_a_report_naming_no_staff_records_no_conflict(open_case: OpenCase, adviser: User) -> None:
    case = open_case()
    _name_in_report(case, "stranger@example.test")

    assert workflow.conflicts_record_named(case=case) == 0
    assert workflow.conflicts_record_named(case=open_case()) == 0
    assert not CaseConflict.objects.exists()


# --- Notes and the contact log -----------------------------------------------------------------


def test_notes_are_immutable_and_corrections_chain(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])

    first = workflow.note_add(case=case, actor=adviser, text="CANARY-FIRST")
    second = workflow.note_add(case=case, actor=adviser, text="CANARY-SECOND", corrects=first)
    third = workflow.note_add(case=case, actor=adviser, text="CANARY-THIRD", corrects=second)

    first.refresh_from_db()
    assert first.text == "CANARY-FIRST"
    assert (second.corrects, third.corrects) == (first, second)
    assert list(first.corrections.all()) == [second]
    assert [e.extra["corrects"] for e in _events("case.note_added", case)] == [
        None,
        str(first.pk),
        str(second.pk),
    ]
    _no_words_in_audit(case)


def test_a_correction_must_point_at_a_note_of_the_same_case(
    open_case: OpenCase, case_lead: User
) -> None:
    case, other = open_case(), open_case()
    foreign = workflow.note_add(case=other, actor=case_lead, text="Other case")
    not_a_note = _entries(case, EntryKind.REPORTED)[0]

    for target in (foreign, not_a_note):
        with pytest.raises(WorkflowError, match="note of this case"):
            workflow.note_add(case=case, actor=case_lead, text="Fix", corrects=target)
    with pytest.raises(WorkflowError, match="Write the note"):
        workflow.note_add(case=case, actor=case_lead, text="   ")
    assert not _entries(case, EntryKind.NOTE)


def test_a_correction_from_the_case_page(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case(assign=[adviser])
    note = workflow.note_add(case=case, actor=adviser, text="CANARY-WRONG")
    client = signed_in_client(adviser)

    response = client.post(
        case_url(case, "note"), {"note-text": "CANARY-RIGHT", "note-corrects": str(note.pk)}
    )

    assert response.status_code == 302
    correction = _entries(case, EntryKind.NOTE)[-1]
    assert (correction.text, correction.corrects) == ("CANARY-RIGHT", note)


def test_the_contact_log_records_method_outcome_and_note(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])

    workflow.contact_record(
        case=case, actor=adviser, method="phone", outcome="no_answer", text="CANARY-RANG"
    )
    assert CaseClock.objects.get(case=case).first_contact_at is None
    workflow.contact_record(case=case, actor=adviser, method="video_call", outcome="reached")

    entries = _entries(case, EntryKind.CONTACT)
    assert [e.detail for e in entries] == [
        {"method": "phone", "outcome": "no_answer"},
        {"method": "video_call", "outcome": "reached"},
    ]
    assert [e.text for e in entries] == ["CANARY-RANG", None]
    assert CaseClock.objects.get(case=case).first_contact_at is not None
    assert [e.extra["outcome"] for e in _events("case.contact_recorded", case)] == [
        "no_answer",
        "reached",
    ]
    with pytest.raises(WorkflowError):
        workflow.contact_record(case=case, actor=adviser, method="pigeon", outcome="reached")
    with pytest.raises(WorkflowError):
        workflow.contact_record(case=case, actor=adviser, method="letter", outcome="lost")
    _no_words_in_audit(case)


def test_logging_a_contact_from_the_case_page(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case(assign=[adviser])
    client = signed_in_client(adviser)

    missing = client.post(case_url(case, "contact"), {"contact-method": "email"})
    done = client.post(
        case_url(case, "contact"), {"contact-method": "email", "contact-outcome": "message_sent"}
    )

    assert missing.status_code == 400
    assert 'href="#id_contact-outcome_0"' in missing.content.decode()
    assert done.status_code == 302
    assert _entries(case, EntryKind.CONTACT)[0].detail["method"] == "email"


# --- Closing and reopening ---------------------------------------------------------------------


def test_closing_records_the_outcome_and_starts_the_retention_clock(
    open_case: OpenCase, institution: Institution, adviser: User
) -> None:
    institution.case_retention_years = 3
    institution.save()
    case = open_case(assign=[adviser])
    workflow.case_status_change(case=case, actor=adviser, to_status="in_contact", reason="x")

    workflow.case_close(
        case=case,
        actor=adviser,
        outcome="referred",
        support_given=["one_to_one", "police", "one_to_one"],
        reason="CANARY-CLOSING",
    )

    case.refresh_from_db()
    clock = CaseClock.objects.get(case=case)
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert (clock.outcome, clock.support_given) == ("referred", ["one_to_one", "police"])
    closed_on = timezone.localdate(case.closed_at)
    assert clock.retain_until == closed_on.replace(year=closed_on.year + 3)
    [entry] = _entries(case, EntryKind.CLOSED)
    assert entry.detail == {
        "from": "in_contact",
        "outcome": "referred",
        "support_given": ["one_to_one", "police"],
    }
    assert entry.text == "CANARY-CLOSING"
    assert _events("case.closed", case)[0].extra == {
        "outcome": "referred",
        "retain_until": clock.retain_until.isoformat(),
    }


def test_a_closing_needs_an_outcome_known_support_and_a_summary(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])

    for outcome, support, reason in [
        ("", [], "x"),
        ("supported", ["massage"], "x"),
        ("supported", [], " "),
    ]:
        with pytest.raises(WorkflowError):
            workflow.case_close(
                case=case, actor=adviser, outcome=outcome, support_given=support, reason=reason
            )
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_a_closed_case_cannot_be_closed_again_or_moved_on(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    workflow.case_close(case=case, actor=adviser, outcome="declined", support_given=[], reason="x")

    with pytest.raises(WorkflowError, match="already closed"):
        workflow.case_close(
            case=case, actor=adviser, outcome="declined", support_given=[], reason="x"
        )
    with pytest.raises(WorkflowError, match="Reopen"):
        workflow.case_status_change(case=case, actor=adviser, to_status="triaged", reason="x")


def test_reopening_goes_back_to_where_the_case_was_and_stops_the_retention_clock(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    workflow.case_status_change(case=case, actor=adviser, to_status="active_support", reason="x")
    workflow.case_close(case=case, actor=adviser, outcome="supported", support_given=[], reason="x")

    with pytest.raises(WorkflowError, match="reason"):
        workflow.case_reopen(case=case, actor=adviser, reason="")
    workflow.case_reopen(case=case, actor=adviser, reason="CANARY-CAME-BACK")

    case.refresh_from_db()
    clock = CaseClock.objects.get(case=case)
    assert case.status == CaseStatus.ACTIVE_SUPPORT
    assert case.closed_at is None
    assert (clock.retain_until, clock.outcome, clock.support_given) == (None, "", [])
    [entry] = _entries(case, EntryKind.REOPENED)
    assert (entry.detail, entry.text) == ({"to": "active_support"}, "CANARY-CAME-BACK")
    assert _entries(case, EntryKind.CLOSED)  # the closing stays on the timeline
    with pytest.raises(WorkflowError, match="not closed"):
        workflow.case_reopen(case=case, actor=adviser, reason="again")


def test_retention_from_29_february_ends_on_28_february() -> None:
    leap = datetime.date(2028, 2, 29)

    assert workflow._add_years(leap, 1) == datetime.date(2029, 2, 28)


def test_closing_and_reopening_from_the_pages(
    open_case: OpenCase, case_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case()
    client = signed_in_client(case_lead)

    form = client.get(case_url(case, "close"))
    missing: Any = client.post(case_url(case, "close"), {"outcome": "supported"})
    closed = client.post(
        case_url(case, "close"),
        {"outcome": "supported", "support_given": ["wellbeing"], "reason": "All done"},
    )
    again = client.get(case_url(case, "close"))
    reopened = client.post(case_url(case, "reopen"), {"reopen-reason": "Came back"})

    assert form.status_code == 200
    assert missing.status_code == 400
    assert "Write a short closing summary." in missing.content.decode()
    assert closed.status_code == 302
    assert "already closed" in again.content.decode()
    assert reopened.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
