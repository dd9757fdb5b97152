"""Writing a case's facts: the only code that fills CaseFacts, its tags and its events
(ADR 0045).

Two moments, and only two, read what a report says:
- `facts_open_for_case`, as casework opens the case of a report being submitted (its
  "reported" timeline entry, receivers.py), with the answers the submission itself holds
  in memory;
- `facts_build_for_case`, the backfill of a case that has no facts yet
  (`manage.py insights_backfill`), which decrypts the report's answers once.
Everything after opening is recorded from plain columns only (the timeline entry's
`detail`, a case's dates, a department's slug), never a sealed one:
`facts_apply_entry` reads one TimelineEntry and is called both when an entry is saved
and when the backfill replays a case's timeline, so the two give the same facts.

What each fact means, for the pages that count them:
- a STATUS event for every change of status, "closed" when it closes, and the status it
  goes back to when it is reopened (opening itself is `opened_month`);
- closed_month, days_to_close, outcome and the SUPPORT_GIVEN tags describe the latest
  closure, and are cleared when the case is reopened;
- first contact: whole working days from opening to the first contact (a status of "in
  contact" or beyond, or a contact attempt that reached them), and whether it was by
  the case's due time;
- police_reported: the reporter said it was reported to the police, a police process
  was recorded, or the team referred the case to the police.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Final

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from waypoint.casework.calendar import WorkingCalendar
from waypoint.casework.models import (
    Case,
    CaseClock,
    CaseMatch,
    CaseStatus,
    EntryKind,
    TimelineEntry,
)
from waypoint.insights.models import CaseFactEvent, CaseFacts, CaseFactTag, EventKind, TagKind
from waypoint.institution.models import Department
from waypoint.institution.selectors import institution_get_current
from waypoint.privacy.crypto import DecryptionError
from waypoint.reporting.models import Report

# Statuses that mean the reporter has been reached (casework.services.workflow).
_CONTACTED: Final = frozenset({CaseStatus.IN_CONTACT, CaseStatus.ACTIVE_SUPPORT})
_REACHED: Final = "reached"  # casework.services.workflow.ContactOutcome.REACHED
_POLICE: Final = "police"
# A referral's timeline events that send something (not status updates of one).
_REFERRAL_SENT: Final = frozenset({"created", "police_bundle"})
# The answers' option lists that become tags (step, answer name, tag kind).
_TAGGED_ANSWERS: Final = (
    ("what", "behaviours", TagKind.BEHAVIOUR),
    ("where", "locations", TagKind.LOCATION),
    ("where", "platforms", TagKind.PLATFORM),
)
# reporting.forms.AFFILIATIONS: anything else is not stored.
_AFFILIATIONS: Final = frozenset({"student", "staff", "outside", "unknown"})
# Option slugs, choice values and department slugs: never free text.
_SLUG: Final = re.compile(r"^[a-z0-9][a-z0-9_:-]{0,59}$")
_SLUG_MAX: Final = 60


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of the month `moment` falls in, in the institution's time zone."""
    return timezone.localdate(moment).replace(day=1)


def _slug(value: Any) -> str:
    """`value` if it is a slug or choice value (an option chosen: {"slug", "label"}
    as submission keeps it, or the bare slug), else "": free text is never stored."""
    if isinstance(value, Mapping):
        value = value.get("slug")
    if not isinstance(value, str):
        return ""
    value = value.strip()
    return value if len(value) <= _SLUG_MAX and _SLUG.match(value) else ""


def _slugs(values: Any) -> list[str]:
    if not isinstance(values, list):
        values = [values] if values else []
    found: list[str] = []
    for value in values:
        slug = _slug(value)
        if slug and slug not in found:
            found.append(slug)
    return found


def _step(answers: Mapping[str, Any], step: str) -> Mapping[str, Any]:
    value = answers.get(step)
    return value if isinstance(value, Mapping) else {}


def _named_before(case: Case) -> bool:
    """Whether casework's matching found, for this case, a case opened before it whose
    report names someone with the same identifier (match rows, keyed hashes only)."""
    return (
        CaseMatch.objects.filter(
            Q(case_a=case, case_b__opened_at__lt=case.opened_at)
            | Q(case_b=case, case_a__opened_at__lt=case.opened_at)
        )
        .only("id")
        .exists()
    )


