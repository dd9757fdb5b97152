"""The case as a workspace (issue 12, ADR 0031) in a real Chromium: the identity bar and
sub navigation on every section, the Overview on one 1366x768 screen, every section
reached from the keyboard, every section without JavaScript, and a phone.

Every page and state is checked as it is reached (staff_support.StaffWalk.check): one
h1, no link to a missing anchor, no sideways scrolling, no axe violations (with
JavaScript off, on a copy of the page in a script-free context). Screenshots are kept
as test artefacts (test-results/screenshots/).
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.browser.reporting_support import tab_to
from tests.browser.staff_support import StaffWalk, institution_ready, sign_in, staff_walk
from tests.browser.support import LAPTOP, MOBILE, BrowserSession, save_screenshot
from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.casework.services import message_send_from_reporter
from waypoint.casework.services import work as task_services
from waypoint.institution.models import Department, Institution
from waypoint.reporting.tests.flow import make_report, reporter_client
from waypoint.safety.models import MeasureKind, MeasureStatus
from waypoint.safety.services.plans import measure_create
from waypoint.safety.services.risk import assessment_create
from waypoint.safety.tests.risk_support import answers, current_version

pytestmark = pytest.mark.browser

# The sub navigation's links, in order, and the h1 each section's page has.
SECTIONS = (
    ("Overview", "Overview"),
    ("What was reported", "What was reported"),
    ("Messages", "Messages"),
    ("Timeline", "Timeline"),
    ("Risk", "Risk assessments"),
    ("Safety plan and measures", "Safety plan and measures"),
    ("Referrals and processes", "Referrals and disclosures"),
    ("People and matches", "People and matches"),
    ("Access", "Who can see case"),
)


@pytest.fixture
def institution(demo_institution: Institution) -> Institution:
    return institution_ready(demo_institution)


@pytest.fixture
def worked_case(institution: Institution, adviser: User) -> Case:
    """A case an adviser is working: a risk assessment, a measure with Security, a task due,
    and a message from the reporter nobody has read yet."""
    made = make_report(reporter_client(), "support", marker="WORKSPACE")
    case = made.report.case
    case.assignments.create(user=adviser)
    today = timezone.localdate()
    version = current_version("dash-topics")
    assessment_create(
        case=case,
        actor=adviser,
        version=version,
        answers=answers(version, yes=3),
        judged_band="",
        judgement_reason="",
        next_review_on=today + datetime.timedelta(days=14),
    )
    measure_create(
        case=case,
        actor=adviser,
        kind=MeasureKind.ESCORT,
        department=Department.objects.get(name="Security"),
        brief="Walk the reporter from the library to halls on weekday evenings.",
        detail="",
        status=MeasureStatus.AGREED,
        starts_on=None,
        review_on=today + datetime.timedelta(days=5),
        ends_on=None,
    )
    task_services.task_create(
        case=case,
        actor=adviser,
        title="Call the reporter back about the seminar group",
        brief="",
        assignee=adviser,
        department=None,
        due_on=today + datetime.timedelta(days=2),
    )
    message_send_from_reporter(case=case, body="It happened again today, outside the library.")
    return Case.objects.select_related("report").get(pk=case.pk)


def _bottom(walk: StaffWalk, selector: str) -> float:
    box = walk.page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    return float(box["y"] + box["height"])


def test_the_identity_bar_and_the_whole_overview_fit_one_laptop_screen(
    browser_session: BrowserSession, worked_case: Case, case_lead: User
) -> None:
    walk = staff_walk(browser_session, viewport=LAPTOP)
    sign_in(walk.page, case_lead)
    walk.goto(f"/staff/cases/{worked_case.pk}/")

    page = walk.page
    assert walk.h1().endswith("Overview")
    bar = page.locator(".idbar")
    assert worked_case.report.reference in bar.inner_text()
    assert "Adviser" in bar.inner_text()
    assert "First contact" in bar.inner_text()
    assert "Risk" in bar.inner_text()
    overview = page.locator(".overview")
    assert "1 unread" in overview.inner_text()
    assert "It happened again today" not in overview.inner_text()  # not read here
    assert "Security" in overview.inner_text()
    assert "Call the reporter back" in overview.inner_text()
    # Nothing of the identity bar or the Overview is below the first screen.
    for part in (".idbar", ".case-sections", ".overview", ".overview__col:last-child"):
        assert _bottom(walk, part) <= LAPTOP["height"], part
    assert page.evaluate("window.scrollY") == 0
    save_screenshot(page, "case-workspace-overview-1366x768")
    walk.check("overview at 1366x768")


def test_every_section_is_reached_from_the_keyboard_through_the_sub_navigation(
    browser_session: BrowserSession, worked_case: Case, case_lead: User
) -> None:
    walk = staff_walk(browser_session, viewport=LAPTOP)
    page = walk.page
    sign_in(page, case_lead)
    walk.goto(f"/staff/cases/{worked_case.pk}/")

    for label, heading in SECTIONS[1:] + SECTIONS[:1]:
        link = page.locator("nav.case-sections a", has_text=label).first
        href = link.get_attribute("href")
        assert href is not None
        page.evaluate("window.scrollTo(0, 0)")
        page.locator("body").focus()
        tab_to(page, f'nav.case-sections a[href="{href}"]')
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert heading in walk.h1(), (label, walk.h1())
        current = page.locator('nav.case-sections a[aria-current="page"]')
        assert current.count() == 1 and current.inner_text() == label
        save_screenshot(page, f"case-workspace-section-{label}-1366x768")
        walk.check(f"section {label}, reached by keyboard")


def test_every_section_works_without_javascript_and_a_refused_note_shows_its_errors(
    browser_session: BrowserSession, worked_case: Case, case_lead: User
) -> None:
    walk = staff_walk(browser_session, javascript=False, viewport=LAPTOP)
    page = walk.page
    sign_in(page, case_lead)
    walk.goto(f"/staff/cases/{worked_case.pk}/")
    walk.check("overview without JavaScript")

    for label, heading in SECTIONS[1:]:
        with page.expect_navigation():
            page.locator("nav.case-sections a", has_text=label).first.click()
        assert heading in walk.h1(), (label, walk.h1())
        walk.check(f"section {label} without JavaScript")

    # The identity bar's "Add a note" leads to the Timeline's form; an empty note comes
    # back on the Timeline with the error summary first (status 400).
    with page.expect_navigation():
        page.locator(".idbar").get_by_role("link", name="Add a note").click()
    assert walk.h1().endswith("Timeline")
    with page.expect_navigation():
        page.locator("#add-note").get_by_role("button", name="Save the note").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error: ")
    save_screenshot(page, "case-workspace-timeline-error")
    walk.check("timeline with a refused note, without JavaScript")

    page.locator("#add-note").get_by_label("Note", exact=True).fill("Spoke to the tutor.")
    with page.expect_navigation():
        page.locator("#add-note").get_by_role("button", name="Save the note").click()
    assert page.get_by_text("Note added.").is_visible()
    assert walk.h1().endswith("Timeline")  # back to the section the note came from
    assert page.locator("#timeline").get_by_text("Spoke to the tutor.").is_visible()


def test_on_a_phone_the_frame_stacks_and_nothing_scrolls_sideways(
    browser_session: BrowserSession, worked_case: Case, adviser: User
) -> None:
    walk = staff_walk(browser_session, viewport=MOBILE)
    sign_in(walk.page, adviser)
    walk.goto(f"/staff/cases/{worked_case.pk}/")

    assert walk.h1().endswith("Overview")
    assert walk.page.locator("nav.case-sections").is_visible()
    save_screenshot(walk.page, "case-workspace-overview-390", full_page=True)
    walk.check("overview at 390 px")
    walk.goto(f"/staff/cases/{worked_case.pk}/timeline/")
    save_screenshot(walk.page, "case-workspace-timeline-390", full_page=True)
    walk.check("timeline at 390 px")
