"""The report flow (/report/) and the return page (/my-report/) in a real Chromium.

Each route is walked once with JavaScript on and once in a context with JavaScript off,
from the start page to the thank-you page, and every page and state on the way is checked
as it is reached (reporting_support.Walk.check): one h1, the quick exit, no link to a
missing anchor, no sideways scrolling, and no axe violations. The walks run on the phone
viewport, except the support route with JavaScript, which runs on the desktop one. The
return test signs in with a receipt, reads an adviser's reply (sent through the real
service), answers it and uses every page of /my-report/; the keyboard test answers the
start page and the danger question with keys alone.

The fixtures in conftest.py also fail any of these tests if a page breaks its CSP, throws
a script error, fails to load one of our assets, or asks for anything from another host.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pytest_django.fixtures import Settings

from tests.browser.reporting_support import (
    ANSWERS,
    DANGER_QUESTION,
    ROUTE_LABELS,
    SAVE,
    Walk,
    choose,
    evidence_file,
    fill,
    tab_to,
    tick,
)
from tests.browser.support import DESKTOP, MOBILE, BrowserSession
from waypoint.accounts.models import User
from waypoint.casework.models import Message
from waypoint.casework.services import message_send_from_staff
from waypoint.institution.models import Institution
from waypoint.reporting.default_options import load_default_options
from waypoint.reporting.models import Report, ReportAddition, ReportOption
from waypoint.reporting.steps import steps_for
from waypoint.reporting.tests import sample_files
from waypoint.reporting.tests.flow import make_report, reporter_client

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


@pytest.fixture
def reporting_demo(
    demo_institution: Institution,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Institution:
    """The demo institution, the default option lists, and uploads kept under tmp_path.

    The live server empties every table after a test, data migrations included, so the
    option lists are loaded here rather than trusted to be there.
    """
    load_default_options(ReportOption)
    spool = tmp_path / "uploads-tmp"
    spool.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    media = tmp_path / "media"
    media.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    return demo_institution


def new_walk(
    session: BrowserSession, institution: Institution, *, javascript: bool, viewport: dict[str, int]
) -> Walk:
    page, _ = session.new_page(
        java_script_enabled=javascript,
        viewport=viewport,
        permissions=["clipboard-read", "clipboard-write"] if javascript else [],
    )
    return Walk(session, page, javascript, institution.quick_exit_url)


# --- The walk, a part at a time ----------------------------------------------------------------


def start(walk: Walk, route: str, *, with_error: bool) -> None:
    page = walk.page
    walk.goto("/report/")
    assert walk.h1() == "Tell us what happened"
    walk.check("start page")
    if with_error:
        walk.press("Start")
        assert page.locator("#error-summary").is_visible()
        assert page.title().startswith("Please check your answers")
        walk.check("start page with an error")
    # The route's label carries its description, so it is found by its first words.
    page.locator("main").get_by_label(ROUTE_LABELS[route]).check()
    tick(page, "A student")
    walk.press("Start")


def answer_danger(walk: Walk, *, in_danger: bool) -> None:
    page = walk.page
    panel = page.locator("#emergency-help")
    assert walk.h1() == "Your safety"
    walk.check("danger step")
    if not in_danger:
        choose(page, DANGER_QUESTION, "No")
        assert panel.count() == 0
        walk.press(SAVE)
        return
    before = page.url
    choose(page, DANGER_QUESTION, "Yes")
    if walk.javascript:
        # The numbers show as soon as "Yes" is chosen, before anything is sent.
        assert panel.is_visible()
        assert page.url == before
        # It appears inside a live region that was already there, so it is announced.
        assert page.locator("[aria-live=polite] > #emergency-help").count() == 1
        assert panel.get_by_role("link", name="999").get_attribute("href") == "tel:999"
        walk.check("danger step with Yes chosen, before sending")
        choose(page, DANGER_QUESTION, "No")
        assert panel.count() == 0
        choose(page, DANGER_QUESTION, "Yes")
        assert panel.is_visible()
    else:
        assert panel.count() == 0
    walk.press(SAVE)
    # Sent: the same question again, with the numbers first and a way to carry on.
    assert "shown=help" in page.url
    assert walk.h1() == "Your safety"
    assert panel.is_visible()
    assert panel.get_by_role("link", name="999").get_attribute("href") == "tel:999"
    walk.check("danger step after answering yes")
    walk.follow("Carry on with my report")


def answer_the_steps(walk: Walk, route: str) -> None:
    """Every question step after the danger one, in the route's order."""
    page = walk.page
    ordered = steps_for(route)
    expected = [step.title for step in ordered if step.form_class is not None][1:]
    seen: list[str] = []
    while walk.h1() != "Evidence (optional)":
        title = walk.h1()
        seen.append(title)
        number = len(seen) + 1
        progress = page.locator(".progress__text").inner_text()
        assert progress == f"Step {number} of {len(ordered)}"
        walk.check(f"{title} step")
        if title == "How we can reach you safely":
            walk.press(SAVE)  # nothing filled in: an adviser needs a way to reach them
            summary = page.locator("#error-summary")
            assert summary.is_visible()
            assert "Give an email address or a phone number" in summary.inner_text()
            assert page.title().startswith("Please check your answers")
            walk.check("contact step with nothing filled in")
        ANSWERS[title](page, route)
        walk.press(SAVE)
        assert len(seen) <= len(expected), f"unexpected step after {seen}"
    assert seen == expected


