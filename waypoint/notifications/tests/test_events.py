"""Each event of issue 12, item 10 tells exactly the right people once, and nobody who may
not see the case: a conflicted adviser or lead, an adviser not assigned, a partner of
another department."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import UserFactory
from waypoint.casework.models import Case, CaseAssignment, CaseClock, CaseConflict
from waypoint.casework.services import case_open_from_report, message_send_from_reporter
from waypoint.casework.services.work import notices_send_due, task_create
from waypoint.casework.tests.conftest import TRIAGE_EMAIL, OpenCase
from waypoint.hub.models import ContentRevision
from waypoint.hub.services import (
    content_snapshot,
    revision_approve,
    revision_create,
    revision_reject,
    revision_submit,
)
from waypoint.hub.tests.content_support import second_administrator_create, service_create
from waypoint.institution.models import Department, Institution
from waypoint.notifications.models import Notification, NotificationKind
from waypoint.notifications.services import notifications_send_due
from waypoint.notifications.tests.conftest import Others, exactly, told
from waypoint.safety.models import (
    Assessment,
    InstrumentVersion,
    MeasureKind,
    MeasureStatus,
    OrderKind,
    ProtectiveOrder,
    RiskInstrument,
    SafetyMeasure,
)
from waypoint.safety.services.plans import measure_create

pytestmark = pytest.mark.django_db

K = NotificationKind


@pytest.fixture(autouse=True)
def _triage_inbox(institution: Institution) -> Institution:
    return institution


def _assigned_with_conflict(case: Case, others: Others, *people: User) -> Case:
    # The conflicted adviser is even assigned: the conflict must still win.
    for person in (*people, others.conflicted_adviser):
        CaseAssignment.objects.create(case=case, user=person)
    others.conflict_on(case)
    return case


# --- A reporter's message ------------------------------------------------------------------------


def test_a_reporters_message_tells_the_assigned_adviser_once_and_nobody_else(
    open_case: OpenCase, adviser: User, case_lead: User, partner: User, others: Others
) -> None:
    case = _assigned_with_conflict(open_case(), others, adviser)

    message_send_from_reporter(case=case, body="It happened again today.")

    assert told(K.REPORTER_MESSAGE) == [adviser]
    assert told(K.UNASSIGNED_MESSAGE) == []
    for person in (*others.everyone(), case_lead, partner):
        assert not Notification.objects.filter(recipient=person).exists()


def test_a_message_on_an_unassigned_case_tells_the_leads_who_may_see_it(
    *,
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    partner: User,
    others: Others,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case()
    others.conflict_on(case)
    Notification.objects.all().delete()  # the new-case ones

    with django_capture_on_commit_callbacks(execute=True):
        message_send_from_reporter(case=case, body="It happened again today.")

    assert told(K.UNASSIGNED_MESSAGE) == [case_lead]
    assert told(K.REPORTER_MESSAGE) == []
    # ...and the triage inbox's own address gets the content-free email.
    assert [message.to for message in mail.outbox if message.to == [TRIAGE_EMAIL]] == [
        [TRIAGE_EMAIL]
    ]
    for person in (*others.everyone(), adviser, partner):
        assert not Notification.objects.filter(recipient=person).exists()


def test_a_message_on_a_restricted_unassigned_case_tells_only_a_lead_named_on_it(
    open_case: OpenCase, case_lead: User, others: Others
) -> None:
    case = open_case(restricted=True)
    Notification.objects.all().delete()

    message_send_from_reporter(case=case, body="Again.")

    assert told(K.UNASSIGNED_MESSAGE) == []  # no lead is named: nobody may see it


# --- A new case ---------------------------------------------------------------------------------


def test_a_new_case_tells_each_lead_once_after_commit_and_no_adviser_or_partner(
    *,
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    partner: User,
    others: Others,
    django_capture_on_commit_callbacks: Any,
) -> None:
    granted_admin = UserFactory.create(role=Role.ADMINISTRATOR, case_access_granted=True)
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case()

    assert told(K.NEW_CASE, case=case) == exactly(case_lead, others.conflicted_lead, granted_admin)
    assert not Notification.objects.filter(recipient__in=[adviser, partner]).exists()


def test_a_lead_the_report_names_is_not_told_of_the_new_case(
    make_report: Any,
    case_lead: User,
    others: Others,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # As reporting.services does: the case opens, then the conflicts from the report's
    # answers are recorded in the same transaction; the notification waits for commit.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        case = case_open_from_report(
            report=make_report(),
            immediate_danger=False,
            threat_of_violence=False,
            high_risk_indicator=False,
        )
        others.conflict_on(case)

    assert told(K.NEW_CASE, case=case) == [case_lead]


# --- An urgent case's target missed --------------------------------------------------------------


def test_an_urgent_case_past_its_target_tells_its_team_and_the_leads_once(
    *,
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    partner: User,
    others: Others,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = _assigned_with_conflict(open_case(urgent=True), others, adviser)
    calm = open_case(assign=[adviser])
    CaseClock.objects.filter(case__in=[case, calm]).update(
        first_contact_due_at=timezone.now() - datetime.timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        notices_send_due()
        notices_send_due()  # a second run claims nothing

    assert told(K.URGENT_TARGET_MISSED) == exactly(adviser, case_lead)
    assert told(K.URGENT_TARGET_MISSED, case=calm) == []
    for person in (*others.everyone(), partner):
        assert not Notification.objects.filter(
            recipient=person, kind=K.URGENT_TARGET_MISSED
        ).exists()


# --- Tasks ----------------------------------------------------------------------------------


def test_a_task_given_to_an_adviser_tells_them_and_not_the_lead_who_gave_it(
    open_case: OpenCase, adviser: User, case_lead: User, others: Others
) -> None:
    case = _assigned_with_conflict(open_case(), others, adviser)

    task = task_create(case=case, actor=case_lead, title="Call back", brief="", assignee=adviser)

    assert told(K.TASK_ASSIGNED, object_id=task.pk) == [adviser]
    assert not Notification.objects.filter(
        recipient__in=[case_lead, *others.everyone()], object_id=task.pk
    ).exists()


def test_a_task_given_to_a_department_tells_its_partners_only(
    open_case: OpenCase,
    adviser: User,
    partner: User,
    security_department: Department,
    others: Others,
) -> None:
    case = _assigned_with_conflict(open_case(), others, adviser)
    conflicted_partner = UserFactory.create(role=Role.PARTNER, department=security_department)
    CaseConflict.objects.create(case=case, user=conflicted_partner, source="declared")

    task = task_create(
        case=case,
        actor=adviser,
        title="Patrol",
        brief="Evening patrols",
        department=security_department,
    )

    assert told(K.DEPARTMENT_TASK, object_id=task.pk) == [partner]
    assert told(K.TASK_ASSIGNED) == []


# --- Measures -------------------------------------------------------------------------------


def test_a_measure_for_a_department_tells_its_partners_and_never_another_departments(
    open_case: OpenCase,
    adviser: User,
    partner: User,
    security_department: Department,
    others: Others,
) -> None:
    case = _assigned_with_conflict(open_case(), others, adviser)

    measure = measure_create(
        case=case,
        actor=adviser,
        kind=MeasureKind.SECURITY_AWARENESS,
        department=security_department,
        brief="Be aware of the person at the library",
        detail="",
        status=MeasureStatus.PROPOSED,
        starts_on=None,
        review_on=None,
        ends_on=None,
    )

    assert told(K.DEPARTMENT_MEASURE, object_id=measure.pk) == [partner]
    assert not Notification.objects.filter(recipient=others.other_partner).exists()


# --- Content review -------------------------------------------------------------------------


def _submitted(author: User) -> ContentRevision:
    service = service_create()
    data = {**content_snapshot(ContentRevision.Kind.SERVICE, service), "summary": "Clearer"}
    revision = revision_create(
        kind=ContentRevision.Kind.SERVICE, object_id=service.pk, data=data, author=author
    )
    return revision_submit(revision=revision, author=author)


def test_a_submitted_revision_tells_the_other_administrators_not_its_author(
    administrator: User, adviser: User
) -> None:
    reviewer = second_administrator_create()

    revision = _submitted(administrator)

    assert told(K.CONTENT_TO_REVIEW, object_id=revision.pk) == [reviewer]
    assert not Notification.objects.filter(recipient__in=[administrator, adviser]).exists()


def test_an_approved_revision_tells_its_author_once(administrator: User) -> None:
    reviewer = second_administrator_create()
    revision = _submitted(administrator)

    revision_approve(revision=revision, reviewer=reviewer)

    assert told(K.CONTENT_APPROVED, object_id=revision.pk) == [administrator]
    assert told(K.CONTENT_SENT_BACK) == []


def test_a_revision_sent_back_tells_its_author_once(administrator: User) -> None:
    reviewer = second_administrator_create()
    revision = _submitted(administrator)

    revision_reject(revision=revision, reviewer=reviewer, note="Please add the phone number.")

    assert told(K.CONTENT_SENT_BACK, object_id=revision.pk) == [administrator]
    assert told(K.CONTENT_APPROVED) == []


# --- Reviews and orders falling due ---------------------------------------------------------


def _version() -> InstrumentVersion:
    instrument = RiskInstrument.objects.create(slug="test-checklist", name="Test checklist")
    return InstrumentVersion.objects.create(
        instrument=instrument, version=1, definition={}, sha256="0" * 64
    )


def test_a_risk_assessment_review_falling_due_tells_the_team_once_however_often_it_runs(
    open_case: OpenCase, adviser: User, case_lead: User, others: Others
) -> None:
    case = _assigned_with_conflict(open_case(), others, adviser)
    today = timezone.localdate()
    assessment = Assessment(
        case=case, data_key_id=case.data_key_id, version=_version(), score=3, next_review_on=today
    )
    assessment.save(force_insert=True)

    first = notifications_send_due(today=today)
    notifications_send_due(today=today)
    notifications_send_due(today=today + datetime.timedelta(days=1))

    assert first.assessments == 1
    assert told(K.ASSESSMENT_REVIEW_DUE, object_id=assessment.pk) == [adviser]


def test_a_new_review_date_is_told_again(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])
    today = timezone.localdate()
    assessment = Assessment(
        case=case, data_key_id=case.data_key_id, version=_version(), score=3, next_review_on=today
    )
    assessment.save(force_insert=True)
    notifications_send_due(today=today)

    later = today + datetime.timedelta(days=30)
    Assessment.objects.filter(pk=assessment.pk).update(next_review_on=later)
    notifications_send_due(today=later)

    assert len(told(K.ASSESSMENT_REVIEW_DUE)) == 2


def test_a_protective_order_ending_soon_tells_the_leads_when_nobody_is_assigned(
    open_case: OpenCase, adviser: User, case_lead: User, others: Others
) -> None:
    case = open_case()
    others.conflict_on(case)
    today = timezone.localdate()
    order = ProtectiveOrder(
        case=case,
        data_key_id=case.data_key_id,
        kind=OrderKind.SPO_FULL,
        expires_on=today + datetime.timedelta(days=10),
    )
    order.save(force_insert=True)

    notifications_send_due(today=today)
    notifications_send_due(today=today)

    assert told(K.ORDER_EXPIRING, object_id=order.pk) == [case_lead]
    assert not Notification.objects.filter(recipient=adviser, kind=K.ORDER_EXPIRING).exists()


def test_a_measure_review_falling_due_tells_its_department_only(
    open_case: OpenCase,
    adviser: User,
    partner: User,
    security_department: Department,
    others: Others,
) -> None:
    case = open_case(assign=[adviser])
    today = timezone.localdate()
    measure = SafetyMeasure(
        case=case,
        data_key_id=case.data_key_id,
        kind=MeasureKind.ESCORT,
        department=security_department,
        review_on=today,
    )
    measure.save(force_insert=True)

    notifications_send_due(today=today)
    notifications_send_due(today=today)

    assert told(K.MEASURE_REVIEW_DUE, object_id=measure.pk) == [partner]
    assert not Notification.objects.filter(recipient=others.other_partner).exists()


def test_the_due_job_is_a_command(open_case: OpenCase, adviser: User) -> None:
    out = StringIO()
    call_command("send_due_notifications", stdout=out)
    assert "Risk assessments: 0" in out.getvalue()
