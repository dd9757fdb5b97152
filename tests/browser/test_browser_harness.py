"""The watchers in conftest.py really catch what they promise to catch.

Each test serves a deliberately bad page at the live server's own address (answered by
Playwright, with the CSP header copied from a real response of ours), checks that the watcher
saw the problem, then clears it so the test itself passes.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route

from tests.browser.support import BrowserSession, Watch

pytestmark = pytest.mark.browser

PROBE = "/harness-probe/"


def serve_probe(page: Page, body: str, *, with_csp: bool = True) -> None:
    """Serve `body` at PROBE, under our real Content-Security-Policy unless told not to."""
    response = page.goto("/")
    assert response is not None
    headers = {"Content-Type": "text/html"}
    if with_csp:
        headers["Content-Security-Policy"] = response.headers["content-security-policy"]

    def fulfil(route: Route) -> None:
        route.fulfill(
            status=200,
            headers=headers,
            body=f"<!DOCTYPE html><html lang='en-GB'><title>probe</title>{body}</html>",
        )

    page.route(f"**{PROBE}", fulfil)
    page.goto(PROBE)
    page.wait_for_load_state("load")


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_it_catches_a_csp_violation(browser_session: BrowserSession, javascript: bool) -> None:
    page, watch = browser_session.new_page(java_script_enabled=javascript)
    serve_probe(page, "<style>p{color:red}</style><p>inline style</p>")
    page.wait_for_timeout(200)
    assert watch.csp_violations, "an inline <style> without the nonce must be reported"
    watch.csp_violations.clear()


def test_it_catches_an_inline_script(browser_session: BrowserSession) -> None:
    page, watch = browser_session.new_page()
    serve_probe(page, "<script>document.title = 'ran'</script>")
    page.wait_for_timeout(200)
    assert page.title() == "probe"
    assert watch.csp_violations
    watch.csp_violations.clear()


def test_it_blocks_and_reports_a_request_to_another_host(
    browser_session: BrowserSession,
) -> None:
    page, watch = browser_session.new_page()
    # Without our CSP, which would refuse the image before any request is made.
    serve_probe(page, "<img src='https://tracker.example/pixel.png' alt=''>", with_csp=False)
    page.wait_for_timeout(200)
    assert watch.third_party_requests == ["https://tracker.example/pixel.png"]
    clear(watch)


def test_it_reports_a_missing_asset_of_ours(browser_session: BrowserSession) -> None:
    page, watch = browser_session.new_page()
    serve_probe(page, "<link rel='stylesheet' href='/static/css/not-there.css'>")
    page.wait_for_timeout(200)
    assert any("not-there.css" in failure for failure in watch.failed_loads)
    clear(watch)


def test_a_clean_page_leaves_nothing_to_report(page_and_watch: tuple[Page, Watch]) -> None:
    page, watch = page_and_watch
    page.goto("/")
    page.wait_for_load_state("load")
    assert watch.problems() == []
    assert watch.visited


def clear(watch: Watch) -> None:
    watch.third_party_requests.clear()
    watch.csp_violations.clear()
    watch.failed_loads.clear()
    watch.page_errors.clear()
