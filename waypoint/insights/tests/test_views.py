"""The insights pages (issue 15, items 1, 4 and 8) as Ines, the insights viewer, sees them.

Who may open them, the period filter and its errors, a narrowing filter that would show a
small group, and what is never on a page: a count under the threshold, or a decryption.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.insights.models import CaseFactEvent, CaseFacts, CaseFactTag, EventKind, TagKind
from waypoint.insights.periods import (
    academic_year,
    academic_year_of,
    add_months,
    month_range,
    period_from_query,
    term,
)
from waypoint.insights.selectors import SECTIONS
from waypoint.insights.tests.support import count_decryptions, submit_report
from waypoint.institution.models import Institution

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]
THIS_YEAR = academic_year_of(timezone.localdate(), start_month=8)
START = datetime.date(THIS_YEAR, 8, 1)
SECTION_URLS = [reverse("insights:section", args=[slug]) for slug, _ in SECTIONS]
ALL_URLS = [reverse("insights:overview"), *SECTION_URLS]


def facts(count: int, *, month: datetime.date, **fields: Any) -> list[CaseFacts]:
    fields.setdefault("route", "support")
    return CaseFacts.objects.bulk_create(
        CaseFacts(case_id=uuid.uuid4(), opened_month=month, **fields) for _ in range(count)
    )


# --- Who may look --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["insights_viewer", "case_lead", "administrator"])
def test_the_insights_viewer_a_case_lead_and_an_administrator_open_every_page(
    request: pytest.FixtureRequest, signed_in_client: SignIn, persona: str
) -> None:
    client = signed_in_client(request.getfixturevalue(persona))
    for url in ALL_URLS:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["adviser", "partner", "outsider"])
def test_an_adviser_a_partner_and_an_outsider_are_refused(
    request: pytest.FixtureRequest, signed_in_client: SignIn, persona: str
) -> None:
    client = signed_in_client(request.getfixturevalue(persona))
    for url in ALL_URLS:
        assert client.get(url).status_code == 403, url


def test_an_unknown_section_is_not_found(signed_in_client: SignIn, insights_viewer: User) -> None:
    client = signed_in_client(insights_viewer)
    assert client.get("/staff/insights/cases/").status_code == 404


def test_staff_home_links_to_insights_only_for_those_who_may_see_them(
    signed_in_client: SignIn, insights_viewer: User, adviser: User
) -> None:
    overview = reverse("insights:overview")
    client = signed_in_client(insights_viewer)
    assert overview in client.get(reverse("staff:home")).text
    client.logout()
    assert overview not in signed_in_client(adviser).get(reverse("staff:home")).text


# --- Periods -------------------------------------------------------------------------------------


def test_periods_have_the_academic_year_its_terms_and_the_year_before() -> None:
    year = academic_year(2026, start_month=8)
    assert (year.start, year.end) == (datetime.date(2026, 8, 1), datetime.date(2027, 8, 1))
    terms = [term(2026, number, start_month=8) for number in (1, 2, 3)]
    assert [t.start for t in terms] == [
        datetime.date(2026, 8, 1),
        datetime.date(2027, 1, 1),
        datetime.date(2027, 4, 1),
    ]
    assert terms[-1].end == year.end  # the terms cover the year
    assert "August to December" in terms[0].label
    before = terms[1].year_before()
    assert (before.start, before.end) == (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1))
    september = academic_year(2026, start_month=9)
    assert september.start == datetime.date(2026, 9, 1)
    assert month_range(datetime.date(2026, 10, 1), datetime.date(2026, 10, 1)).months() == [
        datetime.date(2026, 10, 1)
    ]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"year": "1999"}, "year", "Choose an academic year from the list"),
        ({"term": "4"}, "term", "Choose a term from the list"),
        ({"from_month": "13", "from_year": "2026"}, "from_month", "a number from 1 to 12"),
        (
            {"from_month": "9", "from_year": "26", "to_month": "1", "to_year": "2027"},
            "from_year",
            "4 digits",
        ),
        ({"from_month": "9", "from_year": "2026"}, "to_month", "Enter the last month"),
        (
            {"from_month": "9", "from_year": "2026", "to_month": "8", "to_year": "2026"},
            "to_month",
            "the same as or after the first month",
        ),
        (
            {"from_month": "1", "from_year": "2025", "to_month": "6", "to_year": "2026"},
            "to_month",
            "12 months or fewer",
        ),
    ],
)
def test_a_bad_period_is_explained_in_plain_words(
    query: dict[str, str], field: str, message: str
) -> None:
    choice = period_from_query(query, today=datetime.date(2026, 12, 3), start_month=8)
    assert message in choice.errors[field]


def test_a_bad_range_shows_the_error_summary_and_no_figures(
    signed_in_client: SignIn, insights_viewer: User
) -> None:
    client = signed_in_client(insights_viewer)
    query = {"from_month": "13", "from_year": str(THIS_YEAR), "to_month": "2", "to_year": "x"}
    response = client.get(SECTION_URLS[0], query)

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert 'href="#insights-from_month"' in response.text
    assert "<title>Error:" in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="13"' in response.text  # what was typed stays, to correct
    assert "<table" not in response.text


def test_a_range_of_months_is_shown_with_the_same_months_a_year_before(
    signed_in_client: SignIn, insights_viewer: User
) -> None:
    facts(30, month=START)
    query = {
        "from_month": "8",
        "from_year": str(THIS_YEAR),
        "to_month": "9",
        "to_year": str(THIS_YEAR),
    }
    response = signed_in_client(insights_viewer).get(SECTION_URLS[0], query)

    view = response.context["view"]
    assert (view.period.start, view.period.end) == (START, add_months(START, 2))
    assert view.before.start == add_months(START, -12)
    assert not response.context["widened"]


# --- Narrowing and small numbers -----------------------------------------------------------------


def test_a_term_with_too_few_reports_shows_the_whole_year_instead(
    signed_in_client: SignIn, insights_viewer: User
) -> None:
    facts(4, month=START)  # the first term: under the threshold of 10
    facts(30, month=add_months(START, 6))  # the second term
    client = signed_in_client(insights_viewer)

    narrow = client.get(SECTION_URLS[0], {"year": THIS_YEAR, "term": 1})
    allowed = client.get(SECTION_URLS[0], {"year": THIS_YEAR, "term": 2})

    assert narrow.context["widened"]
    assert narrow.context["view"].period == academic_year(THIS_YEAR, start_month=8)
    assert "too few reports to show on its own" in narrow.text
    assert not allowed.context["widened"]
    assert allowed.context["view"].period == term(THIS_YEAR, 2, start_month=8)


def _small_groups_everywhere() -> None:
    main = facts(
        37,
        month=START,
        reporter_role="student",
        first_contact_working_days=2,
        first_contact_within_target=True,
        first_risk_band="medium",
        closed_month=add_months(START, 2),
        days_to_close=30,
        outcome="supported",
    )
    few = facts(3, month=add_months(START, 1), route="anonymous", walk_in=True, urgent=True)
    facts(6, month=add_months(START, -12), route="third_party", reporter_role="visitor")
    for case in [*main[:12], *few]:
        CaseFactTag.objects.create(facts=case, kind=TagKind.BEHAVIOUR, slug="following")
        CaseFactEvent.objects.create(
            facts=case, kind=EventKind.REFERRAL, month=START, value="service"
        )
    CaseFactTag.objects.create(facts=few[0], kind=TagKind.LOCATION, slug="library")
    CaseFactEvent.objects.create(
        facts=few[0], kind=EventKind.MEASURE, month=START, value="escort", department="security"
    )


@pytest.mark.parametrize("threshold", [10, 7])
def test_no_page_shows_a_count_under_the_threshold(
    signed_in_client: SignIn, insights_viewer: User, threshold: int
) -> None:
    Institution.objects.create(name="Test University", insights_threshold=threshold)
    _small_groups_everywhere()
    client = signed_in_client(insights_viewer)

    for url in SECTION_URLS:
        text = client.get(url, {"year": THIS_YEAR}).text
        assert f"fewer than {threshold}" in text, url
        # Every plain number in a table cell or a chart: a rounded count, never a small one.
        figures = re.findall(r">\s*(\d[\d,]*)\s*</(?:td|text)>", text)
        assert figures, url
        for figure in figures:
            number = int(figure.replace(",", ""))
            assert number >= threshold and number % 5 == 0, (url, figure)
        assert "Some figures are hidden" in text


def test_the_pages_draw_charts_as_svg_with_no_inline_style(
    signed_in_client: SignIn, insights_viewer: User
) -> None:
    _small_groups_everywhere()
    text = signed_in_client(insights_viewer).get(SECTION_URLS[0], {"year": THIS_YEAR}).text

    assert "<svg" in text and 'role="img"' in text
    assert "style=" not in text
    assert "<script>" not in text


def test_the_insights_pages_decrypt_nothing(
    monkeypatch: pytest.MonkeyPatch, signed_in_client: SignIn, insights_viewer: User
) -> None:
    for _ in range(3):
        submit_report(route="support")
    _small_groups_everywhere()
    client = signed_in_client(insights_viewer)
    counted = count_decryptions(monkeypatch)

    for url in ALL_URLS:
        assert client.get(url, {"year": THIS_YEAR}).status_code == 200

    assert counted.total == 0, counted.by_function
