"""The triage inbox at /staff/cases/: who sees which case, filters, order, pages, clocks.

The inbox states the policy's case rule as SQL (selectors/inbox.py); the cross-check
below proves, persona by persona, that it lists exactly the cases the policy lets each
one see (and claim). Query counts are pinned at 10 and at 10,000 cases.
"""

from __future__ import annotations

import datetime
import re
import uuid
import zoneinfo
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import UserFactory
from waypoint.accounts.tests.support import login_as
from waypoint.casework.calendar import WorkingCalendar
from waypoint.casework.models import (
    Case,
    CaseAssignment,
    CaseClock,
    CaseConflict,
    CaseGrant,
    CaseStatus,
    Message,
    MessageDirection,
)
from waypoint.casework.selectors.inbox import (
    PAGE_SIZE,
    InboxFilters,
    inbox_cases_for_staff,
    inbox_page_for_staff,
    response_clock,
)
from waypoint.casework.services import message_send_from_reporter, message_send_from_staff
from waypoint.casework.tests.conftest import OpenCase
from waypoint.institution.models import Holiday, Institution
from waypoint.privacy.models import AuditEvent
from waypoint.reporting.models import Report, Route

pytestmark = pytest.mark.django_db

INBOX: Final = "/staff/cases/"
LONDON: Final = zoneinfo.ZoneInfo("Europe/London")
EVERYTHING: Final = InboxFilters(status="all")


def _grant(user: User) -> User:
    user.case_access_granted = True
    user.save(update_fields=["case_access_granted"])
    return user


def _at(day: int, hour: int = 10, month: int = 12) -> datetime.datetime:
    """A moment in December 2025 (Monday the 1st), London time."""
    return datetime.datetime(2025, month, day, hour, tzinfo=LONDON)


def _html(response: Any) -> str:
    assert response.status_code == 200
    return str(response.content.decode())


def _references(response: Any) -> list[str]:
    """The references of the rows shown, in order."""
    return [row.reference for row in response.context["inbox"].rows]


def _visible_ids(user: User, *, may_claim: bool = True) -> set[uuid.UUID]:
    return set(
        inbox_cases_for_staff(user=user, advisers_may_claim=may_claim).values_list("pk", flat=True)
    )


def _set_due(
    case: Case, due: datetime.datetime, contacted: datetime.datetime | None = None
) -> None:
    CaseClock.objects.filter(case=case).update(first_contact_due_at=due, first_contact_at=contacted)


@pytest.fixture
def inbox_client() -> Callable[..., Any]:
    """`inbox_client(user, **params)`: the inbox page as `user` sees it (signed in once)."""
    clients: dict[uuid.UUID, Client] = {}

    def get(user: User, **params: Any) -> Any:
        if user.pk not in clients:
            clients[user.pk] = Client()
            login_as(clients[user.pk], user)
        return clients[user.pk].get(INBOX, params)

    return get


# --- Who may open the inbox --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["partner", "insights_viewer", "administrator", "outsider"])
def test_people_without_case_access_are_refused_the_inbox(
    request: pytest.FixtureRequest, signed_in_client: Callable[[User], Client], persona: str
) -> None:
    client = signed_in_client(request.getfixturevalue(persona))
    assert client.get(INBOX).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(INBOX)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")


def test_the_inbox_is_get_only_and_never_cached(
    signed_in_client: Callable[[User], Client], adviser: User
) -> None:
    client = signed_in_client(adviser)
    assert client.post(INBOX).status_code == 405
    assert "no-store" in client.get(INBOX)["Cache-Control"]


# --- Who sees which case --------------------------------------------------------------------


def test_an_adviser_sees_their_own_cases_and_unassigned_ones_they_may_claim(
    open_case: OpenCase, inbox_client: Callable[..., Any], adviser: User, institution: Institution
) -> None:
    colleague = UserFactory.create(role=Role.ADVISER, display_name="Sam Colleague")
    own = open_case(assign=[adviser])
    unassigned = open_case()
    colleagues = open_case(assign=[colleague])
    restricted = open_case(restricted=True)  # unassigned, but nobody may claim it

    response = inbox_client(adviser)

    assert set(_references(response)) == {own.report.reference, unassigned.report.reference}
    page = _html(response)
    assert f'href="{reverse("casework:case", args=[own.pk])}"' in page
    # Shown so that it can be claimed, not opened: no link to the case, a claim button.
    assert f'href="{reverse("casework:case", args=[unassigned.pk])}"' not in page
    assert reverse("casework:claim", args=[unassigned.pk]) in page
    assert "Unassigned" in page
    for hidden in (colleagues, restricted):  # neither their id nor their reference
        assert str(hidden.pk) not in page
        assert hidden.report.reference not in page
    assert "Sam Colleague" not in page


