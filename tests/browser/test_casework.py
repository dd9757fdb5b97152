"""Casework (issue 5) in a real Chromium: the specialist team's pages under /staff/.

- An adviser signs in with a code, triages the inbox, claims a case and works it (status,
  message with a reply template, note and correction, contact attempt, task), with
  JavaScript on and off; the reporter then reads the message at /my-report/.
- A case lead sees a match between two reports that name the same email address written
  differently, and links the cases.
- A partner department (Security) sees its own task and measure, with only the brief,
  and nothing of any other department or of the case.
- An adviser records a walk-in disclosure and hands over the receipt.

Every page and state reached is checked as it is reached (staff_support.StaffWalk.check):
one h1, no link to a missing anchor, no sideways scrolling, no axe violations (with
JavaScript off, on a copy of the page in a script-free context). The fixtures also fail a
test on any CSP violation, script error, failed asset or request to another host.
"""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.utils import timezone

from tests.browser.reporting_support import choose, tab_to
from tests.browser.staff_support import (
    NOT_FOUND,
    StaffWalk,
    institution_ready,
    report_naming,
    reporter_signs_in,
    sign_in,
    staff_walk,
)
from tests.browser.support import MOBILE, BrowserSession
from waypoint.accounts.models import User
from waypoint.casework.models import (
    Case,
    CaseLink,
    CaseMatch,
    EntryKind,
    MatchStatus,
    Message,
    Task,
    TimelineEntry,
)
from waypoint.casework.services import work
from waypoint.institution.models import Department, Institution
from waypoint.reporting.tests.flow import make_report, reporter_client
from waypoint.safety.models import SafetyMeasure
from waypoint.safety.services import plans

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])

NOTE = "Spoke to the reporter's tutor about a change of seminar group."
CORRECTION = "Correction: it was the personal tutor, not the module tutor."
FIRST_WORDS = "Thank you for your report."
TASK_TITLE = "Arrange a change of seminar group"


@pytest.fixture
def institution(demo_institution: Institution) -> Institution:
    return institution_ready(demo_institution)


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


# --- The adviser's walk, a part at a time ---------------------------------------------------------


def triage_the_inbox(walk: StaffWalk, reference: str) -> None:
    page = walk.page
    walk.goto("/staff/cases/")
    assert walk.h1() == "Cases"
    row = page.get_by_role("row").filter(has_text=reference)
    assert row.get_by_text("Unassigned").is_visible()
    walk.check("inbox")

    page.get_by_label("Assigned to").select_option(label="Unassigned")
    walk.press("Show cases")
    assert "assignment=unassigned" in page.url
    assert page.locator("#inbox-results-title").inner_text().startswith("1 case")
    walk.check("inbox filtered to unassigned cases")

    page.get_by_label("Status").select_option(label="Closed")
    walk.press("Show cases")
    assert page.locator("main").get_by_text("No cases match these filters.").is_visible()
    walk.check("inbox with no case matching the filters")
    walk.follow("Clear filters")

    walk.press(f"Claim case {reference}")
    assert walk.h1() == "Overview"  # the case's first section (ADR 0031)
    assert reference in page.locator(".idbar").inner_text()
    assert page.get_by_text("This case is yours now.").is_visible()
    walk.check("case page, just claimed")


def change_the_status(walk: StaffWalk) -> None:
    page = walk.page
    form = page.locator("#status form")  # on the Overview, behind "Change the status"
    page.locator("#status > summary").click()
    with page.expect_navigation():
        form.get_by_role("button", name="Change the status").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "Choose the status to move the case to." in summary.inner_text()
    assert page.title().startswith("Error: ")
    walk.check("case page: status change without a status or a reason")

    choose(page, "Move the case to", "Triaged")
    with page.expect_navigation():
        form.get_by_role("button", name="Change the status").click()
    assert "Give a reason for this change." in page.locator("#error-summary").inner_text()
    choose(page, "Move the case to", "Triaged")
    form.get_by_label("Why?").fill("Read the report: no immediate danger, support wanted.")
    with page.expect_navigation():
        form.get_by_role("button", name="Change the status").click()
    assert page.get_by_text("The case is now “Triaged”.").is_visible()
    assert page.locator("#workflow-title").inner_text() == "Status: Triaged"


