"""Urgent cases have their own first-contact target (ADR 0028).

A case flagged urgent at intake is due the same working day, or a few working hours into
the next one when it arrives out of hours; the inbox and the case page say so to the
minute, the inbox's overdue filter and order use it, and a missed urgent target reaches
the case leads who may see the case, once. Every clock here runs at a fixed moment in
December 2025 (Monday the 1st), London time, with a closure day on Friday the 19th and
Christmas and Boxing Day off.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any, Final

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import UserFactory
from waypoint.accounts.tests.support import login_as
from waypoint.casework.calendar import WorkingCalendar, first_contact_due
from waypoint.casework.models import Case, CaseClock, CaseConflict
from waypoint.casework.selectors.inbox import InboxFilters, inbox_page_for_staff, urgent_clock
from waypoint.casework.services import case_open_from_report, message_send_from_reporter
from waypoint.casework.services.work import NoticeRun, notices_send_due
from waypoint.casework.tests.conftest import TEAM_NAME, TRIAGE_EMAIL, MakeReport, OpenCase
from waypoint.institution.admin import InstitutionAdmin
from waypoint.institution.models import Holiday, Institution

pytestmark = pytest.mark.django_db

LONDON: Final = zoneinfo.ZoneInfo("Europe/London")
INBOX: Final = "/staff/cases/"
MARKER: Final = "CANARY-5e1b"


def _at(day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment in December 2025 (Monday the 1st), London time."""
    return datetime.datetime(2025, 12, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def holidays(institution: Institution) -> Institution:
    for day, name in ((19, "Closure day"), (25, "Christmas Day"), (26, "Boxing Day")):
        Holiday.objects.create(date=datetime.date(2025, 12, day), name=name)
    return institution


@pytest.fixture
def calendar(holidays: Institution) -> WorkingCalendar:
    """Monday to Friday, 9 to 5, with the holidays above."""
    return WorkingCalendar.for_institution(holidays)


def _signed_in(user: User) -> Client:
    client = Client()
    login_as(client, user)
    return client


def _open_at(
    make_report: MakeReport,
    moment: datetime.datetime,
    *,
    danger: bool = True,
    threat: bool = False,
) -> Case:
    """A case opened at `moment` the way intake opens one (urgent unless told otherwise)."""
    with time_machine.travel(moment, tick=False):
        return case_open_from_report(
            report=make_report(),
            immediate_danger=danger,
            threat_of_violence=threat,
            high_risk_indicator=False,
        )


# --- The rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arrived", "due"),
    [
        # In working hours: by the end of that working day.
        (_at(1, 10), _at(1, 17)),
        (_at(1, 16, 59), _at(1, 17)),
        # Out of hours: 4 working hours after the team next starts.
        (_at(1, 20), _at(2, 13)),
        (_at(2, 8), _at(2, 13)),
        # A Friday evening: Monday 13:00.
        (_at(5, 19), _at(8, 13)),
        # Thursday evening before the closure day (Friday 19th): Monday 22nd, 13:00.
        (_at(18, 18), _at(22, 13)),
        # Christmas Eve evening: over Christmas, Boxing Day and the weekend.
        (_at(24, 18), _at(29, 13)),
        # On a holiday itself, in what would be working hours.
        (_at(25, 11), _at(29, 13)),
    ],
)
def test_an_urgent_case_is_due_the_same_working_day_or_four_working_hours_into_the_next(
    calendar: WorkingCalendar, arrived: datetime.datetime, due: datetime.datetime
) -> None:
    assert calendar.urgent_due(arrived, 4) == due


def test_working_hours_carry_over_into_the_next_working_day(calendar: WorkingCalendar) -> None:
    # Friday 20:00 + 10 working hours: all of Monday (8), then 2 on Tuesday.
    assert calendar.add_working_hours(_at(5, 20), 10) == _at(9, 11)
    # Exactly a day's hours end that day, not the next morning.
    assert calendar.add_working_hours(_at(1, 8), 8) == _at(1, 17)


def test_the_institution_sets_the_out_of_hours_target(
    holidays: Institution, make_report: MakeReport
) -> None:
    holidays.urgent_first_contact_hours = 2
    holidays.save()

    case = _open_at(make_report, _at(5, 19))

    assert CaseClock.objects.get(case=case).first_contact_due_at == _at(8, 11)


