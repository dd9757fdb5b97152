"""After sending a report, the person sees when the team will respond (ADR 0028), in a real
Chromium, with JavaScript on and off.

A report is walked from /report/ to the thank-you page, then read again at /my-report/
with its receipt. The promise is checked on the receipt page, the thank-you page and
/my-report/ against what selectors/promise.py says for that report at that moment (the
live server keeps real time, so the words are not fixed here: the selector's own tests
pin them at fixed moments), and every page with it passes the checks of every page of
the flow (reporting_support.Walk.check: one h1, the quick exit, no sideways scrolling,
axe with no violations).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator

from tests.browser.reporting_support import ANSWERS, DANGER_QUESTION, SAVE, Walk, choose, fill
from tests.browser.support import MOBILE, BrowserSession
from waypoint.casework.selectors.promise import response_promise_for_reporter
from waypoint.institution.models import Institution
from waypoint.reporting.default_options import load_default_options
from waypoint.reporting.models import Report, ReportOption

pytestmark = pytest.mark.browser

PROMISE = "section.response-promise"


@pytest.fixture
def institution(demo_institution: Institution) -> Institution:
    # The live server empties every table after a test, so the options are loaded here.
    load_default_options(ReportOption)
    return demo_institution


def _send(walk: Walk, route: str, *, in_danger: bool) -> None:
    """From the start page to the receipt, answering every step."""
    page = walk.page
    walk.goto("/report/")
    page.locator("main").get_by_label(
        "Get support from an adviser" if route == "support" else "Tell us anonymously"
    ).check()
    page.locator("main").get_by_label("A student", exact=True).check()
    walk.press("Start")
    choose(page, DANGER_QUESTION, "Yes" if in_danger else "No")
    walk.press(SAVE)
    if in_danger:
        walk.follow("Carry on with my report")
    while walk.h1() != "Evidence (optional)":
        ANSWERS[walk.h1()](page, route)
        walk.press(SAVE)
    walk.follow("Continue")
    assert walk.h1() == "Check your answers"
    walk.press("Send my report")
    assert walk.h1() == "Your report has been sent"


def _promise_text(section: Locator) -> str:
    return section.locator("p").first.inner_text().strip()


def _check_promise(walk: Walk, institution: Institution, *, expected: set[str]) -> None:
    section = walk.page.locator(PROMISE)
    assert section.is_visible()
    assert _promise_text(section) in expected, _promise_text(section)
    text = section.inner_text()
    assert "The team works" in text or "The team is not at work now" in text
    assert section.get_by_role("link", name="999").get_attribute("href") == "tel:999"
    assert institution.security_emergency_phone in text


def _expected(report: Report | None, institution: Institution) -> str:
    promise = response_promise_for_reporter(report=report, institution=institution)
    assert promise is not None
    return promise.promise


@pytest.mark.parametrize(
    ("route", "in_danger", "javascript"),
    [
        pytest.param("support", True, True, id="named-in-danger-js"),
        pytest.param("anonymous", False, False, id="anonymous-no-js"),
    ],
)
def test_after_sending_a_report_the_person_sees_when_the_team_will_respond(
    browser_session: BrowserSession,
    institution: Institution,
    route: str,
    in_danger: bool,
    javascript: bool,
) -> None:
    page, _ = browser_session.new_page(java_script_enabled=javascript, viewport=MOBILE)
    walk = Walk(browser_session, page, javascript, institution.quick_exit_url)

    _send(walk, route, in_danger=in_danger)
    reference = page.locator("#receipt-reference").inner_text()
    words = page.locator(".receipt__words li").all_inner_texts()
    report = Report.objects.get(reference=reference)
    specific = _expected(report, institution)
    if in_danger:
        assert specific.startswith("Because you told us someone is in danger")
    else:
        assert specific.startswith("The team aims to reply by the end of")
    _check_promise(walk, institution, expected={specific})
    walk.check("receipt with the promise")

    walk.follow("I have saved it: continue")
    labels = [page.locator(f"label[for=id_{name}]").inner_text() for name in ("first", "second")]
    for label in labels:
        fill(page, label, words[int(label.removeprefix("Word ")) - 1])
    walk.press("Check")
    assert walk.h1() == "Thank you"
    # The thank-you page gives this report's promise, or the team's usual targets when it
    # no longer knows which report was sent.
    _check_promise(walk, institution, expected={specific, _expected(None, institution)})
    walk.check("thank-you page with the promise")

    walk.goto("/my-report/")
    fill(page, "Report reference", reference)
    fill(page, "Passphrase", " ".join(words))
    walk.press("Sign in")
    assert walk.h1() == "Your report"
    _check_promise(walk, institution, expected={_expected(report, institution)})
    walk.check("my report with the promise")