def test_an_adviser_sees_only_their_own_cases_when_claiming_is_switched_off(
    open_case: OpenCase, inbox_client: Callable[..., Any], adviser: User, institution: Institution
) -> None:
    institution.advisers_may_claim = False
    institution.save()
    own = open_case(assign=[adviser])
    open_case()

    assert _references(inbox_client(adviser)) == [own.report.reference]


def test_an_adviser_sees_a_restricted_case_assigned_to_them_but_not_one_only_granted(
    open_case: OpenCase, adviser: User
) -> None:
    assigned = open_case(restricted=True, assign=[adviser])
    granted = open_case(restricted=True)
    CaseGrant.objects.create(case=granted, user=adviser)

    # The policy's rule for advisers is assignment; a grant alone opens nothing to them.
    assert _visible_ids(adviser) == {assigned.pk}


def test_a_case_lead_sees_every_case_except_restricted_ones_they_are_not_named_on(
    open_case: OpenCase, inbox_client: Callable[..., Any], case_lead: User, adviser: User
) -> None:
    plain = open_case(assign=[adviser])
    unassigned = open_case()
    open_case(restricted=True)
    restricted_assigned = open_case(restricted=True, assign=[case_lead])
    restricted_granted = open_case(restricted=True)
    CaseGrant.objects.create(case=restricted_granted, user=case_lead)

    response = inbox_client(case_lead)

    assert set(_references(response)) == {
        c.report.reference for c in (plain, unassigned, restricted_assigned, restricted_granted)
    }
    page = _html(response)
    # A lead opens every case listed, unassigned ones included.
    assert f'href="{reverse("casework:case", args=[unassigned.pk])}"' in page
    assert reverse("casework:claim", args=[unassigned.pk]) not in page


def test_an_administrator_sees_cases_only_once_granted_case_access(
    open_case: OpenCase,
    inbox_client: Callable[..., Any],
    administrator: User,
) -> None:
    case = open_case()
    open_case(restricted=True)

    assert inbox_client(administrator).status_code == 403
    _grant(administrator)
    assert _references(inbox_client(administrator)) == [case.report.reference]


@pytest.mark.parametrize("persona", ["adviser", "case_lead", "administrator"])
def test_nobody_ever_sees_a_case_they_have_a_conflict_on(
    request: pytest.FixtureRequest, open_case: OpenCase, persona: str
) -> None:
    user = _grant(request.getfixturevalue(persona))
    assigned = open_case(assign=[user])
    unassigned = open_case()
    restricted_granted = open_case(restricted=True)
    CaseGrant.objects.create(case=restricted_granted, user=user)
    for case in (assigned, unassigned, restricted_granted):
        CaseConflict.objects.create(case=case, user=user, source=CaseConflict.Source.DECLARED)

    assert _visible_ids(user) == set()


def _mixed_cases(open_case: OpenCase, user: User, other: User) -> list[Case]:
    """Every combination the case rule distinguishes, for `user`."""
    cases = []
    for restricted in (False, True):
        for assign in ((), (user,), (other,), (user, other)):
            for grant in (False, True):
                for conflict in (False, True):
                    case = open_case(restricted=restricted, assign=list(assign))
                    if grant:
                        CaseGrant.objects.create(case=case, user=user)
                    if conflict:
                        CaseConflict.objects.create(
                            case=case, user=user, source=CaseConflict.Source.NAMED
                        )
                    cases.append(case)
    closed = open_case(assign=[user])
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    return [*cases, closed]