def test_opening_an_urgent_case_sets_the_urgent_target_and_an_ordinary_one_keeps_two_days(
    holidays: Institution, make_report: MakeReport
) -> None:
    danger = _open_at(make_report, _at(1, 10))
    threat = _open_at(make_report, _at(1, 10), threat=True, danger=False)
    ordinary = _open_at(make_report, _at(1, 10), danger=False)

    due = {c.case_id: c.first_contact_due_at for c in CaseClock.objects.all()}
    assert due[danger.pk] == _at(1, 17)
    assert due[threat.pk] == _at(1, 17)
    assert due[ordinary.pk] == _at(3, 10)


def test_an_urgent_target_is_never_later_than_the_ordinary_one(holidays: Institution) -> None:
    holidays.first_contact_working_days = 0
    holidays.save()

    due = first_contact_due(opened_at=_at(1, 10), urgent=True, institution=holidays)

    assert due == _at(1, 10)


def test_a_working_day_that_ends_before_it_starts_is_refused(institution: Institution) -> None:
    institution.working_day_starts = datetime.time(17)
    institution.working_day_ends = datetime.time(9)

    with pytest.raises(ValidationError) as refused:
        institution.full_clean()

    assert "working_day_ends" in refused.value.message_dict


def test_the_urgent_target_is_edited_in_the_admin_with_the_other_response_times() -> None:
    sections = {name: options["fields"] for name, options in InstitutionAdmin.fieldsets}
    assert list(sections["Response times"]) == [
        "first_contact_working_days",
        "urgent_first_contact_hours",
        "working_weekdays",
        "working_day_starts",
        "working_day_ends",
    ]


# --- What the clock says ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "now", "text", "state"),
    [
        (_at(1, 15, 30), _at(1, 10), "Urgent: contact due by 15:30 today", "due_today"),
        (_at(2, 13), _at(1, 20), "Urgent: contact due by 13:00 tomorrow", "due"),
        # Friday evening: due Monday.
        (_at(8, 13), _at(5, 19), "Urgent: contact due by 13:00 Monday", "due"),
        (_at(29, 13), _at(18, 18), "Urgent: contact due by 13:00 on 29 December", "due"),
        (_at(1, 17), _at(1, 19, 5), "Urgent: contact overdue by 2 hours", "overdue"),
        (_at(1, 17), _at(1, 17, 20), "Urgent: contact overdue by 20 minutes", "overdue"),
        (_at(5, 17), _at(6, 10), "Urgent: contact overdue since 17:00 yesterday", "overdue"),
        # Nobody works at the weekend, but the person has waited since Friday.
        (_at(5, 17), _at(8, 9), "Urgent: contact overdue since 17:00 Friday", "overdue"),
    ],
)
def test_an_urgent_clock_names_the_time_it_is_due_or_how_late_it_is(
    due: datetime.datetime, now: datetime.datetime, text: str, state: str
) -> None:
    clock = urgent_clock(due_at=due, now=now)
    assert (clock.text, clock.state) == (text, state)


def test_the_inbox_shows_the_urgent_target_and_its_overdue_filter_and_order_use_it(
    holidays: Institution, make_report: MakeReport, case_lead: User
) -> None:
    urgent = _open_at(make_report, _at(1, 10))
    ordinary = _open_at(make_report, _at(1, 9), danger=False)
    overdue = InboxFilters(overdue_only=True)

    def texts(now: datetime.datetime, filters: InboxFilters | None = None) -> dict[str, str]:
        page = inbox_page_for_staff(
            user=case_lead,
            filters=filters or InboxFilters(),
            page_number=1,
            institution=holidays,
            now=now,
        )
        return {row.reference: row.clock.text for row in page.rows}

    assert texts(_at(1, 11)) == {
        urgent.report.reference: "Urgent: contact due by 17:00 today",
        ordinary.report.reference: "Due in 2 working days",
    }
    assert texts(_at(1, 11), overdue) == {}
    # Past five on Monday: the urgent case is overdue; the ordinary one is not due till
    # Wednesday.
    assert texts(_at(1, 19), overdue) == {
        urgent.report.reference: "Urgent: contact overdue by 2 hours"
    }


