"""Reads for the case page: the report decrypted for staff, the timeline a page at a time,
who may be assigned, and the case's evidence.

Callers have the case from cases.case_get_for_staff (which asked the policy). Everything
here is a fixed number of queries whatever the number of cases, and the timeline is read
a page at a time with a cursor (an entry id), so the page costs the same with 60 entries
or 1,000. Sealed values are decrypted here, never in a template: a case whose key was
shredded (erased) shows that it was erased instead of failing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from django import forms
from django.db.models import Q, QuerySet, TextChoices
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.casework.models import (
    Case,
    CaseAssignment,
    CaseClock,
    CaseConflict,
    CaseGrant,
    CaseOutcome,
    CaseStatus,
    EntryKind,
    MessageDirection,
    TaskStatus,
    TimelineEntry,
)
from waypoint.casework.selectors.inbox import ResponseClock, urgent_clock
from waypoint.casework.services.workflow import (
    ContactMethod,
    ContactOutcome,
    SupportGiven,
    next_statuses,
)
from waypoint.privacy.crypto import DecryptionError
from waypoint.reporting.models import Evidence, Report, ReportedPerson, Route
from waypoint.reporting.selectors import ReviewRow, ReviewSection, report_summary_for_reporter
from waypoint.reporting.steps import get_step

TIMELINE_PAGE_SIZE: Final = 50

# The "who" answers that identify a person, in the order they are shown (reporting keeps
# them in ReportedPerson.details, apart from the answers).
_PERSON_FIELDS: Final = (
    "person_name",
    "student_number",
    "staff_number",
    "person_email",
    "person_phone",
    "handles",
    "description",
)


def parse_entry_id(value: object) -> uuid.UUID | None:
    """An entry id from a query string, or None if absent or malformed."""
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def case_get_for_claim(*, user: User, case_id: uuid.UUID | str) -> Case:
    """The case, if `user` may claim it ("case.claim"); otherwise Http404.

    An adviser may claim a case they cannot open yet (unassigned and unrestricted), so
    this asks the claim rule, not "case.view". Missing and refused look the same.
    """
    try:
        pk = uuid.UUID(str(case_id))
    except ValueError:
        raise Http404 from None
    case = Case.objects.select_related("report").filter(pk=pk).first()
    if case is None:
        raise Http404
    policy.require(user, "case.claim", case)
    return case


# --- The report, decrypted --------------------------------------------------------------------


def _shown(field: forms.Field, value: Any) -> str | list[str]:
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return [str(choices.get(v, v)) for v in value if v not in (None, "")]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value in (None, ""):
        return ""
    return str(choices.get(value, value))


def _rows(form: forms.Form, values: dict[str, Any], names: Iterable[str]) -> list[ReviewRow]:
    rows = []
    for name in names:
        form_field = form.fields.get(name)
        if form_field is None:
            continue
        shown = _shown(form_field, values.get(name))
        if shown in ("", []):
            continue
        rows.append(ReviewRow(label=str(form_field.label or name), value=shown))
    return rows


def _contact_rows(report: Report) -> list[ReviewRow]:
    contact = report.contact or {}
    slug = "contact" if report.route == Route.SUPPORT else "contact-optional"
    step = get_step(report.route, slug)
    if not contact or step is None:
        return []
    form = step.make_form(free_text=True)
    return _rows(form, contact, form.fields)


def _people_rows(report: Report) -> list[list[ReviewRow]]:
    step = get_step(report.route, "who")
    people = ReportedPerson.objects.filter(report=report).select_related("data_key")
    if step is None:
        return []
    form = step.make_form(free_text=True)
    result = []
    for person in people:
        rows = _rows(form, person.details or {}, _PERSON_FIELDS)
        if rows:
            result.append(rows)
    return result


@dataclass(frozen=True)
class ReportForStaff:
    """What the reporter told us, for the staff who may read it (decrypted)."""

    sections: list[ReviewSection]
    contact: list[ReviewRow]
    people: list[list[ReviewRow]]
    evidence: list[Evidence]
    erased: bool = False


def report_for_staff(*, report: Report) -> ReportForStaff:
    """The report's answers (label/value rows, as the reporter sees them), the contact
    details and safe-contact preferences, the people named, and the files."""
    evidence = list(Evidence.objects.filter(report=report).order_by("uploaded_at", "id"))
    try:
        return ReportForStaff(
            sections=report_summary_for_reporter(report),
            contact=_contact_rows(report),
            people=_people_rows(report),
            evidence=evidence,
        )
    except DecryptionError:
        return ReportForStaff(sections=[], contact=[], people=[], evidence=[], erased=True)


# --- The timeline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    """One entry, ready to show: sealed values decrypted, people, labels and links resolved."""

    entry: TimelineEntry
    headline: str
    who: str  # who did it: a member of staff's name, "The reporter" or "Waypoint"
    facts: list[tuple[str, str]] = field(default_factory=list)
    text: str | None = None  # a note, a reason, a contact note
    text_label: str = ""  # "Reason", "Closing summary"...; empty for a note itself
    body: str | None = None  # a message or an addition
    subject: User | None = None  # the person assigned, granted, or with a conflict
    corrects_href: str | None = None  # a correction: where the note it corrects is
    corrected_by: list[str] = field(default_factory=list)  # where its corrections are
    erased: bool = False

    @property
    def is_note(self) -> bool:
        return self.entry.kind == EntryKind.NOTE


@dataclass(frozen=True)
class TimelinePage:
    rows: list[TimelineRow]
    # The cursor for the next (older) page, when there are older entries.
    older_than: uuid.UUID | None
    is_first_page: bool


def _entries(case: Case) -> QuerySet[TimelineEntry]:
    return TimelineEntry.objects.filter(case=case).select_related(
        "data_key",
        "actor",
        "corrects",
        "message__data_key",
        "addition__data_key",
        "evidence",
        "task__data_key",
    )


def _older_than(
    entries: QuerySet[TimelineEntry], cursor: TimelineEntry, *, inclusive: bool
) -> QuerySet[TimelineEntry]:
    same_moment = (
        Q(occurred_at=cursor.occurred_at, id__lte=cursor.id)
        if inclusive
        else Q(occurred_at=cursor.occurred_at, id__lt=cursor.id)
    )
    return entries.filter(Q(occurred_at__lt=cursor.occurred_at) | same_moment)


def _open(value: Any, attribute: str) -> tuple[str | None, bool]:
    """A sealed attribute of `value` (None if there is none), and whether it was erased."""
    if value is None:
        return None, False
    try:
        return getattr(value, attribute), False
    except DecryptionError:
        return None, True


def _entry_href(case: Case, entry_id: uuid.UUID, on_page: set[uuid.UUID]) -> str:
    anchor = f"#entry-{entry_id}"
    if entry_id in on_page:
        return anchor
    url = reverse("casework:timeline", kwargs={"case_id": case.pk})
    return f"{url}?start={entry_id}{anchor}"


def _subjects(entries: list[TimelineEntry]) -> dict[str, User]:
    ids = {
        str(e.detail["user_id"])
        for e in entries
        if isinstance(e.detail, dict) and e.detail.get("user_id")
    }
    if not ids:
        return {}
    return {str(user.pk): user for user in User.objects.filter(pk__in=ids)}


def _corrections(entries: list[TimelineEntry]) -> dict[uuid.UUID, list[uuid.UUID]]:
    notes = [e.pk for e in entries if e.kind == EntryKind.NOTE]
    if not notes:
        return {}
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    for corrects_id, entry_id in (
        TimelineEntry.objects.filter(corrects_id__in=notes)
        .order_by("occurred_at", "id")
        .values_list("corrects_id", "id")
    ):
        found.setdefault(corrects_id, []).append(entry_id)
    return found


def _label(choices: type[TextChoices], value: object) -> str:
    labels = dict(choices.choices)
    return str(labels.get(str(value), value or ""))


def _person(user: User | None) -> str:
    if user is None:
        return "someone who no longer has an account"
    return user.display_name or user.email


# Entries with no actor that the reporter made (the rest, with none, Waypoint made).
_BY_REPORTER: Final = frozenset(
    {
        EntryKind.REPORTED,
        EntryKind.ADDITION,
        EntryKind.EVIDENCE,
        EntryKind.MESSAGE,
        EntryKind.WITHDRAWN,
        EntryKind.DELETION_REQUESTED,
    }
)
_ACCESS_CHANGES: Final[dict[str, str]] = {
    "restricted": "Case restricted to named staff",
    "unrestricted": "Restriction lifted",
    "granted": "Access given to {person}",
    "grant_revoked": "Access taken back from {person}",
    "conflict": "Conflict of interest recorded for {person}",
}


@dataclass(frozen=True)
class _Said:
    """What one entry says: built from ids and choice values only."""

    headline: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    text_label: str = ""  # how to introduce the sealed text ("Reason"...); empty for a note


@dataclass(frozen=True)
class _Seen:
    entry: TimelineEntry
    detail: dict[str, Any]
    person: str  # the subject's name (assigned, granted, with a conflict)
    subject: User | None
    title: str | None  # a task's title


def _reported(seen: _Seen) -> _Said:
    facts = [("Route", _label(Route, seen.detail.get("route")))]
    if seen.detail.get("urgent"):
        facts.append(("Urgent", "Yes"))
    return _Said("Report received", facts)


def _evidence(seen: _Seen) -> _Said:
    by_staff = seen.entry.evidence is not None and seen.entry.evidence.uploaded_by_staff
    return _Said("File added by the team" if by_staff else "The reporter added a file")


def _from_reporter(entry: TimelineEntry) -> bool:
    direction = entry.detail.get("direction") if isinstance(entry.detail, dict) else None
    if direction is None and entry.message is not None:
        direction = entry.message.direction
    return direction == MessageDirection.FROM_REPORTER


def _message(seen: _Seen) -> _Said:
    if _from_reporter(seen.entry):
        return _Said("Message from the reporter")
    return _Said("Message to the reporter")


def _note(seen: _Seen) -> _Said:
    return _Said("Correction" if seen.entry.corrects_id else "Note")


def _contact(seen: _Seen) -> _Said:
    facts = [
        ("Method", _label(ContactMethod, seen.detail.get("method"))),
        ("Outcome", _label(ContactOutcome, seen.detail.get("outcome"))),
    ]
    return _Said("Contact attempt", facts, "Note")


def _status(seen: _Seen) -> _Said:
    facts = [
        ("From", _label(CaseStatus, seen.detail.get("from"))),
        ("To", _label(CaseStatus, seen.detail.get("to"))),
    ]
    return _Said("Status changed", facts, "Reason")


def _assigned(seen: _Seen) -> _Said:
    if seen.detail.get("claimed"):
        return _Said(f"{seen.person} took the case")
    return _Said(f"{seen.person} assigned")


def _unassigned(seen: _Seen) -> _Said:
    return _Said(f"{seen.person} taken off the case")


def _restricted(seen: _Seen) -> _Said:
    change = str(seen.detail.get("change", ""))
    headline = _ACCESS_CHANGES.get(change, "Access changed").format(person=seen.person)
    facts = []
    if change == "conflict":
        facts.append(("How", _label(CaseConflict.Source, seen.detail.get("source"))))
        if seen.detail.get("unassigned"):
            facts.append(("Assignment", "Taken off the case"))
    if change == "restricted" and seen.subject is not None:
        facts.append(("Named", f"{seen.person}, who restricted it"))
    return _Said(headline, facts, "Reason")


def _task(seen: _Seen) -> _Said:
    facts = [("Task", seen.title)] if seen.title else []
    if seen.detail.get("status"):
        facts.append(("Status", _label(TaskStatus, seen.detail.get("status"))))
    created = seen.detail.get("event") == "created"
    return _Said("Task created" if created else "Task updated", facts, "Note")


def _closed(seen: _Seen) -> _Said:
    support = [_label(SupportGiven, value) for value in seen.detail.get("support_given") or []]
    facts = [("Outcome", _label(CaseOutcome, seen.detail.get("outcome")))]
    if support:
        facts.append(("Support given", ", ".join(support)))
    return _Said("Case closed", facts, "Closing summary")


def _reopened(seen: _Seen) -> _Said:
    return _Said(
        "Case reopened", [("Back to", _label(CaseStatus, seen.detail.get("to")))], "Reason"
    )


def _other(seen: _Seen) -> _Said:
    # Reporter events, links, and kinds other features add: the kind's own label.
    headline = _label(EntryKind, seen.entry.kind)
    event = seen.detail.get("event")
    if isinstance(event, str) and event:
        headline = f"{headline}: {event.replace('_', ' ')}"
    return _Said(headline)


_DESCRIBE: Final[dict[str, Callable[[_Seen], _Said]]] = {
    EntryKind.REPORTED: _reported,
    EntryKind.EVIDENCE: _evidence,
    EntryKind.MESSAGE: _message,
    EntryKind.NOTE: _note,
    EntryKind.CONTACT: _contact,
    EntryKind.STATUS: _status,
    EntryKind.ASSIGNED: _assigned,
    EntryKind.UNASSIGNED: _unassigned,
    EntryKind.RESTRICTED: _restricted,
    EntryKind.TASK: _task,
    EntryKind.CLOSED: _closed,
    EntryKind.REOPENED: _reopened,
}


def _who(entry: TimelineEntry) -> str:
    if entry.actor is not None:
        return _person(entry.actor)
    if entry.kind == EntryKind.EVIDENCE and entry.evidence is not None:
        return "The team" if entry.evidence.uploaded_by_staff else "The reporter"
    if entry.kind == EntryKind.MESSAGE:
        return "The reporter" if _from_reporter(entry) else "The team"
    return "The reporter" if entry.kind in _BY_REPORTER else "Waypoint"


def _row(
    case: Case,
    entry: TimelineEntry,
    *,
    subjects: dict[str, User],
    corrections: dict[uuid.UUID, list[uuid.UUID]],
    on_page: set[uuid.UUID],
) -> TimelineRow:
    text, text_erased = _open(entry, "text")
    if entry.message_id is not None:
        body, body_erased = _open(entry.message, "body")
    else:
        body, body_erased = _open(entry.addition, "body")
    title, title_erased = _open(entry.task, "title")
    user_id = entry.detail.get("user_id") if isinstance(entry.detail, dict) else None
    subject = subjects.get(str(user_id)) if user_id else None
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    seen = _Seen(entry=entry, detail=detail, person=_person(subject), subject=subject, title=title)
    said = _DESCRIBE.get(entry.kind, _other)(seen)
    return TimelineRow(
        entry=entry,
        headline=said.headline,
        who=_who(entry),
        facts=said.facts,
        text=text,
        text_label=said.text_label,
        body=body,
        subject=subject,
        corrects_href=(
            _entry_href(case, entry.corrects_id, on_page) if entry.corrects_id else None
        ),
        corrected_by=[_entry_href(case, i, on_page) for i in corrections.get(entry.pk, [])],
        erased=text_erased or body_erased or title_erased,
    )


def timeline_page(
    *,
    case: Case,
    before: uuid.UUID | None = None,
    start: uuid.UUID | None = None,
    limit: int = TIMELINE_PAGE_SIZE,
) -> TimelinePage:
    """One page of the case's timeline, newest first.

    `before`: only entries older than that entry; `start`: that entry and older ones (to
    link to one entry). Either must be an entry of this case, or Http404. At most three
    queries besides the cursor's, whatever the length of the timeline.
    """
    entries = _entries(case).order_by("-occurred_at", "-id")
    cursor_id = before or start
    if cursor_id is not None:
        cursor = TimelineEntry.objects.filter(case=case, pk=cursor_id).only("occurred_at").first()
        if cursor is None:
            raise Http404
        entries = _older_than(entries, cursor, inclusive=start is not None)
    page = list(entries[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    on_page = {entry.pk for entry in page}
    subjects = _subjects(page)
    corrections = _corrections(page)
    rows = [
        _row(case, entry, subjects=subjects, corrections=corrections, on_page=on_page)
        for entry in page
    ]
    return TimelinePage(
        rows=rows,
        older_than=page[-1].pk if more and page else None,
        is_first_page=cursor_id is None,
    )


def note_get_for_case(*, case: Case, entry_id: uuid.UUID | None) -> TimelineEntry | None:
    """A note of this case (to correct it), or None: another case's note is never found."""
    if entry_id is None:
        return None
    return (
        TimelineEntry.objects.filter(case=case, kind=EntryKind.NOTE, pk=entry_id)
        .select_related("data_key", "actor")
        .first()
    )