@pytest.mark.parametrize("may_claim", [True, False])
@pytest.mark.parametrize(
    "persona",
    [
        "adviser",
        "case_lead",
        "administrator",
        "granted_administrator",
        "partner",
        "insights_viewer",
    ],
)
def test_the_inbox_lists_exactly_the_cases_the_policy_lets_each_persona_see(
    request: pytest.FixtureRequest,
    open_case: OpenCase,
    institution: Institution,
    persona: str,
    may_claim: bool,
) -> None:
    if persona == "granted_administrator":
        user = _grant(request.getfixturevalue("administrator"))
    else:
        user = request.getfixturevalue(persona)
    institution.advisers_may_claim = may_claim
    institution.save()
    other = UserFactory.create(role=Role.ADVISER)
    cases = _mixed_cases(open_case, user, other)

    may_view = {case.pk for case in cases if policy.can(user, "case.view", case)}
    # Where advisers may claim, the unassigned cases the policy lets them claim too.
    may_take = {case.pk for case in cases if may_claim and policy.can(user, "case.claim", case)}
    page = (
        inbox_page_for_staff(
            user=user,
            filters=EVERYTHING,
            page_number=1,
            institution=institution,
        )
        if policy.can(user, "case.list")
        else None
    )

    assert _visible_ids(user, may_claim=may_claim) == may_view | may_take
    if page is not None:
        assert {row.case_id for row in page.rows} == may_view | may_take
        # A row links to the case exactly when the policy lets the person open it.
        assert {row.case_id for row in page.rows if row.openable} == may_view


# --- Columns --------------------------------------------------------------------------------


def test_a_row_shows_urgency_route_status_assignees_age_and_unread_messages(
    open_case: OpenCase,
    inbox_client: Callable[..., Any],
    case_lead: User,
    adviser: User,
) -> None:
    adviser.display_name = "Alex Adviser"
    adviser.save()
    case = open_case(urgent=True, route=Route.THIRD_PARTY, assign=[adviser, case_lead])
    Case.objects.filter(pk=case.pk).update(
        threat_of_violence=True,
        high_risk_indicator=True,
        status=CaseStatus.IN_CONTACT,
        opened_at=timezone.now() - datetime.timedelta(days=3, hours=2),
    )
    message_send_from_reporter(case=case, body="First")
    message_send_from_reporter(case=case, body="Second")
    read = message_send_from_reporter(case=case, body="Read already")
    Message.objects.filter(pk=read.pk).update(read_at=timezone.now())
    message_send_from_staff(case=case, author=case_lead, body="From us")

    response = inbox_client(case_lead)

    [row] = response.context["inbox"].rows
    assert row.urgency == ("Immediate danger", "Threat of violence", "Other high-risk indicator")
    assert row.route == "For someone else"
    assert row.status == "In contact"
    assert set(row.assignees) == {"Alex Adviser", "Case Lead"}
    assert row.age == "3 days"
    assert row.unread == 2
    page = _html(response)
    for text in ("Immediate danger", "Threat of violence", "Other high-risk indicator"):
        assert text in page
    assert "2 unread" in page
    assert "Alex Adviser" in page


@pytest.mark.parametrize(
    ("route", "label"),
    [
        (Route.ANONYMOUS, "Anonymous"),
        (Route.SUPPORT, "Named"),
        (Route.THIRD_PARTY, "For someone else"),
    ],
)
def test_each_route_has_a_short_name(
    open_case: OpenCase, inbox_client: Callable[..., Any], case_lead: User, route: str, label: str
) -> None:
    open_case(route=route)
    [row] = inbox_client(case_lead).context["inbox"].rows
    assert row.route == label


def test_the_inbox_never_shows_what_the_reporter_wrote_or_who_they_are(
    open_case: OpenCase, inbox_client: Callable[..., Any], case_lead: User
) -> None:
    marker = "Zebediah-Quattlebaum"
    case = open_case(
        answers={
            "what": {
                "details": f"{marker} follows me",
                "behaviours": [{"slug": "x", "label": marker}],
            },
            "who": {"name": marker},
        },
        contact={
            "name": marker,
            "email": f"{marker.lower()}@example.test",
            "phone": "07700 900123",
        },
    )
    message_send_from_reporter(case=case, body=f"From {marker}")

    page = _html(inbox_client(case_lead))

    assert case.report.reference in page
    assert marker not in page
    assert marker.lower() not in page
    assert "07700 900123" not in page


