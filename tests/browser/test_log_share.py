"""Sharing incidents from a record with the team (issue 14, item 7) in a real Chromium,
on a phone, with JavaScript on and off.

Persona: Jo has kept a record for a few weeks. She shares two of her three incidents:
the sharing page says what that means, she first presses the button without choosing
(the error says what to do), then chooses two. The confirmation says what happens next,
her record marks the two as shared. Priya, the adviser later assigned to the case this
opened, sees the share on the case timeline.

Every page and state is checked as it is reached (one h1, the quick exit, no sideways
scrolling, no link to a missing anchor, axe with no violations).
"""

from __future__ import annotations

import pytest

from tests.browser.reporting_support import Walk, fill, tick
from tests.browser.staff_support import institution_ready, sign_in, staff_walk
from tests.browser.support import MOBILE, BrowserSession, save_screenshot
from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.institution.models import Institution
from waypoint.log import services
from waypoint.log.models import IncidentLog, LogEntry
from waypoint.log.tests.support import content

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


@pytest.fixture
def institution(demo_institution: Institution) -> Institution:
    return institution_ready(demo_institution)


def record_with_incidents(count: int) -> tuple[IncidentLog, str]:
    started = services.log_start()
    for day in range(count):
        services.entry_add(
            log=started.log,
            content=content(
                when={"kind": "exact", "date": f"2026-11-{10 + day}", "time": "", "end_date": ""}
            ),
        )
    return started.log, started.passphrase


@JS
def test_jo_shares_two_of_three_incidents_and_priya_sees_it_on_the_timeline(
    browser_session: BrowserSession, institution: Institution, adviser: User, javascript: bool
) -> None:
    mode = "js" if javascript else "no-js"
    log, passphrase = record_with_incidents(3)
    page, _ = browser_session.new_page(java_script_enabled=javascript, viewport=MOBILE)
    walk = Walk(browser_session, page, javascript, institution.quick_exit_url)
    main = page.locator("main")

    walk.goto("/log/sign-in/")
    fill(page, "Record reference", str(log.reference))
    fill(page, "Passphrase", passphrase)
    walk.press("Open my record")
    assert walk.h1() == "Your record"
    assert main.get_by_text("Nothing in your record is shared.").is_visible()

    walk.follow("Choose what to share with the team")
    assert walk.h1().startswith("Share your record with")
    assert main.get_by_text("Sharing cannot be undone.").is_visible()
    walk.check("share page")
    save_screenshot(page, f"log-share-{mode}", full_page=True)

    # Nothing chosen: the error summary first, linking to the choices.
    walk.press("Share the incidents I chose")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "Choose at least one incident to share" in summary.inner_text()
    walk.check("share page, nothing chosen")
    save_screenshot(page, f"log-share-error-{mode}", full_page=True)

    labels = page.locator("fieldset .choice label").all_inner_texts()
    assert len(labels) == 3
    tick(page, labels[0], labels[2])
    walk.press("Share the incidents I chose")
    assert walk.h1() == "Shared with the team"
    assert main.get_by_text("You shared 2 incidents").is_visible()
    walk.check("shared")
    save_screenshot(page, f"log-shared-{mode}", full_page=True)

    walk.follow("Back to your record")
    assert main.get_by_text("Shared with the team on").count() == 2
    assert main.get_by_text("read their messages and reply").is_visible()
    assert main.get_by_text("1 is still private").is_visible()
    walk.check("record with shared incidents")
    log.refresh_from_db()
    assert LogEntry.objects.filter(log=log, shared_at__isnull=False).count() == 2

    # The same receipt opens /my-report/, where the team's messages are read; its "Keep a
    # record" block leads back to the record.
    walk.goto("/my-report/")
    fill(page, "Report reference", str(log.reference))
    fill(page, "Passphrase", passphrase)
    walk.press("Sign in")
    assert walk.h1() == "Your report"
    assert main.get_by_role("heading", name="Keep a record").is_visible()
    walk.check("my report, with a shared record")
    walk.press("Open your record")
    assert walk.h1() == "Your record"

    # Priya, assigned to the case the share opened, sees it on the timeline.
    case = Case.objects.get(report=IncidentLog.objects.get(pk=log.pk).report)
    case.assignments.create(user=adviser)
    staff = staff_walk(browser_session, javascript=javascript)
    sign_in(staff.page, adviser)
    staff.goto(f"/staff/cases/{case.pk}/timeline/")
    assert staff.h1() == "Timeline"
    timeline = staff.page.locator("main")
    assert timeline.get_by_text("Shared 2 incidents from their incident log").is_visible()
    assert timeline.get_by_role("link", name="Read them in the chronology").is_visible()
    staff.check("timeline with a share")
    save_screenshot(staff.page, f"log-share-timeline-{mode}", full_page=True)
