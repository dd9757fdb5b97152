"""Safety (issue 6) in a real Chromium: risk assessments, the safety plan and university
measures, referrals, and the returning reporter's view of a shared plan.

- An adviser walks through the risk checklist (every question answered, the band raised
  with a reason) to the result page and its guidance, with JavaScript on and off.
- An adviser makes a safety plan with the person (actions in two areas, a measure owned
  by Security), shares it, and records a referral to a service in the support directory
  (consent given, with when and how; and the refusal of one without a basis). The
  reporter reads the plan at /my-report/safety-plan/, with JavaScript on and off: "not
  ready" before it is shared, the plan after.

Every page and state reached is checked as it is reached (staff_support.StaffWalk.check):
one h1, no link to a missing anchor, no sideways scrolling, no axe violations (with
JavaScript off, on a copy of the page in a script-free context). The fixtures also fail a
test on any CSP violation, script error, failed asset or request to another host.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.browser.staff_support import (
    StaffWalk,
    institution_ready,
    reporter_signs_in,
    sign_in,
    staff_walk,
)
from tests.browser.support import MOBILE, BrowserSession
from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.institution.models import Institution
from waypoint.reporting.tests.flow import Made, make_report, reporter_client
from waypoint.safety.models import Assessment, Referral, SafetyMeasure, SafetyPlan

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])

CHECKLIST = "Risk checklist (domestic abuse, stalking and harassment)"
REASON = "They describe him waiting outside their seminar every week: escalating."
PERSONAL_ACTION = "Keep my phone charged and share my location with my flatmate."
TRAVEL_ACTION = "Take the campus bus after dark instead of walking through the park."
MEASURE_BRIEF = "Patrols aware of a concern near the library entrance, weekday evenings."
MEASURE_DETAIL = "TEAM-ONLY: the person studies on the second floor until 9pm."


@pytest.fixture
def institution(demo_institution: Institution) -> Institution:
    return institution_ready(demo_institution)


def assigned_report(adviser: User, marker: str) -> Made:
    made = make_report(reporter_client(), "support", marker=marker)
    made.report.case.assignments.create(user=adviser)
    return made


def to_the_case(walk: StaffWalk, case: Case) -> None:
    walk.goto(f"/staff/cases/{case.pk}/")
    assert walk.h1() == "Overview"  # the case's first section (ADR 0031)
    assert case.report.reference in walk.page.locator(".idbar").inner_text()


# --- Risk -----------------------------------------------------------------------------------------


@JS
def test_an_adviser_completes_the_risk_checklist_raises_the_band_and_reads_the_guidance(
    browser_session: BrowserSession,
    institution: Institution,
    adviser: User,
    javascript: bool,
) -> None:
    made = assigned_report(adviser, "RISK")
    case = made.report.case
    walk = staff_walk(
        browser_session, javascript=javascript, viewport=None if javascript else MOBILE
    )
    page = walk.page
    main = page.locator("main")
    sign_in(page, adviser)
    to_the_case(walk, case)
    assert page.locator("#risk").get_by_text("No risk assessment yet.").is_visible()
    walk.follow("Risk")  # the sub navigation
    assert walk.h1().startswith("Risk assessments")
    walk.check("risk assessments, none yet")

    walk.follow(f"Start: {CHECKLIST}")
    assert walk.h1().startswith(CHECKLIST)
    items = page.locator("fieldset.risk-item")
    assert items.count() == 24
    walk.check("risk checklist, empty")
    walk.press("Save the assessment")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "Question 1: choose yes, no or don't know." in summary.inner_text()
    walk.check("risk checklist with every question unanswered")

    # Every question answered: ten yes (the "Medium" band from the answers), the rest no
    # or don't know; then the band raised to "High", first without a reason.
    for index in range(24):
        answer = "Yes" if index < 10 else ("Don't know" if index == 23 else "No")
        items.nth(index).get_by_label(answer, exact=True).check()
    items.nth(1).get_by_label("Comment on question 2 (optional)").fill("Very frightened.")
    band = main.get_by_role("group", name="Band after your professional judgement")
    band.get_by_label("High", exact=True).check()
    walk.press("Save the assessment")
    assert summary.is_visible()
    walk.check("risk checklist, band raised without a reason")
    assert items.nth(0).get_by_label("Yes", exact=True).is_checked()  # answers kept
    assert band.get_by_label("High", exact=True).is_checked()
    main.get_by_label("Reason for your judgement").fill(REASON)
    walk.press("Save the assessment")

    assert walk.h1().startswith("Risk assessment")
    result = page.locator(".risk-result")
    assert result.get_by_text("10 of 24").is_visible()
    assert result.locator(".band").inner_text() == "High"
    assert result.get_by_text("(professional judgement)").is_visible()
    assert result.get_by_text(REASON).is_visible()
    assert result.get_by_role("heading", name="Guidance").is_visible()
    assert result.get_by_text("Visible high risk. Act today").is_visible()
    assert result.get_by_text("Tell a case lead today").is_visible()
    walk.check("risk assessment result with the band's guidance")

    assessment = Assessment.objects.get(case=case)
    assert (assessment.score, assessment.computed_band, assessment.band) == (10, "medium", "high")

    walk.follow("start a new assessment")
    row = page.get_by_role("row").filter(has_text="High")
    assert row.get_by_text("(by judgement)").is_visible()
    walk.check("risk assessments with one in the history")


# --- Safety plan, measures, referrals, and the reporter's view ------------------------------------


def reporter_sees_not_ready(reporters: list[StaffWalk], made: Made) -> None:
    for reporter in reporters:
        reporter_signs_in(reporter, made)
        reporter.goto("/my-report/safety-plan/")
        assert reporter.h1() == "Your safety plan"
        assert reporter.page.get_by_role("heading", name="Not ready yet").is_visible()
        reporter.check("the reporter's safety plan, not shared yet")


def add_actions(walk: StaffWalk) -> None:
    page = walk.page
    personal = page.locator("#area-personal")
    walk.press("Add action to personal safety")
    assert page.locator("#error-summary").get_by_text("Write the action that was agreed.")
    walk.check("safety plan: an action added without words")
    personal.get_by_label("New action for personal safety").fill(PERSONAL_ACTION)
    walk.press("Add action to personal safety")
    assert page.get_by_text("The action was added to the plan.").is_visible()
    page.locator("#area-travel").get_by_label("New action for travel").fill(TRAVEL_ACTION)
    walk.press("Add action to travel")
    assert page.locator("#area-travel").get_by_text(TRAVEL_ACTION).is_visible()
    assert personal.get_by_text(PERSONAL_ACTION).is_visible()


def add_a_measure(walk: StaffWalk) -> None:
    page = walk.page
    main = page.locator("main")
    walk.follow("Add a university measure")
    assert walk.h1().endswith("Add a university measure")
    walk.check("new university measure")
    walk.press("Add the measure")
    assert page.locator("#error-summary").is_visible()
    walk.check("new university measure with errors")
    main.get_by_label("Kind of measure").select_option(label="Security patrol awareness")
    main.get_by_label("Department that owns it").select_option(label="Security")
    main.get_by_label("Brief for the department").fill(MEASURE_BRIEF)
    main.get_by_label("Notes for the case team (optional)").fill(MEASURE_DETAIL)
    main.get_by_role("group", name="Status").get_by_label("Agreed").check()
    walk.press("Add the measure")
    assert page.get_by_text("The measure was added.").is_visible()
    measures = page.locator("#measures")
    assert measures.get_by_role("link", name="Security patrol awareness").is_visible()
    assert measures.get_by_text("Security", exact=True).is_visible()


def record_referrals(walk: StaffWalk, case: Case) -> None:
    page = walk.page
    main = page.locator("main")
    to_the_case(walk, case)
    walk.follow("Referrals and processes")  # the sub navigation
    assert walk.h1() == "Referrals and disclosures"
    walk.check("referrals, none yet")
    walk.press("Record referral")
    assert page.locator("#error-summary").is_visible()
    walk.check("referral form with nothing filled in")

    def recipient_and_content() -> None:
        main.get_by_role("group", name="Who it goes to").get_by_label(
            "A service in the support directory"
        ).check()
        main.get_by_label("Support service").select_option(label="Paladin")
        main.get_by_label("Purpose of the referral").fill("Specialist stalking advocacy.")
        main.get_by_label("What is shared", exact=False).first.fill(
            "First name, a safe phone number, a summary of what is happening."
        )

    # Refused: no consent and no exemption, so no basis for sharing.
    recipient_and_content()
    main.get_by_role("group", name="Lawful basis").get_by_label("Legitimate interests").check()
    main.get_by_role("group", name="Did the person agree").get_by_label("No, or not asked").check()
    walk.press("Record referral")
    summary = page.locator("#error-summary")
    assert "choose the exemption that allows sharing" in summary.inner_text()
    walk.check("referral refused: no consent and no exemption")
    assert Referral.objects.count() == 0

    # Consent given, with when and how.
    recipient_and_content()
    main.get_by_role("group", name="Lawful basis").get_by_label("Consent", exact=True).check()
    main.get_by_role("group", name="Did the person agree").get_by_label("Yes", exact=True).check()
    agreed = timezone.localtime() - datetime.timedelta(hours=1)
    main.get_by_label("When they agreed").fill(agreed.strftime("%Y-%m-%dT%H:%M"))
    main.get_by_role("group", name="How they agreed").get_by_label(
        "Told us in person or by phone"
    ).check()
    walk.press("Record referral")
    assert walk.h1() == "Referral to Paladin"
    assert page.get_by_text("The referral is recorded").is_visible()
    assert main.get_by_text("The person agreed on").is_visible()
    walk.check("referral recorded with consent")
    referral = Referral.objects.get()
    assert referral.consent_given is True and referral.consent_method == "verbal"
    walk.follow("Back to the referrals")
    assert page.get_by_role("row").filter(has_text="Paladin").get_by_text("Agreed").is_visible()
    walk.check("referrals, one recorded")


def test_an_adviser_makes_and_shares_a_safety_plan_and_refers_and_the_reporter_reads_the_plan(
    browser_session: BrowserSession,
    institution: Institution,
    adviser: User,
) -> None:
    made = assigned_report(adviser, "PLAN")
    case = made.report.case
    reporters = [
        staff_walk(browser_session, javascript=javascript, viewport=MOBILE, reporter=True)
        for javascript in (True, False)
    ]
    reporter_sees_not_ready(reporters, made)

    walk = staff_walk(browser_session, viewport=MOBILE)
    page = walk.page
    sign_in(page, adviser)
    to_the_case(walk, case)
    walk.follow("Safety plan and measures")  # the sub navigation
    assert walk.h1() == "Safety plan and measures"
    assert page.locator("#sharing").get_by_text("Not shared.").is_visible()
    walk.check("safety plan, empty")
    add_actions(walk)
    add_a_measure(walk)
    walk.check("safety plan with actions and a measure, not shared")

    walk.follow("Security patrol awareness")
    assert page.get_by_role("paragraph").filter(has_text=MEASURE_DETAIL).is_visible()
    walk.check("measure page, the case team's view")
    walk.follow("Back to the safety plan")

    walk.press("Share with the reporter")
    assert page.get_by_text("The plan is shared.").is_visible()
    assert page.locator("#sharing").get_by_text("Shared with the person").is_visible()
    walk.check("safety plan, shared")
    assert SafetyPlan.objects.get(case=case).shared_with_reporter_at is not None
    measure = SafetyMeasure.objects.get(case=case)
    assert measure.department.name == "Security" and measure.status == "agreed"

    for reporter in reporters:
        reporter.page.reload()
        main = reporter.page.locator("main")
        assert main.get_by_text(PERSONAL_ACTION).is_visible()
        assert main.get_by_text(TRAVEL_ACTION).is_visible()
        assert main.get_by_text("Security patrol awareness").is_visible()
        text = reporter.text()
        assert "Agreed" in text
        for secret in (MEASURE_BRIEF, MEASURE_DETAIL, "Security:", "(Security)"):
            assert secret not in text, secret
        reporter.check("the reporter's safety plan, shared")

    record_referrals(walk, case)
