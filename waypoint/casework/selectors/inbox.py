"""The triage inbox: the cases a member of staff may see, filtered, sorted and paged.

Who sees which case is decided by accounts.policy ("case.view", and "case.claim" for
the unassigned cases an adviser may take). A list cannot ask the policy row by row
without one query per case, so `inbox_cases_for_staff` states the same rule as SQL, and
a test checks, persona by persona, that it picks exactly the cases the policy allows.
Change one and the other must follow.

A page costs a fixed number of queries, however many cases there are (ADR 0017): one
count, one page of cases (report reference, route and clock joined in, the unread count
as a subquery), one for the assignees of that page, one for the holidays of the working
calendar, and the audit entry recording the listing.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Final

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import dateformat, timezone
from django.utils.functional import cached_property

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.casework.calendar import WorkingCalendar
from waypoint.casework.models import (
    Case,
    CaseAssignment,
    CaseClock,
    CaseConflict,
    CaseGrant,
    CaseStatus,
    Message,
    MessageDirection,
)
from waypoint.institution.models import Institution
from waypoint.privacy.services import audit_record
from waypoint.reporting.models import Route

PAGE_SIZE: Final = 25
CASE_OBJECT_TYPE: Final = "casework.case"

STATUS_OPEN: Final = "open"
STATUS_ALL: Final = "all"
ASSIGNMENT_ALL: Final = "all"
ASSIGNMENT_MINE: Final = "mine"
ASSIGNMENT_UNASSIGNED: Final = "unassigned"
SORT_DUE: Final = "due"
SORT_NEWEST: Final = "newest"
SORT_OLDEST: Final = "oldest"
SORT_DUE_LAST: Final = "due_last"
SORT_REFERENCE: Final = "reference"
SORT_REFERENCE_DESC: Final = "reference_desc"

# The inbox's short words for the routes (the report form's labels are longer).
ROUTE_LABELS: Final[dict[str, str]] = {
    Route.ANONYMOUS: "Anonymous",
    Route.SUPPORT: "Named",
    Route.THIRD_PARTY: "For someone else",
}
URGENCY_LABELS: Final = (
    ("immediate_danger", "Immediate danger"),
    ("threat_of_violence", "Threat of violence"),
    ("high_risk_indicator", "Other high-risk indicator"),
)

_ORDERINGS: Final[dict[str, tuple[str, ...]]] = {
    # Urgent first; then the cases still waiting for first contact, the most overdue
    # first; then the contacted ones, in the order they fell due.
    SORT_DUE: ("-is_urgent", "-awaiting_contact", "clock__first_contact_due_at", "id"),
    # The same order reversed (the "First contact" column sorted descending).
    SORT_DUE_LAST: ("is_urgent", "awaiting_contact", "-clock__first_contact_due_at", "-id"),
    SORT_NEWEST: ("-opened_at", "-id"),
    SORT_OLDEST: ("opened_at", "id"),
    # The report's reference is unique (indexed): sorting by it joins the report only for
    # the page's ids, never for the count.
    SORT_REFERENCE: ("report__reference",),
    SORT_REFERENCE_DESC: ("-report__reference",),
}
# The only sort keys the inbox accepts (the table's column links; anything else: SORT_DUE).
SORT_KEYS: Final = frozenset(_ORDERINGS)


@dataclass(frozen=True)
class InboxFilters:
    status: str = STATUS_OPEN  # "open", "all" or a CaseStatus value
    urgent_only: bool = False
    route: str = ""  # "" for any, or a Route value
    assignment: str = ASSIGNMENT_ALL
    overdue_only: bool = False
    sort: str = SORT_DUE


@dataclass(frozen=True)
class ResponseClock:
    text: str  # "Due in 1 working day", "Overdue by 2 working days", "Contacted"...
    state: str  # "due", "due_today", "overdue", "contacted", "stopped", "none"


@dataclass(frozen=True)
class InboxRow:
    """What the inbox shows of one case: flags and facts, never what anyone wrote."""

    case_id: uuid.UUID
    reference: str
    urgency: tuple[str, ...]
    route: str
    status: str
    assignees: tuple[str, ...]
    claimable: bool  # nobody is assigned and it is not restricted
    openable: bool  # False for a case an adviser is shown only because they may claim it
    age: str
    clock: ResponseClock
    unread: int


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    page: Page[Case]
    total: int


# --- Who sees which case ------------------------------------------------------------------------


def _may_claim_listing(institution: Institution | None) -> bool:
    # With no institution set up yet, the model's default applies (claiming allowed).
    return institution.advisers_may_claim if institution is not None else True


def inbox_cases_for_staff(*, user: User, advisers_may_claim: bool) -> QuerySet[Case]:
    """Every case `user` may see in the inbox, as one filter (no ordering, no joins).

    The same rule as accounts.policy's case rule: never a case the user has a conflict
    of interest on; a case lead (or an administrator granted case access) sees every
    case that is not restricted, and a restricted one only when assigned or granted by
    name; an adviser sees the cases assigned to them, and, where the institution lets
    advisers claim, the unassigned cases that are not restricted ("case.claim").
    """
    if not policy.can(user, "case.list"):
        return Case.objects.none()
    mine = CaseAssignment.objects.filter(case=OuterRef("pk"), user=user)
    granted = CaseGrant.objects.filter(case=OuterRef("pk"), user=user)
    conflicted = CaseConflict.objects.filter(case=OuterRef("pk"), user=user)
    visible: Q
    if _lead_like(user):
        visible = Q(restricted=False) | Q(Exists(mine)) | Q(Exists(granted))
    elif user.role == Role.ADVISER:
        visible = Q(Exists(mine))
        if advisers_may_claim:
            visible |= Q(restricted=False) & ~Q(Exists(_any_assignment()))
    else:
        return Case.objects.none()
    return Case.objects.filter(visible).exclude(Exists(conflicted))


def _lead_like(user: User) -> bool:
    # As in the policy: an administrator works as a case lead only when granted access.
    return user.role == Role.CASE_LEAD or (
        user.role == Role.ADMINISTRATOR and user.case_access_granted
    )


def _any_assignment() -> QuerySet[CaseAssignment]:
    return CaseAssignment.objects.filter(case=OuterRef("pk"))


# --- Filtering, sorting, paging --------------------------------------------------------------


def _filtered(
    cases: QuerySet[Case], *, user: User, filters: InboxFilters, now: datetime.datetime
) -> QuerySet[Case]:
    if filters.status == STATUS_OPEN:
        cases = cases.exclude(status=CaseStatus.CLOSED)
    elif filters.status in CaseStatus.values:
        cases = cases.filter(status=filters.status)
    if filters.urgent_only:
        cases = cases.filter(is_urgent=True)
    if filters.route in ROUTE_LABELS:
        cases = cases.filter(report__route=filters.route)
    if filters.assignment == ASSIGNMENT_MINE:
        cases = cases.filter(Exists(CaseAssignment.objects.filter(case=OuterRef("pk"), user=user)))
    elif filters.assignment == ASSIGNMENT_UNASSIGNED:
        cases = cases.exclude(Exists(_any_assignment()))
    if filters.overdue_only:
        cases = cases.filter(
            clock__first_contact_at__isnull=True, clock__first_contact_due_at__lt=now
        ).exclude(status=CaseStatus.CLOSED)
    return cases


def _unread_from_reporter() -> Coalesce:
    unread = (
        Message.objects.filter(
            case=OuterRef("pk"),
            direction=MessageDirection.FROM_REPORTER,
            read_at__isnull=True,
        )
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def _page_queryset(cases: QuerySet[Case], *, sort: str) -> QuerySet[Case]:
    """The columns of a page: only clear flags and facts (the report's sealed fields stay
    in the database), with the assignees of the page in one more query."""
    return (
        cases.select_related("report", "clock")
        .only(
            "id",
            "status",
            "immediate_danger",
            "threat_of_violence",
            "high_risk_indicator",
            "is_urgent",
            "restricted",
            "opened_at",
            "report__reference",
            "report__route",
            "clock__first_contact_due_at",
            "clock__first_contact_at",
        )
        .annotate(
            unread_from_reporter=_unread_from_reporter(),
            awaiting_contact=ExpressionWrapper(
                Q(clock__first_contact_at__isnull=True), output_field=BooleanField()
            ),
        )
        .prefetch_related(
            Prefetch(
                "assignees",
                queryset=User.objects.only("id", "display_name", "email").order_by(
                    "display_name", "email"
                ),
            )
        )
        .order_by(*_ORDERINGS.get(sort, _ORDERINGS[SORT_DUE]))
    )


def _ordered(cases: QuerySet[Case], *, sort: str) -> QuerySet[Case]:
    """The filtered cases in the page's order, joined only to what the order needs."""
    return cases.annotate(
        awaiting_contact=ExpressionWrapper(
            Q(clock__first_contact_at__isnull=True), output_field=BooleanField()
        )
    ).order_by(*_ORDERINGS.get(sort, _ORDERINGS[SORT_DUE]))


