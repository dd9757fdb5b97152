"""The insights pages (issue 15) in a real Chromium, as Ines, the insights viewer.

On a laptop (1366x768, JavaScript on) Ines opens Insights from the staff home page,
reads every section (charts, tables, hidden figures), picks a term with the period form
and mistypes a month range; on a phone with JavaScript off she reads every section
again. Every state: one h1, no dead anchors, no sideways scrolling, axe 0. Set
WAYPOINT_SCREENSHOT_STATES=1 to keep a screenshot of each (test-results/screenshots).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.staff_support import institution_ready, sign_in, staff_walk
from tests.browser.support import LAPTOP, MOBILE, BrowserSession
from waypoint.accounts.models import User
from waypoint.insights.models import CaseFactEvent, CaseFacts, CaseFactTag, EventKind, TagKind
from waypoint.insights.periods import academic_year_of, add_months
from waypoint.insights.selectors import SECTIONS
from waypoint.institution.models import Institution

pytestmark = pytest.mark.browser

START = datetime.date(academic_year_of(timezone.localdate(), start_month=8), 8, 1)


@pytest.fixture
def institution(demo_institution: Institution) -> Institution:
    return institution_ready(demo_institution)


def _facts(count: int, month: datetime.date, **fields: Any) -> list[CaseFacts]:
    fields.setdefault("route", "support")
    return CaseFacts.objects.bulk_create(
        CaseFacts(case_id=uuid.uuid4(), opened_month=month, **fields) for _ in range(count)
    )


def _figures() -> None:
    """Enough to show in most tables, and a few small groups to hide."""
    main = _facts(
        42,
        START,
        reporter_role="student",
        affiliation="student",
        first_contact_working_days=2,
        first_contact_within_target=True,
        first_risk_band="medium",
        closed_month=add_months(START, 2),
        days_to_close=35,
        outcome="supported",
    )
    _facts(18, add_months(START, 1), route="anonymous", reporter_role="staff")
    _facts(4, add_months(START, 1), route="third_party", walk_in=True)
    _facts(33, add_months(START, -11), route="support", reporter_role="student")
    for case in main[:20]:
        CaseFactTag.objects.create(facts=case, kind=TagKind.BEHAVIOUR, slug="following")
        CaseFactEvent.objects.create(
            facts=case, kind=EventKind.STATUS, month=START, value="triaged"
        )
    for case in main[:3]:
        CaseFactEvent.objects.create(
            facts=case, kind=EventKind.PROCESS, month=START, value="police:reported"
        )


def test_ines_reads_every_section_on_a_laptop_and_on_a_phone_without_javascript(
    browser_session: BrowserSession, institution: Institution, insights_viewer: User
) -> None:
    _figures()
    walk = staff_walk(browser_session, javascript=True, viewport=LAPTOP)
    sign_in(walk.page, insights_viewer)
    walk.follow("Insights")
    assert walk.h1() == "Insights"
    walk.check("the insights overview")

    for _, title in SECTIONS:
        walk.page.locator("main").get_by_role("link", name=title, exact=True).first.click()
        walk.page.wait_for_load_state()
        assert walk.h1().startswith(title), walk.h1()
        text = walk.text()
        assert "fewer than 10" in text
        assert "Some figures are hidden" in text
        assert walk.page.locator("main svg[role='img']").count() > 0
        walk.check(f"insights {title.lower()}")
        walk.goto("/staff/insights/")

    walk.goto("/staff/insights/reports/")
    walk.page.get_by_label("Term").select_option(index=2)
    walk.press("Show figures")
    assert "Second term" in walk.h1() or "too few reports" in walk.text()
    walk.check("insights reports for a term")

    main = walk.page.locator("main")
    main.get_by_label("From month").fill("13")
    main.get_by_label("From year").fill(str(START.year))
    main.get_by_label("To month").fill("2")
    main.get_by_label("To year").fill(str(START.year + 1))
    walk.press("Show figures")
    assert "There is a problem" in walk.text()
    walk.check("insights with a bad month range")

    phone = staff_walk(browser_session, javascript=False, viewport=MOBILE)
    sign_in(phone.page, insights_viewer)
    for slug, title in SECTIONS:
        phone.goto(f"/staff/insights/{slug}/")
        assert phone.h1().startswith(title)
        phone.check(f"insights {title.lower()} on a phone")
