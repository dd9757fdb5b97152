"""`{% log_sharing log as sharing %}` (load log_sharing): what the person's record page
says about sharing: how many incidents are shared and not, which roles opened the case
(casework tells the log through sharing.openings_source_register) and whether the same
receipt opens /my-report/ too. The record page's view stays as it is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import template

from waypoint.log import sharing
from waypoint.log.models import IncidentLog, LogEntry

register = template.Library()


@dataclass(frozen=True)
class Sharing:
    shared: int  # incidents the team can read
    unshared: int  # incidents only the person can see
    openings: list[tuple[str, dt.datetime]]
    # Kept with its own receipt and shared since: the same receipt opens /my-report/.
    own_receipt_opens_report: bool


@register.simple_tag
def log_sharing(log: IncidentLog) -> Sharing:
    entries = list(LogEntry.objects.filter(log=log).only("id", "seq", "corrects_id", "shared_at"))
    families = sharing.families(entries)
    shared = sum(1 for family in families if all(e.shared_at for e in family))
    return Sharing(
        shared=shared,
        unshared=len(families) - shared,
        openings=sharing.case_openings(log=log),
        own_receipt_opens_report=bool(log.reference and log.report_id and shared),
    )
