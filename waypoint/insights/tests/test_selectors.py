"""What the insights pages count (issue 15, items 2 and 3), from facts rows made here.

The true counts are checked on the raw tables (never shown); what the pages get is
checked on the protected ones: small groups hidden, no shown count under the threshold,
and a query count that does not grow with the number of cases.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from waypoint.insights.models import CaseFactEvent, CaseFacts, CaseFactTag, EventKind, TagKind
from waypoint.insights.periods import academic_year, month_range
from waypoint.insights.selectors import SECTIONS, raw_tables, section_tables
from waypoint.insights.tables import RawTable
from waypoint.institution.models import Department, Institution

pytestmark = pytest.mark.django_db

YEAR = academic_year(2026, start_month=8)  # 1 August 2026 to 31 July 2027
OCTOBER = datetime.date(2026, 10, 1)
A_YEAR_BEFORE = datetime.date(2025, 10, 1)


def facts(count: int, *, month: datetime.date = OCTOBER, **fields: Any) -> list[CaseFacts]:
    fields.setdefault("route", "support")
    return CaseFacts.objects.bulk_create(
        CaseFacts(case_id=uuid.uuid4(), opened_month=month, **fields) for _ in range(count)
    )


def table(tables: list[RawTable], key: str) -> dict[str, tuple[int, ...]]:
    found = next(raw for raw in tables if raw.key == key)
    return dict(zip(found.rows, found.counts, strict=True))


def test_reports_are_counted_by_route_who_reported_and_month_beside_the_year_before() -> None:
    facts(12, route="support", reporter_role="student")
    facts(3, route="anonymous", walk_in=True)
    facts(2, route="third_party", reporter_role="staff", from_log=True, month=A_YEAR_BEFORE)
    facts(4, route="support", month=datetime.date(2026, 7, 1))  # July: the year before

    tables = raw_tables(section="reports", period=YEAR)

    by_route = table(tables, "reports_by_route")
    assert by_route["Get support (named)"] == (12, 4)
    assert by_route["Anonymous"] == (3, 0)
    assert by_route["For someone else, or as a witness"] == (0, 2)
    by_month = table(tables, "reports_by_month")
    assert by_month["October 2026"] == (15, 2)
    assert by_month["July 2027"] == (0, 4)
    assert table(tables, "reports_by_reporter")["Not known"] == (3, 4)
    channels = table(tables, "reports_by_channel")
    assert channels["Walk-in, recorded by an adviser"] == (3, 0)
    assert channels["Shared from an incident log"] == (0, 2)
    assert channels["Online report"] == (12, 4)


def test_multi_choice_options_events_and_caseload_are_counted_from_their_own_rows() -> None:
    Department.objects.create(name="Security", slug="security")
    first, second = facts(2, relationship="ex-partner", affiliation="student")
    closed = facts(1, closed_month=datetime.date(2026, 12, 1), outcome="supported")[0]
    for case in (first, second):
        CaseFactTag.objects.create(facts=case, kind=TagKind.BEHAVIOUR, slug="test-alpha")
    CaseFactTag.objects.create(facts=first, kind=TagKind.BEHAVIOUR, slug="test-beta")
    CaseFactEvent.objects.create(facts=first, kind=EventKind.STATUS, month=OCTOBER, value="triaged")
    CaseFactEvent.objects.create(
        facts=first, kind=EventKind.REFERRAL, month=OCTOBER, value="service"
    )
    CaseFactEvent.objects.create(
        facts=first, kind=EventKind.MEASURE, month=OCTOBER, value="escort", department="security"
    )
    CaseFactEvent.objects.create(
        facts=second, kind=EventKind.PROCESS, month=OCTOBER, value="police:reported"
    )
    CaseFactEvent.objects.create(facts=second, kind=EventKind.LOG_SHARED, month=OCTOBER)

    reports = raw_tables(section="reports", period=YEAR)
    handling = raw_tables(section="handling", period=YEAR)

    behaviours = table(reports, "reports_by_behaviour")
    # Slugs no option has (any more): still counted, labelled by the slug.
    assert behaviours["Test alpha"] == (2, 0)
    assert behaviours["Test beta"] == (1, 0)
    assert table(reports, "reports_by_affiliation")["Student"] == (2, 0)
    assert table(reports, "logs_shared")["Shared with the team"] == (1, 0)
    assert table(handling, "status_flow")["Triaged"] == (1, 0)
    assert table(handling, "referrals")["A service in the support directory"] == (1, 0)
    assert table(handling, "measures_by_department") == {"Security": (1, 0)}
    assert table(handling, "measures_by_kind")["Escort on campus"] == (1, 0)
    assert table(handling, "processes") == {"Police: Reported": (1, 0)}
    assert table(handling, "outcomes")["Support given; no further action needed"] == (1, 0)
    caseload = table(handling, "open_caseload")
    assert caseload["October 2026"] == (3, 0)
    assert caseload["December 2026"] == (2, 0)  # closed during December: not open at its end
    assert closed.closed_month is not None


def _queries(section: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        section_tables(section=section, period=YEAR, institution=None)
    return len(captured.captured_queries)


@pytest.mark.parametrize(("section", "_title"), SECTIONS)
def test_the_number_of_queries_does_not_grow_with_the_number_of_cases(
    section: str, _title: str
) -> None:
    facts(5, first_contact_working_days=1, first_contact_within_target=True)
    small = _queries(section)

    many = facts(
        300,
        closed_month=datetime.date(2027, 1, 1),
        days_to_close=40,
        first_contact_working_days=2,
        first_contact_within_target=False,
        first_risk_band="high",
    )
    CaseFactTag.objects.bulk_create(
        CaseFactTag(facts=case, kind=TagKind.BEHAVIOUR, slug=f"option-{n % 7}")
        for n, case in enumerate(many)
    )
    CaseFactEvent.objects.bulk_create(
        CaseFactEvent(facts=case, kind=EventKind.STATUS, month=OCTOBER, value="triaged")
        for case in many
    )

    assert _queries(section) == small
    assert small <= 16


def test_small_groups_are_hidden_and_no_shown_count_is_under_the_threshold() -> None:
    institution = Institution.objects.create(name="Test University", insights_threshold=10)
    facts(40, route="support", reporter_role="student")
    facts(4, route="anonymous", reporter_role="staff")
    facts(25, route="support", month=A_YEAR_BEFORE)

    view = section_tables(section="reports", period=YEAR, institution=institution)

    by_route = next(view_.table for view_ in view.tables if view_.table.key == "reports_by_route")
    anonymous = by_route.cells[by_route.rows.index("Anonymous")]
    assert anonymous[0].text == "fewer than 10" and anonymous[0].hidden
    assert by_route.any_hidden and view.any_hidden
    for table_view in view.tables:
        shown = [cell for row in table_view.table.cells for cell in row]
        shown += list(table_view.table.totals or ())
        for cell in shown:
            assert cell.hidden or (cell.number is not None and cell.number >= 10), cell
            assert cell.hidden or (cell.number or 0) % 5 == 0
        assert "4" not in table_view.summary.split()


def test_shares_and_medians_are_hidden_when_based_on_too_few_cases() -> None:
    facts(7, first_contact_working_days=1, first_contact_within_target=True)
    facts(30, month=A_YEAR_BEFORE, first_contact_working_days=3, first_contact_within_target=True)

    view = section_tables(section="handling", period=YEAR, institution=None)

    stats = {stat.key: stat for stat in view.statistics}
    assert stats["first_contact_median"].now.hidden
    assert stats["first_contact_share"].now.hidden
    assert not stats["first_contact_median"].before.hidden
    assert "3" in stats["first_contact_median"].before.text
    assert stats["first_contact_share"].before.text.startswith("100")


def test_a_range_of_months_counts_only_its_months() -> None:
    facts(12, month=datetime.date(2026, 9, 1))
    facts(11, month=OCTOBER)

    tables = raw_tables(section="reports", period=month_range(OCTOBER, datetime.date(2026, 11, 1)))

    assert table(tables, "reports_by_route")["Get support (named)"] == (11, 0)
    assert list(table(tables, "reports_by_month")) == ["October 2026", "November 2026"]


def test_what_happened_between_a_range_and_its_year_before_adds_no_row() -> None:
    """The two columns are counted from one range of months (issue 15, item 12): an
    analyst looking at October and November 2026 sees nothing from March 2026, not even
    a row of zeros for a behaviour or a process seen only then."""
    march = datetime.date(2026, 3, 1)
    between = facts(9, month=march, closed_month=march, days_to_close=5)
    CaseFactTag.objects.bulk_create(
        CaseFactTag(facts=case, kind=TagKind.BEHAVIOUR, slug="only-in-march") for case in between
    )
    CaseFactEvent.objects.bulk_create(
        CaseFactEvent(facts=case, kind=EventKind.PROCESS, month=march, value="police:reported")
        for case in between
    )
    period = month_range(OCTOBER, datetime.date(2026, 11, 1))

    reports = raw_tables(section="reports", period=period)
    handling = raw_tables(section="handling", period=period)

    assert table(reports, "reports_by_behaviour") == {}
    assert set(table(reports, "reports_by_route").values()) == {(0, 0)}
    assert table(handling, "processes") == {}
    assert set(table(handling, "open_caseload").values()) == {(0, 0)}