# --- The response clock ------------------------------------------------------------------------


@pytest.fixture
def calendar(institution: Institution) -> WorkingCalendar:
    """Monday to Friday, 9 to 5; Friday 19 December and Christmas are holidays."""
    Holiday.objects.create(date=datetime.date(2025, 12, 19), name="Closure day")
    Holiday.objects.create(date=datetime.date(2025, 12, 25), name="Christmas Day")
    Holiday.objects.create(date=datetime.date(2025, 12, 26), name="Boxing Day")
    return WorkingCalendar.for_institution(institution)


@pytest.mark.parametrize(
    ("due", "now", "text"),
    [
        # Thursday 18th: due Monday 22nd, over the closure day and the weekend.
        (_at(22), _at(18), "Due in 1 working day"),
        # Monday 15th: due Wednesday 17th.
        (_at(17), _at(15), "Due in 2 working days"),
        (_at(18, 16), _at(18, 10), "Due today"),
        # Saturday 13th: due Monday 15th.
        (_at(15, 9), _at(13, 12), "Due in 1 working day"),
        # Due Tuesday 16th, now Thursday 18th: Wednesday and Thursday.
        (_at(16), _at(18), "Overdue by 2 working days"),
        (_at(15), _at(16, 9), "Overdue by 1 working day"),
        (_at(18, 10), _at(18, 15), "Overdue by less than 1 working day"),
        # Due Friday 12th, now Sunday 14th: only the weekend has passed.
        (_at(12), _at(14), "Overdue by less than 1 working day"),
        # Due Wednesday 24th, now Monday 29th: Christmas, Boxing Day, the weekend, Monday.
        (_at(24), _at(29), "Overdue by 1 working day"),
        # Due Thursday 18th, now Tuesday 23rd: Monday and Tuesday (the 19th was closed).
        (_at(18), _at(23), "Overdue by 2 working days"),
    ],
)
def test_the_response_clock_counts_working_days_only(
    calendar: WorkingCalendar, due: datetime.datetime, now: datetime.datetime, text: str
) -> None:
    clock = response_clock(due_at=due, contacted_at=None, closed=False, now=now, calendar=calendar)
    assert clock.text == text


def test_the_clock_says_contacted_once_first_contact_is_made(calendar: WorkingCalendar) -> None:
    clock = response_clock(
        due_at=_at(1), contacted_at=_at(2), closed=False, now=_at(20), calendar=calendar
    )
    assert (clock.text, clock.state) == ("Contacted", "contacted")
    stopped = response_clock(
        due_at=_at(1), contacted_at=None, closed=True, now=_at(20), calendar=calendar
    )
    assert stopped.text == "Closed before contact"


def test_the_page_shows_each_case_s_clock(
    open_case: OpenCase,
    inbox_client: Callable[..., Any],
    case_lead: User,
    institution: Institution,
) -> None:
    now = timezone.now()
    overdue = open_case()
    _set_due(overdue, now - datetime.timedelta(days=21))
    contacted = open_case()
    _set_due(contacted, now - datetime.timedelta(days=21), contacted=now)
    expected = WorkingCalendar.for_institution(institution).working_days_between(
        now - datetime.timedelta(days=21), now
    )

    page = _html(inbox_client(case_lead))

    assert f"Overdue by {expected} working days" in page
    assert "Contacted" in page


# --- Filters -----------------------------------------------------------------------------------


