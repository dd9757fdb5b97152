"""The case's chronology: every incident, in the order it happened (issue 14, item 9).

Four sources, one table: the report's own answers (when, where, what), what the reporter
added later (ReportAddition, dated when added), the entries the person shared from their
incident log, and incidents staff recorded on their behalf (which are in the same log,
shared from the start). Entries the person has not shared are never read here: the log's
rows come only through waypoint.log.selectors.shared_entries and
build.chronology_for_log(shared_only=True).

The caller has checked access ("case.chronology", same rule as case.view). Everything is
read in a fixed number of queries, whatever the number of entries, additions or files.
Nothing here is kept: it is plaintext for one page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from django.utils import timezone

from waypoint.casework.models import Case
from waypoint.institution.selectors import institution_get_current
from waypoint.log import pattern
from waypoint.log.build import chronology_for_log
from waypoint.log.chronology import Chronology, Entry, Integrity
from waypoint.log.export.rows import format_moment
from waypoint.log.models import IncidentLog, LogEntry, LogEvidence, LogPerson, RecordedBy
from waypoint.log.selectors import shared_entries
from waypoint.privacy.crypto import CryptoError
from waypoint.reporting.forms import FREQUENCIES, STARTED
from waypoint.reporting.models import (
    Evidence,
    OptionKind,
    ReportAddition,
    ReportedPerson,
    ReportOption,
)

# The source column: where an incident was told.
REPORT: Final = "report"
ADDITION: Final = "addition"
THEIR_LOG: Final = "log"
STAFF: Final = "staff"
SOURCE_LABELS: Final = {
    REPORT: "Report",
    ADDITION: "Addition to the report",
    THEIR_LOG: "Their log",
    STAFF: "Recorded by staff",
}
# People in the filter: the report's named people by their ReportedPerson id, people in
# the log by their LogPerson id (or, once matched, the ReportedPerson they are).
_REPORT_PERSON: Final = "r-"
_LOG_PERSON: Final = "l-"
UNREADABLE: Final = "(this can no longer be read)"
TOP_BEHAVIOURS: Final = 3


@dataclass(frozen=True)
class Row:
    """One line of the chronology table."""

    key: str  # unique on the page: "report", "addition-<id>", "entry-<seq>"
    happened: str
    happened_sort: dt.datetime
    recorded_at: dt.datetime
    where: str
    what: str
    who: tuple[str, ...]
    source: str  # REPORT, ADDITION, THEIR_LOG or STAFF
    recorded_by: str = ""  # a staff member's name, for STAFF
    evidence: tuple[str, ...] = ()
    police: str = ""
    seq: int | None = None  # the log entry's place in its chain
    corrects: int | None = None
    corrected_by: tuple[int, ...] = ()
    doubtful: bool = False  # at or after the entry the chain check found altered
    behaviours: frozenset[str] = frozenset()  # option slugs, for the filter
    people: frozenset[str] = frozenset()  # person keys, for the filter

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]

    @property
    def is_correction(self) -> bool:
        return self.corrects is not None


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class CaseChronology:
    rows: tuple[Row, ...]  # what the filters let through, in the order it happened
    total: int  # rows before filtering
    behaviours: tuple[Choice, ...]  # what the behaviour filter offers
    people: tuple[Choice, ...]  # what the person filter offers
    integrity: Integrity | None  # None when nothing was shared from a log
    shared_entries: int
    erased: bool = False  # the report's answers can no longer be read
    chosen_behaviour: str = ""
    chosen_person: str = ""
    log_people: tuple[LogPerson, ...] = field(default_factory=tuple)

    @property
    def filtered(self) -> bool:
        return bool(self.chosen_behaviour or self.chosen_person)


# --- Reading the case's log (shared entries only) --------------------------------------------


def case_log(case: Case) -> IncidentLog | None:
    """The log kept under the case's report, if there is one (IncidentLog.report)."""
    return (
        IncidentLog.objects.select_related("data_key", "report")
        .filter(report_id=case.report_id)
        .first()
    )