def _tags_add(facts: CaseFacts, kind: str, slugs: Iterable[str]) -> None:
    CaseFactTag.objects.bulk_create(
        [CaseFactTag(facts=facts, kind=kind, slug=slug) for slug in slugs],
        ignore_conflicts=True,
    )


def _event(
    facts: CaseFacts, kind: str, moment: datetime.datetime, value: str = "", department: str = ""
) -> None:
    CaseFactEvent.objects.create(
        facts=facts, kind=kind, month=month_of(moment), value=value, department=department
    )


def _department_slug(department_id: Any) -> str:
    if not department_id:
        return ""
    try:
        pk = uuid.UUID(str(department_id))
    except ValueError:
        return ""
    slug = Department.objects.filter(pk=pk).values_list("slug", flat=True).first()
    return _slug(slug) if slug else ""


# --- Opening ------------------------------------------------------------------------------


def _answers(report: Report) -> Mapping[str, Any]:
    """The report's answers, or nothing when they cannot be read (erased: its key is gone;
    damaged): the facts then hold only what the plain columns say."""
    if report.data_key_id is None:
        return {}
    try:
        answers = report.answers
    except DecryptionError:
        return {}
    return answers if isinstance(answers, Mapping) else {}


def _facts_create(*, case: Case, report: Report, answers: Mapping[str, Any]) -> CaseFacts:
    who = _step(answers, "who")
    affiliation = who.get("affiliation")
    police = _step(answers, "police").get("police_reported")
    facts = CaseFacts.objects.create(
        case_id=case.pk,
        opened_month=month_of(case.opened_at),
        route=_slug(report.route),
        reporter_role=_slug(report.reporter_role),
        walk_in=report.made_by_staff,
        from_log=answers.get("source") == "incident_log",
        urgent=case.is_urgent,
        relationship=_slug(who.get("relationship")),
        affiliation=affiliation if affiliation in _AFFILIATIONS else "",
        named_before=_named_before(case),
        police_reported=police == "yes",
    )
    for step, name, kind in _TAGGED_ANSWERS:
        _tags_add(facts, kind, _slugs(_step(answers, step).get(name)))
    return facts


def facts_open_for_case(*, case: Case) -> CaseFacts:
    """The facts of a case just opened from its report (on the "reported" timeline entry
    casework writes as it opens the case, inside the submission's transaction). Reads the
    answers the submission holds in memory: this is the one moment a report's words are
    looked at, and only option slugs and choice values are kept. Idempotent."""
    existing = CaseFacts.objects.filter(case_id=case.pk).first()
    if existing is not None:
        return existing
    report = case.report
    return _facts_create(case=case, report=report, answers=_answers(report))


# --- Everything after: plain columns only ---------------------------------------------------


def _first_contact(facts: CaseFacts, case: Case, moment: datetime.datetime) -> None:
    if facts.first_contact_working_days is not None:
        return
    calendar = WorkingCalendar.for_institution(institution_get_current())
    due = CaseClock.objects.filter(case_id=case.pk).values_list("first_contact_due_at", flat=True)
    due_at = due.first()
    facts.first_contact_working_days = min(
        calendar.working_days_between(case.opened_at, moment), 32_767
    )
    facts.first_contact_within_target = None if due_at is None else moment <= due_at
    facts.save(update_fields=["first_contact_working_days", "first_contact_within_target"])


def _close(facts: CaseFacts, case: Case, entry: TimelineEntry) -> None:
    detail = entry.detail or {}
    outcome = _slug(detail.get("outcome"))
    facts.closed_month = month_of(entry.occurred_at)
    facts.days_to_close = max(
        (timezone.localdate(entry.occurred_at) - timezone.localdate(case.opened_at)).days, 0
    )
    facts.outcome = outcome
    facts.save(update_fields=["closed_month", "days_to_close", "outcome"])
    facts.tags.filter(kind=TagKind.SUPPORT_GIVEN).delete()
    _tags_add(facts, TagKind.SUPPORT_GIVEN, _slugs(detail.get("support_given")))
    _event(facts, EventKind.STATUS, entry.occurred_at, CaseStatus.CLOSED)