# --- People ------------------------------------------------------------------------------------


def _case_staff() -> QuerySet[User]:
    # Mirrors the role rule of "case.list" (accounts.policy), which the services ask again
    # for the person chosen: active advisers and case leads, administrators with access.
    return User.objects.filter(is_active=True).filter(
        Q(role__in=[Role.ADVISER, Role.CASE_LEAD])
        | Q(role=Role.ADMINISTRATOR, case_access_granted=True)
    )


def assignable_staff(*, case: Case) -> QuerySet[User]:
    """Who can be assigned: case staff with no conflict on the case, not yet assigned."""
    return (
        _case_staff()
        .exclude(case_conflicts__case=case)
        .exclude(case_assignments__case=case)
        .order_by("display_name", "email")
    )


def grantable_staff(*, case: Case) -> QuerySet[User]:
    """Leads who can be named on a restricted case: no conflict, no grant yet."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.CASE_LEAD) | Q(role=Role.ADMINISTRATOR, case_access_granted=True))
        .exclude(case_conflicts__case=case)
        .exclude(case_grants__case=case)
        .order_by("display_name", "email")
    )


def conflict_candidates(*, case: Case) -> QuerySet[User]:
    """Staff a lead may record a conflict for: every active account with a role, but not
    those already recorded."""
    return (
        User.objects.filter(is_active=True, role__in=Role.values)
        .exclude(case_conflicts__case=case)
        .order_by("display_name", "email")
    )


def assignments_for_case(*, case: Case) -> list[CaseAssignment]:
    return list(
        CaseAssignment.objects.filter(case=case)
        .select_related("user")
        .order_by("assigned_at", "id")
    )


def grants_for_case(*, case: Case) -> list[CaseGrant]:
    return list(
        CaseGrant.objects.filter(case=case).select_related("user").order_by("granted_at", "id")
    )


def conflicts_for_case(*, case: Case) -> list[CaseConflict]:
    return list(
        CaseConflict.objects.filter(case=case).select_related("user").order_by("recorded_at", "id")
    )


# --- The whole page --------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseActions:
    """What the viewer may do here, as accounts.policy answers (for offering controls;
    every view and service asks again)."""

    note: bool
    close: bool
    assign: bool
    claim: bool
    next_statuses: tuple[str, ...]


@dataclass(frozen=True)
class CasePage:
    case: Case
    report: Report
    clock: CaseClock | None
    clock_overdue: bool
    assignments: list[CaseAssignment]
    told: ReportForStaff
    timeline: TimelinePage
    may: CaseActions
    # An urgent case's running clock, to the minute (ADR 0028); None once it stopped.
    urgent_clock: ResponseClock | None = None


def case_actions_for(*, user: User, case: Case) -> CaseActions:
    may_close = policy.can(user, "case.close", case)
    return CaseActions(
        note=policy.can(user, "case.note", case),
        close=may_close,
        assign=policy.can(user, "case.assign", case),
        claim=policy.can(user, "case.claim", case),
        next_statuses=next_statuses(case.status) if may_close else (),
    )


def case_page_for_staff(*, user: User, case: Case) -> CasePage:
    """Everything the case page shows, in a fixed number of queries."""
    clock = CaseClock.objects.filter(case=case).first()
    now = timezone.now()
    running = clock is not None and clock.first_contact_at is None and case.closed_at is None
    overdue = bool(running and clock is not None and clock.first_contact_due_at < now)
    urgent = (
        urgent_clock(due_at=clock.first_contact_due_at, now=now)
        if running and clock is not None and case.is_urgent
        else None
    )
    report = case.report
    return CasePage(
        case=case,
        report=report,
        clock=clock,
        clock_overdue=overdue,
        assignments=assignments_for_case(case=case),
        told=report_for_staff(report=report),
        timeline=timeline_page(case=case),
        may=case_actions_for(user=user, case=case),
        urgent_clock=urgent,
    )


def evidence_get_for_case(*, case: Case, evidence_id: uuid.UUID | str) -> Evidence:
    """A file of this case's report, or Http404 (a file of another report is never found)."""
    try:
        pk = uuid.UUID(str(evidence_id))
    except ValueError:
        raise Http404 from None
    evidence = (
        Evidence.objects.select_related("data_key").filter(pk=pk, report_id=case.report_id).first()
    )
    if evidence is None:
        raise Http404
    return evidence