@pytest.fixture
def spread(open_case: OpenCase, adviser: User) -> dict[str, Case]:
    """One case of each kind the filters tell apart."""
    now = timezone.now()
    cases = {
        "new": open_case(route=Route.ANONYMOUS),
        "urgent": open_case(urgent=True, route=Route.SUPPORT),
        "mine": open_case(assign=[adviser], route=Route.THIRD_PARTY),
        "triaged": open_case(route=Route.SUPPORT),
        "closed": open_case(),
        "overdue": open_case(route=Route.SUPPORT),
    }
    Case.objects.filter(pk=cases["triaged"].pk).update(status=CaseStatus.TRIAGED)
    Case.objects.filter(pk=cases["closed"].pk).update(status=CaseStatus.CLOSED)
    for case in cases.values():
        _set_due(case, now + datetime.timedelta(days=3))
    _set_due(cases["overdue"], now - datetime.timedelta(days=3))
    # Overdue in time but contacted, or closed: neither is overdue for first contact.
    _set_due(cases["mine"], now - datetime.timedelta(days=3), contacted=now)
    _set_due(cases["closed"], now - datetime.timedelta(days=3))
    return cases


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"new", "urgent", "mine", "triaged", "overdue"}),
        ({"status": "open"}, {"new", "urgent", "mine", "triaged", "overdue"}),
        ({"status": "new"}, {"new", "urgent", "mine", "overdue"}),
        ({"status": "triaged"}, {"triaged"}),
        ({"status": "closed"}, {"closed"}),
        ({"status": "all"}, {"new", "urgent", "mine", "triaged", "closed", "overdue"}),
        ({"urgent": "on"}, {"urgent"}),
        ({"route": "anonymous"}, {"new"}),
        ({"route": "support"}, {"urgent", "triaged", "overdue"}),
        ({"route": "third_party"}, {"mine"}),
        ({"assignment": "unassigned"}, {"new", "urgent", "triaged", "overdue"}),
        ({"overdue": "on"}, {"overdue"}),
        ({"overdue": "on", "status": "all"}, {"overdue"}),
        ({"route": "support", "status": "all", "urgent": "1"}, {"urgent"}),
    ],
)
def test_each_filter_narrows_the_list(
    spread: dict[str, Case],
    inbox_client: Callable[..., Any],
    case_lead: User,
    params: dict[str, str],
    expected: set[str],
) -> None:
    names = {case.report.reference: name for name, case in spread.items()}
    response = inbox_client(case_lead, **params)
    assert {names[ref] for ref in _references(response)} == expected


def test_mine_lists_the_cases_assigned_to_the_person_looking(
    spread: dict[str, Case], inbox_client: Callable[..., Any], adviser: User, case_lead: User
) -> None:
    lead_case = spread["triaged"]
    CaseAssignment.objects.create(case=lead_case, user=case_lead)

    assert _references(inbox_client(case_lead, assignment="mine")) == [lead_case.report.reference]
    assert _references(inbox_client(adviser, assignment="mine")) == [
        spread["mine"].report.reference
    ]


def test_an_adviser_can_list_only_the_cases_they_may_claim(
    spread: dict[str, Case], inbox_client: Callable[..., Any], adviser: User
) -> None:
    names = {case.report.reference: name for name, case in spread.items()}
    response = inbox_client(adviser, assignment="unassigned")
    assert {names[ref] for ref in _references(response)} == {"new", "urgent", "triaged", "overdue"}


@pytest.mark.parametrize(
    "params",
    [
        {"status": "secret"},
        {"route": "<script>"},
        {"assignment": str(uuid.uuid4())},
        {"sort": "report__contact"},
        {"page": "not-a-number"},
    ],
)
def test_a_tampered_filter_falls_back_to_the_usual_view_and_shows_nothing_more(
    spread: dict[str, Case],
    inbox_client: Callable[..., Any],
    adviser: User,
    params: dict[str, str],
) -> None:
    usual = inbox_client(adviser)
    tampered = inbox_client(adviser, **params)

    assert tampered.status_code == 200
    assert _references(tampered) == _references(usual)
    page = _html(tampered)
    assert "<script>" not in page
    if "page" not in params:
        assert "set back to the usual view" in page


def test_filters_are_kept_in_a_bookmarkable_address_with_choice_values_only(
    spread: dict[str, Case], inbox_client: Callable[..., Any], case_lead: User
) -> None:
    page = _html(inbox_client(case_lead, status="all", route="support", urgent="on"))

    assert '<form class="inbox-filters" method="get"' in page
    assert re.search(r'<option value="support" selected>', page)
    assert 'name="urgent" id="inbox-urgent" checked' in page
    assert "Clear filters" in page


# --- Sorting and paging --------------------------------------------------------------------------