def test_a_case_lead_sees_the_urgent_target_in_the_inbox_and_on_the_case_page(
    holidays: Institution, make_report: MakeReport, case_lead: User
) -> None:
    case = _open_at(make_report, _at(1, 10))

    with time_machine.travel(_at(1, 11), tick=True):
        client = _signed_in(case_lead)
        inbox = client.get(INBOX).content.decode()
        case_page = client.get(reverse("casework:case", kwargs={"case_id": case.pk}))

    assert "Urgent: contact due by 17:00 today" in inbox
    assert "Due in 2 working days" not in inbox
    html = case_page.content.decode()
    assert "Urgent: contact due by 17:00 today" in html  # in the identity bar
    assert "1 Dec 2025, 17:00" in html


def test_the_inbox_s_overdue_filter_lists_a_missed_urgent_target(
    holidays: Institution, make_report: MakeReport, case_lead: User
) -> None:
    case = _open_at(make_report, _at(5, 11))

    with time_machine.travel(_at(8, 9, 30), tick=True):
        response = _signed_in(case_lead).get(INBOX, {"overdue": "on"})

    assert [row.reference for row in response.context["inbox"].rows] == [case.report.reference]
    assert "Urgent: contact overdue since 17:00 Friday" in response.content.decode()


# --- Telling the case leads, once ---------------------------------------------------------------


def _run(django_capture_on_commit_callbacks: Any, now: datetime.datetime) -> NoticeRun:
    with django_capture_on_commit_callbacks(execute=True):
        return notices_send_due(now=now)


def test_a_missed_urgent_target_tells_the_leads_who_may_see_the_case_once_and_nothing_more(
    holidays: Institution,
    make_report: MakeReport,
    adviser: User,
    case_lead: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    conflicted = UserFactory.create(role=Role.CASE_LEAD, email="conflicted-lead@university.test")
    UserFactory.create(role=Role.CASE_LEAD, email="former-lead@university.test", is_active=False)
    with time_machine.travel(_at(1, 10), tick=False):
        case = case_open_from_report(
            report=make_report(
                answers={"what": {"text": f"answer {MARKER}"}},
                contact={"name": f"Name {MARKER}", "email": "reporter@student.test"},
            ),
            immediate_danger=True,
            threat_of_violence=False,
            high_risk_indicator=False,
        )
        message_send_from_reporter(case=case, body=f"message {MARKER}")
    case.assignments.create(user=adviser)
    CaseConflict.objects.create(case=case, user=conflicted)
    mail.outbox.clear()

    # Still within the target: nothing.
    assert _run(django_capture_on_commit_callbacks, _at(1, 16, 59)).breaches == 0
    # Five minutes after it: the job claims it.
    assert _run(django_capture_on_commit_callbacks, _at(1, 17, 5)).breaches == 1
    assert _run(django_capture_on_commit_callbacks, _at(1, 17, 10)).breaches == 0

    [email] = mail.outbox
    assert email.subject == "An urgent case has passed its first-contact target"
    assert sorted(email.to) == sorted([TRIAGE_EMAIL, adviser.email, case_lead.email])
    text = f"{email.subject}\n{email.body}"
    for secret in (MARKER, case.report.reference, str(case.pk), TEAM_NAME):
        assert secret not in text
    assert "/staff/" in email.body


def test_a_restricted_urgent_case_reaches_only_the_leads_granted_it(
    holidays: Institution,
    make_report: MakeReport,
    case_lead: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    granted = UserFactory.create(role=Role.CASE_LEAD, email="granted-lead@university.test")
    case = _open_at(make_report, _at(1, 10))
    Case.objects.filter(pk=case.pk).update(restricted=True)
    case.grants.create(user=granted)
    mail.outbox.clear()

    _run(django_capture_on_commit_callbacks, _at(1, 18))

    [email] = mail.outbox
    assert sorted(email.to) == sorted([TRIAGE_EMAIL, granted.email])


def test_an_ordinary_missed_target_does_not_go_to_the_leads(
    holidays: Institution,
    open_case: OpenCase,
    case_lead: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = open_case()
    CaseClock.objects.filter(case=case).update(first_contact_due_at=_at(1, 10))
    mail.outbox.clear()

    _run(django_capture_on_commit_callbacks, _at(1, 12))

    [email] = mail.outbox
    assert (email.subject, email.to) == (
        "A case has passed its first-contact target",
        [TRIAGE_EMAIL],
    )