def add_evidence(walk: Walk, route: str) -> str:
    page = walk.page
    assert walk.h1() == "Evidence (optional)"
    walk.check("evidence page, empty")
    upload = evidence_file(route)
    page.locator("main").get_by_label("Choose files", exact=True).set_input_files(upload)
    walk.press("Upload")
    assert walk.h1() == "Evidence (optional)"
    assert page.locator(".evidence__name").get_by_text(upload["name"]).is_visible()
    choice = page.locator(".evidence__choice")
    if route == "support":
        assert choice.count() == 1, "a phone photo with GPS details should offer the choice"
    if choice.count():
        assert "location" in choice.inner_text()
        walk.check("evidence page with the metadata choice")
        choose(page, "This file carries hidden details:", "Remove them")
        # Each file's buttons name the file, so that several files can be told apart.
        assert (
            page.locator("main")
            .get_by_role("button", name=f"Remove this file ({upload['name']})", exact=True)
            .is_visible()
        )
        walk.press(f"Save my choice for this file ({upload['name']})")
        assert page.get_by_text("Its hidden details were removed.").is_visible()
    walk.check("evidence page with a file")
    walk.follow("Continue")
    return upload["name"]


def review_change_and_send(walk: Walk, route: str, file_name: str) -> None:
    page = walk.page
    main = page.locator("main")
    assert walk.h1() == "Check your answers"
    assert main.get_by_text("Following me or turning up where I am").is_visible()
    assert main.get_by_text(f"Messages every night ({route}).").is_visible()
    assert main.get_by_text(file_name).is_visible()
    walk.check("review")

    walk.follow("Change what happened")
    assert walk.h1() == "What happened"
    assert page.locator("main").get_by_role("button", name="Save and go back to the summary")
    fill(page, "In your own words, what has been happening?", f"Calls every night ({route}).")
    walk.check("a step opened from the review")
    walk.press("Save and go back to the summary")
    assert walk.h1() == "Check your answers"
    assert main.get_by_text(f"Calls every night ({route}).").is_visible()
    assert main.get_by_text(f"Messages every night ({route}).").count() == 0

    walk.press("Send my report")


def save_and_check_the_receipt(walk: Walk) -> tuple[str, list[str]]:
    page = walk.page
    assert walk.h1() == "Your report has been sent"
    reference = page.locator("#receipt-reference").inner_text()
    words = page.locator(".receipt__words li").all_inner_texts()
    assert re.fullmatch(r"WP-[A-Z0-9]{6,}", reference), reference
    assert len(words) == 8
    assert page.locator("#receipt-passphrase").inner_text() == " ".join(words)
    # Copy and print need scripts: they are offered only when they work.
    assert page.get_by_role("button", name="Copy both").is_visible() is walk.javascript
    assert page.get_by_role("link", name="Download as a text file").is_visible()
    if walk.javascript:
        page.get_by_role("button", name="Copy both").click()
        status = page.locator("#copy-status")
        assert status.get_attribute("role") == "status"
        # A Python-side wait: wait_for_function evaluates a string, which our CSP forbids.
        expect(status).not_to_have_text("")
        assert status.inner_text().startswith("Copied."), status.inner_text()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == f"Reference: {reference}\nPassphrase: {' '.join(words)}"
    walk.check("receipt")
    walk.follow("I have saved it: continue")

    assert walk.h1() == "Check that you saved your passphrase"
    walk.check("receipt check")
    labels = [page.locator(f"label[for=id_{name}]").inner_text() for name in ("first", "second")]
    positions = [int(label.removeprefix("Word ")) for label in labels]
    fill(page, labels[0], "wrong")
    fill(page, labels[1], "words")
    walk.press("Check")
    assert page.get_by_role("alert").get_by_text("Those words do not match").is_visible()
    walk.check("receipt check with a wrong answer")
    fill(page, labels[0], words[positions[0] - 1])
    fill(page, labels[1], words[positions[1] - 1])
    walk.press("Check")

    assert walk.h1() == "Thank you"
    walk.check("thank-you page")
    return reference, words