def test_the_usual_order_is_urgent_first_then_the_soonest_due(
    open_case: OpenCase, inbox_client: Callable[..., Any], case_lead: User
) -> None:
    now = timezone.now()
    later = open_case()
    _set_due(later, now + datetime.timedelta(days=5))
    sooner = open_case()
    _set_due(sooner, now + datetime.timedelta(days=1))
    most_overdue = open_case()
    _set_due(most_overdue, now - datetime.timedelta(days=4))
    contacted = open_case()
    _set_due(contacted, now - datetime.timedelta(days=9), contacted=now)
    urgent_later = open_case(urgent=True)
    _set_due(urgent_later, now + datetime.timedelta(days=2))
    urgent_sooner = open_case(urgent=True)
    _set_due(urgent_sooner, now + datetime.timedelta(hours=1))

    expected = [urgent_sooner, urgent_later, most_overdue, sooner, later, contacted]
    assert _references(inbox_client(case_lead)) == [c.report.reference for c in expected]


def test_newest_and_oldest_order_by_when_the_case_opened(
    open_case: OpenCase, inbox_client: Callable[..., Any], case_lead: User
) -> None:
    cases = [open_case(urgent=index == 1) for index in range(3)]
    for days, case in zip((5, 1, 3), cases, strict=True):
        Case.objects.filter(pk=case.pk).update(
            opened_at=timezone.now() - datetime.timedelta(days=days)
        )
    by_age = [cases[0], cases[2], cases[1]]  # oldest first

    assert _references(inbox_client(case_lead, sort="oldest")) == [
        c.report.reference for c in by_age
    ]
    assert _references(inbox_client(case_lead, sort="newest")) == [
        c.report.reference for c in reversed(by_age)
    ]


