"""The lead's overview (issue 12, item 9) in a real Chromium, with JavaScript off.

Lee, a case lead, opens the Overview from the staff header at 1366x768: open university
measures by department, status and review date, open tasks by person and department,
and each adviser's caseload with overdue first contacts. Lee filters by department and
sorts the measures, all as plain links and a GET form. A case restricted to others is
nowhere on the page. Checked at each state (one h1, no dead anchors, no sideways
scrolling, axe 0) and kept as screenshots at 1366 and 390 px wide.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.browser.staff_support import institution_ready, sign_in, staff_walk
from tests.browser.support import LAPTOP, MOBILE, BrowserSession, save_screenshot
from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment, CaseClock
from waypoint.casework.services import work
from waypoint.institution.models import Department, Institution
from waypoint.reporting.tests.flow import make_report, reporter_client
from waypoint.safety.models import MeasureKind, MeasureStatus
from waypoint.safety.services import plans

pytestmark = pytest.mark.browser


@pytest.fixture
def institution(demo_institution: Institution) -> Institution:
    return institution_ready(demo_institution)


def _case(adviser: User, marker: str) -> Case:
    case = make_report(reporter_client(), "support", marker=marker).report.case
    CaseAssignment.objects.create(case=case, user=adviser)
    return case


def _measure(case: Case, adviser: User, department: Department, **options: object) -> None:
    plans.measure_create(
        case=case,
        actor=adviser,
        kind=options.get("kind", MeasureKind.ESCORT),  # type: ignore[arg-type]
        department=department,
        brief="Walk with them from the library after evening seminars.",
        detail="",
        status=options.get("status", MeasureStatus.AGREED),  # type: ignore[arg-type]
        starts_on=None,
        review_on=timezone.localdate() + datetime.timedelta(days=int(options.get("days", 7))),  # type: ignore[call-overload]
        ends_on=None,
    )


def test_lee_reads_the_overview_filters_it_and_sorts_it_without_javascript(
    browser_session: BrowserSession, institution: Institution, adviser: User, case_lead: User
) -> None:
    security = Department.objects.get(slug="security")
    accommodation = Department.objects.exclude(pk=security.pk).order_by("name").first()
    assert accommodation is not None
    first, second, third = (_case(adviser, f"OVERVIEW{n}") for n in range(3))
    _measure(first, adviser, security, days=2)
    _measure(second, adviser, accommodation, kind=MeasureKind.ACCOMMODATION_MOVE, days=9)
    _measure(third, adviser, security, status=MeasureStatus.IN_PLACE, days=30)
    work.task_create(case=first, actor=adviser, title="Call back", brief="", assignee=adviser)
    work.task_create(
        case=second, actor=adviser, title="Room", brief="A quieter room.", department=accommodation
    )
    CaseClock.objects.filter(case=third).update(
        first_contact_due_at=timezone.now() - datetime.timedelta(days=1)
    )
    hidden = _case(adviser, "OVERVIEWHIDDEN")
    hidden.restricted = True
    hidden.save(update_fields=["restricted"])
    _measure(hidden, adviser, security)

    walk = staff_walk(browser_session, javascript=False, viewport=LAPTOP)
    sign_in(walk.page, case_lead)
    with walk.page.expect_navigation():
        walk.page.get_by_role("navigation", name="Staff").get_by_role(
            "link", name="Overview"
        ).click()
    assert walk.h1() == "Overview"
    text = walk.text()
    assert "3 open measures, sorted by review date" in text
    assert hidden.report.reference not in text
    assert "1 overdue" in text
    save_screenshot(walk.page, "lead-overview-laptop")
    walk.check("the lead's overview")

    walk.page.get_by_label("Department", exact=True).select_option(label="Security")
    walk.press("Apply filter")
    assert "2 open measures" in walk.text()
    assert second.report.reference not in walk.text()
    walk.check("the overview filtered by department")

    with walk.page.expect_navigation():
        walk.page.locator("main").get_by_role("link", name="Status").click()
    assert "sorted by status" in walk.text()
    assert walk.page.locator("th[aria-sort='ascending']").inner_text().startswith("Status")
    walk.check("the overview sorted by status")

    walk.follow("Remove filter: Security")
    assert "3 open measures" in walk.text()

    phone = staff_walk(browser_session, javascript=False, viewport=MOBILE)
    sign_in(phone.page, case_lead)
    phone.goto("/staff/overview/")
    save_screenshot(phone.page, "lead-overview-mobile", full_page=True)
    phone.check("the overview on a phone")
