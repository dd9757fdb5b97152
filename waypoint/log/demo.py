"""A demo record, shared with the team, so the staff side shows a chronology (make run).

Fictional people only. A person kept a record of four incidents and shared three of them;
the share opens a case exactly as a real one does (sharing.py). Nobody holds the record's
receipt. Loaded once: nothing is added when a record already exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.utils import timezone

from waypoint.log import services, sharing
from waypoint.log.models import IncidentLog
from waypoint.reporting.models import OptionKind, ReportOption

# (days ago, time, place slugs, behaviour slugs, their words, shared with the team)
_Incident = tuple[int, str, list[str], list[str], str, bool]
_INCIDENTS: Final[tuple[_Incident, ...]] = (
    (24, "18:40", ["library"], ["watching"], "Sat two tables away all evening, again.", True),
    (17, "22:15", [], ["repeated-contact"], "Fourteen messages after I left the gym.", True),
    (9, "08:50", ["halls"], ["following", "watching"], "Was at my hall's door.", True),
    (3, "", [], ["posting"], "A new account copying my photos. Not sure yet.", False),
)


def _choices(kind: str, slugs: list[str]) -> list[dict[str, str]]:
    labels = dict(
        ReportOption.objects.filter(kind=kind, slug__in=slugs).values_list("slug", "label")
    )
    return [{"slug": slug, "label": labels[slug]} for slug in slugs if slug in labels]


def _content(incident: _Incident, who: str) -> dict[str, Any]:
    days_ago, time, places, behaviours, text, _ = incident
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return {
        "when": {"kind": "exact", "date": day.isoformat(), "time": time, "end_date": ""},
        "where": {"places": _choices(OptionKind.LOCATION, places), "platforms": [], "text": ""},
        "what": {"behaviours": _choices(OptionKind.BEHAVIOUR, behaviours), "text": text},
        "who": [who],
        "witnesses": "",
        "affected": "",
        "police": {"officer": "", "reference": ""},
        "evidence": [],
    }


def demo_log_load() -> int:
    """Create the demo record and share part of it, unless a record exists. Returns how
    many incidents were shared."""
    if IncidentLog.objects.exists():
        return 0
    log = services.log_start().log
    person = services.person_add(
        log=log, name="Riley Demo", identifiers={"email": "riley.demo@demo-mail.test"}
    )
    to_share = []
    for incident in _INCIDENTS:
        entry = services.entry_add(log=log, content=_content(incident, str(person.pk)))
        if incident[-1]:  # shared with the team
            to_share.append(entry)
    sharing.log_share(log=log, entries=to_share)
    return len(to_share)
