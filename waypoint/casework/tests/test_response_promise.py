"""What a reporter is told about when they will hear back (selectors/promise.py, ADR 0028).

Worded from the case's own target and the team's working week, and from how the person
can be reached: never "we will contact you" to someone who left no way to. Every clock
here runs at a fixed moment in December 2025 (Monday the 1st), London time, with a
closure day on Friday the 19th and Christmas and Boxing Day off.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any, Final

import pytest
import time_machine
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseClock, CaseStatus
from waypoint.casework.selectors.promise import (
    ResponsePromise,
    response_promise_for_reporter,
    time_words,
    weekdays_words,
)
from waypoint.casework.services import case_open_from_report, message_send_from_staff
from waypoint.casework.tests.conftest import MakeReport
from waypoint.institution.models import Holiday, Institution
from waypoint.reporting.models import Route

pytestmark = pytest.mark.django_db

LONDON: Final = zoneinfo.ZoneInfo("Europe/London")
WEEK: Final = "Monday to Friday, 9am to 5pm, except on bank holidays and closure days."
NAMED_CONTACT: Final = {"name": "Alex", "email": "alex@student.test", "preferred_method": "email"}


def _at(day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment in December 2025 (Monday the 1st), London time."""
    return datetime.datetime(2025, 12, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def team(institution: Institution) -> Institution:
    """Monday to Friday, 9 to 5; a closure day on the 19th; Christmas and Boxing Day."""
    for day, name in ((19, "Closure day"), (25, "Christmas Day"), (26, "Boxing Day")):
        Holiday.objects.create(date=datetime.date(2025, 12, day), name=name)
    return institution


def _sent(
    make_report: MakeReport,
    moment: datetime.datetime,
    *,
    route: str = Route.SUPPORT,
    danger: bool = False,
    threat: bool = False,
    **report_fields: Any,
) -> Case:
    """A report sent at `moment`, its case opened as intake opens it."""
    if route == Route.SUPPORT:
        report_fields.setdefault("contact", NAMED_CONTACT)
    with time_machine.travel(moment, tick=False):
        return case_open_from_report(
            report=make_report(route=route, **report_fields),
            immediate_danger=danger,
            threat_of_violence=threat,
            high_risk_indicator=False,
        )


def _promise(case: Case, institution: Institution, now: datetime.datetime) -> ResponsePromise:
    promise = response_promise_for_reporter(report=case.report, institution=institution, now=now)
    assert promise is not None
    return promise


# --- Ordinary reports, by how the person can be reached ----------------------------------------


def test_a_named_reporter_is_told_the_day_the_team_aims_to_get_in_touch_and_the_working_week(
    team: Institution, make_report: MakeReport
) -> None:
    case = _sent(make_report, _at(1, 10))

    promise = _promise(case, team, _at(1, 10, 1))

    assert promise.promise == (
        "The team aims to get in touch with you by the end of Wednesday 3 December."
    )
    assert "contact details you gave" in promise.how
    assert promise.hours == f"The team works {WEEK}"
    assert (promise.urgent, promise.late, promise.reach) == (False, False, "contact")


def test_an_anonymous_reporter_who_wants_replies_is_told_they_will_be_here_not_contacted(
    team: Institution, make_report: MakeReport
) -> None:
    case = _sent(make_report, _at(1, 10), route=Route.ANONYMOUS, wants_messages=True)

    promise = _promise(case, team, _at(1, 10, 1))

    assert promise.promise == "The team aims to reply by the end of Wednesday 3 December."
    assert promise.how.startswith("You told us anonymously, so the team has no way to contact you.")
    assert "get in touch" not in promise.promise + promise.how
    assert "will try to contact you" not in promise.promise + promise.how


def test_an_anonymous_reporter_who_wants_no_replies_is_told_only_when_it_will_be_read(
    team: Institution, make_report: MakeReport
) -> None:
    case = _sent(make_report, _at(1, 10), route=Route.ANONYMOUS, wants_messages=False)

    promise = _promise(case, team, _at(1, 10, 1))

    assert (
        promise.promise == "The team aims to read your report by the end of Wednesday 3 December."
    )
    assert "you will not hear back from the team" in promise.how
    assert "reply" not in promise.promise


@pytest.mark.parametrize(
    ("contact", "reach", "promise_text"),
    [
        ({"name": "Jo", "phone": "07700 900123"}, "contact", "get in touch with you"),
        (None, "here", "reply"),
    ],
)
def test_someone_reporting_for_another_is_contacted_only_if_they_left_details(
    team: Institution,
    make_report: MakeReport,
    contact: dict[str, str] | None,
    reach: str,
    promise_text: str,
) -> None:
    case = _sent(make_report, _at(1, 10), route=Route.THIRD_PARTY, contact=contact)

    promise = _promise(case, team, _at(1, 10, 1))

    assert promise.reach == reach
    assert promise.promise == f"The team aims to {promise_text} by the end of Wednesday 3 December."
    if contact is None:
        assert promise.how.startswith("You did not give contact details")


def test_a_report_sent_on_friday_evening_is_promised_for_after_the_weekend(
    team: Institution, make_report: MakeReport
) -> None:
    # Friday 19:00: counted from Monday 09:00, two working days on is Wednesday.
    case = _sent(make_report, _at(5, 19))

    promise = _promise(case, team, _at(5, 19, 1))

    assert promise.promise == (
        "The team aims to get in touch with you by the end of Wednesday 10 December."
    )
    assert promise.hours == f"The team is not at work now. They work {WEEK}"


def test_the_promise_skips_holidays(team: Institution, make_report: MakeReport) -> None:
    # Wednesday 24th: Christmas, Boxing Day and the weekend do not count.
    case = _sent(make_report, _at(24, 11))

    assert _promise(case, team, _at(24, 11, 1)).promise == (
        "The team aims to get in touch with you by the end of Tuesday 30 December."
    )


def test_a_promise_due_today_still_stands_until_the_end_of_the_working_day(
    team: Institution, make_report: MakeReport
) -> None:
    case = _sent(make_report, _at(1, 10))

    # The team's own target was Wednesday 10:00; the promise is the end of Wednesday.
    assert _promise(case, team, _at(3, 16)).promise == (
        "The team aims to get in touch with you by the end of today."
    )
    assert _promise(case, team, _at(2, 16)).promise == (
        "The team aims to get in touch with you by the end of tomorrow (Wednesday 3 December)."
    )


def test_a_missed_promise_says_so_and_apologises(
    team: Institution, make_report: MakeReport
) -> None:
    case = _sent(make_report, _at(1, 10))

    promise = _promise(case, team, _at(4, 9, 30))

    assert promise.late is True
    assert promise.promise == (
        "The team aimed to get in touch with you by the end of Wednesday 3 December, and has "
        "not yet. We are sorry for the wait: they will get in touch as soon as they can."
    )


# --- Urgent reports -----------------------------------------------------------------------------


def test_someone_in_danger_in_working_hours_is_told_the_team_will_try_to_contact_them_today(
    team: Institution, make_report: MakeReport
) -> None:
    case = _sent(make_report, _at(1, 10), danger=True)

    promise = _promise(case, team, _at(1, 10, 1))

    assert promise.urgent is True
    assert promise.promise == (
        "Because you told us someone is in danger, the team will try to contact you today, by 5pm."
    )
    assert promise.hours == f"The team works {WEEK}"


@pytest.mark.parametrize(
    ("sent", "when"),
    [
        # Monday evening: 4 working hours into Tuesday.
        (_at(1, 20), "tomorrow (Tuesday 2 December), by 1pm"),
        # Friday evening: Monday.
        (_at(5, 19), "on Monday 8 December, by 1pm"),
        # Thursday evening before the closure day: the Monday after.
        (_at(18, 18), "on Monday 22 December, by 1pm"),
    ],
)
def test_someone_in_danger_out_of_hours_is_told_when_the_team_is_next_at_work(
    team: Institution, make_report: MakeReport, sent: datetime.datetime, when: str
) -> None:
    case = _sent(make_report, sent, danger=True)

    promise = _promise(case, team, sent + datetime.timedelta(minutes=1))

    assert promise.promise == (
        f"Because you told us someone is in danger, the team will try to contact you {when}."
    )
    assert promise.hours == f"The team is not at work now. They work {WEEK}"


def test_an_anonymous_urgent_report_is_promised_a_look_or_a_reply_never_contact(
    team: Institution, make_report: MakeReport
) -> None:
    replies = _sent(
        make_report, _at(1, 10), route=Route.ANONYMOUS, wants_messages=True, threat=True
    )
    silent = _sent(
        make_report, _at(1, 10), route=Route.ANONYMOUS, wants_messages=False, danger=True
    )

    assert _promise(replies, team, _at(1, 11)).promise == (
        "Because you told us about threats of violence, the team will try to reply today, by 5pm."
    )
    silent_promise = _promise(silent, team, _at(1, 11))
    assert silent_promise.promise == (
        "Because you told us someone is in danger, the team will look at your report today, by 5pm."
    )
    assert "contact you" not in silent_promise.promise


def test_a_missed_urgent_promise_names_the_time_it_was_due(
    team: Institution, make_report: MakeReport
) -> None:
    case = _sent(make_report, _at(5, 11), danger=True)

    assert _promise(case, team, _at(8, 9)).promise == (
        "The team aimed to get in touch with you by 5pm on Friday 5 December, and has not "
        "yet. We are sorry for the wait: they will get in touch as soon as they can."
    )


# --- When the promise goes ----------------------------------------------------------------------


def test_the_promise_goes_once_the_team_replies(
    team: Institution, make_report: MakeReport, adviser: User
) -> None:
    case = _sent(make_report, _at(1, 10), route=Route.ANONYMOUS, wants_messages=True)
    case.assignments.create(user=adviser)
    message_send_from_staff(case=case, author=adviser, body="Thank you for telling us.")

    assert response_promise_for_reporter(report=case.report, institution=team, now=_at(1, 11)) is (
        None
    )


@pytest.mark.parametrize("change", ["contacted", "closed", "withdrawn"])
def test_the_promise_goes_once_first_contact_is_made_or_the_report_ends(
    team: Institution, make_report: MakeReport, change: str
) -> None:
    case = _sent(make_report, _at(1, 10))
    if change == "contacted":
        CaseClock.objects.filter(case=case).update(first_contact_at=_at(1, 12))
    elif change == "closed":
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=_at(1, 12))
    else:
        case.report.withdrawn_at = timezone.now()
        case.report.save(update_fields=["withdrawn_at"])
    case = Case.objects.select_related("report").get(pk=case.pk)

    assert response_promise_for_reporter(report=case.report, institution=team, now=_at(1, 13)) is (
        None
    )