def send_a_message(walk: StaffWalk) -> str:
    """The reply template goes into the box (at once with scripts, by the server without),
    then the message is sent. Returns the message's first words."""
    page = walk.page
    with page.expect_navigation():
        page.locator("nav.case-sections").get_by_role("link", name="Messages").click()
    assert walk.h1() == "Messages"
    panel = page.locator("#messages")
    body = panel.get_by_label("Message to the reporter")
    if walk.javascript:
        walk.press("Send message")  # nothing written: the section comes back with the error
        assert walk.h1() == "Messages"
        assert "Write a message before sending it." in page.locator("#error-summary").inner_text()
        walk.check("messages section: a message sent with nothing written")
        body.fill(FIRST_WORDS)
        panel.get_by_label("Reply template").select_option(label="Offering a time to talk")
        before = page.url
        panel.get_by_role("button", name="Insert template").click()
        assert page.url == before  # nothing was sent anywhere
        text = body.input_value()
        assert text.startswith(FIRST_WORDS + "\n\nHello,\n\nWould you like to talk"), text
        assert page.evaluate("document.activeElement.name") == "body"
    else:
        # Nothing typed: the section comes back with the template in the box.
        panel.get_by_label("Reply template").select_option(label="First reply")
        walk.press_named("Insert template")
        assert "template=" in page.url and page.url.endswith("#reply")
        assert body.input_value().startswith("Hello,\n\nThank you for getting in touch")
        walk.check("messages section with a reply template in the message box")
        # Words typed, then a template: the section comes back with both in the box.
        body.fill(FIRST_WORDS)
        panel.get_by_label("Reply template").select_option(label="Offering a time to talk")
        walk.press_named("Insert template")
        assert walk.h1() == "Messages"
        assert page.get_by_text("Nothing has been sent yet.").is_visible()
        body = page.locator("main").get_by_label("Message to the reporter")
        assert body.input_value().startswith(FIRST_WORDS + "\n\nHello,\n\nWould you like")
        walk.check("messages section with typed words and a template")
        assert Message.objects.count() == 0
    body.fill(body.input_value().replace("[day and time]", "Tuesday at 10am"))
    walk.press("Send message")
    assert page.get_by_text("Your message was sent.").is_visible()
    assert page.locator("#messages .thread").get_by_text(FIRST_WORDS).is_visible()
    return FIRST_WORDS


def add_a_note_by_keyboard_and_correct_it(walk: StaffWalk, case: Case) -> None:
    page = walk.page
    walk.goto(f"/staff/cases/{case.pk}/timeline/")  # notes are added beside the timeline
    # Keyboard only: Tab to the note box, type, Tab to its button, Enter.
    tab_to(page, "#id_note-text", limit=400)
    page.keyboard.type(NOTE)
    tab_to(page, "#add-note button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#timeline").get_by_text(NOTE).is_visible()

    timeline = page.locator("#timeline")
    with page.expect_navigation():
        timeline.get_by_role("link", name="Correct this note").first.click()
    assert page.locator("#add-note-title").inner_text() == "Correct a note"
    walk.check("timeline, correcting a note")
    page.locator("#add-note").get_by_label("Note", exact=True).fill(CORRECTION)
    walk.press("Save the correction")
    assert timeline.get_by_text(CORRECTION).is_visible()
    assert timeline.get_by_text("Corrected by a later note").is_visible()
    correction = TimelineEntry.objects.get(case=case, kind=EntryKind.NOTE, corrects__isnull=False)
    assert correction.corrects is not None


def log_a_contact_attempt(walk: StaffWalk) -> None:
    page = walk.page
    section = page.locator("#contact-log")
    section.get_by_role("group", name="How did you try to reach them?").get_by_label(
        "Phone call"
    ).check()
    section.get_by_role("group", name="What happened?").get_by_label("No answer").check()
    section.get_by_label("Note (optional)").fill("No voicemail left, as they asked.")
    walk.press("Log the attempt")
    assert page.locator("#timeline").get_by_text("Contact attempt").first.is_visible()