def _reopen(facts: CaseFacts, entry: TimelineEntry) -> None:
    facts.closed_month = None
    facts.days_to_close = None
    facts.outcome = ""
    facts.save(update_fields=["closed_month", "days_to_close", "outcome"])
    facts.tags.filter(kind=TagKind.SUPPORT_GIVEN).delete()
    _event(facts, EventKind.STATUS, entry.occurred_at, _slug((entry.detail or {}).get("to")))


def _assessed(facts: CaseFacts, entry: TimelineEntry) -> None:
    band = _slug((entry.detail or {}).get("band"))
    if band and not facts.first_risk_band:
        facts.first_risk_band = band
        facts.save(update_fields=["first_risk_band"])
    _event(facts, EventKind.ASSESSMENT, entry.occurred_at, band)


def _referred(facts: CaseFacts, entry: TimelineEntry) -> None:
    detail = entry.detail or {}
    if detail.get("event") not in _REFERRAL_SENT:
        return  # a status update of a referral already counted
    recipient = _slug(detail.get("recipient"))
    department = _department_slug(detail.get("department_id"))
    _event(facts, EventKind.REFERRAL, entry.occurred_at, recipient, department)
    if recipient == _POLICE:
        _police_reported(facts)


def _measure(facts: CaseFacts, entry: TimelineEntry) -> None:
    detail = entry.detail or {}
    if detail.get("event") != "created":
        return
    department = _department_slug(detail.get("department_id"))
    _event(facts, EventKind.MEASURE, entry.occurred_at, _slug(detail.get("kind")), department)


def _previous_stage(entry: TimelineEntry, process_id: str) -> str | None:
    """The stage the case's timeline last recorded for the same process row."""
    previous = (
        TimelineEntry.objects.filter(
            case_id=entry.case_id, kind=EntryKind.PROCESS, detail__id=process_id
        )
        .exclude(pk=entry.pk)
        .filter(occurred_at__lte=entry.occurred_at)
        .order_by("-occurred_at", "-id")
        .values_list("detail", flat=True)
        .first()
    )
    return str(previous.get("stage")) if isinstance(previous, dict) else None


def _process(facts: CaseFacts, entry: TimelineEntry) -> None:
    detail = entry.detail or {}
    kind, stage = _slug(detail.get("kind")), _slug(detail.get("stage"))
    if not kind:
        return
    if detail.get("event") != "created" and _previous_stage(entry, str(detail.get("id"))) == stage:
        return  # saved without moving on: no new stage to count
    _event(facts, EventKind.PROCESS, entry.occurred_at, f"{kind}:{stage}"[:80])
    if kind == _POLICE:
        _police_reported(facts)


def _police_reported(facts: CaseFacts) -> None:
    if not facts.police_reported:
        facts.police_reported = True
        facts.save(update_fields=["police_reported"])


def _log_shared(facts: CaseFacts, entry: TimelineEntry) -> None:
    CaseFacts.objects.filter(pk=facts.pk).update(logs_shared=F("logs_shared") + 1)
    facts.refresh_from_db(fields=["logs_shared"])
    _event(facts, EventKind.LOG_SHARED, entry.occurred_at)


def facts_apply_entry(*, facts: CaseFacts, case: Case, entry: TimelineEntry) -> None:
    """What one new timeline entry changes in the case's facts. Reads only the entry's
    kind, time and `detail` (ids and choice values, stored in clear) and the case's
    plain columns; never `entry.text`."""
    kind, detail = entry.kind, entry.detail or {}
    if kind == EntryKind.STATUS:
        to = _slug(detail.get("to"))
        _event(facts, EventKind.STATUS, entry.occurred_at, to)
        if to in _CONTACTED:
            _first_contact(facts, case, entry.occurred_at)
    elif kind == EntryKind.CONTACT:
        if detail.get("outcome") == _REACHED:
            _first_contact(facts, case, entry.occurred_at)
    elif kind == EntryKind.CLOSED:
        _close(facts, case, entry)
    elif kind == EntryKind.REOPENED:
        _reopen(facts, entry)
    elif kind == EntryKind.ASSESSMENT:
        _assessed(facts, entry)
    elif kind == EntryKind.REFERRAL:
        _referred(facts, entry)
    elif kind == EntryKind.MEASURE:
        _measure(facts, entry)
    elif kind == EntryKind.PROCESS:
        _process(facts, entry)
    elif kind == EntryKind.LOG_SHARED:
        _log_shared(facts, entry)


