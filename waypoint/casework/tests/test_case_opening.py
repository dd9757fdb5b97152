"""Opening a case from a report, the triage notice, and recording who opened a case."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core import mail
from django.http import Http404
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseOpening, CaseStatus
from waypoint.casework.selectors import case_openings_for_reporter, case_status_for_reporter
from waypoint.casework.services import case_open_from_report, case_record_opening
from waypoint.casework.tests.conftest import TEAM_NAME, TRIAGE_EMAIL, MakeReport, OpenCase
from waypoint.institution.models import Institution
from waypoint.privacy.models import AuditEvent
from waypoint.reporting.models import Route

pytestmark = pytest.mark.django_db


def _open(report: Any, **flags: bool) -> Case:
    values = {"immediate_danger": False, "threat_of_violence": False, "high_risk_indicator": False}
    return case_open_from_report(report=report, **{**values, **flags})


def _email_text(message: mail.EmailMessage) -> str:
    return message.message().as_string()


# --- Opening ------------------------------------------------------------------------------


def test_a_new_case_shares_the_reports_data_key_and_waits_in_triage(
    make_report: MakeReport,
) -> None:
    report = make_report()

    case = _open(report)

    assert case.report == report
    assert case.data_key_id == report.data_key_id
    assert case.status == CaseStatus.NEW
    assert case.is_urgent is False


@pytest.mark.parametrize("flag", ["immediate_danger", "threat_of_violence", "high_risk_indicator"])
def test_any_one_urgency_flag_makes_the_case_urgent(make_report: MakeReport, flag: str) -> None:
    case = _open(make_report(), **{flag: True})

    assert getattr(case, flag) is True
    assert case.is_urgent is True


def test_opening_a_case_is_audited_by_the_system_with_ids_only(make_report: MakeReport) -> None:
    report = make_report()

    case = _open(report)

    event = AuditEvent.objects.get(action="case.opened", object_id=str(case.pk))
    assert event.actor_kind == AuditEvent.ActorKind.SYSTEM
    assert event.actor_id == ""
    assert event.object_type == "casework.case"
    assert event.extra == {"report_id": str(report.pk)}
    assert report.reference not in str(event.extra)


def test_opening_the_same_report_twice_keeps_one_case_and_sends_one_notice(
    make_report: MakeReport,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = make_report()

    with django_capture_on_commit_callbacks(execute=True):
        first = _open(report, immediate_danger=True)
        second = _open(report)

    assert first.pk == second.pk
    assert Case.objects.filter(report=report).count() == 1
    assert AuditEvent.objects.filter(action="case.opened", object_id=str(first.pk)).count() == 1
    assert len(mail.outbox) == 1


# --- The triage notice ------------------------------------------------------------------


def test_the_triage_inbox_hears_of_a_new_report_only_once_it_is_committed(
    make_report: MakeReport,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _open(make_report())
    assert mail.outbox == []

    for callback in callbacks:
        callback()

    [notice] = mail.outbox
    assert notice.to == [TRIAGE_EMAIL]
    assert notice.subject == "New report in the triage queue"
    assert "not marked urgent" in notice.body
    assert "/staff/" in notice.body


def test_an_urgent_report_says_so_in_the_triage_notice(
    make_report: MakeReport,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _open(make_report(), threat_of_violence=True)

    [notice] = mail.outbox
    assert notice.subject == "New report in the triage queue (urgent)"
    assert "marked urgent" in notice.body
    assert "not marked urgent" not in notice.body


def test_the_triage_notice_links_to_the_staff_area_on_the_configured_site(
    make_report: MakeReport,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.WAYPOINT_SITE_URL = "https://waypoint.university.test/"

    with django_capture_on_commit_callbacks(execute=True):
        _open(make_report())

    assert "https://waypoint.university.test/staff/" in mail.outbox[0].body


def test_the_triage_notice_carries_no_reference_content_names_or_route(
    make_report: MakeReport,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    canary = f"CANARY-{uuid.uuid4()}"
    report = make_report(
        route=Route.SUPPORT,
        answers={"what_happened": canary, "who": {"name": canary}},
        contact={"name": canary, "email": "reporter@student.test", "email_nudges": True},
    )

    with django_capture_on_commit_callbacks(execute=True):
        _open(report, immediate_danger=True)

    [notice] = mail.outbox
    text = _email_text(notice)
    assert canary not in text
    assert report.reference not in text
    assert "reporter@student.test" not in text
    assert TEAM_NAME not in text
    assert "support" not in text.lower()  # the route


def test_no_triage_notice_is_sent_when_the_institution_has_no_triage_inbox(
    make_report: MakeReport,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    institution.triage_email = ""
    institution.save()

    with django_capture_on_commit_callbacks(execute=True):
        _open(make_report())

    assert mail.outbox == []


# --- Who opened the case ------------------------------------------------------------------


def test_opening_a_case_records_the_role_and_a_case_view_audit_event(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    events_before = AuditEvent.objects.count()

    case_record_opening(case=case, user=adviser)

    opening = CaseOpening.objects.get(case=case)
    assert opening.role == "adviser"
    assert opening.first_opened_at == opening.last_opened_at
    event = AuditEvent.objects.filter(action="case.view").latest("seq")
    assert event.seq > events_before
    assert event.actor_kind == AuditEvent.ActorKind.STAFF
    assert event.actor_id == str(adviser.pk)
    assert event.object_type == "casework.case"
    assert event.object_id == str(case.pk)


def test_opening_again_keeps_one_row_per_role_and_moves_the_last_time_forward(
    open_case: OpenCase, adviser: User, case_lead: User
) -> None:
    case = open_case(assign=[adviser])
    case_record_opening(case=case, user=adviser)
    first = CaseOpening.objects.get(case=case, role="adviser")
    CaseOpening.objects.filter(pk=first.pk).update(
        first_opened_at=first.first_opened_at - datetime.timedelta(days=2),
        last_opened_at=first.last_opened_at - datetime.timedelta(days=2),
    )

    case_record_opening(case=case, user=adviser)
    case_record_opening(case=case, user=case_lead)

    assert CaseOpening.objects.filter(case=case).count() == 2
    again = CaseOpening.objects.get(pk=first.pk)
    assert again.first_opened_at < again.last_opened_at
    assert timezone.now() - again.last_opened_at < datetime.timedelta(minutes=1)
    assert AuditEvent.objects.filter(action="case.view", object_id=str(case.pk)).count() == 3


def test_a_person_who_may_not_open_the_case_leaves_no_trace_of_an_opening(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case()  # not assigned to the adviser

    with pytest.raises(Http404):
        case_record_opening(case=case, user=adviser)

    assert not CaseOpening.objects.filter(case=case).exists()


def test_the_reporter_sees_which_roles_opened_their_case_in_plain_words(
    open_case: OpenCase, adviser: User, case_lead: User, administrator: User
) -> None:
    administrator.case_access_granted = True
    administrator.save(update_fields=["case_access_granted"])
    case = open_case(assign=[adviser])
    assert case_openings_for_reporter(case=case) == []

    case_record_opening(case=case, user=adviser)
    case_record_opening(case=case, user=case_lead)
    case_record_opening(case=case, user=administrator)

    openings = case_openings_for_reporter(case=case)
    assert sorted(label for label, _ in openings) == [
        "A case lead",
        "An administrator",
        "An adviser",
    ]
    assert all(isinstance(when, datetime.datetime) for _, when in openings)
    # Most recent first.
    assert [when for _, when in openings] == sorted((when for _, when in openings), reverse=True)


# --- Status for the reporter ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (CaseStatus.NEW, "Received"),
        (CaseStatus.TRIAGED, "Being looked at"),
        (CaseStatus.IN_CONTACT, "Being looked at"),
        (CaseStatus.ACTIVE_SUPPORT, "Being looked at"),
        (CaseStatus.CLOSED, "Closed"),
    ],
)
def test_the_reporter_sees_their_status_in_plain_words(
    open_case: OpenCase, status: str, label: str
) -> None:
    case = open_case()
    case.status = status

    shown, explanation = case_status_for_reporter(case=case)

    assert shown == label
    assert explanation.endswith(".")
    assert 20 < len(explanation) < 160  # short and plain


def test_a_new_report_tells_the_reporter_someone_will_look_at_it_soon(
    open_case: OpenCase,
) -> None:
    assert case_status_for_reporter(case=open_case()) == (
        "Received",
        "We have your report. Someone from the team will look at it soon.",
    )


def test_a_withdrawn_report_shows_as_withdrawn_whatever_the_case_status(
    open_case: OpenCase,
) -> None:
    case = open_case(withdrawn_at=timezone.now())
    case.status = CaseStatus.ACTIVE_SUPPORT

    label, explanation = case_status_for_reporter(case=case)

    assert label == "Withdrawn"
    assert "withdrew" in explanation
