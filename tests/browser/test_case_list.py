"""The case list (issue 12, items 5-8) in a real Chromium, at the laptop screen (1366x768).

- A case lead's inbox shows its first case on the first screen, filters in a panel beside
  the table; on a phone the panel is folded above the table.
- With JavaScript off, a lead filters, sorts by a column, removes a filter by its tag,
  searches by an email address written differently, and assigns and closes cases in bulk.
- An adviser previews a case they may claim (categories only) and claims it.

Every page and state is checked as it is reached (staff_support.StaffWalk.check: one h1,
no dead anchor, no sideways scrolling, axe 0, with JavaScript off on a script-free copy),
and screenshots are kept under test-results/screenshots/.
"""

from __future__ import annotations

import pytest

from tests.browser.staff_support import (
    StaffWalk,
    institution_ready,
    report_naming,
    sign_in,
    staff_walk,
)
from tests.browser.support import LAPTOP, MOBILE, BrowserSession, save_screenshot
from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseStatus, EntryKind, TimelineEntry
from waypoint.casework.services import case_open_from_report
from waypoint.institution.models import Institution
from waypoint.privacy.services import data_key_create
from waypoint.reporting.models import Report, Route

pytestmark = pytest.mark.browser

SAM_AS_REPORTED = "sam.sample@example.test"
SAM_AS_TYPED = "Sam.Sample+uni@Example.test"


@pytest.fixture
def institution(demo_institution: Institution) -> Institution:
    return institution_ready(demo_institution)


def _cases(count: int, *, urgent_every: int = 4) -> list[Case]:
    """`count` plain cases (no sealed answers), references WP-LIST0001..."""
    cases = []
    for index in range(1, count + 1):
        report = Report(
            reference=f"WP-LST{index:05d}"[:11],
            data_key=data_key_create(purpose="report"),
            route=[Route.ANONYMOUS, Route.SUPPORT, Route.THIRD_PARTY][index % 3],
            answers={"what": {"behaviours": [{"slug": "following", "label": "Following"}]}},
        )
        report.save(force_insert=True)
        urgent = index % urgent_every == 0
        cases.append(
            case_open_from_report(
                report=report,
                immediate_danger=urgent,
                threat_of_violence=False,
                high_risk_indicator=False,
            )
        )
    return cases


def _first_row_on_first_screen(walk: StaffWalk) -> None:
    page = walk.page
    assert page.evaluate("window.scrollY") == 0
    box = page.locator(".inbox-table tbody tr").first.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= LAPTOP["height"], box


# --- The list at the laptop screen ------------------------------------------------------------


def test_a_lead_sees_the_first_cases_on_the_first_screen_with_filters_beside_them(
    browser_session: BrowserSession, institution: Institution, case_lead: User
) -> None:
    _cases(30)
    walk = staff_walk(browser_session, viewport=LAPTOP)
    sign_in(walk.page, case_lead)
    walk.goto("/staff/cases/")
    assert walk.h1() == "Cases"
    walk.check("inbox, laptop, filters open")
    save_screenshot(walk.page, "case-list-inbox-laptop")
    _first_row_on_first_screen(walk)
    panel = walk.page.locator("#inbox-filter-panel")
    table = walk.page.locator(".inbox-table")
    panel_box, table_box = panel.bounding_box(), table.bounding_box()
    assert panel_box and table_box
    assert panel_box["x"] + panel_box["width"] <= table_box["x"], "the panel is beside the table"

    # Folding the panel (the <details> summary) is a keyboard action too.
    walk.page.locator("#inbox-filter-panel summary").focus()
    walk.page.keyboard.press("Enter")
    assert panel.get_attribute("open") is None
    walk.check("inbox, laptop, filters folded")

    # With scripts on, one box ticks every case on the page (MoJ multi-select).
    walk.page.get_by_label("Select all cases on this page").check()
    assert walk.page.locator('input[name="cases"]:checked').count() == 25
    walk.check("inbox, every case on the page selected")

    # Sorting by a column, with scripts on: a link, the table says which way.
    with walk.page.expect_navigation():
        walk.page.locator("main th").get_by_role("link", name="Reference").click()
    heading = walk.page.locator('th:has(a:text("Reference"))')
    assert heading.get_attribute("aria-sort") == "ascending"
    walk.check("inbox sorted by reference")


def test_on_a_phone_the_filters_are_folded_above_the_table(
    browser_session: BrowserSession, institution: Institution, case_lead: User
) -> None:
    _cases(5)
    walk = staff_walk(browser_session, viewport=MOBILE)
    sign_in(walk.page, case_lead)
    walk.goto("/staff/cases/")
    panel = walk.page.locator("#inbox-filter-panel")
    assert panel.get_attribute("open") is None
    walk.check("inbox, phone, filters folded")
    save_screenshot(walk.page, "case-list-inbox-phone")
    walk.page.locator("#inbox-filter-panel summary").click()
    assert panel.get_attribute("open") is not None
    walk.check("inbox, phone, filters open")
    save_screenshot(walk.page, "case-list-inbox-phone-filters-open")

    walk.page.locator("main").get_by_role("searchbox", name="Search cases").fill("WP-LST00001")
    walk.press("Search")
    assert walk.page.locator("main table").get_by_role("link", name="WP-LST00001").is_visible()
    walk.check("search results, phone")
    save_screenshot(walk.page, "case-list-search-phone", full_page=True)