def test_with_no_replies_wanted_the_promise_goes_once_the_team_has_read_the_report(
    team: Institution, make_report: MakeReport
) -> None:
    case = _sent(make_report, _at(1, 10), route=Route.ANONYMOUS, wants_messages=False)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.TRIAGED)
    case = Case.objects.select_related("report").get(pk=case.pk)

    assert response_promise_for_reporter(report=case.report, institution=team, now=_at(1, 13)) is (
        None
    )


def test_a_page_that_does_not_know_the_report_gives_the_team_s_usual_targets(
    team: Institution,
) -> None:
    promise = response_promise_for_reporter(report=None, institution=team, now=_at(1, 10))

    assert promise is not None
    assert "within 2 working days" in promise.promise
    assert "contact you" not in promise.promise
    assert promise.hours == f"The team works {WEEK}"


# --- Words ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "words"),
    [
        ("12345", "Monday to Friday"),
        ("135", "Monday, Wednesday and Friday"),
        ("1234567", "every day"),
        ("67", "Saturday and Sunday"),
        ("12346", "Monday to Thursday and Saturday"),
    ],
)
def test_the_working_week_reads_plainly(days: str, words: str) -> None:
    assert weekdays_words(frozenset(int(day) for day in days)) == words


@pytest.mark.parametrize(
    ("value", "words"),
    [((9, 0), "9am"), ((17, 30), "5:30pm"), ((12, 0), "midday"), ((8, 5), "8:05am")],
)
def test_times_read_the_gov_uk_way(value: tuple[int, int], words: str) -> None:
    assert time_words(datetime.time(*value)) == words


def test_holidays_are_mentioned_only_when_there_are_some_to_come(
    institution: Institution, make_report: MakeReport
) -> None:
    Holiday.objects.create(date=datetime.date(2025, 11, 28), name="Past closure")
    case = _sent(make_report, _at(1, 10))

    assert _promise(case, institution, _at(1, 11)).hours == (
        "The team works Monday to Friday, 9am to 5pm."
    )