def institution_name() -> str:
    institution = institution_get_current()
    return institution.name if institution is not None else "Waypoint"


@dataclass(frozen=True)
class SharedLog:
    """What the team may read of a log: its shared entries, built and raw."""

    log: IncidentLog
    chronology: Chronology  # shared entries only
    rows: tuple[LogEntry, ...]  # the same entries, with staff_member attached

    @property
    def by_seq(self) -> dict[int, LogEntry]:
        return {row.seq: row for row in self.rows}


def shared_log_for_case(
    case: Case, *, made_by: str = "", purpose: str = "", now: dt.datetime | None = None
) -> SharedLog | None:
    """The case's log as the team may see it, or None when nothing in it was shared.

    A log with no shared entries is not mentioned at all: staff must not learn that a
    person keeps one until they share from it."""
    log = case_log(case)
    if log is None:
        return None
    rows = shared_entries(log=log)
    if not rows:
        return None
    staff = {
        entry.pk: entry.staff_member
        for entry in LogEntry.objects.filter(
            pk__in=[r.pk for r in rows], staff_member__isnull=False
        ).select_related("staff_member")
    }
    for row in rows:
        if row.pk in staff:
            row.staff_member = staff[row.pk]
    chronology = chronology_for_log(
        log,
        institution=institution_name(),
        made_by=made_by,
        purpose=purpose,
        now=now,
        shared_only=True,
    )
    return SharedLog(log=log, chronology=chronology, rows=tuple(rows))


def _content(row: LogEntry) -> dict[str, Any]:
    try:
        data = row.content
    except CryptoError:
        return {}
    return data if isinstance(data, dict) else {}


def shared_people(shared: SharedLog) -> list[LogPerson]:
    """The people named in shared entries only (others in the log stay the person's)."""
    named = {str(pid) for row in shared.rows for pid in _content(row).get("who", [])}
    people = list(LogPerson.objects.filter(log=shared.log, pk__in=named))
    for person in people:
        person.log = shared.log
    return people


def shared_evidence(shared: SharedLog) -> list[LogEvidence]:
    """The files kept with shared entries (read through entry.evidence: never a file of an
    entry that is not shared)."""
    files = list(
        LogEvidence.objects.filter(entry__in=[row.pk for row in shared.rows]).order_by(
            "uploaded_at", "id"
        )
    )
    seq_of = {row.pk: row.seq for row in shared.rows}
    for item in files:
        item.log = shared.log
        item.entry_seq = seq_of.get(item.entry_id) if item.entry_id else None  # type: ignore[attr-defined]
    return files


def file_name(item: Evidence | LogEvidence, fallback: str) -> str:
    try:
        return str(item.original_name or fallback)
    except CryptoError:
        return fallback


# --- The report's own incident ---------------------------------------------------------------


def _labels(value: Any) -> list[str]:
    items = value if isinstance(value, list) else ([value] if value else [])
    out = []
    for item in items:
        label = item.get("label") or item.get("slug") if isinstance(item, dict) else item
        if label:
            out.append(str(label))
    return out


def _slugs(value: Any) -> set[str]:
    items = value if isinstance(value, list) else []
    return {str(i.get("slug")) if isinstance(i, dict) else str(i) for i in items if i}


def _choice_label(value: Any, choices: Sequence[tuple[str, str]]) -> str:
    if isinstance(value, dict):
        value = value.get("slug", "")
    return dict(choices).get(str(value or ""), "")


def _report_when(when: dict[str, Any], submitted_at: dt.datetime) -> tuple[str, dt.datetime]:
    parts = []
    sort = submitted_at
    try:
        latest = dt.date.fromisoformat(str(when.get("latest") or ""))
    except ValueError:
        latest = None
    if latest is not None:
        parts.append(f"Last happened {latest.day} {latest:%B %Y}")
        sort = timezone.make_aware(dt.datetime.combine(latest, dt.time(12, 0)))
    started = _choice_label(when.get("started"), STARTED)
    if started:
        parts.append(f"started: {started.lower()}" if parts else f"Started: {started.lower()}")
    frequency = _choice_label(when.get("frequency"), FREQUENCIES)
    if frequency:
        parts.append(f"how often: {frequency.lower()}")
    return ("; ".join(parts) or "Not given (reported then)"), sort