WALKS = [
    pytest.param(route, javascript, id=f"{route}-{'js' if javascript else 'no-js'}")
    for route in ("support", "anonymous", "third_party")
    for javascript in (True, False)
]


@pytest.mark.parametrize(("route", "javascript"), WALKS)
def test_someone_can_report_by_each_route_and_every_page_on_the_way_is_accessible(
    browser_session: BrowserSession, reporting_demo: Institution, route: str, javascript: bool
) -> None:
    viewport = DESKTOP if (route == "support" and javascript) else MOBILE
    walk = new_walk(browser_session, reporting_demo, javascript=javascript, viewport=viewport)
    in_danger = route == "support"

    start(walk, route, with_error=route == "support")
    answer_danger(walk, in_danger=in_danger)
    answer_the_steps(walk, route)
    file_name = add_evidence(walk, route)
    review_change_and_send(walk, route, file_name)
    reference, words = save_and_check_the_receipt(walk)

    report = Report.objects.get(reference=reference)
    assert report.route == route
    assert report.reporter_role == "student"
    assert report.immediate_danger is in_danger
    if route == "anonymous":
        assert report.wants_messages is True
    assert report.receipt_confirmed_at is not None
    evidence = list(report.evidence.all())
    assert [item.original_name for item in evidence] == [file_name]
    if route == "support":
        assert evidence[0].keep_metadata is False

    # The receipt read off the page is the one that opens the report.
    walk.goto("/my-report/")
    fill(walk.page, "Report reference", reference)
    fill(walk.page, "Passphrase", " ".join(words))
    walk.press("Sign in")
    assert walk.h1() == "Your report"
    assert reference in walk.page.locator("main").inner_text()


# --- Returning with the receipt -----------------------------------------------------------------

REPLY = "Thank you for telling us. Could we meet on Tuesday at 10am in the Student Union?"
ANSWER = "Tuesday at 10am works for me. Thank you."
ADDED = "He was outside the library again on Friday evening."