def add_a_task(walk: StaffWalk, case: Case, adviser: User) -> Task:
    page = walk.page
    people = f"/staff/cases/{case.pk}/people/"  # tasks are under People and matches
    walk.goto(people)
    tasks = page.locator("#tasks")
    # A department's task needs a brief: the form comes back on a page of its own.
    tasks.get_by_label("What needs doing").fill(TASK_TITLE)
    tasks.get_by_label("Who will do it").select_option(label="Security")
    walk.press("Add the task")
    assert walk.h1() == "Add a task"
    assert "Write a brief for the department" in page.locator("#error-summary").inner_text()
    walk.check("add a task, a department's task without a brief")
    walk.goto(people)
    tasks.get_by_label("What needs doing").fill(TASK_TITLE)
    tasks.get_by_label("Who will do it").select_option(label=adviser.display_name)
    tasks.get_by_label("Due by (optional)").fill(in_days(7))
    walk.press("Add the task")
    assert page.get_by_text("The task was added.").is_visible()
    assert page.locator("#tasks").get_by_text(TASK_TITLE).is_visible()  # the Overview: due
    walk.check("overview with a task due")
    walk.goto(people)
    task = Task.objects.get(case=case)
    assert task.title == TASK_TITLE
    assert task.assignee == adviser
    assert task.due_on == timezone.localdate() + datetime.timedelta(days=7)

    walk.follow(TASK_TITLE)
    assert " ".join(walk.h1().split()) == f"Task {TASK_TITLE}"
    assert page.get_by_role("heading", name="History").is_visible()
    walk.check("task page, the case team's view")
    return task


def the_other_case_pages(walk: StaffWalk, case: Case) -> None:
    page = walk.page
    walk.goto(f"/staff/cases/{case.pk}/timeline/")
    assert walk.h1() == "Timeline"
    walk.check("timeline with a note, a correction and a contact attempt")

    walk.goto(f"/staff/cases/{case.pk}/")
    walk.follow("Close this case")
    assert walk.h1().startswith("Close case")
    walk.check("close page")
    walk.press("Close the case")
    assert page.locator("#error-summary").is_visible()
    walk.check("close page with errors")

    walk.goto("/staff/work/")
    assert walk.h1() == "My work"
    main = page.locator("main")
    assert main.get_by_role("link", name=TASK_TITLE).is_visible()
    assert main.get_by_role("link", name=case.report.reference).is_visible()
    walk.check("my work, adviser")


@JS
def test_an_adviser_claims_and_works_a_case_and_the_reporter_reads_the_message(
    browser_session: BrowserSession,
    institution: Institution,
    adviser: User,
    javascript: bool,
) -> None:
    made = make_report(reporter_client(), "support", marker="ADVISER")
    case = made.report.case
    # With scripts on a desktop, without them on a phone.
    walk = staff_walk(
        browser_session, javascript=javascript, viewport=None if javascript else MOBILE
    )

    sign_in(walk.page, adviser)
    assert walk.h1() == "Hello, Adviser"
    walk.check("staff home, adviser")
    triage_the_inbox(walk, made.reference)
    change_the_status(walk)
    first_words = send_a_message(walk)
    add_a_note_by_keyboard_and_correct_it(walk, case)
    log_a_contact_attempt(walk)
    add_a_task(walk, case, adviser)
    the_other_case_pages(walk, case)

    case.refresh_from_db()
    assert case.status == "triaged"
    assert case.assignments.get().user == adviser
    kinds = set(case.timeline.values_list("kind", flat=True))
    assert {EntryKind.STATUS, EntryKind.NOTE, EntryKind.CONTACT} <= kinds

    # The reporter, in a browser of their own, reads the adviser's message.
    reporter = staff_walk(browser_session, javascript=javascript, viewport=MOBILE, reporter=True)
    reporter_signs_in(reporter, made)
    thread = reporter.page.locator(".thread")
    assert thread.get_by_text(first_words).is_visible()
    assert thread.get_by_text("Tuesday at 10am").is_visible()
    reporter.check("the reporter's page with the adviser's message")


# --- Matches --------------------------------------------------------------------------------------


