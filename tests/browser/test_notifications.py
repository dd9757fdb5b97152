"""Being told (issue 12, item 10) in a real Chromium: the header's count, the notification
centre and the staff home's "Today", with JavaScript on and off.

An adviser with a case whose reporter wrote twice and an overdue task signs in and lands
on Today (what is overdue, due and unread, each a link), reads the count in the header as
"Notifications, 3 unread", opens the list, marks one notification read and then all,
and chooses a daily summary. Every page and state is checked as it is reached (one h1, no
dead anchor, no sideways scrolling, axe 0; staff_support.StaffWalk.check), and each page
is kept as a screenshot at 1366x768 and at 390 px wide.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from tests.browser.staff_support import StaffWalk, institution_ready, sign_in, staff_walk
from tests.browser.support import LAPTOP, MOBILE, BrowserSession, save_screenshot
from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseClock, Task
from waypoint.casework.services import message_send_from_reporter
from waypoint.casework.services.work import task_create
from waypoint.institution.models import Institution
from waypoint.notifications.models import EmailChoice, Notification, NotificationPreference
from waypoint.reporting.tests.flow import make_report, reporter_client

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


@pytest.fixture
def institution(demo_institution: Institution) -> Institution:
    return institution_ready(demo_institution)


def _a_busy_day(adviser: User, case_lead: User) -> Case:
    case = make_report(reporter_client(), "support", marker="TODAY").report.case
    case.assignments.create(user=adviser)
    CaseClock.objects.filter(case=case).update(
        first_contact_due_at=timezone.now() - datetime.timedelta(hours=3)
    )
    message_send_from_reporter(case=case, body="It happened again today.")
    message_send_from_reporter(case=case, body="He was outside the library.")
    task = task_create(
        case=case,
        actor=case_lead,
        title="Call the reporter back",
        brief="",
        assignee=adviser,
        due_on=timezone.localdate(),
    )
    Task.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    return case


def _screenshots(walk: StaffWalk, name: str) -> None:
    for label, size in (("laptop", LAPTOP), ("mobile", MOBILE)):
        walk.page.set_viewport_size({"width": size["width"], "height": size["height"]})
        save_screenshot(walk.page, f"notifications-{name}-{label}", full_page=True)
    walk.page.set_viewport_size({"width": LAPTOP["width"], "height": LAPTOP["height"]})


@JS
def test_an_adviser_sees_today_and_works_through_their_notifications(
    browser_session: BrowserSession,
    institution: Institution,
    adviser: User,
    case_lead: User,
    javascript: bool,
) -> None:
    case = _a_busy_day(adviser, case_lead)
    reference = case.report.reference
    walk = staff_walk(browser_session, javascript=javascript, viewport=LAPTOP)
    page = walk.page

    sign_in(page, adviser)
    assert page.title().startswith("Today")
    text = walk.text()
    assert "Call the reporter back" in text
    assert f"Case {reference}" in text
    assert "2 unread messages" in text
    assert "You have been given a task on case" in text
    walk.check("today")
    if javascript:
        _screenshots(walk, "today")

    # Read out as "Notifications, 3 unread" (the comma and "unread" are visually hidden).
    header_link = page.get_by_role("link", name=re.compile(r"^Notifications\s*,\s*3\s+unread$"))
    assert header_link.count() == 1
    with page.expect_navigation():
        header_link.click()
    assert walk.h1() == "Notifications"
    assert "You have 3 unread notifications." in walk.text()
    walk.check("the list")
    if javascript:
        _screenshots(walk, "list")

    walk.press_named("Mark as read")
    assert "You have 2 unread notifications." in walk.text()
    assert (
        page.get_by_role("link", name=re.compile(r"^Notifications\s*,\s*2\s+unread$")).count() == 1
    )
    walk.check("one marked read")

    walk.press("Mark all as read")
    assert "All your notifications are marked as read." in walk.text()
    assert page.get_by_role("link", name="Notifications", exact=True).count() == 1
    assert not Notification.objects.filter(recipient=adviser, read_at__isnull=True).exists()
    walk.check("all read")

    page.get_by_label("Email me a daily summary").check()
    walk.press("Save email choice")
    assert "Your email choice is saved." in walk.text()
    assert NotificationPreference.objects.get(user=adviser).email == EmailChoice.DAILY
    walk.check("email choice saved")


def test_the_list_keyboard_only_reaches_mark_as_read(
    browser_session: BrowserSession, institution: Institution, adviser: User, case_lead: User
) -> None:
    _a_busy_day(adviser, case_lead)
    walk = staff_walk(browser_session, viewport=LAPTOP)
    sign_in(walk.page, adviser)
    walk.goto("/staff/notifications/")

    for _ in range(40):
        walk.page.keyboard.press("Tab")
        focused = walk.page.evaluate("document.activeElement.textContent")
        if "Mark as read" in (focused or ""):
            break
    else:
        pytest.fail("Mark as read was not reached with the keyboard")
    with walk.page.expect_navigation():
        walk.page.keyboard.press("Enter")
    assert "You have 2 unread notifications." in walk.text()


def test_a_partner_sees_a_notification_for_their_department_without_the_case(
    browser_session: BrowserSession,
    institution: Institution,
    adviser: User,
    partner: User,
) -> None:
    case = make_report(reporter_client(), "support", marker="DEPT").report.case
    case.assignments.create(user=adviser)
    assert partner.department is not None
    task_create(
        case=case,
        actor=adviser,
        title="Evening patrols",
        brief="Patrols past the library",
        department=partner.department,
        due_on=timezone.localdate(),
    )
    walk = staff_walk(browser_session, viewport=MOBILE)
    sign_in(walk.page, partner)
    walk.check("partner today")
    assert "Evening patrols" in walk.text()
    walk.goto("/staff/notifications/")
    assert "Your department has been given a task." in walk.text()
    assert case.report.reference not in walk.page.content()
    walk.check("partner list")
