"""The frame of every page of a case: the identity bar and the sub navigation (ADR 0031).

`identity_bar_for` answers, for one member of staff and one case they may see, what the
bar at the top of each section shows: reference, status, urgency, who is assigned, the
first-contact or next-review clock, the latest risk band, restrictions, what the viewer
may do, and the sections they may open (with the current one marked). A fixed number of
queries, whatever the size of the case.

Risk, plans and processes belong to the safety app, which sits above casework and may
not be imported from here. It contributes its facts through `frame_sources_register`
(called from its AppConfig.ready), the way a higher app listens to a lower one.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from django.urls import reverse
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.calendar import WorkingCalendar
from waypoint.casework.models import Case, CaseClock, CaseStatus
from waypoint.casework.selectors.case_page import (
    CaseActions,
    assignments_for_case,
    case_actions_for,
)
from waypoint.casework.selectors.inbox import ResponseClock, response_clock
from waypoint.institution.models import Institution

# --- What the safety app contributes --------------------------------------------------------------


@dataclass(frozen=True)
class RiskFact:
    """The latest risk assessment of a case, for the bar and the overview."""

    band: str  # "High", or "" when no band was chosen
    band_key: str  # for the badge's colour
    assessed_on: datetime.date
    next_review_on: datetime.date | None
    review_due: bool
    href: str


@dataclass(frozen=True)
class DueItem:
    """Something with a date that the case team must act on (a review, an order ending)."""

    label: str
    due_on: datetime.date | None  # a task may have no date
    overdue: bool
    href: str


@dataclass(frozen=True)
class OpenMeasure:
    kind: str
    department: str
    status: str
    review_on: datetime.date | None
    href: str


@dataclass(frozen=True)
class SafetyFacts:
    """What the overview shows of the safety work: open measures and what falls due."""

    measures: tuple[OpenMeasure, ...] = ()
    due: tuple[DueItem, ...] = ()
    may_plan: bool = False


RiskSource = Callable[[User, Case], RiskFact | None]
SafetySource = Callable[[User, Case], SafetyFacts]


@dataclass
class _Sources:
    risk: RiskSource | None = None
    safety: SafetySource | None = None


_SOURCES: Final = _Sources()


def frame_sources_register(*, risk: RiskSource, safety: SafetySource) -> None:
    """Called once by the safety app: how to read the latest risk band and safety facts."""
    _SOURCES.risk = risk
    _SOURCES.safety = safety


def risk_fact_for(*, user: User, case: Case) -> RiskFact | None:
    """The latest risk band, if the viewer may see assessments (None without the app)."""
    return _SOURCES.risk(user, case) if _SOURCES.risk is not None else None


def safety_facts_for(*, user: User, case: Case) -> SafetyFacts:
    return _SOURCES.safety(user, case) if _SOURCES.safety is not None else SafetyFacts()


# --- Sections -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str
    action: str  # the policy action that offers the section


OVERVIEW: Final = "overview"
REPORT: Final = "report"
MESSAGES: Final = "messages"
TIMELINE: Final = "timeline"
RISK: Final = "risk"
PLAN: Final = "plan"
REFERRALS: Final = "referrals"
CHRONOLOGY: Final = "chronology"
PEOPLE: Final = "people"
ACCESS: Final = "access"

SECTIONS: Final[tuple[Section, ...]] = (
    Section(OVERVIEW, "Overview", "casework:case", "case.view"),
    Section(REPORT, "What was reported", "casework:report", "case.view"),
    Section(MESSAGES, "Messages", "casework:message_send", "case.view"),
    Section(TIMELINE, "Timeline", "casework:timeline", "case.view"),
    Section(CHRONOLOGY, "Chronology", "safety:chronology", "case.chronology"),
    Section(RISK, "Risk", "safety:assessments", "safety.assess"),
    Section(PLAN, "Safety plan and measures", "safety:plan", "safety.plan"),
    Section(REFERRALS, "Referrals and processes", "safety:referrals", "safety.refer"),
    Section(PEOPLE, "People and matches", "casework:people", "case.view"),
    Section(ACCESS, "Access", "casework:access", "case.assign"),
)
SECTION_KEYS: Final = frozenset(section.key for section in SECTIONS)


def section_href(case: Case, key: str) -> str:
    """The address of a section of this case (a known key only: never a free URL)."""
    section = next(s for s in SECTIONS if s.key == key)
    return reverse(section.url_name, kwargs={"case_id": case.pk})


@dataclass(frozen=True)
class SectionLink:
    key: str
    label: str
    href: str
    current: bool


def _sections(user: User, case: Case, current: str) -> tuple[SectionLink, ...]:
    links = []
    for section in SECTIONS:
        href = ""
        if policy.can(user, section.action, case):
            href = reverse(section.url_name, kwargs={"case_id": case.pk})
        elif section.key == REFERRALS and policy.can(user, "safety.process", case):
            href = reverse("safety:processes", kwargs={"case_id": case.pk})
        if href:
            links.append(SectionLink(section.key, section.label, href, section.key == current))
    return tuple(links)


# --- The identity bar -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameClock:
    """The first-contact clock while it runs; then the next review, when one is set."""

    label: str  # "First contact", "Next review"
    text: str  # "Due in 2 working days", "Urgent: contact due by 15:30 today", "12 May"
    state: str  # a ResponseClock state: "due", "due_today", "overdue", "contacted"...
    at: datetime.datetime | datetime.date | None
    exact: bool = False  # `at` is a moment worth showing beside the words (first contact)


@dataclass(frozen=True)
class Assignee:
    name: str
    is_you: bool


@dataclass(frozen=True)
class IdentityBar:
    case: Case
    reference: str
    status: str
    status_label: str
    urgency: tuple[str, ...]
    restricted: bool
    withdrawn: bool
    assignees: tuple[Assignee, ...]
    clock: FrameClock | None
    risk: RiskFact | None
    may: CaseActions
    sections: tuple[SectionLink, ...]
    current: str
    closed: bool
    # (sentence, serious): the report withdrawn, or its deletion asked for.
    notices: tuple[tuple[str, bool], ...] = field(default_factory=tuple)

    @property
    def current_label(self) -> str:
        return next((s.label for s in SECTIONS if s.key == self.current), "")


def _urgency(case: Case) -> tuple[str, ...]:
    flags = []
    if case.immediate_danger:
        flags.append("Immediate danger")
    if case.threat_of_violence:
        flags.append("Threat of violence")
    if case.high_risk_indicator:
        flags.append("High-risk indicator")
    return tuple(flags)


def _clock(
    case: Case,
    clock: CaseClock | None,
    risk: RiskFact | None,
    institution: Institution | None,
    now: datetime.datetime,
) -> FrameClock | None:
    if clock is not None and clock.first_contact_at is None and case.closed_at is None:
        running: ResponseClock = response_clock(
            due_at=clock.first_contact_due_at,
            contacted_at=None,
            closed=False,
            now=now,
            calendar=WorkingCalendar.for_institution(institution),
            urgent=case.is_urgent,
        )
        return FrameClock(
            "First contact", running.text, running.state, clock.first_contact_due_at, exact=True
        )
    if risk is not None and risk.next_review_on is not None and case.closed_at is None:
        state = "overdue" if risk.review_due else "due"
        text = risk.next_review_on.strftime("%-d %B %Y")
        return FrameClock("Next risk review", text, state, risk.next_review_on)
    return None


def _notices(case: Case) -> tuple[tuple[str, bool], ...]:
    report = case.report
    notices = []
    if report.withdrawn_at:
        notices.append(
            (
                f"The reporter withdrew this report on {report.withdrawn_at:%-d %B %Y}. They "
                "do not want the team to act on it, and they cannot be sent messages.",
                False,
            )
        )
    if report.deletion_requested_at:
        notices.append(
            (
                f"The reporter asked on {report.deletion_requested_at:%-d %B %Y} for this "
                "report to be deleted. Check for legal holds or safeguarding concerns before "
                "confirming.",
                True,
            )
        )
    return tuple(notices)


def identity_bar_for(
    *,
    user: User,
    case: Case,
    current: str,
    institution: Institution | None = None,
    risk: RiskFact | None = None,
    risk_known: bool = False,
) -> IdentityBar:
    """The bar and sub navigation for `case` (which the caller fetched through
    cases.case_get_for_staff). `risk_known`: the caller already read the risk band
    (the overview shows it too), so it is not read twice."""
    now = timezone.now()
    if not risk_known:
        risk = risk_fact_for(user=user, case=case)
    clock = CaseClock.objects.filter(case=case).first()
    assignees = tuple(
        Assignee(a.user.display_name or a.user.email, a.user_id == user.pk)
        for a in assignments_for_case(case=case)
    )
    return IdentityBar(
        case=case,
        reference=case.report.reference,
        status=case.status,
        status_label=str(CaseStatus(case.status).label),
        urgency=_urgency(case),
        restricted=case.restricted,
        withdrawn=case.report.withdrawn_at is not None,
        assignees=assignees,
        clock=_clock(case, clock, risk, institution, now),
        risk=risk,
        may=case_actions_for(user=user, case=case),
        sections=_sections(user, case, current),
        current=current,
        closed=case.closed_at is not None,
        notices=_notices(case),
    )