def test_a_case_lead_links_two_reports_that_name_the_same_email_written_differently(
    browser_session: BrowserSession, institution: Institution, case_lead: User
) -> None:
    first = report_naming(
        "MATCH-A",
        person_email="Sam.Sample+uni@Example.test",
        person_phone="07700 900001",
        student_number="AA111111",
        handles="@first_handle",
    )
    second = report_naming(
        "MATCH-B",
        person_email="sam.sample@example.test",
        person_phone="07700 900002",
        student_number="BB222222",
        handles="@second_handle",
    )
    match = CaseMatch.objects.get()
    assert match.kinds == ["email"]
    walk = staff_walk(browser_session, viewport=MOBILE)
    page = walk.page
    sign_in(page, case_lead)
    walk.check("staff home, case lead")

    # The alert on one of the cases (People and matches).
    walk.goto(f"/staff/cases/{first.report.case.pk}/people/")
    links = page.locator("#case-links")
    assert links.get_by_text("Possible match").is_visible()
    assert links.get_by_role("link", name=second.reference).is_visible()
    assert "the same email address" in links.inner_text()
    walk.check("case page with a match alert")

    # The access page (leads): its error state too.
    walk.follow("Who can see this case")
    assert walk.h1().startswith("Who can see case")
    walk.check("access page")
    walk.press("Restrict this case")
    assert page.locator("#error-summary").is_visible()
    walk.check("access page with an error")

    walk.goto("/staff/matches/")
    assert walk.h1() == "Matches"
    row = page.get_by_role("row").filter(has_text=first.reference)
    assert row.get_by_text("The same email address").is_visible()
    walk.check("matches")
    walk.press_named("Link the cases")
    assert page.get_by_text("The cases are linked.").is_visible()
    assert page.get_by_text("There are no matches waiting for a decision.").is_visible()
    walk.check("matches, none waiting")

    match.refresh_from_db()
    assert match.status == MatchStatus.LINKED
    assert CaseLink.objects.count() == 1
    for this, other in ((first, second), (second, first)):
        walk.goto(f"/staff/cases/{this.report.case.pk}/people/")
        links = page.locator("#case-links")
        assert links.get_by_role("link", name=other.reference).is_visible()
        assert links.get_by_text("from a match").is_visible()
        assert links.get_by_text("Possible match").count() == 0
    walk.check("case page with a linked case")


# --- A partner department -------------------------------------------------------------------------


