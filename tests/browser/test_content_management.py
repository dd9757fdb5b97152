"""Content management in a real Chromium: one administrator edits a support service and
submits it, a second approves it, and the public page changes. Every content page visited
is checked with axe; the fixtures fail the test on any CSP violation or request elsewhere."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.support import DESKTOP, BrowserSession, assert_no_axe_violations
from waypoint.accounts.models import User
from waypoint.accounts.tests.factories import PERSONA_PASSWORD
from waypoint.hub.demo import support_directory_load_demo
from waypoint.hub.models import ContentRevision, SupportService
from waypoint.hub.tests.content_support import second_administrator_create
from waypoint.institution.models import Institution

pytestmark = pytest.mark.browser

TotpCode = Callable[[User], str]
NEW_SUMMARY = "Campus security at any hour: call, or use the Safezone app."


def submit(page: Page, button: str) -> None:
    """Press a button in the page's main area and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=button).click()


def follow(page: Page, link: str) -> None:
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=link).click()


def sign_in(page: Page, user: User, totp_code: TotpCode) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PERSONA_PASSWORD)
    submit(page, "Sign In")
    page.get_by_label("Code").fill(totp_code(user))
    submit(page, "Sign In")
    assert page.url.endswith("/staff/"), page.url


def checked(page: Page) -> None:
    """One h1, and no axe violations."""
    assert page.locator("h1").count() == 1, page.url
    assert_no_axe_violations(page)


def test_an_edit_goes_live_only_after_a_second_administrator_approves_it(
    browser_session: BrowserSession,
    demo_institution: Institution,
    administrator: User,
    totp_code: TotpCode,
) -> None:
    support_directory_load_demo()
    reviewer = second_administrator_create()
    service = SupportService.objects.get(slug="security-team")
    old_summary = service.summary

    # Administrator A, on a phone: finds the service, edits its summary, saves a draft.
    author, _ = browser_session.new_page()
    sign_in(author, administrator, totp_code)
    author.goto("/staff/content/")
    checked(author)
    follow(author, "Edit Security Team")
    checked(author)
    author.get_by_label("Summary:").first.fill(NEW_SUMMARY)
    author.get_by_label("What changed and why").fill("Mention the Safezone app")
    submit(author, "Save draft")
    assert "/staff/content/revisions/" in author.url
    checked(author)
    assert author.get_by_text("Draft saved").is_visible()

    # The preview shows the public page with the new summary, clearly marked.
    follow(author, "Preview this version")
    checked(author)
    assert author.get_by_role("note", name="Preview").is_visible()
    assert author.get_by_text(NEW_SUMMARY).is_visible()
    follow(author, "Back to this version")
    submit(author, "Submit for approval")
    checked(author)
    revision = ContentRevision.objects.get()
    assert revision.status == ContentRevision.Status.SUBMITTED

    # Nothing public has changed yet.
    public, _ = browser_session.new_page()
    public.goto("/support/security-team/")
    assert public.get_by_text(old_summary).is_visible()
    assert public.get_by_text(NEW_SUMMARY).count() == 0

    # Administrator B, on a desktop: the review queue, the differences, approval.
    approver, _ = browser_session.new_page(viewport=DESKTOP)
    sign_in(approver, reviewer, totp_code)
    approver.goto("/staff/content/review/")
    checked(approver)
    follow(approver, "Review Security Team")
    checked(approver)
    changes = approver.get_by_role("region", name="Summary")
    assert changes.get_by_text(old_summary).is_visible()
    assert changes.get_by_text(NEW_SUMMARY).is_visible()
    approver.get_by_label("Note (optional)").fill("Checked against the Security Team page")
    submit(approver, "Approve and publish")
    checked(approver)
    assert approver.get_by_text("Approved. The change is live now.").is_visible()

    service.refresh_from_db()
    assert service.summary == NEW_SUMMARY
    public.goto("/support/security-team/")
    assert public.get_by_text(NEW_SUMMARY).is_visible()

    # The history shows both people; it can be read and navigated by keyboard.
    follow(approver, "History of this item")
    checked(approver)
    row = approver.get_by_role("row").filter(has_text="Live now")
    assert row.get_by_text("Administrator").first.is_visible()
    assert row.get_by_text("Second Administrator").is_visible()


def test_a_new_service_with_a_phone_number_can_be_drafted_without_javascript(
    browser_session: BrowserSession,
    demo_institution: Institution,
    administrator: User,
    totp_code: TotpCode,
) -> None:
    support_directory_load_demo()
    page, _ = browser_session.new_page(java_script_enabled=False)
    sign_in(page, administrator, totp_code)
    page.goto("/staff/content/")
    follow(page, "New support service")
    # axe needs scripts to run: these pages are checked with it in the JavaScript context below.
    assert page.locator("h1").inner_text() == "New support service"
    page.get_by_label("Name:").fill("Night Line")
    page.get_by_label("Slug:").fill("night-line")
    page.get_by_label("Outside the university").check()
    page.get_by_label("Summary:").first.fill("A listening service run by students, at night.")
    page.get_by_label("Type of number").first.select_option("helpline")
    page.get_by_label("Number:", exact=True).first.fill("0116 000 0000")
    submit(page, "Save draft")
    assert page.get_by_text("Draft saved").is_visible()
    revision = ContentRevision.objects.get()
    assert revision.object_id is None
    assert revision.data["phones"] == [{"kind": "helpline", "number": "0116 000 0000", "note": ""}]
    assert not SupportService.objects.filter(slug="night-line").exists()

    # The same pages, with scripts on, pass axe: the empty form, its errors, the new draft.
    checker, _ = browser_session.new_page()
    sign_in(checker, second_administrator_create(), totp_code)  # a code is used only once
    checker.goto("/staff/content/services/new/")
    checked(checker)
    submit(checker, "Save draft")
    assert checker.get_by_role("alert").is_visible()  # the problems, announced
    checked(checker)
    checker.goto(page.url)
    checked(checker)
