"""Reads of the incident log, for the person who holds its receipt."""

from __future__ import annotations

import uuid

from waypoint.log import chain
from waypoint.log.chronology import Integrity
from waypoint.log.models import IncidentLog, LogEntry, LogPerson


def log_get(*, log_id: uuid.UUID) -> IncidentLog | None:
    return IncidentLog.objects.select_related("data_key").filter(pk=log_id).first()


def log_entries(*, log: IncidentLog) -> list[LogEntry]:
    """Every entry in the order it was recorded, each with the log (and its key) attached."""
    entries = list(LogEntry.objects.filter(log=log).order_by("seq"))
    for entry in entries:
        entry.log = log  # one key load for all of them
    return entries


def shared_entries(*, log: IncidentLog) -> list[LogEntry]:
    """Only what the person shared (or staff recorded): the one read staff pages use.

    Unshared entries must never reach a staff page, export, count or email (issue 14)."""
    entries = list(LogEntry.objects.filter(log=log, shared_at__isnull=False).order_by("seq"))
    for entry in entries:
        entry.log = log
    return entries


def log_people(*, log: IncidentLog) -> list[LogPerson]:
    people = list(LogPerson.objects.filter(log=log))
    for person in people:
        person.log = log
    return people


def log_integrity(*, log: IncidentLog, entries: list[LogEntry] | None = None) -> Integrity:
    return chain.check(log=log, entries=entries if entries is not None else log_entries(log=log))
