"""The 413 ("too big") and 429 ("too many tries") pages in a real Chromium: accessible on a
phone and on a 1366x768 laptop, with the quick exit, and kept as screenshots.

The pages are answers, not routes: tests.error_urls serves them at test-only addresses
through the same views Django and allauth call. The fixtures fail a test on any CSP
violation, script error or request to another host.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page

from tests.browser.support import (
    LAPTOP,
    MOBILE,
    BrowserSession,
    assert_no_axe_violations,
    save_screenshot,
)
from waypoint.institution.models import Institution

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.error_urls")]

PAGES = {
    "413": ("/test-too-large/", 413, "What you sent was too big"),
    "429": ("/test-too-many/", 429, "Please wait a few minutes"),
}
VIEWPORTS = {"phone": MOBILE, "laptop": LAPTOP}


def assert_page_fits_sideways(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
@pytest.mark.parametrize("which", PAGES.keys())
def test_a_visitor_sees_an_accessible_error_page_with_a_way_out(
    browser_session: BrowserSession,
    demo_institution: Institution,
    which: str,
    viewport: dict[str, int],
) -> None:
    path, status, heading = PAGES[which]
    page, _ = browser_session.new_page(viewport=viewport)

    response = page.goto(path)

    assert response is not None and response.status == status
    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text() == heading
    assert page.locator("a.quick-exit").is_visible()
    assert page.get_by_role("link", name="Go to the home page").is_visible()
    assert_page_fits_sideways(page)
    assert_no_axe_violations(page)
    name = "phone" if viewport == MOBILE else "laptop"
    save_screenshot(page, f"error-{which}-{name}", full_page=True)


def test_the_too_big_page_names_the_limits_before_the_institution_is_set_up(
    page: Page, transactional_db: None
) -> None:
    response = page.goto("/test-too-large/")
    assert response is not None and response.status == 413
    file_mb = settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES // 2**20
    assert page.get_by_text(f"each file can be up to {file_mb} MB").is_visible()
    assert page.get_by_role("link", name="999").count() >= 1
    assert_no_axe_violations(page)
