"""Helpers for the staff browser tests (casework and safety): signing in, the data the
pages need, and a walk that checks every page and state it reaches.

`StaffWalk` is reporting_support.Walk for the staff area: `walk.check(state)` asserts one
h1, no link to a missing anchor, no sideways scrolling and no axe violations; with
JavaScript off, axe runs on a copy of the page served to a context whose scripts are
empty files (see reporting_support). Staff pages have no quick exit, so none is looked
for; `reporter=True` adds the quick-exit checks of the public pages.

The live server empties every table after a test, data migrations included, so
`staff_data()` loads what the migrations would have: the report option lists, the reply
templates, the shipped risk checklists, the demo institution's departments and the demo
support directory.
"""

from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps as django_apps
from django.core.cache import cache
from playwright.sync_api import Page

from tests.browser.reporting_support import (
    DEAD_ANCHORS,
    NO_SIDEWAYS_SCROLL,
    QUICK_EXIT,
    Walk,
)
from tests.browser.support import (
    DESKTOP,
    BrowserSession,
    assert_no_axe_violations,
    save_screenshot,
)
from waypoint.accounts.models import User
from waypoint.accounts.tests.factories import PERSONA_PASSWORD
from waypoint.accounts.tests.support import totp_code
from waypoint.casework.models import ReplyTemplate
from waypoint.hub.demo import support_directory_load_demo
from waypoint.institution.models import Institution
from waypoint.reporting.default_options import load_default_options
from waypoint.reporting.models import ReportOption
from waypoint.reporting.tests.flow import Made, answers_for, make_report, reporter_client
from waypoint.safety.services.risk import (
    instrument_file_read,
    instrument_load,
    shipped_instrument_files,
)

NOT_FOUND = "We cannot find that page"
# What sticks out past the right edge of the window without a scrolling box of its own to
# hold it: the cause when a page scrolls sideways. (An absolutely positioned element, such as
# visually hidden text, escapes a scrolling box that is not its containing block.)
TOO_WIDE = """(() => {
  const held = el => {
    for (let box = el.parentElement; box; box = box.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(box).overflowX)) {
        return getComputedStyle(el).position !== 'absolute'
          || getComputedStyle(box).position !== 'static';
      }
    }
    return false;
  };
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 && !held(el))
    .slice(-5)
    .map(el => el.outerHTML.slice(0, 160));
})()"""


# --- Data ---------------------------------------------------------------------------------------


def staff_data() -> None:
    """What the data migrations load, loaded again (each loader skips what exists)."""
    load_default_options(ReportOption)
    templates = importlib.import_module("waypoint.casework.migrations.0005_default_reply_templates")
    for position, title, body in templates.TEMPLATES:
        ReplyTemplate.objects.get_or_create(
            title=title, defaults={"body": body, "position": position}
        )
    # ...then rewritten with the placeholders Waypoint fills in (migration 0007).
    filled = importlib.import_module(
        "waypoint.casework.migrations.0007_reply_template_placeholders"
    )
    filled.use_filled_placeholders(django_apps, None)
    for path in shipped_instrument_files():
        instrument_load(document=instrument_file_read(path), source="test")
    support_directory_load_demo()


def report_naming(marker: str, *, route: str = "support", **who: str) -> Made:
    """A report made through the real report views; `who` replaces answers of the "who"
    step (the default answers name a person with an email, a phone and a handle)."""
    answers = answers_for(route, marker)
    answers["who"] = {**answers["who"], **who}
    return make_report(reporter_client(), route, marker=marker, answers=answers)


# --- Signing in ---------------------------------------------------------------------------------


def sign_in(page: Page, user: User) -> None:
    """Password, then the authenticator code, on the real allauth pages.

    allauth refuses a code used once already; a test that signs the same persona in twice
    within 30 seconds clears the current code's "used" marker first (as login_as does).
    """
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PERSONA_PASSWORD)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Sign In").click()
    code = totp_code(user)
    cache.delete(TOTP(Authenticator(user_id=user.pk))._get_used_cache_key(code))
    page.get_by_label("Code").fill(code)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Sign In").click()
    assert page.url.endswith("/staff/"), page.url


# --- The walk -----------------------------------------------------------------------------------


@dataclass
class StaffWalk(Walk):
    """A watched page in the staff area (or, with `reporter`, on the public side)."""

    reporter: bool = False

    def check(self, state: str) -> None:
        page = self.page
        assert page.locator("h1").count() == 1, f"{state}: not one h1 at {page.url}"
        if self.reporter:
            exit_link = page.locator(QUICK_EXIT)
            assert exit_link.count() == 1 and exit_link.is_visible(), f"no quick exit: {state}"
        else:
            assert page.locator(QUICK_EXIT).count() == 0, f"a quick exit on a staff page: {state}"
        assert page.evaluate(NO_SIDEWAYS_SCROLL), (
            f"{state} scrolls sideways at {page.url}: {page.evaluate(TOO_WIDE)}"
        )
        assert page.evaluate(DEAD_ANCHORS) == [], f"links to nothing on {state}"
        if self.javascript:
            assert_no_axe_violations(page)
        else:
            self._axe_without_javascript()
        self.checked.append(state)
        if os.environ.get("WAYPOINT_SCREENSHOT_STATES"):
            # For looking at every state by eye (test-results/screenshots), not for asserting.
            width = (page.viewport_size or {"width": 0})["width"]
            name = re.sub(r"[^a-z0-9]+", "-", f"{state} {width} js {self.javascript}".lower())
            save_screenshot(page, name.strip("-"), full_page=True)

    # --- Moving around, with names that need not be exact ------------------------------------

    def press_named(self, button: str) -> None:
        """Press the first button in the main content whose accessible name contains
        `button` (many buttons name what they act on in visually hidden words)."""
        with self.page.expect_navigation():
            self.page.locator("main").get_by_role("button", name=button).first.click()

    def status_of(self, path: str) -> int:
        """The status of a GET of `path` in this context (the page is left as it is)."""
        response = self.page.request.get(path, max_redirects=0)
        return response.status

    def text(self) -> str:
        return self.page.locator("main").inner_text()


def staff_walk(
    session: BrowserSession,
    *,
    javascript: bool = True,
    viewport: dict[str, int] | None = None,
    reporter: bool = False,
    **options: Any,
) -> StaffWalk:
    page, _ = session.new_page(
        java_script_enabled=javascript, viewport=viewport or DESKTOP, **options
    )
    return StaffWalk(session, page, javascript, quick_exit_url="", reporter=reporter)


def reporter_signs_in(walk: StaffWalk, made: Made) -> None:
    walk.goto("/my-report/")
    main = walk.page.locator("main")
    main.get_by_label("Report reference", exact=True).fill(made.reference)
    main.get_by_label("Passphrase", exact=True).fill(made.passphrase)
    walk.press("Sign in")
    assert walk.h1() == "Your report", walk.h1()


def institution_ready(institution: Institution) -> Institution:
    staff_data()
    return institution
