"""Bulk actions from the inbox (issue 12, item 8): case leads assign, reassign or close
several cases at once; each case is changed by its own single-case service, with its own
timeline and audit entries, and a case that cannot be changed is refused and named."""

from __future__ import annotations

from typing import Final

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import UserFactory
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import (
    Case,
    CaseAssignment,
    CaseConflict,
    CaseOutcome,
    CaseStatus,
    EntryKind,
    TimelineEntry,
)
from waypoint.casework.services.bulk import NOT_ALLOWED, cases_bulk_assign
from waypoint.casework.tests.conftest import OpenCase
from waypoint.institution.models import Institution
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

BULK: Final = "/staff/cases/bulk/"
INBOX: Final = "/staff/cases/"


@pytest.fixture
def lead_client(case_lead: User, institution: Institution) -> Client:
    client = Client()
    login_as(client, case_lead)
    return client


@pytest.fixture
def colleague(db: None) -> User:
    return UserFactory.create(role=Role.ADVISER, display_name="Robin Colleague")


def _ids(*cases: Case) -> list[str]:
    return [str(case.pk) for case in cases]


def _entries(case: Case, kind: str) -> int:
    return TimelineEntry.objects.filter(case=case, kind=kind).count()


def _audits(case: Case, action: str) -> int:
    return AuditEvent.objects.filter(action=action, object_id=str(case.pk)).count()


# --- The inbox's multi-select ------------------------------------------------------------------


def test_a_lead_s_inbox_has_a_checkbox_per_case_and_the_bulk_buttons(
    open_case: OpenCase, lead_client: Client
) -> None:
    case = open_case()
    page = lead_client.get(INBOX).content.decode()

    assert f'name="cases" value="{case.pk}"' in page
    assert 'form="bulk-form"' in page
    assert '<form class="bulk-bar" id="bulk-form" method="post" action="/staff/cases/bulk/"' in page
    assert "Assign selected cases" in page
    assert "Close selected cases" in page


