"""Sharing entries of an incident log with the team (issue 14, item 7; ADR 0043).

Entries are marked shared in place (LogEntry.shared_at), never copied: one sealed copy,
the chain stays checkable, and deleting the log removes what was shared with it. A family
(an entry, the entry it corrects and every correction of it) is shared whole, so the team
never reads a correction without what it corrects, or the reverse.

A standalone log has no case to share into: its first share opens a report with the
same reference and receipt (reporting.services.report_open_for_log), so the case opens
exactly as any report's does and the person reads the team's messages at /my-report/
with the receipt they already have.

Casework hears of each share through `events.log_shared` (ADR 0040: the log never imports
casework); the share itself is audited with ids and a count only. An unshared log is
never audited or counted anywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from django.db import transaction
from django.utils import timezone

from waypoint.log import events, pattern
from waypoint.log.models import IncidentLog, LogEntry, LogPerson
from waypoint.privacy.crypto import DecryptionError
from waypoint.privacy.models import AuditEvent
from waypoint.privacy.services import audit_record
from waypoint.reporting import services as reporting_services
from waypoint.reporting.models import OptionKind, Report, ReportedPerson, ReportOption

OBJECT_TYPE: Final = "log.incidentlog"


class NothingToShareError(ValueError):
    """Every entry chosen (and its family) was shared already, or none was chosen."""


# --- Families -------------------------------------------------------------------------------


def families(entries: Iterable[LogEntry]) -> list[list[LogEntry]]:
    """The log's entries grouped by family (an entry and its corrections, transitively),
    each family in seq order, families in the order of their first entry."""
    entries = sorted(entries, key=lambda e: e.seq)
    root_of: dict[object, object] = {}
    by_pk = {entry.pk: entry for entry in entries}
    for entry in entries:
        # Corrections come after what they correct, so the root is already known.
        parent = entry.corrects_id
        root_of[entry.pk] = root_of.get(parent, parent) if parent in by_pk else entry.pk
    grouped: dict[object, list[LogEntry]] = {}
    for entry in entries:
        grouped.setdefault(root_of[entry.pk], []).append(entry)
    return list(grouped.values())


def _closure(all_entries: list[LogEntry], chosen: Iterable[LogEntry]) -> list[LogEntry]:
    wanted = {entry.pk for entry in chosen}
    found: list[LogEntry] = []
    for family in families(all_entries):
        if any(entry.pk in wanted for entry in family):
            found.extend(family)
    return sorted(found, key=lambda e: e.seq)


# --- Urgency and people ---------------------------------------------------------------------


def _latest_incidents(entries: list[LogEntry]) -> list[pattern.Incident]:
    """Each family's latest readable version, as the pattern counts them."""
    incidents = []
    for family in families(entries):
        corrected = {entry.corrects_id for entry in family if entry.corrects_id}
        for entry in family:
            if entry.pk in corrected:
                continue
            try:
                content = dict(entry.content)
                happened = dt.date.fromisoformat(str(content.get("when", {}).get("date", "")))
            except (DecryptionError, TypeError, ValueError):
                continue
            behaviours = tuple(
                (str(c.get("slug", "")), str(c.get("label", "")))
                for c in (content.get("what") or {}).get("behaviours", [])
            )
            incidents.append(pattern.Incident(happened=happened, behaviours=behaviours))
    return incidents


def urgency(entries: list[LogEntry]) -> tuple[bool, bool]:
    """(threat of violence, high risk) from what the shared entries say was done: the
    same reading as the log page's warnings (pattern.warnings), never their free text."""
    threat_slugs = frozenset(
        ReportOption.objects.filter(
            kind=OptionKind.BEHAVIOUR, is_threat_of_violence=True
        ).values_list("slug", flat=True)
    )
    incidents = _latest_incidents(entries)
    found = pattern.pattern_of(incidents, today=timezone.localdate())
    threats = any({slug for slug, _ in i.behaviours} & threat_slugs for i in incidents)
    warned = pattern.warnings(incidents, threat_slugs=threat_slugs, trend=found.trend)
    return threats, bool(warned)


def _named(entries: Iterable[LogEntry]) -> set[str]:
    ids: set[str] = set()
    for entry in entries:
        try:
            ids.update(str(pid) for pid in (entry.content or {}).get("who", []))
        except DecryptionError:
            continue
    return ids


def incident_count(entries: Iterable[LogEntry]) -> int:
    """How many incidents `entries` hold: one per family, however often corrected."""
    return len(families(entries))


# --- Sharing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shared:
    report: Report
    entries: list[LogEntry]  # shared by this call, in seq order
    incidents: int  # how many incidents (families) that is
    opened: bool  # whether this share opened the case


def _open_report(log: IncidentLog, entries: list[LogEntry]) -> Report:
    threat, high_risk = urgency(entries)
    return reporting_services.report_open_for_log(
        reference=str(log.reference),
        receipt_hash=log.receipt_hash,
        receipt_pepper_key_id=log.receipt_pepper_key_id,
        threat_of_violence=threat,
        high_risk_indicator=high_risk,
    )