def _report_row(
    case: Case, people: list[ReportedPerson], files: list[Evidence]
) -> tuple[Row | None, bool]:
    report = case.report
    try:
        answers = report.answers or {}
    except CryptoError:
        return None, True
    if not isinstance(answers, dict):
        return None, False

    def step(name: str) -> dict[str, Any]:
        value = answers.get(name)
        return value if isinstance(value, dict) else {}

    where, what, police = step("where"), step("what"), step("police")
    places = _labels(where.get("locations")) + _labels(where.get("platforms"))
    if where.get("off_campus") in (True, "on", "yes"):
        places.append("Somewhere off campus")
    if where.get("where_text"):
        places.append(str(where["where_text"]))
    happened, sort = _report_when(step("when"), report.submitted_at)
    names = []
    for person in people:
        try:
            details = person.details or {}
        except CryptoError:
            details = {}
        names.append(str(details.get("person_name") or details.get("description") or "Not named"))
    reference = str(police.get("crime_reference") or "")
    row = Row(
        key="report",
        happened=happened,
        happened_sort=sort,
        recorded_at=report.submitted_at,
        where="; ".join(places),
        what="; ".join([*_labels(what.get("behaviours")), str(what.get("what_text") or "")]).strip(
            "; "
        ),
        who=tuple(names),
        source=REPORT,
        evidence=tuple(file_name(f, "File") for f in files),
        police=f"Crime reference: {reference}" if reference else "",
        behaviours=frozenset(_slugs(what.get("behaviours"))),
        people=frozenset(f"{_REPORT_PERSON}{p.pk}" for p in people),
    )
    return row, False


def _addition_rows(additions: Iterable[ReportAddition]) -> list[Row]:
    rows = []
    for addition in additions:
        try:
            body = addition.body or ""
        except CryptoError:
            body = UNREADABLE
        rows.append(
            Row(
                key=f"addition-{addition.pk}",
                happened=f"Added {format_moment(addition.added_at)}",
                happened_sort=addition.added_at,
                recorded_at=addition.added_at,
                where="",
                what=body,
                who=(),
                source=ADDITION,
            )
        )
    return rows


# --- Shared log entries ------------------------------------------------------------------------


def _person_key(person: LogPerson) -> str:
    if person.shared_as_id is not None:
        return f"{_REPORT_PERSON}{person.shared_as_id}"
    return f"{_LOG_PERSON}{person.pk}"


def _entry_rows(shared: SharedLog, people: list[LogPerson], files: list[LogEvidence]) -> list[Row]:
    chronology = shared.chronology
    by_seq = shared.by_seq
    key_of = {str(p.pk): _person_key(p) for p in people}
    files_of: dict[int, list[str]] = defaultdict(list)
    for item in files:
        seq = getattr(item, "entry_seq", None)
        if seq is not None:
            files_of[seq].append(file_name(item, "File"))
    numbered = {item.number: item.name for item in chronology.evidence}
    first_bad = chronology.integrity.first_bad_seq
    rows = []
    for entry in chronology.entries:
        raw = by_seq.get(entry.seq)
        content = _content(raw) if raw is not None else {}
        staff = raw.staff_member if raw is not None else None
        by_staff = raw is not None and raw.recorded_by == RecordedBy.STAFF
        # The numbers the entry lists (its content, covered by the chain); else its rows.
        evidence = [
            f"Evidence {n}: {numbered[n]}" for n in entry.evidence if n in numbered
        ] or files_of.get(entry.seq, [])
        rows.append(
            Row(
                key=f"entry-{entry.seq}",
                happened=entry.happened,
                happened_sort=entry.happened_sort,
                recorded_at=entry.recorded_at,
                where=entry.where,
                what=entry.what,
                who=entry.who,
                source=STAFF if by_staff else THEIR_LOG,
                recorded_by=(
                    (staff.display_name or staff.email)
                    if staff is not None
                    else "A member of staff"
                )
                if by_staff
                else "",
                evidence=tuple(evidence),
                police=entry.police,
                seq=entry.seq,
                corrects=entry.corrects,
                corrected_by=entry.corrected_by,
                doubtful=first_bad is not None and entry.seq >= first_bad,
                behaviours=frozenset(_slugs(content.get("what", {}).get("behaviours", []))),
                people=frozenset(
                    key_of[str(pid)] for pid in content.get("who", []) if str(pid) in key_of
                ),
            )
        )
    return rows


