"""The public pages in a real Chromium: accessible, keyboard-friendly, quick exit that works.

The fixtures in conftest.py also fail any of these tests if a page breaks its CSP, throws a
script error, fails to load one of our assets, or asks for anything from another host.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from tests.browser.support import DESKTOP, MOBILE, BrowserSession, assert_no_axe_violations
from waypoint.institution.models import Institution

pytestmark = pytest.mark.browser

EXIT_URL = "https://www.bbc.co.uk/weather"
STUB_PAGE = "<!DOCTYPE html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"


def stub_exit_page(page: Page) -> list[str]:
    """Answer the quick-exit destination locally, so no real network is used."""
    served: list[str] = []

    def fulfil(route: Route) -> None:
        served.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=STUB_PAGE)

    page.route(f"{EXIT_URL}**", fulfil)
    return served


def h1_count(page: Page) -> int:
    return page.locator("h1").count()


@pytest.mark.parametrize("viewport", [MOBILE, DESKTOP], ids=["mobile", "desktop"])
def test_the_home_page_has_no_accessibility_violations(
    browser_session: BrowserSession, demo_institution: Institution, viewport: dict[str, int]
) -> None:
    page, _ = browser_session.new_page(viewport=viewport)
    page.goto("/")
    assert h1_count(page) == 1
    assert page.locator("html").get_attribute("lang") == "en-GB"
    assert_no_axe_violations(page)


def test_the_home_page_has_no_accessibility_violations_before_set_up(page: Page) -> None:
    page.goto("/")
    assert h1_count(page) == 1
    assert page.get_by_role("link", name="999").count() >= 1
    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", [{"width": 320, "height": 640}, MOBILE, DESKTOP])
def test_the_home_page_never_scrolls_sideways(
    browser_session: BrowserSession, demo_institution: Institution, viewport: dict[str, int]
) -> None:
    page, _ = browser_session.new_page(viewport=viewport)
    page.goto("/")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_text_resized_to_200_percent_still_fits_a_small_screen(
    browser_session: BrowserSession, demo_institution: Institution
) -> None:
    page, _ = browser_session.new_page(viewport={"width": 320, "height": 640})
    # The browser's own text-size setting (16 px -> 32 px), as a reader would change it.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    page.goto("/")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 32
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert page.locator("a.quick-exit").is_visible()


def test_keyboard_users_reach_the_skip_link_then_the_quick_exit(
    page: Page, demo_institution: Institution
) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to main content"
    assert skip.is_visible()
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.get_attribute("class") == "quick-exit"
    assert focused.inner_text() == "Quick exit"


def test_the_skip_link_moves_focus_to_the_main_content(
    page: Page, demo_institution: Institution
) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("viewport", [{"width": 320, "height": 640}, DESKTOP])
def test_the_quick_exit_stays_in_view_while_scrolling(
    browser_session: BrowserSession, demo_institution: Institution, viewport: dict[str, int]
) -> None:
    page, _ = browser_session.new_page(viewport=viewport)
    page.goto("/")
    page.mouse.wheel(0, 2000)
    page.wait_for_function("window.scrollY > 0")
    box = page.locator("a.quick-exit").bounding_box()
    assert box is not None
    assert 0 <= box["y"] < 120
    assert box["width"] >= 24
    assert box["height"] >= 24


def test_the_quick_exit_is_a_plain_link_without_javascript(
    browser_session: BrowserSession, demo_institution: Institution
) -> None:
    page, _ = browser_session.new_page(java_script_enabled=False)
    served = stub_exit_page(page)
    page.goto("/")
    link = page.locator("a.quick-exit")
    assert link.get_attribute("href") == "/exit/"
    assert link.get_attribute("data-exit-to") == demo_institution.quick_exit_url
    assert link.get_attribute("rel") == "noreferrer"
    # The Esc hint is for JavaScript only; without it the text must not promise it.
    assert not page.get_by_text("Press Esc twice").is_visible()
    link.click()
    page.wait_for_url(f"{EXIT_URL}**")
    assert served


def test_the_quick_exit_uses_the_institutions_chosen_page(
    browser_session: BrowserSession, demo_institution: Institution
) -> None:
    demo_institution.quick_exit_url = "https://www.bbc.co.uk/food"
    demo_institution.save()
    page, _ = browser_session.new_page()
    page.goto("/")
    exit_link = page.locator("a.quick-exit")
    assert exit_link.get_attribute("data-exit-to") == "https://www.bbc.co.uk/food"
    # Without JavaScript the same page is reached through /exit/, which redirects to it.
    assert page.request.get("/exit/", max_redirects=0).headers["location"] == (
        "https://www.bbc.co.uk/food"
    )


def test_pressing_escape_twice_leaves_and_replaces_the_page_in_history(
    desktop_page: Page, demo_institution: Institution, live_server: Any
) -> None:
    page = desktop_page  # the Esc hint is shown where a keyboard is likely
    served = stub_exit_page(page)
    page.goto("/")
    page.get_by_role("link", name="Find support").first.wait_for()
    length_before = page.evaluate("history.length")
    assert page.get_by_text("Press Esc twice").is_visible()

    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(f"{EXIT_URL}**")

    assert served
    assert page.evaluate("history.length") == length_before
    page.go_back()
    assert not page.url.startswith(live_server.url + "/")
    assert "Support if you are being stalked" not in page.content()


def test_one_press_of_escape_does_not_leave(page: Page, demo_institution: Institution) -> None:
    stub_exit_page(page)
    page.goto("/")
    page.keyboard.press("Escape")
    page.wait_for_timeout(1300)
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.locator("h1").inner_text() == "Support if you are being stalked or harassed"


def test_clicking_the_quick_exit_replaces_the_page_in_history(
    page: Page, demo_institution: Institution
) -> None:
    served = stub_exit_page(page)
    page.goto("/")
    length_before = page.evaluate("history.length")
    page.locator("a.quick-exit").click()
    page.wait_for_url(f"{EXIT_URL}**")
    assert served
    assert page.evaluate("history.length") == length_before


def test_the_get_help_panel_offers_numbers_to_call(
    page: Page, demo_institution: Institution
) -> None:
    page.goto("/")
    page.get_by_role("link", name="Get help now").first.click()
    panel = page.locator("#get-help")
    assert panel.is_visible()
    assert panel.get_by_role("link", name="999").get_attribute("href") == "tel:999"
    emergency = panel.get_by_role("link", name="Campus Security, emergency line")
    assert emergency.get_attribute("href") == "tel:01162522888"
    routine = panel.get_by_role("link", name="Campus Security, non-emergency line")
    assert routine.get_attribute("href") == "tel:01162522023"


@pytest.mark.parametrize("viewport", [MOBILE, DESKTOP], ids=["mobile", "desktop"])
def test_the_not_found_page_has_no_accessibility_violations(
    browser_session: BrowserSession, demo_institution: Institution, viewport: dict[str, int]
) -> None:
    page, _ = browser_session.new_page(viewport=viewport)
    response = page.goto("/no-such-page/")
    assert response is not None
    assert response.status == 404
    assert h1_count(page) == 1
    assert page.locator("a.quick-exit").is_visible()
    assert page.locator("#get-help").is_visible()
    assert_no_axe_violations(page)


def test_the_staff_sign_in_page_has_no_accessibility_violations(
    page: Page, demo_institution: Institution
) -> None:
    page.goto("/accounts/login/")
    assert h1_count(page) == 1
    assert page.get_by_label("Email").is_visible()
    assert page.get_by_label("Password").is_visible()
    assert_no_axe_violations(page)


def test_the_password_reset_page_has_no_accessibility_violations(
    page: Page, demo_institution: Institution
) -> None:
    page.goto("/accounts/password/reset/")
    assert h1_count(page) == 1
    assert_no_axe_violations(page)


@pytest.mark.urls("tests.error_urls")
def test_the_server_error_page_has_no_accessibility_violations(
    page: Page, demo_institution: Institution, caplog: pytest.LogCaptureFixture
) -> None:
    served = stub_exit_page(page)
    with caplog.at_level(logging.CRITICAL, logger="django.request"):
        response = page.goto("/test-failure/")
    assert response is not None
    assert response.status == 500
    assert h1_count(page) == 1
    assert page.locator("#get-help").is_visible()
    assert_no_axe_violations(page)
    # The quick exit works here too, with its script and without the institution.
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(f"{EXIT_URL}**")
    assert served


@pytest.mark.parametrize(
    ("path", "status"), [("/no/such/page/", 404), ("/report/submit/", 405)], ids=["404", "405"]
)
def test_the_not_found_and_wrong_method_pages_have_no_accessibility_violations(
    page: Page, demo_institution: Institution, path: str, status: int
) -> None:
    response = page.goto(path)
    assert response is not None and response.status == status
    assert h1_count(page) == 1
    assert page.locator("a.quick-exit").is_visible()
    assert_no_axe_violations(page)


def test_a_form_sent_in_another_charset_gets_an_accessible_error_page(
    page: Page, demo_institution: Institution
) -> None:
    page.goto("/report/")
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    # What the outside test sent: a form body declared as Latin-1, with a valid token.
    page.route(
        "**/report/",
        lambda route: (
            route.continue_(
                headers={
                    **route.request.headers,
                    "content-type": "application/x-www-form-urlencoded; charset=latin-1",
                }
            )
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    with page.expect_navigation():
        page.evaluate(
            """token => {
          const form = document.createElement("form");
          form.method = "post"; form.action = "/report/";
          const input = document.createElement("input");
          input.name = "csrfmiddlewaretoken"; input.value = token;
          form.append(input); document.body.append(form); form.submit();
        }""",
            token,
        )
    assert page.locator("h1").inner_text() == "Something went wrong"
    assert page.locator("a.quick-exit").is_visible()
    assert_no_axe_violations(page)