@JS
def test_a_reporter_returns_reads_a_reply_answers_it_and_manages_their_report(
    browser_session: BrowserSession,
    reporting_demo: Institution,
    adviser: User,
    javascript: bool,
) -> None:
    # The report is made through the real views (the Django client): this test is the return.
    made = make_report(reporter_client(), "anonymous", marker="RETURN")
    case = made.report.case
    walk = new_walk(browser_session, reporting_demo, javascript=javascript, viewport=MOBILE)
    page = walk.page
    main = page.locator("main")

    walk.goto("/my-report/")
    assert walk.h1() == "Come back to your report"
    walk.check("sign-in page")
    fill(page, "Report reference", made.reference)
    fill(page, "Passphrase", "these are not the right seven words")
    walk.press("Sign in")
    assert page.get_by_role("alert").get_by_text("We could not find a report").is_visible()
    walk.check("sign-in page with a wrong passphrase")
    fill(page, "Report reference", made.reference)
    fill(page, "Passphrase", made.passphrase)
    walk.press("Sign in")
    assert walk.h1() == "Your report"
    assert main.get_by_text("No messages yet.").is_visible()

    # An adviser assigned to the case writes, through the real service.
    case.assignments.create(user=adviser)
    message_send_from_staff(case=case, author=adviser, body=REPLY)
    page.reload()
    thread = page.locator(".thread")
    assert thread.get_by_text(REPLY).is_visible()
    assert thread.get_by_text("From the team").is_visible()
    assert Message.objects.get(case=case, direction="from_staff").read_at is not None
    walk.check("report page with a reply")

    fill(page, "Your message", ANSWER)
    walk.press("Send message")
    assert page.url.endswith("/my-report/#messages")
    assert page.get_by_text("Your message has been sent to the team.").is_visible()
    assert thread.get_by_text(ANSWER).is_visible()
    # At #messages the top of the page (Sign out) can sit half under the sticky quick-exit
    # bar, which axe reports as a too-small target; check the page from its top.
    page.evaluate("window.scrollTo(0, 0)")
    walk.check("report page with messages")
    stored = Message.objects.filter(case=case, direction="from_reporter")
    assert [message.body for message in stored] == [ANSWER]

    walk.follow("Add information")
    assert walk.h1() == "Add information"
    walk.check("add information")
    walk.press("Add to my report")
    assert page.get_by_role("alert").is_visible()
    walk.check("add information with nothing written")
    fill(page, "What would you like to add?", ADDED)
    walk.press("Add to my report")
    assert page.get_by_text("We have added this to your report.").is_visible()
    assert [addition.body for addition in ReportAddition.objects.filter(report=made.report)] == [
        ADDED
    ]

    walk.follow("Add evidence")
    assert walk.h1() == "Add evidence"
    walk.check("add evidence")
    main.get_by_label("Choose files", exact=True).set_input_files(
        {"name": "later.png", "mimeType": "image/png", "buffer": sample_files.png_plain()}
    )
    walk.press("Upload")
    assert main.locator(".evidence__name").get_by_text("later.png").is_visible()
    walk.check("add evidence with a file")
    walk.follow("Back to your report")

    walk.follow("Ask us to delete your report")
    assert walk.h1() == "Ask us to delete your report"
    walk.check("ask for deletion")
    walk.press("Ask for deletion")
    assert page.get_by_role("alert").is_visible()
    walk.check("ask for deletion without ticking the box")
    tick(page, "I want my report to be deleted")
    walk.press("Ask for deletion")
    assert page.get_by_text("We have your request.").is_visible()

    walk.follow("Withdraw your report")
    assert walk.h1() == "Withdraw your report"
    walk.check("withdraw")
    tick(page, "I want to withdraw my report")
    walk.press("Withdraw my report")
    assert page.get_by_text("Your report has been withdrawn.").first.is_visible()
    assert main.get_by_text("You withdrew this report, so messages are closed.").is_visible()
    walk.check("report page after withdrawing and asking for deletion")

    walk.press("Sign out")
    assert walk.h1() == "You have signed out"
    walk.check("signed-out page")
    made.report.refresh_from_db()
    assert made.report.withdrawn_at is not None
    assert made.report.deletion_requested_at is not None
    assert made.report.evidence.count() == 1


# --- Keyboard only ------------------------------------------------------------------------------


@JS
def test_the_start_page_and_the_danger_question_can_be_answered_with_the_keyboard_alone(
    browser_session: BrowserSession, reporting_demo: Institution, javascript: bool
) -> None:
    page, _ = browser_session.new_page(java_script_enabled=javascript)
    page.goto("/report/")
    tab_to(page, "#id_route_0")  # Get support from an adviser
    page.keyboard.press("Space")
    tab_to(page, "#id_reporter_role_0")  # A student
    page.keyboard.press("Space")
    tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Your safety"

    tab_to(page, "#id_immediate_danger_0")  # Yes
    page.keyboard.press("Space")
    assert page.locator("#id_immediate_danger_0").is_checked()
    panel = page.locator("#emergency-help")
    assert panel.is_visible() is javascript  # with scripts, before anything is sent
    tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert panel.is_visible()
    tab_to(page, "#emergency-help a.get-help__call")  # the emergency number, first
    tab_to(page, "main a.button")  # Carry on with my report
    assert page.evaluate("document.activeElement.textContent") == "Carry on with my report"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "How we can reach you safely"


def test_changing_the_danger_answer_to_yes_from_the_review_shows_the_emergency_numbers(
    browser_session: BrowserSession, reporting_demo: Institution
) -> None:
    walk = new_walk(browser_session, reporting_demo, javascript=False, viewport=MOBILE)
    walk.goto("/report/")
    walk.page.locator("main").get_by_label(ROUTE_LABELS["anonymous"]).check()
    tick(walk.page, "A student")
    walk.press("Start")
    choose(walk.page, DANGER_QUESTION, "No")
    walk.press(SAVE)
    walk.goto("/report/review/")
    walk.follow("Change your safety")
    choose(walk.page, DANGER_QUESTION, "Yes")
    walk.press("Save and go back to the summary")
    assert walk.page.locator("#emergency-help").is_visible(), walk.h1()