def _groups(rows: list[Row]) -> list[list[Row]]:
    """Each original with its corrections after it (in the order they were recorded)."""
    by_seq = {row.seq: row for row in rows if row.seq is not None}
    corrections: dict[int, list[Row]] = defaultdict(list)
    originals = []
    for row in rows:
        if row.corrects is not None and row.corrects in by_seq:
            corrections[row.corrects].append(row)
        else:
            originals.append(row)
    groups = []
    for original in originals:
        group, queue = [original], [original]
        while queue:
            current = queue.pop(0)
            for later in sorted(corrections.get(current.seq or -1, []), key=lambda r: r.seq or 0):
                if later not in group:
                    group.append(later)
                    queue.append(later)
        groups.append(group)
    return groups


def _sort_key(group: list[Row]) -> tuple[dt.datetime, dt.datetime]:
    def naive(value: dt.datetime) -> dt.datetime:
        if timezone.is_aware(value):
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    first = group[0]
    return naive(first.happened_sort), naive(first.recorded_at)


def _behaviour_choices(rows: list[Row]) -> tuple[Choice, ...]:
    slugs = {slug for row in rows for slug in row.behaviours}
    if not slugs:
        return ()
    labels = dict(
        ReportOption.objects.filter(kind=OptionKind.BEHAVIOUR, slug__in=slugs).values_list(
            "slug", "label"
        )
    )
    choices = [
        Choice(slug, labels.get(slug, slug.replace("-", " ").capitalize())) for slug in slugs
    ]
    return tuple(sorted(choices, key=lambda c: c.label.casefold()))


def _people_choices(
    reported: list[ReportedPerson], report_row: Row | None, people: list[LogPerson]
) -> tuple[Choice, ...]:
    choices: dict[str, str] = {}
    if report_row is not None:
        for person, name in zip(reported, report_row.who, strict=False):
            choices[f"{_REPORT_PERSON}{person.pk}"] = name
    for log_person in people:
        key = _person_key(log_person)
        if key not in choices:
            try:
                choices[key] = log_person.name
            except CryptoError:
                choices[key] = UNREADABLE
    ordered = sorted(choices.items(), key=lambda item: item[1].casefold())
    return tuple(Choice(key, name) for key, name in ordered)


