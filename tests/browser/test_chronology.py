"""The case's chronology and the police-ready bundle (issue 14) in a real Chromium.

An adviser opens the Chronology section of a case whose reporter shared two entries from
their incident log (and kept one back), filters it by behaviour, records an incident told
by phone (first without what happened, then properly), and makes a police-ready bundle
(first without a purpose, then with a lawful basis and consent), reaching the page with
its two downloads. On a laptop (1366x768) with JavaScript, and on a phone without it.

Every page and state is checked as it is reached (staff_support.StaffWalk.check): one h1,
no link to a missing anchor, no sideways scrolling, no axe violations. The fixtures also
fail a test on any CSP violation, script error, failed asset or request to another host.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.staff_support import StaffWalk, institution_ready, sign_in, staff_walk
from tests.browser.support import LAPTOP, MOBILE, BrowserSession
from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.institution.models import Institution
from waypoint.log.models import LogEntry, RecordedBy
from waypoint.log.services import entry_add, log_start_for_report
from waypoint.reporting.tests.flow import make_report, reporter_client
from waypoint.safety.models import Referral

pytestmark = pytest.mark.browser

HIDDEN = "Kept-Back-Words-3391"
PURPOSE = "Investigation of crime reference 22/1234/26"


@pytest.fixture
def institution(demo_institution: Institution) -> Institution:
    return institution_ready(demo_institution)


def _content(day: str, text: str, slug: str, label: str) -> dict[str, object]:
    return {
        "when": {"kind": "exact", "date": day, "time": "20:15", "end_date": "", "end_time": ""},
        "where": {"places": [], "platforms": [], "text": "Outside the library"},
        "what": {"behaviours": [{"slug": slug, "label": label}], "text": text},
        "who": [],
        "witnesses": "",
        "affected": "",
        "police": {"officer": "", "reference": ""},
        "evidence": [],
    }


def _case_with_a_shared_log(adviser: User) -> Case:
    made = make_report(reporter_client(), "support", marker="CHRON")
    case = made.report.case
    case.assignments.create(user=adviser)
    log = log_start_for_report(report=made.report)
    shared = [
        entry_add(
            log=log, content=_content("2026-11-02", "Waited by my bike", "watching", "Watching")
        ),
        entry_add(
            log=log,
            content=_content("2026-11-09", "Twenty messages", "repeated-contact", "Messages"),
        ),
    ]
    entry_add(log=log, content=_content("2026-11-12", HIDDEN, "threats", "Threats"))
    LogEntry.objects.filter(pk__in=[e.pk for e in shared]).update(shared_at=timezone.now())
    return case


@pytest.mark.parametrize(
    ("viewport", "javascript"), [(LAPTOP, True), (MOBILE, False)], ids=["laptop-js", "phone-no-js"]
)
def test_an_adviser_reads_filters_adds_to_the_chronology_and_makes_a_police_bundle(
    browser_session: BrowserSession,
    institution: Institution,
    adviser: User,
    viewport: dict[str, int],
    javascript: bool,
) -> None:
    case = _case_with_a_shared_log(adviser)
    walk: StaffWalk = staff_walk(browser_session, javascript=javascript, viewport=viewport)
    page = walk.page
    main = page.locator("main")
    sign_in(page, adviser)

    walk.goto(f"/staff/cases/{case.pk}/")
    with page.expect_navigation():
        page.locator("nav.case-sections").get_by_role("link", name="Chronology").click()
    assert walk.h1() == "Chronology"
    text = walk.text()
    assert "Waited by my bike" in text and "Twenty messages" in text
    assert HIDDEN not in page.content()
    walk.check("chronology")

    main.get_by_label("Behaviour").select_option(value="watching")
    walk.press("Show incidents")
    assert "Waited by my bike" in walk.text()
    assert "Twenty messages" not in walk.text()
    assert main.locator(".filter-tag").count() == 1
    walk.check("chronology filtered by behaviour")

    walk.follow("Record an incident")
    assert walk.h1() == "Record an incident"
    walk.check("record an incident")
    main.get_by_label("On a date I can give").check()
    main.get_by_label("Date", exact=True).fill("2026-11-30")
    walk.press("Record the incident")
    assert page.locator("#error-summary").is_visible()
    walk.check("record an incident, without what happened")
    main.get_by_label("What happened, in their words").fill("He rang her eleven times tonight.")
    walk.press("Record the incident")
    assert walk.h1() == "Chronology"
    assert "He rang her eleven times tonight." in walk.text()
    assert "Recorded by staff" in walk.text()
    walk.check("chronology with an incident recorded by staff")
    assert LogEntry.objects.filter(recorded_by=RecordedBy.STAFF, staff_member=adviser).exists()

    walk.follow("Make a police-ready bundle")
    assert walk.h1() == "Make a police-ready bundle"
    walk.check("police bundle form")
    main.get_by_label("Police force and officer").fill("Leicestershire Police, DC 1234 Patel")
    walk.press("Record the disclosure and make the bundle")
    assert page.locator("#error-summary").is_visible()
    assert not Referral.objects.exists()
    walk.check("police bundle form, without a purpose or basis")
    main.get_by_label("Purpose", exact=True).fill(PURPOSE)
    main.get_by_label("Legal obligation").check()
    main.get_by_label("Yes", exact=True).check()
    agreed = timezone.localtime() - dt.timedelta(hours=2)
    main.get_by_label("When they agreed").fill(agreed.strftime("%Y-%m-%dT%H:%M"))
    main.get_by_label("Told us in person or by phone").check()
    walk.press("Record the disclosure and make the bundle")
    assert walk.h1() == "Police-ready bundle"
    walk.check("police bundle ready")

    referral = Referral.objects.get(case=case)
    pdf = page.request.get(f"/staff/bundles/{referral.pk}/pdf/")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    archive = page.request.get(f"/staff/bundles/{referral.pk}/zip/")
    assert archive.status == 200 and archive.headers["content-type"] == "application/zip"

    # The risk checklist shows the counts of what was shared, beside its questions.
    walk.goto(f"/staff/cases/{case.pk}/assessments/new/stalking-screening/")
    panel = page.locator(".log-panel")
    assert panel.is_visible()
    assert "3 shared incidents" in panel.inner_text()  # two shared and one recorded by staff
    walk.check("risk checklist with counts from their incident log")
