"""The safety reminders job: each reminder exactly once, and nothing identifying in it."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseStatus
from waypoint.casework.tests.conftest import (
    TEAM_NAME,
    TRIAGE_EMAIL,
    OpenCase,
)
from waypoint.institution.models import Department, Institution
from waypoint.privacy.models import AuditEvent
from waypoint.safety.models import (
    Assessment,
    InstrumentVersion,
    MeasureKind,
    MeasureStatus,
    OrderKind,
    PrecautionaryMeasure,
    ProtectiveOrder,
    RiskInstrument,
    SafetyMeasure,
    SafetyPlan,
)
from waypoint.safety.services import reminders
from waypoint.safety.services.processes import process_save
from waypoint.safety.services.reminders import (
    ORDER_EXPIRY_NOTICE_DAYS,
    ReminderRun,
    reminders_send_due,
)
from waypoint.safety.tests.processes_support import *  # noqa: F403  (fixtures)
from waypoint.safety.tests.processes_support import (
    MARKER,
    conduct_make,
    order_make,
    precaution_make,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
ORDER_SUBJECT = "A protective order linked to a case ends soon"


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def _run(capture: Any, today: datetime.date = TODAY) -> ReminderRun:
    with capture(execute=True):
        return reminders_send_due(today=today)


def _to(address: str) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if message.to == [address]]


# --- Protective orders: exactly once ----------------------------------------------------------


def test_an_order_ending_within_two_weeks_is_reminded_exactly_once(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case(assign=[adviser])
    order = order_make(case, expires_on=_days(ORDER_EXPIRY_NOTICE_DAYS))

    first = _run(django_capture_on_commit_callbacks)
    second = _run(django_capture_on_commit_callbacks)

    assert first.orders == 1
    assert second.orders == 0
    [message] = mail.outbox
    assert message.to == [adviser.email]
    assert message.subject == ORDER_SUBJECT
    assert "/staff/" in message.body
    order.refresh_from_db()
    assert order.expiry_reminded_at is not None


def test_a_second_order_in_the_window_is_reminded_separately(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case(assign=[adviser])
    order_make(case, expires_on=_days(3))
    _run(django_capture_on_commit_callbacks)

    later = order_make(case, expires_on=_days(10), kind=OrderKind.RESTRAINING)
    run = _run(django_capture_on_commit_callbacks)
    again = _run(django_capture_on_commit_callbacks)

    assert run.orders == 1
    assert again.orders == 0
    assert [m.subject for m in mail.outbox] == [ORDER_SUBJECT, ORDER_SUBJECT]
    later.refresh_from_db()
    assert later.expiry_reminded_at is not None


def test_an_order_whose_expiry_changes_is_reminded_again(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case(assign=[adviser])
    order = order_make(case, expires_on=_days(5))
    _run(django_capture_on_commit_callbacks)
    order.refresh_from_db()

    # The order was extended; the new end date comes round later.
    process_save(
        case=case,
        actor=adviser,
        kind="order",
        row=order,
        values={
            "kind": order.kind,
            "made_on": order.made_on,
            "expires_on": _days(40),
            "conditions": order.conditions,
        },
    )
    not_yet = _run(django_capture_on_commit_callbacks)
    in_window = _run(django_capture_on_commit_callbacks, today=_days(30))
    again = _run(django_capture_on_commit_callbacks, today=_days(31))

    assert not_yet.orders == 0
    assert in_window.orders == 1
    assert again.orders == 0
    assert [m.subject for m in mail.outbox] == [ORDER_SUBJECT, ORDER_SUBJECT]


def test_orders_outside_the_window_or_already_ended_are_not_reminded(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case(assign=[adviser])
    order_make(case, expires_on=_days(ORDER_EXPIRY_NOTICE_DAYS + 1))
    order_make(case, expires_on=_days(-1))
    order_make(case, expires_on=None)

    run = _run(django_capture_on_commit_callbacks)

    assert run.orders == 0
    assert mail.outbox == []


def test_the_window_is_a_setting_of_the_module(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reminders, "ORDER_EXPIRY_NOTICE_DAYS", 30)
    order_make(open_case(assign=[adviser]), expires_on=_days(25))

    assert _run(django_capture_on_commit_callbacks).orders == 1


def test_a_row_claimed_by_another_run_meanwhile_is_not_sent_again(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = order_make(open_case(assign=[adviser]), expires_on=_days(2))
    listed = reminders._candidates

    def listed_then_claimed_elsewhere(model: Any, condition: Any) -> list[object]:
        ids = listed(model, condition)
        # Another run claims the row between this run's listing and its UPDATE.
        model._default_manager.filter(pk__in=ids).update(
            **{
                "expiry_reminded_at"
                if model is ProtectiveOrder
                else "review_notified_at": timezone.now()
            }
        )
        return ids

    monkeypatch.setattr(reminders, "_candidates", listed_then_claimed_elsewhere)

    run = _run(django_capture_on_commit_callbacks)

    assert run.orders == 0
    assert mail.outbox == []
    order.refresh_from_db()
    assert order.expiry_reminded_at is not None


def test_nothing_is_sent_until_the_claim_commits(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    order_make(open_case(assign=[adviser]), expires_on=_days(2))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders_send_due(today=TODAY)
    assert mail.outbox == []

    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_a_case_with_nobody_assigned_goes_to_the_triage_inbox(
    open_case: OpenCase, institution: Institution, django_capture_on_commit_callbacks: Any
) -> None:
    order_make(open_case(), expires_on=_days(2))

    _run(django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.to == [TRIAGE_EMAIL]


def test_every_assigned_member_of_staff_gets_their_own_email(
    open_case: OpenCase,
    adviser: User,
    other_adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    order_make(open_case(assign=[adviser, other_adviser]), expires_on=_days(2))

    _run(django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([adviser.email, other_adviser.email])
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)


# --- Reviews ----------------------------------------------------------------------------------


def _version() -> InstrumentVersion:
    instrument = RiskInstrument.objects.create(slug="test-checklist", name="Test checklist")
    return InstrumentVersion.objects.create(
        instrument=instrument, version=1, definition={}, sha256="0" * 64
    )


def _assessment(case: Case, version: InstrumentVersion, **fields: Any) -> Assessment:
    assessment = Assessment(
        case=case, data_key_id=case.data_key_id, version=version, score=3, **fields
    )
    assessment.judgement_reason = f"Judgement {MARKER}"
    assessment.save(force_insert=True)
    return assessment


def _measure(case: Case, department: Department, **fields: Any) -> SafetyMeasure:
    measure = SafetyMeasure(
        case=case,
        data_key_id=case.data_key_id,
        kind=MeasureKind.ACCOMMODATION_MOVE,
        department=department,
        **fields,
    )
    measure.brief = f"Move room {MARKER}"
    measure.detail = f"Detail {MARKER}"
    measure.save(force_insert=True)
    return measure


def test_a_measure_due_for_review_tells_its_department_and_the_case_staff_once(
    open_case: OpenCase,
    adviser: User,
    department: Department,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case(assign=[adviser])
    measure = _measure(case, department, review_on=TODAY, status=MeasureStatus.IN_PLACE)
    _measure(case, department, review_on=_days(-3), status=MeasureStatus.ENDED)
    _measure(case, department, review_on=_days(1))

    first = _run(django_capture_on_commit_callbacks)
    second = _run(django_capture_on_commit_callbacks)

    assert first.measures == 1
    assert second.measures == 0
    [for_department] = _to(department.email)
    [for_staff] = _to(adviser.email)
    assert len(mail.outbox) == 2
    assert for_department.subject == "A safety measure is due for review"
    assert "/staff/measures/" in for_department.body
    assert "your department" in for_department.body
    assert "/staff/" in for_staff.body
    measure.refresh_from_db()
    assert measure.review_notified_at is not None


def test_a_safety_plan_review_is_reminded_once(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case(assign=[adviser])
    SafetyPlan.objects.create(case=case, data_key_id=case.data_key_id, next_review_on=_days(-1))

    first = _run(django_capture_on_commit_callbacks)
    second = _run(django_capture_on_commit_callbacks)

    assert (first.plans, second.plans) == (1, 0)
    [message] = mail.outbox
    assert message.subject == "A safety plan is due for review"


def test_only_the_latest_assessment_of_a_case_is_reminded(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case(assign=[adviser])
    version = _version()
    old = _assessment(case, version, next_review_on=_days(-10))
    Assessment.objects.filter(pk=old.pk).update(
        assessed_at=timezone.now() - datetime.timedelta(days=30)
    )
    latest = _assessment(case, version, next_review_on=TODAY)

    first = _run(django_capture_on_commit_callbacks)
    second = _run(django_capture_on_commit_callbacks)

    assert (first.assessments, second.assessments) == (1, 0)
    latest.refresh_from_db()
    old.refresh_from_db()
    assert latest.review_notified_at is not None
    assert old.review_notified_at is None
    [message] = mail.outbox
    assert message.subject == "A risk assessment is due for review"


def test_a_precautionary_measure_review_is_reminded_once_unless_it_has_ended(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case(assign=[adviser])
    conduct = conduct_make(case)
    due = precaution_make(conduct, review_on=TODAY)
    precaution_make(conduct, review_on=_days(-2), ended_on=_days(-1))

    first = _run(django_capture_on_commit_callbacks)
    second = _run(django_capture_on_commit_callbacks)

    assert (first.precautions, second.precautions) == (1, 0)
    due.refresh_from_db()
    assert due.review_notified_at is not None
    [message] = mail.outbox
    assert message.subject == "A precautionary measure is due for review"
    assert message.to == [adviser.email]


def test_reviews_on_a_closed_case_are_not_reminded(
    open_case: OpenCase,
    adviser: User,
    department: Department,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case(assign=[adviser])
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    _measure(case, department, review_on=TODAY)
    SafetyPlan.objects.create(case=case, data_key_id=case.data_key_id, next_review_on=TODAY)
    precaution_make(conduct_make(case), review_on=TODAY)

    run = _run(django_capture_on_commit_callbacks)

    assert (run.measures, run.plans, run.precautions) == (0, 0, 0)
    assert mail.outbox == []


# --- Nothing identifying, audit, the command --------------------------------------------------


def test_no_reminder_carries_a_reference_a_name_or_anything_typed(
    open_case: OpenCase,
    adviser: User,
    department: Department,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case(
        assign=[adviser],
        answers={"behaviours": ["following"], "who": {"name": MARKER}},
        contact={"name": MARKER, "email": "reporter@example.test"},
    )
    order_make(case, expires_on=_days(1))
    _measure(case, department, review_on=TODAY)
    SafetyPlan.objects.create(case=case, data_key_id=case.data_key_id, next_review_on=TODAY)
    _assessment(case, _version(), next_review_on=TODAY)
    precaution_make(conduct_make(case), review_on=TODAY)

    run = _run(django_capture_on_commit_callbacks)

    assert run.total == 5
    assert len(mail.outbox) == 6  # the department's, and one per item for the adviser
    forbidden = [
        MARKER,
        case.report.reference,
        str(case.pk),
        TEAM_NAME,
        "reporter@example.test",
        adviser.display_name,
        department.name,
        "Stalking Protection Order",
        "Accommodation move",
    ]
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        for word in forbidden:
            assert word not in text, (word, message.subject)


def test_each_run_is_audited_once_with_its_counts(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case(assign=[adviser])
    order_make(case, expires_on=_days(1))
    order_make(case, expires_on=_days(2))

    _run(django_capture_on_commit_callbacks)

    event = AuditEvent.objects.get(action="safety.reminders_sent")
    assert event.actor_kind == AuditEvent.ActorKind.SYSTEM
    assert event.extra == {
        "orders": 2,
        "measures": 0,
        "plans": 0,
        "assessments": 0,
        "precautions": 0,
    }


def test_the_command_sends_each_reminder_once_however_often_it_runs(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    django_capture_on_commit_callbacks: Any,
) -> None:
    order_make(open_case(assign=[adviser]), expires_on=timezone.localdate())
    first, second = io.StringIO(), io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("safety_reminders", stdout=first)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("safety_reminders", stdout=second)

    assert "1 protective order(s) ending soon" in first.getvalue()
    assert "0 protective order(s) ending soon" in second.getvalue()
    assert len(mail.outbox) == 1
    assert PrecautionaryMeasure.objects.count() == 0