def chronology_for_case(*, case: Case, behaviour: str = "", person: str = "") -> CaseChronology:
    """The chronology of `case`, filtered by a behaviour slug and a person key when given."""
    report = case.report
    reported = list(ReportedPerson.objects.filter(report=report).select_related("data_key"))
    report_files = list(
        Evidence.objects.filter(report=report).select_related("data_key").order_by("uploaded_at")
    )
    report_row, erased = _report_row(case, reported, report_files)
    additions = ReportAddition.objects.filter(report=report).select_related("data_key")
    rows: list[Row] = [report_row] if report_row is not None else []
    rows += _addition_rows(additions.order_by("added_at", "id"))
    shared = shared_log_for_case(case)
    people: list[LogPerson] = []
    if shared is not None:
        people = shared_people(shared)
        rows += _entry_rows(shared, people, shared_evidence(shared))
    groups = sorted(_groups(rows), key=_sort_key)
    behaviours = _behaviour_choices(rows)
    people_choices = _people_choices(reported, report_row, people)
    behaviour = behaviour if behaviour in {c.value for c in behaviours} else ""
    person = person if person in {c.value for c in people_choices} else ""

    def wanted(group: list[Row]) -> bool:
        # A group stays whole: a correction is never shown without what it corrects.
        if behaviour and not any(behaviour in row.behaviours for row in group):
            return False
        return not person or any(person in row.people for row in group)

    shown = tuple(row for group in groups if wanted(group) for row in group)
    return CaseChronology(
        rows=shown,
        total=len(rows),
        behaviours=behaviours,
        people=people_choices,
        integrity=shared.chronology.integrity if shared is not None else None,
        shared_entries=len(shared.rows) if shared is not None else 0,
        erased=erased,
        chosen_behaviour=behaviour,
        chosen_person=person,
        log_people=tuple(people),
    )


# --- For the risk page: the pattern in what was shared ---------------------------------------


@dataclass(frozen=True)
class LogPattern:
    incidents: int
    weeks: int
    top: tuple[pattern.BehaviourCount, ...]
    trend: pattern.Trend
    recent: int
    previous: int

    @property
    def rising(self) -> bool:
        return self.trend is pattern.Trend.RISING

    @property
    def trend_text(self) -> str:
        weeks = pattern.WINDOW_DAYS // 7
        counts = f"{self.recent} in the last {weeks} weeks, {self.previous} in the {weeks} before"
        if self.trend is pattern.Trend.RISING:
            return f"Rising: {counts}."
        if self.trend is pattern.Trend.FALLING:
            return f"Less frequent lately: {counts}."
        if self.trend is pattern.Trend.STEADY:
            return f"About as often as before: {counts}."
        return f"Too early to say: what was shared goes back less than {weeks} weeks."


def _incident(entry: Entry, content: dict[str, Any]) -> pattern.Incident | None:
    try:
        happened = dt.date.fromisoformat(str(content.get("when", {}).get("date", "")))
    except ValueError:
        return None
    behaviours = tuple(
        (str(c.get("slug", "")), str(c.get("label", "")))
        for c in content.get("what", {}).get("behaviours", [])
        if isinstance(c, dict)
    )
    return pattern.Incident(happened=happened, behaviours=behaviours)


def log_pattern_for_case(*, case: Case, today: dt.date | None = None) -> LogPattern | None:
    """Counts over the shared entries only (the latest version of each incident), or None
    when nothing was shared from a log."""
    shared = shared_log_for_case(case)
    if shared is None:
        return None
    by_seq = shared.by_seq
    incidents = []
    for entry in shared.chronology.entries:
        if entry.corrected_by:  # a shared correction replaces it
            continue
        raw = by_seq.get(entry.seq)
        found = _incident(entry, _content(raw)) if raw is not None else None
        if found is not None:
            incidents.append(found)
    if not incidents:
        return None
    counted = pattern.pattern_of(incidents, today=today or timezone.localdate())
    return LogPattern(
        incidents=counted.total,
        weeks=counted.weeks,
        top=counted.behaviours[:TOP_BEHAVIOURS],
        trend=counted.trend,
        recent=counted.recent,
        previous=counted.previous,
    )


def snapshot(chronology: Chronology, *, seqs: Iterable[int]) -> Chronology:
    """Only the entries `seqs` (what a bundle sent), each correction list cut to match, so
    that the same bundle makes the same PDF however the log grows afterwards."""
    keep = set(seqs)
    entries = tuple(
        replace(entry, corrected_by=tuple(s for s in entry.corrected_by if s in keep))
        for entry in chronology.entries
        if entry.seq in keep
    )
    numbers = {n for entry in entries for n in entry.evidence}
    return replace(
        chronology,
        entries=entries,
        evidence=tuple(item for item in chronology.evidence if item.number in numbers),
        final_digest=entries[-1].digest if entries else "",
    )
