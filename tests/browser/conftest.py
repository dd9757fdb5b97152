"""Real-browser tests: the system Chromium driven by Playwright (sync API).

Every test gets a fresh browser context that
- can only reach the live test server: any other request is aborted and recorded, and the
  test fails (a page of ours must never load anything from a third-party host);
- records Content Security Policy violations, uncaught script errors and failed
  same-origin subresource loads, and fails the test on any of them.

Chromium is found at $WAYPOINT_CHROMIUM or /usr/bin/chromium. Without it every browser test
is skipped with the reason printed, unless WAYPOINT_REQUIRE_BROWSER is set: then they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.browser.support import (
    CHROMIUM_ARGS,
    DESKTOP,
    BrowserSession,
    Watch,
    browser_required,
    chromium_path,
)
from waypoint.institution.demo import institution_load_demo
from waypoint.institution.models import Institution

# The sync Playwright API runs an event loop in this thread; the Django ORM calls the tests
# make (fixtures, assertions on the database) are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BROWSER_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
    if chromium_path() or browser_required():
        return
    reason = (
        "no Chromium found (looked at $WAYPOINT_CHROMIUM and /usr/bin/chromium); "
        "install it or set WAYPOINT_CHROMIUM. Set WAYPOINT_REQUIRE_BROWSER=1 to fail instead."
    )
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        pytest.fail(
            "WAYPOINT_REQUIRE_BROWSER is set but no Chromium was found at "
            f"{os.environ.get('WAYPOINT_CHROMIUM') or '/usr/bin/chromium'}.",
            pytrace=False,
        )
    browser = playwright_instance.chromium.launch(
        executable_path=path, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def browser_session(browser: Browser, live_server: Any) -> Iterator[BrowserSession]:
    """Fresh, watched contexts for one test; fails the test if any of them misbehaved."""
    session = BrowserSession(browser, live_server.url)
    yield session
    problems = session.close()
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)


@pytest.fixture
def page_and_watch(browser_session: BrowserSession) -> tuple[Page, Watch]:
    return browser_session.new_page()


@pytest.fixture
def page(page_and_watch: tuple[Page, Watch]) -> Page:
    """A phone-sized page (390x844) against the live server, watched as described above."""
    return page_and_watch[0]


@pytest.fixture
def desktop_page(browser_session: BrowserSession) -> Page:
    return browser_session.new_page(viewport=DESKTOP)[0]


@pytest.fixture
def demo_institution(transactional_db: None) -> Institution:
    """The demo institution (University of Leicester, Standing Together)."""
    return institution_load_demo()