def test_a_partner_department_sees_only_its_own_task_and_measure_with_only_the_brief(
    browser_session: BrowserSession,
    partner: User,
    institution: Institution,
    adviser: User,
) -> None:
    made = make_report(reporter_client(), "support", marker="PARTNER")
    case = made.report.case
    case.assignments.create(user=adviser)
    security = partner.department
    assert security is not None and security.name == "Security"
    accommodation = Department.objects.get(slug="accommodation")
    ours = work.task_create(
        case=case,
        actor=adviser,
        title="Patrol the library entrance",
        brief="Weekday evenings, 6pm to 9pm, library entrance.",
        assignee=None,
        department=security,
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    theirs = work.task_create(
        case=case,
        actor=adviser,
        title="Offer a room in another hall",
        brief="A ground-floor room, as soon as one is free.",
        assignee=None,
        department=accommodation,
        due_on=None,
    )
    our_measure = plans.measure_create(
        case=case,
        actor=adviser,
        kind="security_awareness",
        department=security,
        brief="Patrols aware of a concern near the sports centre, evenings.",
        detail="TEAM-ONLY detail: the reporter trains there on Tuesdays.",
        status="agreed",
        starts_on=None,
        review_on=None,
        ends_on=None,
    )
    their_measure = plans.measure_create(
        case=case,
        actor=adviser,
        kind="accommodation_move",
        department=accommodation,
        brief="Move to another hall.",
        detail="",
        status="proposed",
        starts_on=None,
        review_on=None,
        ends_on=None,
    )

    walk = staff_walk(browser_session, viewport=MOBILE)
    page = walk.page
    main = page.locator("main")
    sign_in(page, partner)
    walk.check("staff home, partner")

    walk.goto("/staff/work/")
    assert walk.h1() == "My work"
    assert main.get_by_role("link", name=ours.title).is_visible()
    assert main.get_by_text(theirs.title).count() == 0
    assert made.reference not in walk.text()
    walk.check("my work, partner")

    walk.follow(ours.title)
    assert main.get_by_text(ours.brief).is_visible()
    assert made.reference not in walk.text()
    assert main.get_by_role("link", name=re.compile("case", re.IGNORECASE)).count() == 0
    walk.check("task page, the partner's view")
    # The department moves its task on, with a note for the case team.
    main.get_by_role("group", name="Status").get_by_label("In progress").check()
    main.get_by_label("Note for the case team (optional)").fill("First patrol tonight.")
    walk.press("Save the update")
    assert page.get_by_text("The task was updated.").is_visible()
    ours.refresh_from_db()
    assert ours.status == "in_progress"

    walk.goto("/staff/measures/")
    measures = main.get_by_role("table")
    assert measures.get_by_text(our_measure.brief).is_visible()
    assert measures.get_by_text("Accommodation move").count() == 0
    assert "TEAM-ONLY" not in walk.text() and made.reference not in walk.text()
    walk.check("safety measures, partner")
    walk.follow("Security patrol awareness")
    assert main.get_by_text(our_measure.brief).is_visible()
    assert "TEAM-ONLY" not in walk.text() and made.reference not in walk.text()
    walk.check("measure page, the partner's view")
    main.get_by_role("group", name="Status").get_by_label("In place").check()
    walk.press("Save the update")
    assert page.get_by_text("The measure was updated.").is_visible()
    our_measure.refresh_from_db()
    assert our_measure.status == "in_place"

    # Another department's task and measure are simply not found, like missing ones.
    for path in (f"/staff/tasks/{theirs.pk}/", f"/staff/measures/{their_measure.pk}/"):
        walk.goto(path)
        assert walk.h1() == NOT_FOUND, (path, walk.h1())
        assert walk.status_of(path) == 404
    # The case page is refused whatever the case (see the test below): nothing of it shows.
    assert walk.status_of(f"/staff/cases/{case.pk}/") == walk.status_of(
        f"/staff/cases/{uuid.uuid4()}/"
    )
    walk.goto(f"/staff/cases/{case.pk}/")
    assert made.reference not in walk.text()
    assert SafetyMeasure.objects.count() == 2


def test_a_partner_asking_for_a_case_page_gets_the_same_refusal_as_for_no_case(
    browser_session: BrowserSession, partner: User, institution: Institution
) -> None:
    # Partners may open no case at all, so the role gate answers before any lookup: the
    # page is the same whether the case exists or not, and shows nothing of it.
    made = make_report(reporter_client(), "support", marker="PARTNER-404")
    walk = staff_walk(browser_session, viewport=MOBILE)
    sign_in(walk.page, partner)
    walk.goto(f"/staff/cases/{made.report.case.pk}/")
    real_heading, real_text = walk.h1(), walk.text()
    walk.goto(f"/staff/cases/{uuid.uuid4()}/")
    assert walk.h1() == real_heading
    assert made.reference not in real_text
    assert "PARTNER-404" not in real_text


# --- Walk-in --------------------------------------------------------------------------------------


def test_an_adviser_records_a_walk_in_disclosure_and_hands_over_the_receipt(
    browser_session: BrowserSession, institution: Institution, adviser: User
) -> None:
    walk = staff_walk(browser_session)
    page = walk.page
    sign_in(page, adviser)
    walk.goto("/staff/cases/")
    assert page.locator("main").get_by_text("There are no open cases for you").is_visible()
    walk.check("inbox, empty")

    walk.goto("/staff/cases/new/")
    assert walk.h1() == "Record a walk-in disclosure"
    walk.check("walk-in form")
    walk.press("Record the report and open the case")
    assert page.locator("#error-summary").is_visible()
    walk.check("walk-in form with errors")

    choose(page, "How do they want to report?", "Anonymous: they would rather not give their name")
    page.locator("#walk-in-start").get_by_label("A student", exact=True).check()
    step = page.locator("#step-danger")
    step.get_by_label("No", exact=True).check()
    page.locator("#step-replies").get_by_label(
        "Yes. I'll come back to this site to read them"
    ).check()
    page.locator("main").get_by_label(
        "Issue a receipt so the student can use the return page"
    ).check()
    walk.press("Record the report and open the case")
    assert walk.h1() == "The report is recorded", walk.text()[:2000]
    reference = page.locator("#receipt-reference").inner_text()
    assert len(page.locator("#receipt-passphrase").inner_text().split()) == 8
    walk.check("walk-in receipt")
    walk.follow("Open the case")
    assert walk.h1() == "Overview"
    assert reference in page.locator(".idbar").inner_text()
    assert Case.objects.get(report__reference=reference).assignments.get().user == adviser
