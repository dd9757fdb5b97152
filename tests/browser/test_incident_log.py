"""Keeping a record at /log/ (issue 14) in a real Chromium, with JavaScript on and off.

Persona: Jo is being followed and messaged by someone from her course. On her phone she
starts a private record, keeps the receipt, writes down what happened ("Just now" is one
tap), corrects an entry, sees the pattern and the warning it brings, signs out and back in,
and in the end deletes the whole record.

Every page and state on the way is checked as it is reached (reporting_support.Walk.check:
one h1, the quick exit, no sideways scrolling, no link to a missing anchor, and axe with no
violations, also for the page as a browser without JavaScript has it). Screenshots of the
phone (390 wide) and laptop (1366x768) layouts are kept in test-results/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from tests.browser.reporting_support import Walk, choose, fill, tab_to, tick
from tests.browser.support import LAPTOP, MOBILE, BrowserSession, save_screenshot
from tests.browser.test_public_pages import EXIT_URL, stub_exit_page
from waypoint.institution.models import Institution
from waypoint.log.models import IncidentLog, LogEntry
from waypoint.log.selectors import log_entries
from waypoint.log.services import entry_add
from waypoint.log.tests.support import content
from waypoint.privacy.models import DataKey
from waypoint.reporting.default_options import load_default_options
from waypoint.reporting.models import ReportOption

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
WHEN = "When did it happen?"
MESSAGES = "Contacting me again and again"
THREATS = "Threatening to hurt me or someone close to me"
WORDS = "In your own words"


@pytest.fixture
def log_ready(demo_institution: Institution) -> Institution:
    load_default_options(ReportOption)  # the live server empties tables between tests
    return demo_institution


def new_walk(
    session: BrowserSession, institution: Institution, *, javascript: bool, viewport: dict[str, int]
) -> Walk:
    page, _ = session.new_page(java_script_enabled=javascript, viewport=viewport)
    return Walk(session, page, javascript, institution.quick_exit_url)


def start_a_record(walk: Walk, *, check: bool = True) -> tuple[str, list[str]]:
    """From the start page to the empty record, through the receipt. (reference, words)"""
    page = walk.page
    walk.goto("/log/")
    assert walk.h1() == "Keep a record of what is happening"
    if check:
        walk.check("start page")
        save_screenshot(page, f"log-start-{'js' if walk.javascript else 'no-js'}")
    walk.press("Start a record")

    assert walk.h1() == "Your record has been started"
    reference = page.locator("#receipt-reference").inner_text()
    words = page.locator(".receipt__words li").all_inner_texts()
    assert len(words) == 8
    assert page.get_by_role("button", name="Copy both").is_visible() is walk.javascript
    if check:
        walk.check("receipt")
        save_screenshot(page, f"log-receipt-{'js' if walk.javascript else 'no-js'}")
    walk.follow("I have saved it: continue")

    assert walk.h1() == "Check that you saved your passphrase"
    labels = [page.locator(f"label[for=id_{name}]").inner_text() for name in ("first", "second")]
    positions = [int(label.removeprefix("Word ")) for label in labels]
    if check:
        walk.check("receipt check")
        fill(page, labels[0], "wrong")
        fill(page, labels[1], "words")
        walk.press("Check")
        assert page.get_by_role("alert").get_by_text("Those words do not match").is_visible()
        walk.check("receipt check with a wrong answer")
    fill(page, labels[0], words[positions[0] - 1])
    fill(page, labels[1], words[positions[1] - 1])
    walk.press("Check")
    assert walk.h1() == "Your record"
    return reference, words


def sign_in(walk: Walk, reference: str, passphrase: str) -> None:
    fill(walk.page, "Record reference", reference)
    fill(walk.page, "Passphrase", passphrase)
    walk.press("Open my record")


@JS
def test_a_person_keeps_a_record_from_start_to_deletion_and_every_page_is_accessible(
    browser_session: BrowserSession, log_ready: Institution, javascript: bool
) -> None:
    walk = new_walk(browser_session, log_ready, javascript=javascript, viewport=MOBILE)
    page = walk.page
    main = page.locator("main")
    mode = "js" if javascript else "no-js"

    reference, words = start_a_record(walk)
    assert main.get_by_text("Your record is ready").is_visible()
    assert main.get_by_text("You have not recorded any incidents yet.").is_visible()
    walk.check("empty record")
    save_screenshot(page, f"log-home-empty-{mode}", full_page=True)

    # Nothing filled in: the error summary first, each problem linking to its question.
    walk.follow("Add an incident")
    assert walk.h1() == "Add an incident"
    walk.check("add incident")
    walk.press("Save")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "Choose when it happened" in summary.inner_text()
    assert "Say what happened" in summary.inner_text()
    assert page.title().startswith("Please check")
    walk.check("add incident with errors")
    save_screenshot(page, f"log-add-errors-{mode}")

    # "Just now" is one choice; the rest can stay empty.
    choose(page, WHEN, "Just now")
    tick(page, MESSAGES)
    fill(page, WORDS, "Twelve messages overnight")
    walk.press("Save and add another")
    assert walk.h1() == "Add an incident"
    assert main.get_by_text("Incident 1 is saved. You can add another.").is_visible()
    walk.check("add incident after saving one")

    three_days_ago = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    choose(page, WHEN, "On a date I can give")
    main.get_by_label("Date", exact=True).fill(three_days_ago)
    tick(page, THREATS)
    fill(page, WORDS, "Said he would hurt me if I went to the police")
    fill(page, "Someone not in your record yet", "Sam from my course")
    walk.press("Save")
    assert walk.h1() == "Your record"
    danger = page.locator("#danger-help")
    assert danger.is_visible()
    assert danger.get_by_text("One incident describes threats or violence.").is_visible()
    assert danger.get_by_role("link", name="999").get_attribute("href") == "tel:999"
    assert main.get_by_text("You have recorded 2 incidents over 1 week.").is_visible()
    assert page.locator("svg.log-chart__svg rect.log-chart__bar").count() == 1
    assert main.get_by_role("table", name="What they did, and how often").is_visible()
    walk.check("record with entries and a warning")
    save_screenshot(page, f"log-home-warning-{mode}")
    save_screenshot(page, f"log-home-warning-{mode}-full", full_page=True)

    # Correct the older entry: a new version, and both stay visible.
    entries = page.locator(".log-entry")
    assert entries.count() == 2
    assert "Twelve messages overnight" in entries.nth(0).inner_text()  # newest first
    with page.expect_navigation():
        entries.nth(1).get_by_role("link").click()
    assert walk.h1() == "Entry 2"
    assert main.get_by_text("When it was written down").is_visible()
    walk.check("an entry")
    walk.follow("Correct this entry")
    assert walk.h1() == "Correct entry 2"
    assert main.get_by_label(WORDS, exact=True).input_value().startswith("Said he would")
    walk.check("correct an entry")
    fill(page, WORDS, "Said he would hurt me if I told anyone")
    walk.press("Save the correction")
    assert walk.h1() == "Entry 3"
    assert main.get_by_role("link", name="entry 2").is_visible()
    walk.check("a correction")
    walk.follow("Back to your record")
    assert page.locator(".log-entry").count() == 3
    assert main.get_by_text("Corrected later by entry 3.").is_visible()
    walk.check("record with a correction")

    walk.follow("Add a person")
    assert walk.h1() == "Add a person to your record"
    walk.press("Add them")
    assert page.locator("#error-summary").is_visible()
    walk.check("add a person with nothing filled in")
    fill(page, "Their name, or how you think of them", "The man from the gym")
    walk.press("Add them")
    assert main.get_by_text("The man from the gym").is_visible()

    # Sign out, then back in with the receipt read off the page.
    walk.press("Sign out")
    assert walk.h1() == "You have signed out"
    walk.check("signed out")
    walk.goto("/log/sign-in/")
    assert walk.h1() == "Open your record"
    walk.check("sign-in page")
    sign_in(walk, reference, "these are not the right words")
    assert page.get_by_role("alert").get_by_text("We could not find a record").is_visible()
    walk.check("sign-in page with a wrong passphrase")
    save_screenshot(page, f"log-sign-in-error-{mode}")
    sign_in(walk, reference, " ".join(words))
    assert walk.h1() == "Your record"

    log = IncidentLog.objects.get(reference=reference)
    key_id = log.data_key_id
    assert key_id is not None
    walk.follow("delete your whole record")
    assert walk.h1() == "Delete your whole record"
    walk.check("delete confirmation")
    save_screenshot(page, f"log-delete-{mode}", full_page=True)
    walk.press("Delete my record")
    assert page.locator("#error-summary").is_visible()
    walk.check("delete confirmation without ticking the box")
    tick(page, "I understand that my whole record will be erased and cannot be brought back")
    walk.press("Delete my record")
    assert walk.h1() == "Your record has been deleted"
    walk.check("record deleted")
    save_screenshot(page, f"log-deleted-{mode}")
    assert not IncidentLog.objects.filter(pk=log.pk).exists()
    assert not DataKey.objects.filter(pk=key_id).exists()


def test_a_long_record_on_a_laptop_shows_the_pattern_the_chart_and_the_warnings(
    browser_session: BrowserSession, log_ready: Institution
) -> None:
    walk = new_walk(browser_session, log_ready, javascript=True, viewport=LAPTOP)
    reference, _ = start_a_record(walk, check=False)
    log = IncidentLog.objects.get(reference=reference)
    today = timezone.localdate()
    following = {"slug": "following", "label": "Following me or turning up where I am"}
    for days in (1, 2, 4, 6, 9, 13, 20, 45, 60, 75):
        when = {"kind": "exact", "date": (today - dt.timedelta(days=days)).isoformat()}
        behaviours = [following] if days < 10 else []
        entry_add(
            log=log,
            content=content(
                when={**when, "time": "", "end_date": "", "end_time": ""},
                what={"behaviours": behaviours, "text": f"Seen {days} days ago"},
            ),
        )
    walk.page.reload()
    main = walk.page.locator("main")
    assert main.get_by_text("You have recorded 10 incidents over 11 weeks.").is_visible()
    assert main.get_by_text("They are becoming more frequent").first.is_visible()
    danger = walk.page.locator("#danger-help")
    assert danger.get_by_text("The incidents are becoming more frequent.").is_visible()
    assert danger.get_by_text("following you, watching you or turning up").is_visible()
    # The chart and the table carry the same numbers.
    counts = walk.page.locator("text.log-chart__count").all_text_contents()
    cells = walk.page.locator(
        "table:has(caption:text-is('Incidents each week')) tbody td"
    ).all_inner_texts()
    assert counts == cells and sum(map(int, cells)) == 10
    walk.check("a long record on a laptop")
    save_screenshot(walk.page, "log-home-laptop")
    save_screenshot(walk.page, "log-home-laptop-full", full_page=True)
    walk.follow("Add an incident")
    walk.check("add incident on a laptop")
    save_screenshot(walk.page, "log-add-laptop", full_page=True)


@JS
def test_an_incident_can_be_added_with_tab_space_and_enter_alone(
    browser_session: BrowserSession, log_ready: Institution, javascript: bool
) -> None:
    walk = new_walk(browser_session, log_ready, javascript=javascript, viewport=MOBILE)
    start_a_record(walk, check=False)
    walk.goto("/log/record/add/")
    page = walk.page
    tab_to(page, "#id_when_kind_0")  # Just now
    page.keyboard.press("Space")
    assert page.locator("#id_when_kind_0").is_checked()
    tab_to(page, "#id_behaviours_0")  # the first behaviour in the list
    page.keyboard.press("Space")
    assert page.locator("#id_behaviours_0").is_checked()
    tab_to(page, "main button[type=submit][value=done]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert walk.h1() == "Your record"
    assert page.locator(".log-entry").count() == 1
    entry = LogEntry.objects.get()
    assert entry.content["when"]["kind"] == "now"
    # Reached from the list by keyboard too.
    tab_to(page, ".log-entry__title a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert walk.h1() == "Entry 1"


@JS
def test_the_quick_exit_from_a_record_page_ends_the_session(
    browser_session: BrowserSession, log_ready: Institution, javascript: bool
) -> None:
    walk = new_walk(browser_session, log_ready, javascript=javascript, viewport=MOBILE)
    page = walk.page
    stub_exit_page(page)
    reference, _ = start_a_record(walk, check=False)
    walk.goto("/log/record/add/")
    fill(page, WORDS, "Outside my flat again")

    page.locator("a.quick-exit").click()
    page.wait_for_url(f"{EXIT_URL}**")
    if not javascript:
        # The link went through /exit/, whose answer told the browser to drop our cookies.
        assert page.context.cookies() == []

    deadline = time.monotonic() + 5
    while True:
        page.goto("/log/record/")
        heading = page.locator("h1").inner_text()
        if heading != "Your record" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert heading == "Open your record"
    assert reference not in page.content()
    log = IncidentLog.objects.get(reference=reference)
    assert log_entries(log=log) == []


def test_the_home_and_support_pages_lead_to_keeping_a_record(
    browser_session: BrowserSession, log_ready: Institution
) -> None:
    walk = new_walk(browser_session, log_ready, javascript=True, viewport=MOBILE)
    for address in ("/", "/support/"):
        walk.goto(address)
        link = walk.page.locator("main a[href='/log/']").first
        assert link.is_visible(), address
        walk.check(f"{address} with the way to keep a record")
    walk.goto("/")
    link = walk.page.locator("main a[href='/log/']").first
    link.scroll_into_view_if_needed()
    save_screenshot(walk.page, "log-link-on-home")
    with walk.page.expect_navigation():
        link.click()
    assert walk.h1() == "Keep a record of what is happening"
