"""Search across cases at /staff/cases/search/ (issue 12, item 7).

Identifiers are found through the keyed digests matching uses, written any way matching
accepts; only cases the person may open are found; and nothing tells "nobody by that
email" from "someone in a case you may not open": the same page, from the same queries.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any, Final

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from waypoint.accounts.models import User
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import Case, CaseConflict, CaseStatus
from waypoint.casework.selectors.search import SearchCriteria, case_search_for_staff
from waypoint.casework.tests.conftest import OpenCase
from waypoint.institution.models import Institution
from waypoint.privacy import identifiers
from waypoint.privacy.models import AuditEvent
from waypoint.reporting.models import PersonIdentifier, ReportedPerson

pytestmark = pytest.mark.django_db

SEARCH: Final = "/staff/cases/search/"
SAM: Final = "sam.sample@example.test"
SAM_WRITTEN_DIFFERENTLY: Final = "Sam.Sample+uni@Example.test"


def name_person(case: Case, **values: str) -> None:
    """The report of `case` names someone with these identifiers (kind=value), hashed as
    the report flow hashes them."""
    person = ReportedPerson(report=case.report, data_key=case.report.data_key)
    person.details = {"person_email": values.get(identifiers.EMAIL, "")}
    person.save()
    PersonIdentifier.objects.bulk_create(
        [
            PersonIdentifier(
                person=person, kind=kind, digest=identifiers.identifier_digest(kind, value)
            )
            for kind, value in values.items()
        ]
    )


@pytest.fixture
def search_as() -> Callable[..., Any]:
    """`search_as(user, **fields)`: the search page's answer to a POST, signed in once."""
    clients: dict[uuid.UUID, Client] = {}

    def post(user: User, **fields: Any) -> Any:
        if user.pk not in clients:
            clients[user.pk] = Client()
            login_as(clients[user.pk], user)
        return clients[user.pk].post(SEARCH, fields)

    return post


def found(response: Any) -> list[str]:
    assert response.status_code == 200
    results = response.context["results"]
    return [row.reference for row in results.rows] if results else []


def main_html(response: Any) -> str:
    """The page's main content (the header may carry per-person counts)."""
    page: str = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


# --- Finding ------------------------------------------------------------------------------------


def test_an_email_written_differently_finds_the_case_for_a_lead(
    open_case: OpenCase, search_as: Callable[..., Any], case_lead: User
) -> None:
    case = open_case()
    name_person(case, email=SAM)
    open_case()  # someone else's case

    assert found(search_as(case_lead, q=SAM_WRITTEN_DIFFERENTLY)) == [case.report.reference]
    assert found(search_as(case_lead, q=SAM_WRITTEN_DIFFERENTLY, kind="email")) == [
        case.report.reference
    ]


def test_the_email_is_normalised_by_the_one_shared_normaliser_matching_uses() -> None:
    # Lower case, "+tag" dropped: no second normaliser for search (privacy.identifiers).
    assert identifiers.normalise_email(SAM_WRITTEN_DIFFERENTLY) == SAM


@pytest.mark.parametrize(
    ("kind", "stored", "typed"),
    [
        (identifiers.PHONE, "07700 900123", "+44 (0)7700 900123"),
        (identifiers.STUDENT_NUMBER, "AB1234", " ab-12 34 "),
        (identifiers.STAFF_NUMBER, "S-0042", "s0042"),
        (identifiers.HANDLE, "@sam_sample", "https://instagram.com/Sam_Sample/"),
    ],
)
def test_a_phone_number_student_or_staff_number_or_handle_finds_the_case(  # noqa: PLR0917
    open_case: OpenCase,
    search_as: Callable[..., Any],
    case_lead: User,
    kind: str,
    stored: str,
    typed: str,
) -> None:
    case = open_case()
    name_person(case, **{kind: stored})

    assert found(search_as(case_lead, q=typed)) == [case.report.reference]
    assert found(search_as(case_lead, q=typed, kind=kind)) == [case.report.reference]