def facts_record_entry(*, entry: TimelineEntry) -> None:
    """On a new timeline entry: update the case's facts, if it has any (a case opened
    before facts existed gets them, history included, from the backfill)."""
    if entry.kind == EntryKind.REPORTED:
        # The case is being opened from its report: `entry.case` is the case casework
        # just made, and its `report` the one being submitted (answers in memory).
        facts_open_for_case(case=entry.case)
        return
    facts = CaseFacts.objects.filter(case_id=entry.case_id).first()
    if facts is None:
        return
    case = Case.objects.only("id", "opened_at", "is_urgent").get(pk=entry.case_id)
    facts_apply_entry(facts=facts, case=case, entry=entry)


def facts_mark_walk_in(*, report_id: uuid.UUID) -> None:
    """The report was recorded by an adviser for someone in person (Report.made_by_staff)."""
    CaseFacts.objects.filter(
        case_id__in=Case.objects.filter(report_id=report_id).values("id")
    ).update(walk_in=True)


def facts_mark_named_before(*, match: CaseMatch) -> None:
    """Casework's matching found two cases naming someone with the same identifier: the
    one opened later names someone named before (the same rule as `_named_before`)."""
    opened = dict(
        Case.objects.filter(pk__in=[match.case_a_id, match.case_b_id]).values_list(
            "id", "opened_at"
        )
    )
    first, second = opened.get(match.case_a_id), opened.get(match.case_b_id)
    if first is None or second is None or first == second:
        return
    later = match.case_b_id if second > first else match.case_a_id
    CaseFacts.objects.filter(case_id=later, named_before=False).update(named_before=True)


# --- The backfill -----------------------------------------------------------------------------


def cases_without_facts() -> Any:
    """The ids of cases that have no facts yet, oldest first (a QuerySet of ids)."""
    return (
        Case.objects.exclude(id__in=CaseFacts.objects.values("case_id"))
        .order_by("opened_at", "id")
        .values_list("id", flat=True)
    )


def _reconcile(facts: CaseFacts, case: Case) -> None:
    """After replaying the timeline: the case's and its clock's own columns win (a case
    made without timeline entries, or a first contact recorded before its entry)."""
    clock = CaseClock.objects.filter(case_id=case.pk).first()
    if clock is not None and clock.first_contact_at is not None:
        facts.first_contact_working_days = None
        _first_contact(facts, case, clock.first_contact_at)
    if case.status == CaseStatus.CLOSED and case.closed_at is not None:
        changed = facts.closed_month is None
        if changed:
            facts.closed_month = month_of(case.closed_at)
            facts.days_to_close = max(
                (timezone.localdate(case.closed_at) - timezone.localdate(case.opened_at)).days, 0
            )
        if clock is not None and clock.outcome and not facts.outcome:
            facts.outcome = _slug(clock.outcome)
            changed = True
        if changed:
            facts.save(update_fields=["closed_month", "days_to_close", "outcome"])
        if clock is not None and not facts.tags.filter(kind=TagKind.SUPPORT_GIVEN).exists():
            _tags_add(facts, TagKind.SUPPORT_GIVEN, _slugs(clock.support_given))


@transaction.atomic
def facts_build_for_case(*, case_id: uuid.UUID) -> bool:
    """The facts of a case that has none, as if they had been recorded all along: the
    report's answers decrypted once (the only read of a sealed column outside
    submission), then every timeline entry replayed in order. False when the case has
    facts already, or is gone. Safe to run twice at once (the row is locked)."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("report", "report__data_key")
        .filter(pk=case_id)
        .first()
    )
    if case is None or CaseFacts.objects.filter(case_id=case.pk).exists():
        return False
    report = case.report
    facts = _facts_create(case=case, report=report, answers=_answers(report))  # one decryption
    for entry in (
        TimelineEntry.objects.filter(case_id=case.pk).defer("text").order_by("occurred_at", "id")
    ):
        facts_apply_entry(facts=facts, case=case, entry=entry)
    _reconcile(facts, case)
    return True
