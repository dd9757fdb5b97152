"""Helpers for the browser tests: finding Chromium, watched contexts, the axe check."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    Route,
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MOBILE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LAPTOP = {"width": 1366, "height": 768}  # the staff workspace's reference screen (issue 12)
# Screenshots the browser tests keep as artefacts (CI keeps the folder; git ignores it).
ARTEFACTS = Path(os.environ.get("WAYPOINT_TEST_ARTEFACTS", "test-results")) / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CSP_MARKER = "waypoint-csp-violation:"

# Runs before any page script (Playwright injects it outside the page's CSP) and reports
# every CSP violation to the console, where the fixture collects it.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("MARKER" + JSON.stringify({
    directive: e.effectiveDirective, blocked: e.blockedURI,
    source: e.sourceFile, line: e.lineNumber, sample: e.sample
  }));
}, true);
""".replace("MARKER", CSP_MARKER)


def chromium_path() -> str | None:
    configured = os.environ.get("WAYPOINT_CHROMIUM")
    candidates = (
        [configured]
        if configured
        else ["/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")]
    )
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def browser_required() -> bool:
    return bool(os.environ.get("WAYPOINT_REQUIRE_BROWSER"))


@dataclass
class Watch:
    """What a browser context did that a page of ours must never cause."""

    origin: str
    third_party_requests: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_loads: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        found = []
        if self.third_party_requests:
            found.append(f"requests to third-party hosts: {self.third_party_requests}")
        if self.csp_violations:
            found.append(f"CSP violations: {self.csp_violations}")
        if self.page_errors:
            found.append(f"uncaught script errors: {self.page_errors}")
        if self.failed_loads:
            found.append(f"failed loads of our own assets: {self.failed_loads}")
        return found

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "; ".join(problems) + f" (pages visited: {self.visited})"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class BrowserSession:
    """Opens watched contexts against the live server; closes them and checks them at the end."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.watches: list[Watch] = []
        self.contexts: list[BrowserContext] = []

    def new_context(self, **options: Any) -> tuple[BrowserContext, Watch]:
        """`also_allow=(origin, ...)`: origins besides the live server this context may
        navigate to. Only for a test's own stand-in for an outside service (the SSO
        tests' identity provider on 127.0.0.1); nothing else may be loaded from them."""
        also_allow = tuple(options.pop("also_allow", ()))
        options.setdefault("viewport", MOBILE)
        options.setdefault("locale", "en-GB")
        options.setdefault("timezone_id", "Europe/London")
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(10_000)
        watch = Watch(origin=_origin(self.base_url))
        self.contexts.append(context)
        self.watches.append(watch)

        def only_our_server(route: Route, request: Request) -> None:
            if _origin(request.url) == watch.origin or (
                _origin(request.url) in also_allow and request.resource_type == "document"
            ):
                route.continue_()
            else:
                watch.third_party_requests.append(request.url)
                route.abort("blockedbyclient")

        context.route("**/*", only_our_server)
        context.add_init_script(CSP_LISTENER)
        context.on("page", lambda page: self._watch_page(page, watch))
        return context, watch

    def new_page(self, **options: Any) -> tuple[Page, Watch]:
        context, watch = self.new_context(**options)
        return context.new_page(), watch

    def _watch_page(self, page: Page, watch: Watch) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.text.startswith(CSP_MARKER):
                watch.csp_violations.append(message.text[len(CSP_MARKER) :])

        def on_response(response: Response) -> None:
            request = response.request
            same_origin = _origin(response.url) == watch.origin
            if same_origin and request.resource_type != "document" and response.status >= 400:
                watch.failed_loads.append(f"{response.status} {response.url}")

        def on_frame_navigated(frame: Any) -> None:
            if frame == page.main_frame:
                watch.visited.append(frame.url)

        page.on("console", on_console)
        page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        page.on("response", on_response)
        page.on("framenavigated", on_frame_navigated)
        # Chromium also reports CSP violations through DevTools; this catches them on pages
        # where JavaScript is off and the listener above cannot run.
        cdp = page.context.new_cdp_session(page)
        cdp.on("Log.entryAdded", lambda event: self._on_log(event, watch))
        cdp.send("Log.enable")

    @staticmethod
    def _on_log(event: dict[str, Any], watch: Watch) -> None:
        entry = event.get("entry", {})
        text = str(entry.get("text", ""))
        if "Content Security Policy" in text and text not in watch.csp_violations:
            watch.csp_violations.append(text)

    def close(self) -> list[str]:
        for context in self.contexts:
            context.close()
        return [problem for watch in self.watches for problem in watch.problems()]


_axe = Axe()


def save_screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Keep a screenshot of `page` as a test artefact (test-results/screenshots/<name>.png)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def _wait_for_scrolling_to_stop(page: Page) -> None:
    # The site scrolls smoothly (unless reduced motion is asked for): after a jump link,
    # axe must see where the page comes to rest, not a frame of the way there, when the
    # header is half under the sticky quick-exit bar.
    last = None
    for _ in range(40):
        now = page.evaluate("[window.scrollX, window.scrollY]")
        if now == last:
            return
        last = now
        page.wait_for_timeout(50)


def assert_no_axe_violations(page: Page) -> None:
    """Run axe-core (shipped with axe-playwright-python) for WCAG 2.0/2.1/2.2 A and AA."""
    _wait_for_scrolling_to_stop(page)
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    violations = results.response["violations"]
    if not violations:
        return
    lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
            summary = node.get("failureSummary")
            if summary:
                lines.append("      " + summary.replace("\n", "\n      "))
    report = "\n".join(lines)
    print(report)
    pytest.fail(report, pytrace=False)