def test_an_identifier_of_one_kind_never_finds_the_same_text_stored_as_another(
    open_case: OpenCase, search_as: Callable[..., Any], case_lead: User
) -> None:
    case = open_case()
    name_person(case, handle="sam_sample")

    assert found(search_as(case_lead, q="sam_sample", kind="student_number")) == []
    assert found(search_as(case_lead, q="sam_sample", kind="handle")) == [case.report.reference]


def test_a_reference_finds_its_case_however_it_is_written(
    open_case: OpenCase, search_as: Callable[..., Any], case_lead: User
) -> None:
    case = open_case()
    case.report.reference = "WP-7K3M9QXA"
    case.report.save(update_fields=["reference"])

    for typed in ("WP-7K3M9QXA", "wp 7k3m 9qxa", "7K3M9QXA"):
        assert found(search_as(case_lead, q=typed)) == ["WP-7K3M9QXA"], typed


def test_adviser_status_and_dates_narrow_the_search(
    open_case: OpenCase, search_as: Callable[..., Any], case_lead: User, adviser: User
) -> None:
    mine = open_case(assign=[adviser])
    closed = open_case(assign=[adviser])
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    open_case()  # nobody's

    assert set(found(search_as(case_lead, adviser=str(adviser.pk)))) == {
        mine.report.reference,
        closed.report.reference,
    }
    assert found(search_as(case_lead, adviser=str(adviser.pk), status="open")) == [
        mine.report.reference
    ]
    today = mine.opened_at.date().isoformat()
    assert len(found(search_as(case_lead, opened_from=today, opened_to=today))) == 3
    assert found(search_as(case_lead, opened_from="2001-01-01", opened_to="2001-01-02")) == []


def test_an_empty_search_or_a_value_that_cannot_be_of_its_kind_is_explained(
    search_as: Callable[..., Any], case_lead: User
) -> None:
    empty = search_as(case_lead)
    assert empty.status_code == 200
    assert empty.context["results"] is None
    assert "Enter something to search for" in empty.content.decode()

    wrong = search_as(case_lead, q="no digits here", kind="phone")
    assert wrong.context["results"] is None
    assert "Check the phone number" in wrong.content.decode()


# --- Only what the person may open ----------------------------------------------------------


def test_an_adviser_not_assigned_finds_nothing(
    open_case: OpenCase,
    search_as: Callable[..., Any],
    institution: Institution,
    adviser: User,
    case_lead: User,
) -> None:
    others = open_case(assign=[case_lead])
    name_person(others, email=SAM)
    unassigned = open_case()  # one the adviser may claim, but not open
    name_person(unassigned, email=SAM)

    assert found(search_as(adviser, q=SAM_WRITTEN_DIFFERENTLY)) == []
    assert found(search_as(adviser, q=others.report.reference)) == []
    assert found(search_as(adviser, q=unassigned.report.reference)) == []

    mine = open_case(assign=[adviser])
    name_person(mine, email=SAM)
    assert found(search_as(adviser, q=SAM_WRITTEN_DIFFERENTLY)) == [mine.report.reference]


def test_a_lead_finds_no_restricted_case_they_are_not_named_on_nor_one_they_are_conflicted_on(
    open_case: OpenCase, search_as: Callable[..., Any], case_lead: User
) -> None:
    restricted = open_case(restricted=True)
    name_person(restricted, email=SAM)
    conflicted = open_case()
    name_person(conflicted, email=SAM)
    CaseConflict.objects.create(case=conflicted, user=case_lead)

    assert found(search_as(case_lead, q=SAM)) == []
    assert found(search_as(case_lead, q=restricted.report.reference)) == []


def _the_same_page(response: Any) -> str:
    # The form echoes what was typed back into its box: take that out, the rest must match.
    return re.sub(r'value="[^"]*"', 'value=""', main_html(response))