def test_an_adviser_s_inbox_has_no_bulk_actions_and_the_bulk_address_refuses_them(
    open_case: OpenCase, institution: Institution, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    client = Client()
    login_as(client, adviser)

    assert "bulk-form" not in client.get(INBOX).content.decode()
    response = client.post(BULK, {"cases": _ids(case), "action": "close"})
    assert response.status_code == 403


def test_choosing_an_action_asks_for_what_it_needs_and_names_the_cases(
    open_case: OpenCase, lead_client: Client, colleague: User
) -> None:
    first, second = open_case(), open_case()
    page = lead_client.post(BULK, {"cases": _ids(first, second), "action": "assign"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Assign the selected cases" in html
    assert first.report.reference in html and second.report.reference in html
    assert "Robin Colleague" in html
    assert not CaseAssignment.objects.exists()  # nothing done yet

    close = lead_client.post(BULK, {"cases": _ids(first), "action": "close"}).content.decode()
    assert "Close the selected cases" in close
    for outcome in CaseOutcome:
        assert outcome.label in close


def test_choosing_no_case_says_so(lead_client: Client) -> None:
    response = lead_client.post(BULK, {"action": "assign"})
    assert response.status_code == 400
    assert "Select at least one case." in response.content.decode()


# --- Assigning --------------------------------------------------------------------------------


def test_assigning_several_cases_gives_each_its_own_timeline_and_audit_entry(
    open_case: OpenCase, lead_client: Client, colleague: User
) -> None:
    cases = [open_case() for _ in range(3)]

    response = lead_client.post(
        BULK, {"confirm": "assign", "bulk-cases": _ids(*cases), "bulk-user": str(colleague.pk)}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "3 cases assigned" in html
    for case in cases:
        assert case.has_assignee(colleague.pk)
        assert _entries(case, EntryKind.ASSIGNED) == 1
        assert _audits(case, "case.assigned") == 1
        assert case.report.reference in html
    [summary] = AuditEvent.objects.filter(action="case.bulk_assign")
    assert sorted(summary.extra["done"]) == sorted(_ids(*cases))


def test_reassigning_takes_everyone_else_off_each_case(
    open_case: OpenCase, lead_client: Client, colleague: User, adviser: User
) -> None:
    first = open_case(assign=[adviser])
    second = open_case(assign=[adviser, colleague])

    lead_client.post(
        BULK,
        {
            "confirm": "assign",
            "bulk-cases": _ids(first, second),
            "bulk-user": str(colleague.pk),
            "bulk-reassign": "on",
        },
    )

    for case in (first, second):
        assert list(case.assignees.all()) == [colleague]
        assert _entries(case, EntryKind.UNASSIGNED) == 1
        assert _audits(case, "case.unassigned") == 1


def test_a_conflicted_or_restricted_case_is_refused_and_named_and_the_others_are_done(
    open_case: OpenCase, lead_client: Client, colleague: User, case_lead: User
) -> None:
    fine = open_case()
    assignee_conflicted = open_case()
    CaseConflict.objects.create(case=assignee_conflicted, user=colleague)
    lead_conflicted = open_case()
    restricted = open_case(restricted=True)
    # The lead saw the last two in the list; since then, a conflict and a restriction.
    CaseConflict.objects.create(case=lead_conflicted, user=case_lead)

    response = lead_client.post(
        BULK,
        {
            "confirm": "assign",
            "bulk-cases": _ids(fine, assignee_conflicted, lead_conflicted, restricted),
            "bulk-user": str(colleague.pk),
        },
    )

    html = response.content.decode()
    assert fine.has_assignee(colleague.pk)
    for refused in (assignee_conflicted, lead_conflicted, restricted):
        assert not refused.has_assignee(colleague.pk)
        assert _entries(refused, EntryKind.ASSIGNED) == 0
        assert refused.report.reference in html
    assert "3 cases not changed" in html
    assert "has a conflict of interest on this case" in html
    assert NOT_ALLOWED in html


def test_the_service_asks_the_policy_for_each_case_not_only_for_the_action(
    open_case: OpenCase, case_lead: User, colleague: User, adviser: User
) -> None:
    case = open_case()
    with pytest.raises(PermissionDenied):
        cases_bulk_assign(actor=adviser, case_ids=[case.pk], user=colleague, reassign=False)
    result = cases_bulk_assign(
        actor=case_lead, case_ids=[case.pk, case.pk], user=colleague, reassign=False
    )
    assert result.done == [case.report.reference]


# --- Closing ----------------------------------------------------------------------------------


def test_closing_several_cases_records_one_outcome_and_reason_on_each(
    open_case: OpenCase, lead_client: Client
) -> None:
    cases = [open_case() for _ in range(2)]
    already = open_case()
    Case.objects.filter(pk=already.pk).update(status=CaseStatus.CLOSED)

    response = lead_client.post(
        BULK,
        {
            "confirm": "close",
            "bulk-cases": _ids(*cases, already),
            "bulk-outcome": CaseOutcome.NO_CONTACT,
            "bulk-reason": "Three attempts over two weeks, no reply.",
        },
    )

    html = response.content.decode()
    assert "2 cases closed" in html
    assert "This case is already closed." in html
    for case in cases:
        case.refresh_from_db()
        assert case.status == CaseStatus.CLOSED
        assert case.clock.outcome == CaseOutcome.NO_CONTACT
        assert _entries(case, EntryKind.CLOSED) == 1
        assert _audits(case, "case.closed") == 1
    assert _entries(already, EntryKind.CLOSED) == 0


def test_closing_without_a_summary_asks_for_one_and_changes_nothing(
    open_case: OpenCase, lead_client: Client
) -> None:
    case = open_case()
    response = lead_client.post(
        BULK,
        {"confirm": "close", "bulk-cases": _ids(case), "bulk-outcome": CaseOutcome.SUPPORTED},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Write a short closing summary." in html
    assert f'value="{case.pk}"' in html  # the selection is kept
    case.refresh_from_db()
    assert case.status != CaseStatus.CLOSED


def test_bulk_is_post_only(lead_client: Client) -> None:
    assert lead_client.get(BULK).status_code == 405
