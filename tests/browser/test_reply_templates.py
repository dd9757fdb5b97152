"""Reply templates in a real Chromium (issue 11): the words Waypoint knows are filled in,
and a message with a placeholder left is never sent.

An adviser inserts "First reply" and finds their first name, the team's name and its
hours already in the box; adds a line with "[day and time]" and sends; is told, by the
box, to replace it, with their words kept; replaces it and sends. The reporter then reads
the message with no square bracket in it. With JavaScript on (the script inserts the
template in place) and off (the server does).

Every state reached is checked (staff_support.StaffWalk.check): one h1, no link to a
missing anchor, no sideways scrolling, no axe violations; the fixtures fail the test on
any CSP violation or script error.
"""

from __future__ import annotations

import importlib
from typing import Final

import pytest
from django.apps import apps

from tests.browser.staff_support import (
    StaffWalk,
    institution_ready,
    reporter_signs_in,
    sign_in,
    staff_walk,
)
from tests.browser.support import MOBILE, BrowserSession
from waypoint.accounts.models import User
from waypoint.casework.models import CaseAssignment, Message
from waypoint.institution.models import Institution
from waypoint.reporting.tests.flow import Made, make_report, reporter_client

pytestmark = pytest.mark.browser

FIRST_NAME: Final = "Priya"
TEAM: Final = "Standing Together"
HOURS: Final = "Monday to Friday, 9am to 5pm"
LEFT_OVER: Final = "Could we meet on [day and time]?"
PUT_RIGHT: Final = "Could we meet on Tuesday at 2pm?"
REFUSAL: Final = "Replace “[day and time]” before sending"


@pytest.fixture
def institution(demo_institution: Institution) -> Institution:
    institution = institution_ready(demo_institution)
    # staff_data() loads the templates as migration 0005 made them; bring them up to date
    # the way an install that has not edited them is brought up to date.
    defaults = importlib.import_module(
        "waypoint.casework.migrations.0007_reply_template_placeholders"
    )
    defaults.use_filled_placeholders(apps, None)
    return institution


def _insert_first_reply(walk: StaffWalk) -> str:
    """Choose "First reply" and insert it; the words in the box afterwards."""
    page = walk.page
    panel = page.locator("#messages")
    panel.get_by_label("Reply template").select_option(label="First reply")
    if walk.javascript:
        before = page.url
        panel.get_by_role("button", name="Insert template").click()
        assert page.url == before  # in place: nothing was posted
        assert page.evaluate("document.activeElement.name") == "body"
    else:
        walk.press_named("Insert template")
        assert "template=" in page.url and page.url.endswith("#reply")
    return panel.get_by_label("Message to the reporter").input_value()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_first_reply_is_filled_in_and_a_placeholder_left_is_refused_until_replaced(
    browser_session: BrowserSession,
    institution: Institution,
    adviser: User,
    javascript: bool,
) -> None:
    adviser.first_name = FIRST_NAME
    adviser.save(update_fields=["first_name"])
    made: Made = make_report(reporter_client(), "support", marker="PLACEHOLDERS")
    CaseAssignment.objects.create(case=made.report.case, user=adviser)
    walk = staff_walk(browser_session, javascript=javascript)
    page = walk.page
    sign_in(page, adviser)
    walk.goto(f"/staff/cases/{made.report.case.pk}/messages/")  # the case's Messages section

    # The words Waypoint knows are in the box; nothing is left in square brackets.
    text = _insert_first_reply(walk)
    assert f"My name is {FIRST_NAME} and I am an adviser" in text
    assert f"getting in touch with {TEAM}." in text
    assert f"we read and answer messages {HOURS}." in text
    assert "[" not in text and "]" not in text
    walk.check("messages section with the first reply filled in")

    # A placeholder the adviser meant to fill and forgot: nothing goes.
    typed = f"{text}\n\n{LEFT_OVER}"
    page.locator("#messages").get_by_label("Message to the reporter").fill(typed)
    walk.press("Send message")
    assert walk.h1() == "Messages"
    assert page.title().startswith("Error: ")
    assert REFUSAL in page.locator("#error-summary").inner_text()
    box = page.locator("main").get_by_label("Message to the reporter")
    assert REFUSAL in page.locator("#id_body_error").inner_text()
    assert "id_body_error" in (box.get_attribute("aria-describedby") or "")
    assert box.input_value() == typed
    walk.check("message page: a placeholder left in the message")
    assert not Message.objects.exists()

    # Following the summary's link lands in the box; put right, it is sent.
    page.locator("#error-summary").get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_body"
    box.fill(typed.replace(LEFT_OVER, PUT_RIGHT))
    walk.press("Send message")
    assert page.get_by_text("Your message was sent.").is_visible()
    walk.check("messages section after the message was sent")

    # The reporter, in a browser of their own, reads it with no square bracket in it.
    reporter = staff_walk(browser_session, javascript=javascript, viewport=MOBILE, reporter=True)
    reporter_signs_in(reporter, made)
    thread = reporter.page.locator(".thread").inner_text()
    assert f"My name is {FIRST_NAME}" in thread
    assert PUT_RIGHT in thread
    assert "[" not in thread and "]" not in thread
    reporter.check("the reporter's page with the adviser's first reply")