def test_no_such_person_and_a_person_in_a_case_you_may_not_see_look_the_same(
    open_case: OpenCase, institution: Institution, adviser: User, case_lead: User
) -> None:
    hidden = open_case(assign=[case_lead])
    name_person(hidden, email=SAM)
    client = Client()
    login_as(client, adviser)
    client.post(SEARCH, {"q": "warm@example.test"})  # warm: keysets, session

    answers = {}
    for label, typed in (("nobody", "nobody@example.test"), ("hidden", SAM)):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(SEARCH, {"q": typed})
        answers[label] = (response.status_code, _the_same_page(response), len(queries))

    assert answers["nobody"] == answers["hidden"]
    assert "No cases found" in answers["hidden"][1]


def test_the_policy_is_asked_about_each_case_found_as_well(
    open_case: OpenCase, institution: Institution, case_lead: User, partner: User
) -> None:
    case = open_case()
    name_person(case, email=SAM)
    criteria = SearchCriteria(text=SAM)
    assert [
        row.reference
        for row in case_search_for_staff(
            user=case_lead, criteria=criteria, institution=institution
        ).rows
    ] == [case.report.reference]

    assert (
        case_search_for_staff(user=partner, criteria=criteria, institution=institution).rows == []
    )


# --- Never in an address, never in the audit ----------------------------------------------------


def test_search_terms_are_posted_never_put_in_an_address(
    client: Client, institution: Institution, case_lead: User
) -> None:
    login_as(client, case_lead)
    page = client.get(SEARCH).content.decode()
    assert re.search(r'<form class="filter-panel search-form" method="post"', page)
    inbox = client.get(reverse("casework:inbox")).content.decode()
    assert re.search(
        r'<form class="list-search" method="post" action="/staff/cases/search/"', inbox
    )
    # A search term in the address is not read.
    assert client.get(SEARCH, {"q": SAM}).context["results"] is None


def test_each_search_is_audited_with_ids_and_criteria_names_never_the_terms(
    open_case: OpenCase, search_as: Callable[..., Any], case_lead: User
) -> None:
    case = open_case()
    name_person(case, email=SAM)
    search_as(case_lead, q=SAM_WRITTEN_DIFFERENTLY, status="open")

    [event] = AuditEvent.objects.filter(action="case.search")
    assert event.extra == {
        "count": 1,
        "case_ids": [str(case.pk)],
        "criteria": ["text", "status"],
    }
    everything = str(list(AuditEvent.objects.values()))
    assert "sample" not in everything.lower()


def test_the_search_link_is_in_the_header_only_for_those_who_may_search(
    client: Client, institution: Institution, case_lead: User, partner: User
) -> None:
    login_as(client, case_lead)
    assert 'href="/staff/cases/search/"' in client.get("/staff/").content.decode()
    partner_client = Client()
    login_as(partner_client, partner)
    assert 'href="/staff/cases/search/"' not in partner_client.get("/staff/").content.decode()
    assert partner_client.post(SEARCH, {"q": SAM}).status_code == 403


# --- Bounded queries ------------------------------------------------------------------------


def _cases_naming_sam(open_case: OpenCase, count: int, lead: User) -> None:
    for _ in range(count):
        name_person(open_case(assign=[lead]), email=SAM)


# Session, user and two MFA checks (middleware); the institution (view); the staff list for
# the adviser field; the cases found (one query); their assignees; the three policy facts
# (assignments, grants, conflicts); the holidays; the audit entry (savepoint, head, insert,
# head update, release); the institution again (layout); the header's notifications count.
SEARCH_QUERIES: Final = 19


def test_a_search_makes_the_same_number_of_queries_for_10_or_100_cases_found(
    django_assert_num_queries: DjangoAssertNumQueries,
    open_case: OpenCase,
    institution: Institution,
    case_lead: User,
) -> None:
    client = Client()
    login_as(client, case_lead)
    client.post(SEARCH, {"q": SAM})  # warm

    for total in (10, 100):
        _cases_naming_sam(open_case, total - Case.objects.count(), case_lead)
        with django_assert_num_queries(SEARCH_QUERIES):
            response = client.post(SEARCH, {"q": SAM})
        assert len(found(response)) == min(total, 50)
