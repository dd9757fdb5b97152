"""Quick exit leaves nothing behind, and the public layout on a small phone, in Chromium.

Persona: Priya writes "My ex keeps turning up at my flat" into a report on a shared phone and
presses Quick exit (the button, Esc twice, or the plain link with JavaScript off). Whoever
picks the phone up next and opens /report/ or /my-report/ must find nothing of her visit.

Also here (issue 11): the header folds behind "Menu" on small screens and still works
without JavaScript, "Check for replies" is reachable from every public page, the Esc hint
is shown only where a keyboard is likely, and a failed submit moves focus to the errors.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.reporting_support import ANSWERS, DANGER_QUESTION, SAVE, Walk, choose, fill
from tests.browser.support import DESKTOP, MOBILE, BrowserSession, assert_no_axe_violations
from tests.browser.test_public_pages import EXIT_URL, stub_exit_page
from waypoint.institution.models import Institution
from waypoint.reporting.default_options import load_default_options
from waypoint.reporting.models import Draft, ReportOption
from waypoint.reporting.tests.flow import make_report, reporter_client

pytestmark = pytest.mark.browser

WHAT = "My ex keeps turning up at my flat"
WHAT_LABEL = "In your own words, what has been happening?"
SMALL_PHONE = {"width": 320, "height": 568}


@pytest.fixture
def reporting_ready(demo_institution: Institution) -> Institution:
    load_default_options(ReportOption)  # the live server empties tables between tests
    return demo_institution


def write_half_a_report(walk: Walk) -> None:
    """Start an anonymous report and write what happened, without sending it."""
    page = walk.page
    walk.goto("/report/")
    walk.check("start page")
    page.locator("main").get_by_label("Tell us anonymously").check()
    page.locator("main").get_by_label("A student", exact=True).check()
    walk.press("Start")
    choose(page, DANGER_QUESTION, "No")
    walk.press(SAVE)
    for _ in range(6):
        if walk.h1() == "What happened":
            break
        ANSWERS[walk.h1()](page, "anonymous")
        walk.press(SAVE)
    fill(page, WHAT_LABEL, WHAT)
    walk.press(SAVE)
    assert Draft.objects.count() == 1


def wait_until_no_draft_is_left() -> None:
    """With JavaScript the server hears of the exit by a beacon, a moment after leaving."""
    deadline = time.monotonic() + 5
    while Draft.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def assert_nothing_of_the_visit_is_left(page: Page) -> None:
    page.goto("/report/")
    assert page.locator("h1").inner_text() == "Tell us what happened"
    assert page.get_by_text("Carry on with my report").count() == 0
    assert page.get_by_text("You have started a report").count() == 0
    page.goto("/report/review/")
    assert WHAT not in page.content()
    assert Draft.objects.count() == 0


@pytest.mark.parametrize("how", ["button", "esc-esc", "link-without-javascript"])
def test_after_quick_exit_a_new_visit_finds_nothing_of_the_unsent_report(
    browser_session: BrowserSession, reporting_ready: Institution, how: str
) -> None:
    javascript = how != "link-without-javascript"
    viewport = DESKTOP if how == "esc-esc" else MOBILE
    page, _ = browser_session.new_page(java_script_enabled=javascript, viewport=viewport)
    walk = Walk(browser_session, page, javascript, reporting_ready.quick_exit_url)
    served = stub_exit_page(page)
    write_half_a_report(walk)
    assert page.get_by_text("Quick exit throws away").count() == 0  # said on the start page

    if how == "esc-esc":
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
    else:
        page.locator("a.quick-exit").click()
    page.wait_for_url(f"{EXIT_URL}**")
    assert served
    if javascript:
        wait_until_no_draft_is_left()
    else:
        # The link went through /exit/, whose answer told the browser to drop our cookies.
        assert page.context.cookies() == []

    assert_nothing_of_the_visit_is_left(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_after_quick_exit_my_report_asks_for_the_receipt_again(
    browser_session: BrowserSession, reporting_ready: Institution, javascript: bool
) -> None:
    made = make_report(reporter_client(), "anonymous", marker="QUICKEXIT")
    page, _ = browser_session.new_page(java_script_enabled=javascript)
    stub_exit_page(page)
    page.goto("/my-report/")
    fill(page, "Report reference", made.reference)
    fill(page, "Passphrase", made.passphrase)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Your report"

    page.locator("a.quick-exit").click()
    page.wait_for_url(f"{EXIT_URL}**")

    deadline = time.monotonic() + 5
    while True:
        page.goto("/my-report/")
        heading = page.locator("h1").inner_text()
        if heading != "Your report" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert heading == "Come back to your report"
    assert made.reference not in page.content()


def test_on_a_small_phone_the_page_heading_starts_near_the_top(
    browser_session: BrowserSession, demo_institution: Institution
) -> None:
    page, _ = browser_session.new_page(viewport=SMALL_PHONE, has_touch=True, is_mobile=True)
    page.goto("/report/")
    box = page.locator("h1").bounding_box()
    assert box is not None
    # The quick exit bar and the folded header take under a third of a 568 px screen.
    assert box["y"] < 568 / 3
    # No keyboard on a phone: the hint does not talk about the Esc key.
    assert not page.get_by_text("press Esc twice").is_visible()
    assert page.locator("a.quick-exit").is_visible()
    assert_no_axe_violations(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_folded_menu_opens_without_javascript_and_leads_to_check_for_replies(
    browser_session: BrowserSession, demo_institution: Institution, javascript: bool
) -> None:
    page, _ = browser_session.new_page(viewport=SMALL_PHONE, java_script_enabled=javascript)
    page.goto("/support/")
    nav = page.get_by_role("navigation", name="Main")
    assert not nav.get_by_role("link", name="Check for replies").is_visible()

    nav.get_by_text("Menu").click()

    link = nav.get_by_role("link", name="Check for replies")
    assert link.is_visible()
    if javascript:
        assert_no_axe_violations(page)
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    link.click()
    page.wait_for_url("**/my-report/")
    assert page.locator("h1").inner_text() == "Come back to your report"


def test_on_a_wide_screen_every_link_shows_without_opening_a_menu(
    browser_session: BrowserSession, demo_institution: Institution
) -> None:
    page, _ = browser_session.new_page(viewport={"width": 1366, "height": 768})
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    assert not nav.get_by_text("Menu").is_visible()
    for name in ("Find support", "Is this stalking?", "Tell us what happened", "Check for replies"):
        assert nav.get_by_role("link", name=name).is_visible(), name
    footer = page.get_by_role("contentinfo")
    assert footer.get_by_role("link", name="Already told us? Check for replies").is_visible()
    assert_no_axe_violations(page)


def test_a_failed_submit_moves_the_focus_to_the_list_of_problems(
    page: Page, reporting_ready: Institution, live_server: Any
) -> None:
    page.goto("/report/")
    page.locator("main").get_by_label("Tell us anonymously").check()
    page.locator("main").get_by_label("A student", exact=True).check()
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Start").click()
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=SAVE).click()  # nothing chosen

    page.wait_for_function("document.activeElement && document.activeElement.id")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary = page.locator("#error-summary").inner_text()
    assert "?:" not in summary
    assert f"{DANGER_QUESTION} " in summary
    assert_no_axe_violations(page)