def _bulk_cases(count: int, *, assign_to: User | None = None, urgent_every: int = 7) -> None:
    """`count` cases without sealed fields, in a few bulk inserts (seconds for 10,000)."""
    stamp = uuid.uuid4().hex[:6].upper()
    reports = Report.objects.bulk_create(
        [
            Report(reference=f"B{stamp}{index:06d}", route=Route.ANONYMOUS, answers=None)
            for index in range(count)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    cases = Case.objects.bulk_create(
        [
            Case(
                report=report,
                is_urgent=index % urgent_every == 0,
                immediate_danger=index % urgent_every == 0,
            )
            for index, report in enumerate(reports)
        ],
        batch_size=2000,
    )
    CaseClock.objects.bulk_create(
        [
            CaseClock(
                case=case, first_contact_due_at=now + datetime.timedelta(hours=index % 97 - 48)
            )
            for index, case in enumerate(cases)
        ],
        batch_size=2000,
    )
    if assign_to is not None:
        CaseAssignment.objects.bulk_create(
            [CaseAssignment(case=case, user=assign_to) for case in cases[::2]], batch_size=2000
        )
    # Some unread messages from reporters, for the unread counts (bodies left empty).
    Message.objects.bulk_create(
        [Message(case=case, direction=MessageDirection.FROM_REPORTER) for case in cases[::3]],
        batch_size=2000,
    )


def test_the_inbox_shows_25_cases_a_page_with_links_that_keep_the_filters(
    inbox_client: Callable[..., Any], case_lead: User
) -> None:
    _bulk_cases(60, urgent_every=1)

    first = inbox_client(case_lead, urgent="on")
    assert len(_references(first)) == PAGE_SIZE
    page = _html(first)
    assert "60 cases match these filters" in page
    assert 'href="?urgent=1&amp;page=2"' in page
    assert 'href="?urgent=1&amp;page=3"' in page
    assert 'aria-current="page"' in page

    third = inbox_client(case_lead, urgent="on", page="3")
    assert len(_references(third)) == 10
    seen = set(_references(first)) | set(_references(inbox_client(case_lead, urgent="on", page=2)))
    assert not seen & set(_references(third))
    # A page past the end shows the last one.
    assert _references(inbox_client(case_lead, urgent="on", page="99")) == _references(third)


def test_an_empty_inbox_says_so_plainly(inbox_client: Callable[..., Any], adviser: User) -> None:
    page = _html(inbox_client(adviser))
    assert "There are no open cases for you at the moment." in page
    assert "<table" not in page

    filtered = _html(inbox_client(adviser, urgent="on"))
    assert "No cases match these filters." in filtered
    assert "Show all open cases" in filtered


# --- Bounded queries -----------------------------------------------------------------------


# Session, user and two MFA checks (middleware); the institution (view); the count; the
# holidays (working calendar); one page of cases with their report and clock; the page's
# assignees; the audit entry (savepoint, head, insert, head update, release); the
# institution again (layout); the unread notifications count in the staff header.
INBOX_QUERIES: Final = 16


def test_the_inbox_makes_the_same_number_of_queries_for_10_or_10000_cases(
    django_assert_num_queries: DjangoAssertNumQueries,
    institution: Institution,
    case_lead: User,
    adviser: User,
) -> None:
    clients = {}
    for user in (case_lead, adviser):
        clients[user.role] = Client()
        login_as(clients[user.role], user)
    views = [{}, {"status": "all", "overdue": "on", "sort": "newest", "page": "2"}]

    def measure(total: int) -> None:
        for role, client in clients.items():
            # Warm: keysets loaded, and the session's last-seen time just written (it is
            # rewritten once a minute, which would add a query to a slow test).
            client.get(INBOX)
            for params in views:
                with django_assert_num_queries(INBOX_QUERIES):
                    response = client.get(INBOX, params)
                assert response.context["inbox"].total > 0, (role, params)
                assert len(_references(response)) == min(PAGE_SIZE, response.context["inbox"].total)
        assert clients[Role.CASE_LEAD].get(INBOX, {"status": "all"}).context["inbox"].total == total

    _bulk_cases(10, assign_to=adviser)
    measure(10)
    _bulk_cases(9_990, assign_to=adviser)
    measure(10_000)


# --- Audit ------------------------------------------------------------------------------------


def test_each_page_view_records_one_case_list_event_with_ids_only(
    open_case: OpenCase, inbox_client: Callable[..., Any], case_lead: User
) -> None:
    cases = [open_case() for _ in range(3)]
    inbox_client(case_lead, status="closed")  # signs in (audited too) and lists nothing
    before = AuditEvent.objects.count()

    inbox_client(case_lead)

    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [event.action for event in events] == ["case.list"]
    [event] = events
    assert event.actor_id == str(case_lead.pk)
    assert event.extra["count"] == 3
    assert event.extra["page"] == 1
    assert set(event.extra["case_ids"]) == {str(case.pk) for case in cases}
    assert not AuditEvent.objects.filter(action="case.view").exists()


# --- Staff navigation and home ---------------------------------------------------------------


NAV: Final = {
    "adviser": {"Cases", "My work"},
    "case_lead": {"Cases", "My work", "Matches"},
    "partner": {"My work"},
    "insights_viewer": set(),
    "administrator": set(),
    "granted_administrator": {"Cases", "Matches"},
}


def _nav_links(page: str) -> set[str]:
    nav = page.split('<nav class="site-nav" aria-label="Staff">', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r">(Cases|My work|Matches)</a>", nav))


@pytest.mark.parametrize("persona", list(NAV))
def test_the_staff_navigation_offers_only_the_casework_pages_the_policy_allows(
    request: pytest.FixtureRequest, signed_in_client: Callable[[User], Client], persona: str
) -> None:
    if persona == "granted_administrator":
        user = _grant(request.getfixturevalue("administrator"))
    else:
        user = request.getfixturevalue(persona)
    page = _html(signed_in_client(user).get(reverse("staff:home")))
    assert _nav_links(page) == NAV[persona]


def test_the_inbox_is_marked_as_the_current_page_in_the_navigation(
    inbox_client: Callable[..., Any], adviser: User
) -> None:
    page = _html(inbox_client(adviser))
    assert f'<a href="{INBOX}" aria-current="page">Cases</a>' in page


@pytest.mark.parametrize(
    ("persona", "offered", "not_offered"),
    [
        (
            "adviser",
            ["casework:inbox", "casework:my_work", "casework:walk_in"],
            ["casework:matches"],
        ),
        ("case_lead", ["casework:inbox", "casework:my_work", "casework:matches"], []),
        ("partner", ["casework:my_work"], ["casework:inbox", "casework:matches"]),
        ("insights_viewer", [], ["casework:inbox", "casework:my_work"]),
    ],
)
def test_staff_home_points_each_role_at_its_work(
    request: pytest.FixtureRequest,
    signed_in_client: Callable[[User], Client],
    persona: str,
    offered: list[str],
    not_offered: list[str],
) -> None:
    page = _html(signed_in_client(request.getfixturevalue(persona)).get(reverse("staff:home")))
    main = page.split('<main id="main"', 1)[1]
    for name in offered:
        assert f'href="{reverse(name)}"' in main, name
    for name in not_offered:
        assert f'href="{reverse(name)}"' not in main, name


def test_an_adviser_claims_a_case_from_the_inbox_and_can_then_open_it(
    open_case: OpenCase, signed_in_client: Callable[[User], Client], adviser: User
) -> None:
    case = open_case()
    client = signed_in_client(adviser)
    page = _html(client.get(INBOX))
    claim_url = reverse("casework:claim", args=[case.pk])
    assert f'action="{claim_url}"' in page

    client.post(claim_url)

    [row] = client.get(INBOX).context["inbox"].rows
    assert row.openable
    assert row.assignees == ("Adviser",)
    assert CaseAssignment.objects.filter(case=case, user=adviser).exists()


# --- Filter a list: sortable columns, removable filter tags (issue 12) --------------------


def test_column_headings_sort_the_table_and_say_which_way_with_aria_sort(
    open_case: OpenCase, inbox_client: Callable[..., Any], case_lead: User
) -> None:
    cases = [open_case() for _ in range(3)]
    for name, case in zip(("WP-CCCCCCCC", "WP-AAAAAAAA", "WP-BBBBBBBB"), cases, strict=True):
        Report.objects.filter(pk=case.report_id).update(reference=name)

    usual = _html(inbox_client(case_lead))
    assert re.search(
        r'<th scope="col" aria-sort="ascending" class="sortable"><a class="sort-link" '
        r'href="\?sort=due_last">First contact',
        usual,
    )
    assert 'aria-sort="none" class="sortable"><a class="sort-link" href="?sort=reference">' in usual

    ascending = inbox_client(case_lead, sort="reference", urgent="")
    assert _references(ascending) == ["WP-AAAAAAAA", "WP-BBBBBBBB", "WP-CCCCCCCC"]
    assert (
        'aria-sort="ascending" class="sortable"><a class="sort-link" href="?sort=reference_desc">'
        in _html(ascending)
    )
    descending = inbox_client(case_lead, sort="reference_desc")
    assert _references(descending) == ["WP-CCCCCCCC", "WP-BBBBBBBB", "WP-AAAAAAAA"]


def test_sorting_keeps_the_filters_and_an_unknown_sort_key_falls_back(
    spread: dict[str, Case], inbox_client: Callable[..., Any], case_lead: User
) -> None:
    page = _html(inbox_client(case_lead, urgent="on", sort="oldest"))
    assert 'href="?urgent=1&amp;sort=newest"' in page  # the Age column, the other way
    assert '<input type="hidden" name="sort" value="oldest">' in page  # kept by the filters

    tampered = inbox_client(case_lead, sort="report__data_key")
    assert _references(tampered) == _references(inbox_client(case_lead))


def test_each_selected_filter_is_a_tag_that_removes_it(
    spread: dict[str, Case], inbox_client: Callable[..., Any], case_lead: User
) -> None:
    page = _html(inbox_client(case_lead, urgent="on", route="anonymous", sort="newest"))

    assert (
        '<a class="filter-tag" href="/staff/cases/?route=anonymous&amp;sort=newest">'
        '<span class="visually-hidden">Remove filter: </span>Urgent only</a>'
    ) in page
    assert (
        '<a class="filter-tag" href="/staff/cases/?urgent=1&amp;sort=newest">'
        '<span class="visually-hidden">Remove filter: </span>Route: Anonymous</a>'
    ) in page
    assert "(2 selected)" in page
    assert "Selected filters" not in _html(inbox_client(case_lead, sort="newest"))


def test_the_filters_sit_in_a_panel_that_folds_without_javascript(
    inbox_client: Callable[..., Any], case_lead: User
) -> None:
    page = _html(inbox_client(case_lead))
    assert '<details class="filter-panel" id="inbox-filter-panel" open>' in page
    assert "<summary" in page
    assert 'src="/static/js/staff-list.js"' in page