class _CountedPaginator(Paginator[Case]):
    """Counts the filtered cases alone: no joins for the page's columns, no ordering.

    A page is one query in two steps: the page's case ids are chosen from the filtered
    cases joined only to their clocks (the order needs them), and only those cases get the
    report's columns, the clock and the unread count. Joining every open case to its report
    before sorting made PostgreSQL read the whole report table for each page (ADR 0017).
    """

    def __init__(
        self,
        object_list: QuerySet[Case],
        per_page: int,
        *,
        counted: QuerySet[Case],
        details: QuerySet[Case],
    ):
        super().__init__(object_list, per_page)
        self._ordered = object_list
        self._counted = counted
        self._details = details

    @cached_property
    def count(self) -> int:
        return self._counted.count()

    def page(self, number: int | str) -> Page[Case]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        # object_list is ordered and sliced, so the subquery keeps ORDER BY and LIMIT.
        ids = self._ordered.values("pk")[bottom:top]
        return Page(list(self._details.filter(pk__in=ids)), number, self)


# --- What a row says ---------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def case_age(opened_at: datetime.datetime, now: datetime.datetime) -> str:
    """ "3 days", "5 hours", "Less than an hour": calendar time since the case opened."""
    elapsed = now - opened_at
    if elapsed.days >= 1:
        return _plural(elapsed.days, "day")
    hours = int(elapsed.total_seconds() // 3600)
    return _plural(hours, "hour") if hours >= 1 else "Less than an hour"


def response_clock(
    *,
    due_at: datetime.datetime | None,
    contacted_at: datetime.datetime | None,
    closed: bool,
    now: datetime.datetime,
    calendar: WorkingCalendar,
    urgent: bool = False,
) -> ResponseClock:
    """The first-contact clock in working days (ADR 0017), or to the minute when urgent.

    "Due today" when the due moment falls on today's date; otherwise the whole working
    days between today and the due date, either way. Overdue on the same working day, or
    only across days nobody works, is "Overdue by less than 1 working day". An urgent
    case's target is hours away, not days, so its clock names the time (ADR 0028).
    """
    if contacted_at is not None:
        return ResponseClock("Contacted", "contacted")
    if closed:
        return ResponseClock("Closed before contact", "stopped")
    if due_at is None:
        return ResponseClock("No target set", "none")
    if urgent:
        return urgent_clock(due_at=due_at, now=now)
    return _running_clock(due_at=due_at, now=now, calendar=calendar)


def _moment_words(moment: datetime.datetime, now: datetime.datetime) -> str:
    """ "15:30 today", "13:00 tomorrow", "17:00 Friday", "13:00 on 4 December": local time."""
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    time = dateformat.format(local, "H:i")
    days = (local.date() - today).days
    if days == 0:
        return f"{time} today"
    if days == 1:
        return f"{time} tomorrow"
    if days == -1:
        return f"{time} yesterday"
    if abs(days) < 7:
        return f"{time} {dateformat.format(local, 'l')}"
    return f"{time} on {dateformat.format(local, 'j F' if local.year == today.year else 'j F Y')}"


def _elapsed_words(elapsed: datetime.timedelta) -> str:
    minutes = int(elapsed.total_seconds() // 60)
    if minutes < 60:
        return _plural(max(minutes, 1), "minute")
    return _plural(minutes // 60, "hour")


def urgent_clock(*, due_at: datetime.datetime, now: datetime.datetime) -> ResponseClock:
    """An urgent case's running clock, in the team's local time (ADR 0028).

    "Urgent: contact due by 15:30 today"; once missed, "Urgent: contact overdue by 2
    hours" the same day, then "Urgent: contact overdue since 17:00 Friday": real time,
    not working time, since someone may be in danger while nobody is at work.
    """
    local_due, local_now = timezone.localtime(due_at), timezone.localtime(now)
    if due_at >= now:
        state = "due_today" if local_due.date() == local_now.date() else "due"
        return ResponseClock(f"Urgent: contact due by {_moment_words(due_at, now)}", state)
    if local_due.date() == local_now.date():
        return ResponseClock(
            f"Urgent: contact overdue by {_elapsed_words(now - due_at)}", "overdue"
        )
    return ResponseClock(f"Urgent: contact overdue since {_moment_words(due_at, now)}", "overdue")


def _running_clock(
    *, due_at: datetime.datetime, now: datetime.datetime, calendar: WorkingCalendar
) -> ResponseClock:
    if due_at >= now:
        days = calendar.working_days_between(now, due_at)
        if days == 0:
            return ResponseClock("Due today", "due_today")
        return ResponseClock(f"Due in {_plural(days, 'working day')}", "due")
    days = calendar.working_days_between(due_at, now)
    late = "less than 1 working day" if days == 0 else _plural(days, "working day")
    return ResponseClock(f"Overdue by {late}", "overdue")


def _row(
    case: Case,
    *,
    user: User,
    sees_all: bool,
    now: datetime.datetime,
    calendar: WorkingCalendar,
    status_labels: dict[str, str],
) -> InboxRow:
    clock: CaseClock | None = getattr(case, "clock", None)
    people = list(case.assignees.all())
    assignees = tuple(person.display_name or person.email for person in people)
    return InboxRow(
        case_id=case.pk,
        reference=case.report.reference,
        urgency=tuple(label for flag, label in URGENCY_LABELS if getattr(case, flag)),
        route=ROUTE_LABELS.get(case.report.route, "Not recorded"),
        status=status_labels.get(case.status, case.status),
        assignees=assignees,
        claimable=not people and not case.restricted,
        # Every case a lead is listed they may open; an adviser only the ones they hold.
        openable=sees_all or any(person.pk == user.pk for person in people),
        age=case_age(case.opened_at, now),
        clock=response_clock(
            due_at=clock.first_contact_due_at if clock else None,
            contacted_at=clock.first_contact_at if clock else None,
            closed=case.status == CaseStatus.CLOSED,
            now=now,
            calendar=calendar,
            urgent=case.is_urgent,
        ),
        unread=int(getattr(case, "unread_from_reporter", 0)),
    )


def inbox_row_queryset(cases: QuerySet[Case], *, sort: str) -> QuerySet[Case]:
    """What the rows of a list of cases need (also the search results' rows)."""
    return _page_queryset(cases, sort=sort)


def inbox_rows(
    *,
    cases: list[Case],
    user: User,
    institution: Institution | None,
    now: datetime.datetime,
) -> list[InboxRow]:
    """The rows for cases read with inbox_row_queryset (one query: the holidays)."""
    calendar = WorkingCalendar.for_institution(institution)
    status_labels = dict(CaseStatus.choices)
    sees_all = _lead_like(user)
    return [
        _row(
            case,
            user=user,
            sees_all=sees_all,
            now=now,
            calendar=calendar,
            status_labels=status_labels,
        )
        for case in cases
    ]


def may_claim_listing(institution: Institution | None) -> bool:
    """Does the institution let advisers claim (and so list and preview) unassigned cases?"""
    return _may_claim_listing(institution)


def inbox_page_for_staff(
    *,
    user: User,
    filters: InboxFilters,
    page_number: str | int | None,
    institution: Institution | None,
    now: datetime.datetime | None = None,
) -> InboxPage:
    """One page of the inbox, and one "case.list" audit entry naming the cases shown.

    Opening the list is not opening each case (no "case.view" per row), but who saw which
    cases listed, and when, is still recorded: ids and the count only.
    """
    now = now or timezone.now()
    visible = inbox_cases_for_staff(user=user, advisers_may_claim=_may_claim_listing(institution))
    cases = _filtered(visible, user=user, filters=filters, now=now)
    paginator = _CountedPaginator(
        _ordered(cases, sort=filters.sort),
        PAGE_SIZE,
        counted=cases,
        details=_page_queryset(cases, sort=filters.sort),
    )
    page = paginator.get_page(page_number)
    rows = inbox_rows(cases=list(page.object_list), user=user, institution=institution, now=now)
    audit_record(
        actor=user,
        action="case.list",
        object_type=CASE_OBJECT_TYPE,
        extra={
            "count": paginator.count,
            "page": page.number,
            "case_ids": [str(row.case_id) for row in rows],
        },
    )
    return InboxPage(rows=rows, page=page, total=paginator.count)


def bulk_selection_for_lead(*, user: User, case_ids: list[uuid.UUID]) -> list[Case]:
    """The chosen cases `user` may see (by reference), for the bulk action's confirmation.

    Only the rule's visible cases: an id of a case the lead may not see is not named here
    (the service refuses it, case by case, when the action runs).
    """
    if not case_ids:
        return []
    visible = inbox_cases_for_staff(user=user, advisers_may_claim=False)
    return list(
        visible.filter(pk__in=case_ids)
        .select_related("report")
        .only("id", "report__reference")
        .order_by("report__reference")
    )
