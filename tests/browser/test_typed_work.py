"""Never lose typed work (issue 12, item 11) in a real Chromium.

- Ada, an adviser, types a note on a case; her session ends (the session cookie is gone,
  as after a time-out); she signs in again and the note is back in its box. Sending it
  removes the sealed draft; a draft she discards is gone too. With JavaScript the text is
  kept as she types; without it, with "Save draft".
- With JavaScript, the warning two minutes before the session ends is a dialog with
  "Stay signed in", which keeps the session; axe finds nothing with the dialog open.

Every page and state reached is checked (staff_support.StaffWalk.check): one h1, no dead
anchors, no sideways scrolling, no axe violations.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Locator

from tests.browser.staff_support import StaffWalk, institution_ready, sign_in, staff_walk
from tests.browser.support import LAPTOP, MOBILE, BrowserSession, save_screenshot
from waypoint.accounts import sessions
from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment, EntryKind, TimelineEntry, WorkDraft
from waypoint.institution.models import Institution
from waypoint.reporting.tests.flow import make_report, reporter_client

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])

TYPED = "Called the reporter's tutor: the seminar group can change from next week."


@pytest.fixture
def institution(demo_institution: Institution) -> Institution:
    return institution_ready(demo_institution)


@pytest.fixture
def ada_s_case(institution: Institution, adviser: User) -> Case:
    case = make_report(reporter_client(), "support", marker="TYPED").report.case
    CaseAssignment.objects.create(case=case, user=adviser)
    return case


def _timeline(case: Case) -> str:
    return f"/staff/cases/{case.pk}/timeline/"


def _note_box(walk: StaffWalk) -> Locator:
    return walk.page.locator("#add-note textarea[name='note-text']")


def _keep_the_draft(walk: StaffWalk) -> None:
    page = walk.page
    box = page.locator("#add-note")
    if walk.javascript:
        # Kept a few seconds after typing stops, without pressing anything.
        box.locator("[data-draft-status]").get_by_text("Draft saved at").wait_for()
    else:
        walk.press_named("Save draft")
        assert "Your draft is saved" in walk.text()


def _session_ends(walk: StaffWalk) -> None:
    # As after the idle time-out: the browser no longer has a session.
    walk.page.context.clear_cookies()
    walk.goto("/staff/")
    assert "/accounts/login/" in walk.page.url


@JS
def test_a_note_typed_before_the_session_ends_is_back_after_signing_in_again(
    browser_session: BrowserSession, ada_s_case: Case, adviser: User, javascript: bool
) -> None:
    case = ada_s_case
    walk = staff_walk(
        browser_session, javascript=javascript, viewport=LAPTOP if javascript else MOBILE
    )
    sign_in(walk.page, adviser)
    walk.goto(_timeline(case))
    assert "You will be signed out after 15 minutes without activity" in walk.text()

    _note_box(walk).fill(TYPED)
    _keep_the_draft(walk)
    draft = WorkDraft.objects.get(user=adviser, case=case, kind="note")
    walk.check("timeline with a kept draft")

    _session_ends(walk)
    sign_in(walk.page, adviser)
    walk.goto(_timeline(case))

    assert _note_box(walk).input_value() == TYPED
    assert "This is the text you had not sent yet" in walk.text()
    walk.page.locator("#add-note").scroll_into_view_if_needed()
    save_screenshot(walk.page, f"typed-work-restored-{'js' if javascript else 'no-js'}")
    walk.check("timeline with the draft restored")
    # Nothing of the draft is on the timeline, and it is sealed where it is kept.
    assert not TimelineEntry.objects.filter(case=case, kind=EntryKind.NOTE).exists()
    stored = WorkDraft.objects.filter(pk=draft.pk).values_list("text", flat=True).get()
    assert stored is not None
    assert b"seminar" not in bytes(stored)

    walk.press_named("Save the note")
    assert TimelineEntry.objects.filter(case=case, kind=EntryKind.NOTE).count() == 1
    assert not WorkDraft.objects.filter(user=adviser, case=case).exists()
    assert _note_box(walk).input_value() == ""
    walk.check("timeline after the note was saved")


@JS
def test_a_discarded_draft_is_gone_for_good(
    browser_session: BrowserSession, ada_s_case: Case, adviser: User, javascript: bool
) -> None:
    case = ada_s_case
    walk = staff_walk(browser_session, javascript=javascript, viewport=LAPTOP)
    sign_in(walk.page, adviser)
    walk.goto(_timeline(case))
    _note_box(walk).fill("Not worth keeping after all")
    _keep_the_draft(walk)

    walk.press_named("Discard draft")

    assert "Your draft was discarded" in walk.text()
    assert not WorkDraft.objects.filter(user=adviser, case=case).exists()
    assert _note_box(walk).input_value() == ""
    walk.check("timeline after discarding the draft")


def _session_key(walk: StaffWalk) -> str:
    name = settings.SESSION_COOKIE_NAME
    return next(c["value"] for c in walk.page.context.cookies() if c["name"] == name)


def test_the_warning_before_the_session_ends_keeps_it_only_when_asked(
    browser_session: BrowserSession, ada_s_case: Case, adviser: User
) -> None:
    case = ada_s_case
    walk = staff_walk(browser_session, javascript=True, viewport=LAPTOP)
    sign_in(walk.page, adviser)
    # The browser's clock is the test's: thirteen idle minutes pass in an instant.
    walk.page.clock.install()
    walk.goto(_timeline(case))
    dialog = walk.page.locator("dialog[data-session-warning]")
    assert not dialog.is_visible()
    idle_minutes = settings.WAYPOINT_STAFF_IDLE_SECONDS // 60

    walk.page.clock.fast_forward((idle_minutes - 2) * 60_000 + 5_000)

    dialog.wait_for(state="visible")
    assert dialog.get_by_role("heading").inner_text() == "You will be signed out soon"
    stay = dialog.get_by_role("button", name="Stay signed in")
    assert stay.evaluate("button => button === document.activeElement")
    save_screenshot(walk.page, "typed-work-session-warning")
    walk.check("the warning before the session ends")
    before = SessionStore(session_key=_session_key(walk)).get(sessions.SEEN_AT)

    stay.click()

    dialog.wait_for(state="hidden")
    after = SessionStore(session_key=_session_key(walk))[sessions.SEEN_AT]
    assert after >= before
    assert sessions.now_seconds() - after < 10
    # Left alone again, the warning comes back, and then says the session has ended.
    walk.page.clock.fast_forward(idle_minutes * 60_000)
    ended = dialog.get_by_role("heading", name="You have been signed out")
    ended.wait_for(state="visible")
    assert dialog.get_by_role("link", name="Sign in again").is_visible()
    walk.check("the notice that the session has ended")