@transaction.atomic
def log_share_entries(*, log: IncidentLog, entries: Iterable[LogEntry]) -> Shared:
    """Share `entries` (and their families) with the team; see log_share."""
    locked = IncidentLog.objects.select_for_update(of=("self",)).get(pk=log.pk)
    all_entries = list(LogEntry.objects.filter(log=locked).order_by("seq"))
    for entry in all_entries:
        entry.log = locked
    chosen = [entry for entry in entries if entry.log_id == locked.pk]
    to_share = [entry for entry in _closure(all_entries, chosen) if entry.shared_at is None]
    if not to_share:
        raise NothingToShareError("Nothing new to share.")
    opened = locked.report_id is None
    if locked.report_id is None:
        report = _open_report(locked, to_share)
        locked.report = report
        locked.save(update_fields=["report"])
    else:
        report = Report.objects.get(pk=locked.report_id)
    now = timezone.now()
    LogEntry.objects.filter(pk__in=[entry.pk for entry in to_share]).update(shared_at=now)
    for entry in to_share:
        entry.shared_at = now
    shared_pks = {entry.pk for entry in to_share}
    for entry in chosen:  # the caller's own objects say so too
        if entry.pk in shared_pks:
            entry.shared_at = now
    _announce(locked, report, all_entries, to_share, opened=opened)
    log.report = report
    return Shared(
        report=report, entries=to_share, incidents=incident_count(to_share), opened=opened
    )


def _announce(
    log: IncidentLog,
    report: Report,
    all_entries: list[LogEntry],
    shared_now: list[LogEntry],
    *,
    opened: bool,
) -> None:
    """Tell casework (and so the team) of entries shared now, with the people newly
    named in what the team can read; audit it with ids and a count."""
    # Everyone named in what the team can now read (this share, and any earlier entry
    # shared without passing here) who has not been shared yet.
    named = _named(entry for entry in all_entries if entry.shared_at is not None)
    people = [
        person
        for person in LogPerson.objects.filter(log=log, shared_as__isnull=True)
        if str(person.pk) in named
    ]
    for person in people:
        person.log = log
    events.send(
        events.log_shared,
        log=log,
        report=report,
        entries=shared_now,
        people=people,
        opened=opened,
    )
    audit_record(
        actor=None,
        action="log.shared",
        object_type=OBJECT_TYPE,
        object_id=str(log.pk),
        extra={"report_id": str(report.pk), "entries": len(shared_now)},
        actor_kind=AuditEvent.ActorKind.REPORTER,
    )


@transaction.atomic
def log_correction_shared(*, log: IncidentLog, entry: LogEntry) -> None:
    """A correction the person wrote of a shared entry, shared as it was saved
    (services.entry_add): the team hears of it as of any share. Call it in the same
    transaction as entry_add; an entry not shared, or a log with no report, is a no-op."""
    if entry.shared_at is None or log.report_id is None:
        return
    locked = IncidentLog.objects.select_for_update(of=("self",)).get(pk=log.pk)
    all_entries = list(LogEntry.objects.filter(log=locked).order_by("seq"))
    for row in all_entries:
        row.log = locked
    shared_now = [row for row in all_entries if row.pk == entry.pk]
    if not shared_now:
        return
    report = Report.objects.get(pk=log.report_id)
    _announce(locked, report, all_entries, shared_now, opened=False)


def log_share(*, log: IncidentLog, entries: Iterable[LogEntry]) -> Report:
    """Mark `entries` and their families shared, opening the log's report first if it
    has none, and tell casework (events.log_shared). Returns the report whose case holds
    them. Raises NothingToShareError when everything chosen was shared already."""
    return log_share_entries(log=log, entries=entries).report


def person_mark_shared(*, person: LogPerson, reported_person: ReportedPerson) -> None:
    """The person as the case's report now names them (casework, on log_shared)."""
    LogPerson.objects.filter(pk=person.pk).update(shared_as=reported_person)
    person.shared_as = reported_person


# --- Who has opened the case, for the person's record page ----------------------------------

# (report) -> [(role in words, last opened)], most recent first. Casework registers it
# (ADR 0040: the log may not ask casework itself); without it, nothing is shown.
OpeningsSource = Callable[[Report], list[tuple[str, dt.datetime]]]


@dataclass
class _Source:
    openings: OpeningsSource | None = None


_SOURCE = _Source()


def openings_source_register(source: OpeningsSource) -> None:
    """Called once by casework: which roles opened a report's case, and when last."""
    _SOURCE.openings = source


def case_openings(*, log: IncidentLog) -> list[tuple[str, dt.datetime]]:
    """Which roles opened the case of the log's report (none while it has no report)."""
    if log.report_id is None or _SOURCE.openings is None:
        return []
    report = Report.objects.filter(pk=log.report_id).first()
    return _SOURCE.openings(report) if report is not None else []
