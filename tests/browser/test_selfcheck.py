"""The self-check at /check/ in a real Chromium: keyboard only, with and without JavaScript,
accessible in every state, and leaving nothing behind in the browser's history.

The fixtures in conftest.py also fail any of these tests if a page breaks its CSP, throws a
script error, fails to load one of our assets, or asks for anything from another host.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Error, Page, Request

from tests.browser.support import DESKTOP, MOBILE, BrowserSession, assert_no_axe_violations
from tests.browser.test_public_pages import EXIT_URL, stub_exit_page
from waypoint.hub.demo import support_directory_load_demo
from waypoint.institution.models import Institution

pytestmark = pytest.mark.browser

SUBMIT = "See what might help"
PATTERN = "matches a pattern that the law and specialist services call"


@pytest.fixture
def demo(demo_institution: Institution) -> Institution:
    support_directory_load_demo()
    return demo_institution


def tab_to(page: Page, selector: str, limit: int = 150) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def answer_with_the_keyboard(page: Page) -> None:
    """Threats and calls, lots of times, for months, feeling afraid: keys only."""
    tab_to(page, "#id_behaviours_0")  # calling, texting...
    page.keyboard.press("Space")
    tab_to(page, "#id_behaviours_5")  # threatening you...
    page.keyboard.press("Space")
    tab_to(page, "#id_how_often_0")  # arrows move through a radio group and choose
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # lots of times
    tab_to(page, "#id_how_long_0")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # months
    tab_to(page, "#id_feelings_0")  # afraid
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def answer(page: Page, *labels: str) -> None:
    page.goto("/check/")
    for label in labels:
        page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name=SUBMIT).click()
    page.wait_for_load_state()


# Labels to tick: a pattern without danger, and a pattern with it.
CALM = (
    "Calling, texting, emailing or messaging you",
    "Sending or leaving you gifts or things you did not ask for",
    "A few times",
    "Weeks",
    "No",
)
DANGER = ("Threatening you, or people or pets you care about", "Lots of times", "Months", "Yes")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_someone_can_answer_and_see_the_result_with_the_keyboard_alone(
    browser_session: BrowserSession, demo: Institution, live_server: Any, javascript: bool
) -> None:
    page, _ = browser_session.new_page(java_script_enabled=javascript)
    page.goto("/check/")
    answer_with_the_keyboard(page)
    assert page.locator("h1").inner_text() == "What might help"
    # The result is the POST response, at the same address, with nothing in the URL.
    assert page.url == f"{live_server.url}/check/"
    text = page.locator("main").inner_text()
    assert PATTERN in text
    assert "Your safety comes first" in text
    assert "you are being stalked" not in text.lower()
    # Emergency contacts come before everything else the result says.
    danger_box = page.locator("#get-help").bounding_box()
    meaning_box = page.locator("#what-this-means").bounding_box()
    assert danger_box is not None and meaning_box is not None
    assert danger_box["y"] < meaning_box["y"]


@pytest.mark.parametrize("viewport", [MOBILE, DESKTOP], ids=["mobile", "desktop"])
def test_the_questions_have_no_accessibility_violations(
    browser_session: BrowserSession, demo: Institution, viewport: dict[str, int]
) -> None:
    page, _ = browser_session.new_page(viewport=viewport)
    page.goto("/check/")
    assert page.locator("h1").count() == 1
    assert page.locator("fieldset").count() == 5
    # Every answer has a label: it can be found by its words.
    assert page.get_by_label("Afraid or scared", exact=True).is_visible()
    assert_no_axe_violations(page)


def test_a_result_without_danger_has_no_accessibility_violations(
    page: Page, demo: Institution
) -> None:
    answer(page, *CALM)
    assert PATTERN in page.locator("main").inner_text()
    assert page.get_by_text("Your safety comes first").count() == 0
    assert_no_axe_violations(page)


def test_a_result_with_danger_has_no_accessibility_violations(
    page: Page, demo: Institution
) -> None:
    answer(page, *DANGER)
    assert page.get_by_role("heading", name="Your safety comes first").is_visible()
    assert page.locator("#get-help").get_by_role("link", name="999").get_attribute("href") == (
        "tel:999"
    )
    assert_no_axe_violations(page)


def test_the_error_state_has_no_accessibility_violations(page: Page, demo: Institution) -> None:
    page.goto("/check/")
    # An answer the server does not know, as an old or altered page would send.
    page.evaluate("document.querySelector('#id_how_often_0').value = 'hourly'")
    page.locator("#id_how_often_0").check()
    # Wait for the answer page itself: load state alone can still be the old page's.
    with page.expect_navigation():
        page.get_by_role("button", name=SUBMIT).click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    summary.get_by_role("link", name="How often has it happened?").click()
    assert page.evaluate("document.activeElement.id") == "id_how_often_0"
    assert_no_axe_violations(page)


def test_an_empty_submission_gets_a_gentle_prompt_without_violations(
    page: Page, demo: Institution
) -> None:
    page.goto("/check/")
    with page.expect_navigation():
        page.get_by_role("button", name=SUBMIT).click()
    assert page.locator("#check-prompt").is_visible()
    assert page.locator("#error-summary").count() == 0
    assert page.title().startswith("Choose any answers that fit")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("width", [320, 390])
def test_the_check_never_scrolls_sideways_on_a_small_screen(
    browser_session: BrowserSession, demo: Institution, width: int
) -> None:
    page, _ = browser_session.new_page(viewport={"width": width, "height": 700})
    overflow = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    page.goto("/check/")
    assert page.evaluate(overflow) <= 0
    answer(page, *DANGER)
    assert page.evaluate(overflow) <= 0


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_quick_exit_is_on_the_questions_and_the_result(
    browser_session: BrowserSession, demo: Institution, javascript: bool
) -> None:
    page, _ = browser_session.new_page(java_script_enabled=javascript)
    page.goto("/check/")
    assert page.locator("a.quick-exit").is_visible()
    answer(page, *DANGER)
    link = page.locator("a.quick-exit")
    assert link.is_visible()
    assert link.get_attribute("href") == "/exit/"
    assert link.get_attribute("data-exit-to") == demo.quick_exit_url


def test_escape_twice_leaves_the_result_and_back_does_not_return_to_it(
    page: Page, demo: Institution, live_server: Any
) -> None:
    served = stub_exit_page(page)
    answer(page, *DANGER)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(f"{EXIT_URL}**")
    assert served
    page.go_back()
    # Back lands on the empty questions page, never on the result.
    assert "What might help" not in page.content()
    assert page.locator("input:checked").count() == 0


# The two tests below use a plain browser context: the watched contexts in conftest.py route
# every request, and Chromium turns its HTTP cache off for a context with routing, which
# would make "not from the cache" true for the wrong reason.


def _plain_page(browser: Browser, base_url: str, javascript: bool) -> Page:
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": MOBILE["width"], "height": MOBILE["height"]},
        java_script_enabled=javascript,
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def test_with_javascript_reload_and_back_show_the_empty_questions_not_the_answers(
    browser: Browser, demo: Institution, live_server: Any
) -> None:
    page = _plain_page(browser, live_server.url, javascript=True)
    try:
        documents: list[str] = []

        def record(request: Request) -> None:
            if request.is_navigation_request():
                documents.append(request.method)

        page.on("request", record)
        answer(page, *DANGER)
        assert page.locator("h1").inner_text() == "What might help"

        documents.clear()
        page.reload()
        assert documents == ["GET"]  # the answers are not sent again
        assert page.locator("h1").inner_text() == "Is this stalking?"
        assert page.locator("input:checked").count() == 0

        answer(page, *DANGER)
        page.goto("/")
        documents.clear()
        page.go_back()
        assert documents == ["GET"]
        assert page.locator("h1").inner_text() == "Is this stalking?"
        assert page.locator("input:checked").count() == 0
        assert "threatened" not in page.content()
    finally:
        page.context.close()


def test_without_javascript_back_is_refused_rather_than_shown_from_the_cache(
    browser: Browser, demo: Institution, live_server: Any
) -> None:
    page = _plain_page(browser, live_server.url, javascript=False)
    try:
        answer(page, *DANGER)
        assert page.locator("h1").inner_text() == "What might help"
        page.goto("/")
        # no-store: the browser has no copy of the result to show, and does not send the
        # answers again by itself (it would ask first).
        with pytest.raises(Error, match="ERR_CACHE_MISS"):
            page.go_back()
    finally:
        page.context.close()


def test_the_result_is_sent_with_no_store(page: Page, demo: Institution) -> None:
    page.goto("/check/")
    page.get_by_label(DANGER[0], exact=True).check()
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name=SUBMIT).click()
    response = posted.value
    assert response.url.endswith("/check/")
    assert "no-store" in response.headers["cache-control"]
    assert response.request.post_data is not None  # the answers travel in the body only
