"""/verify/ in a real Chromium: an officer uploads Jordan's record or types its code.

Each state (empty, genuine, not genuine, errors) is checked with axe, on a phone and on a
1366x768 laptop, with our scripts running and without them. axe needs scripts itself, so
"without" is a context where every script of ours is answered with nothing (the page is
then exactly what a visitor without JavaScript gets); the flow is also run once with
JavaScript switched off in the browser.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    LAPTOP,
    MOBILE,
    BrowserSession,
    assert_no_axe_violations,
    save_screenshot,
)
from waypoint.institution.models import Institution
from waypoint.log.export import verification
from waypoint.log.export.pdf import export_pdf
from waypoint.log.tests.test_export import jordans_chronology, pdftotext
from waypoint.log.tests.test_verify import change_one_text_byte

pytestmark = pytest.mark.browser

URL = "/verify/"
SCREENS = {"phone": MOBILE, "laptop": LAPTOP}


@pytest.fixture(scope="module")
def genuine_pdf() -> bytes:
    return export_pdf(jordans_chronology())


@pytest.fixture(scope="module")
def forged_pdf() -> bytes:
    return change_one_text_byte(export_pdf(jordans_chronology(), compress=False))


def open_page(browser_session: BrowserSession, *, scripts: bool, screen: str) -> Page:
    page, _ = browser_session.new_page(viewport=SCREENS[screen])
    if not scripts:
        page.route(
            "**/static/js/**",
            lambda route: route.fulfill(status=200, content_type="text/javascript", body=""),
        )
    page.goto(URL)
    return page


def choose_file(page: Page, data: bytes, name: str = "record.pdf") -> None:
    page.get_by_label("The PDF file of the record", exact=True).set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": data}
    )
    page.get_by_role("button", name="Check the file").click()


def check_state(page: Page, name: str) -> None:
    assert page.locator("h1").count() == 1
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the page scrolls sideways"
    assert_no_axe_violations(page)
    save_screenshot(page, f"verify-{name}", full_page=True)


MODES = pytest.mark.parametrize("scripts", [True, False], ids=["js", "no-js"])
SCREEN = pytest.mark.parametrize("screen", list(SCREENS))


@MODES
@SCREEN
def test_the_empty_page_offers_both_ways_and_the_public_key(
    browser_session: BrowserSession, demo_institution: Institution, scripts: bool, screen: str
) -> None:
    page = open_page(browser_session, scripts=scripts, screen=screen)
    expect(page.get_by_role("heading", name="Check a record is genuine")).to_be_visible()
    expect(page.get_by_role("heading", name="Upload the PDF file")).to_be_visible()
    expect(page.get_by_label("The verification code", exact=True)).to_be_visible()
    page.get_by_text("Show the public keyset").click()
    expect(page.get_by_label("Public keyset", exact=True)).to_contain_text("ASYMMETRIC_PUBLIC")
    check_state(page, f"empty-{screen}-{'js' if scripts else 'no-js'}")


@MODES
@SCREEN
def test_jordans_file_is_genuine(
    browser_session: BrowserSession,
    demo_institution: Institution,
    genuine_pdf: bytes,
    scripts: bool,
    screen: str,
) -> None:
    page = open_page(browser_session, scripts=scripts, screen=screen)
    choose_file(page, genuine_pdf)
    expect(page.get_by_role("heading", name="Genuine", exact=True)).to_be_visible()
    answer = page.locator("#answer")
    expect(answer).to_contain_text(f"signed by {demo_institution.name}")
    expect(answer).to_contain_text("has not been changed since it was made")
    expect(answer).to_contain_text("WP-7KQ4-M2XD")
    expect(page).to_have_title(re.compile(r"^Genuine: "))
    check_state(page, f"genuine-{screen}-{'js' if scripts else 'no-js'}")


@MODES
def test_a_file_with_one_byte_changed_is_not_genuine(
    browser_session: BrowserSession,
    demo_institution: Institution,
    forged_pdf: bytes,
    scripts: bool,
) -> None:
    page = open_page(browser_session, scripts=scripts, screen="phone")
    choose_file(page, forged_pdf)
    expect(page.get_by_role("heading", name="Not genuine")).to_be_visible()
    expect(page.locator("#answer")).to_contain_text("has been changed since it was made")
    check_state(page, f"not-genuine-phone-{'js' if scripts else 'no-js'}")


@MODES
def test_the_printed_code_is_genuine(
    browser_session: BrowserSession,
    demo_institution: Institution,
    genuine_pdf: bytes,
    scripts: bool,
) -> None:
    text = pdftotext(genuine_pdf)
    code = text.split("to check them. ", 1)[1].split(" The PDF file itself")[0]
    page = open_page(browser_session, scripts=scripts, screen="laptop")
    page.get_by_label("The verification code", exact=True).fill(code)
    page.get_by_role("button", name="Check the code").click()
    expect(page.get_by_role("heading", name="Genuine", exact=True)).to_be_visible()
    expect(page.locator("#answer")).to_contain_text("This code was signed by")
    check_state(page, f"code-genuine-laptop-{'js' if scripts else 'no-js'}")


@MODES
def test_no_file_chosen_shows_the_error_summary(
    browser_session: BrowserSession, demo_institution: Institution, scripts: bool
) -> None:
    page = open_page(browser_session, scripts=scripts, screen="phone")
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Choose the PDF file to check.")
    if scripts:
        expect(summary).to_be_focused()
    summary.get_by_role("link").click()
    expect(page.get_by_label("The PDF file of the record", exact=True)).to_be_focused()
    check_state(page, f"error-no-file-phone-{'js' if scripts else 'no-js'}")


def test_a_file_over_the_limit_is_refused_with_a_clear_error(
    browser_session: BrowserSession,
    demo_institution: Institution,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A 1 MB limit for this test: pushing 20 MB through the browser protocol is slow, and
    # the real limit is tested without a browser (waypoint/log/tests/test_verify.py).
    monkeypatch.setattr(verification, "MAX_BYTES", 2**20)
    page = open_page(browser_session, scripts=True, screen="phone")
    choose_file(page, b"%PDF-1.7\n" + b"0" * (2**20 + 1), name="big.pdf")
    expect(page.locator("#error-summary")).to_contain_text("The file is bigger than 1 MB")
    check_state(page, "error-too-big-phone-js")


def test_the_whole_check_works_with_javascript_switched_off(
    browser_session: BrowserSession,
    demo_institution: Institution,
    genuine_pdf: bytes,
    forged_pdf: bytes,
) -> None:
    page: Any
    page, _ = browser_session.new_page(java_script_enabled=False)
    page.goto(URL)
    choose_file(page, genuine_pdf)
    expect(page.get_by_role("heading", name="Genuine", exact=True)).to_be_visible()
    choose_file(page, forged_pdf)
    expect(page.get_by_role("heading", name="Not genuine")).to_be_visible()
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#error-summary")).to_contain_text("Choose the PDF file to check.")
    save_screenshot(page, "verify-error-javascript-off")