# --- Without JavaScript: filter, sort, remove a tag, search, bulk -----------------------------


def filter_sort_and_remove_a_tag(walk: StaffWalk) -> None:
    page = walk.page
    walk.goto("/staff/cases/")
    walk.check("inbox, no JavaScript")
    main = page.locator("main")
    main.get_by_label("Urgent only").check()
    walk.press("Show cases")
    assert "urgent=on" in page.url
    assert main.get_by_role("link", name="Remove filter: Urgent only").is_visible()
    walk.check("inbox filtered to urgent cases")
    save_screenshot(page, "case-list-filtered-no-js")

    with page.expect_navigation():
        main.locator("th").get_by_role("link", name="Age").click()
    assert "sort=newest" in page.url and "urgent=1" in page.url
    assert page.locator('th:has(a:text("Age"))').get_attribute("aria-sort") == "ascending"
    walk.check("urgent cases sorted by age")

    with page.expect_navigation():
        main.get_by_role("link", name="Remove filter: Urgent only").click()
    assert "urgent" not in page.url and "sort=newest" in page.url
    assert main.get_by_role("link", name="Remove filter: Urgent only").count() == 0
    walk.check("filter removed, order kept")


def search_by_email_written_differently(walk: StaffWalk, reference: str) -> None:
    page = walk.page
    walk.goto("/staff/cases/")
    page.locator("main").get_by_role("searchbox", name="Search cases").fill(SAM_AS_TYPED)
    walk.press("Search")
    assert page.url.endswith("/staff/cases/search/"), page.url  # no terms in the address
    assert walk.h1() == "Search cases"
    assert page.locator("main table").get_by_role("link", name=reference).is_visible()
    walk.check("search results")
    save_screenshot(page, "case-list-search-results")

    page.locator("main").get_by_label("Reference or identifier").fill("nobody@example.test")
    walk.press("Search")
    assert "No cases found" in walk.text()
    walk.check("search, nothing found")

    page.locator("main").get_by_label("Reference or identifier").fill("")
    walk.press("Search")
    assert "There is a problem" in walk.text()
    walk.check("search, nothing entered")


def assign_and_close_in_bulk(walk: StaffWalk, cases: list[Case], adviser: User) -> None:
    page = walk.page
    main = page.locator("main")
    walk.goto("/staff/cases/?sort=reference")
    for case in cases[:2]:
        main.get_by_label(f"Select case {case.report.reference}").check()
    walk.press("Assign selected cases")
    assert walk.h1() == "Assign the selected cases"
    walk.check("bulk assign, choose who")
    main.get_by_label("Assign to").select_option(label=f"{adviser.display_name} (Adviser)")
    walk.press("Assign 2 cases")
    assert walk.h1() == "Cases assigned"
    assert "2 cases assigned" in walk.text()
    walk.check("bulk assign, done")
    save_screenshot(page, "case-list-bulk-assigned")
    for case in cases[:2]:
        assert case.has_assignee(adviser.pk)

    walk.goto("/staff/cases/?sort=reference")
    for case in cases[2:4]:
        main.get_by_label(f"Select case {case.report.reference}").check()
    walk.press("Close selected cases")
    walk.check("bulk close, the outcome")
    main.get_by_label("Could not make contact").check()
    walk.press("Close 2 cases")
    assert "There is a problem" in walk.text()
    walk.check("bulk close, no summary given")
    main.get_by_label("Closing summary").fill("No reply after three attempts.")
    walk.press("Close 2 cases")
    assert "2 cases closed" in walk.text()
    walk.check("bulk close, done")
    for case in cases[2:4]:
        case.refresh_from_db()
        assert case.status == CaseStatus.CLOSED
        assert TimelineEntry.objects.filter(case=case, kind=EntryKind.CLOSED).count() == 1


def test_a_lead_filters_sorts_searches_and_acts_in_bulk_without_javascript(
    browser_session: BrowserSession, institution: Institution, case_lead: User, adviser: User
) -> None:
    made = report_naming("LISTSEARCH", person_email=SAM_AS_REPORTED)
    cases = _cases(8)
    walk = staff_walk(browser_session, javascript=False, viewport=LAPTOP)
    sign_in(walk.page, case_lead)

    filter_sort_and_remove_a_tag(walk)
    search_by_email_written_differently(walk, made.reference)
    assign_and_close_in_bulk(walk, cases, adviser)


# --- The claim preview ---------------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_adviser_previews_a_case_then_claims_it(
    browser_session: BrowserSession, institution: Institution, adviser: User, javascript: bool
) -> None:
    made = report_naming("PREVIEWME")
    walk = staff_walk(browser_session, javascript=javascript, viewport=LAPTOP)
    sign_in(walk.page, adviser)
    walk.goto("/staff/cases/")
    walk.follow(f"Preview case {made.reference}")
    assert walk.h1() == f"Preview of case {made.reference}"
    assert "PREVIEWME" not in walk.text()
    walk.check("claim preview")
    save_screenshot(walk.page, f"case-list-preview-{'js' if javascript else 'no-js'}")
    walk.press("Claim this case")
    made.report.case.refresh_from_db()
    assert made.report.case.has_assignee(adviser.pk)
