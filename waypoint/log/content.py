"""The shape of an entry's content, and how each part reads in words.

    {
      "when": {"kind": "now" | "exact" | "about" | "range",
               "date": "YYYY-MM-DD", "time": "HH:MM" or "",
               "end_date": "YYYY-MM-DD" or "", "end_time": "HH:MM" or ""},
      "where": {"places": [Choice], "platforms": [Choice], "text": str},
      "what": {"behaviours": [Choice], "text": str},
      "who": [person id (str)],
      "witnesses": str,
      "affected": str,
      "police": {"officer": str, "reference": str},
      "evidence": [{"id": LogEvidence id (str), "sha256": hex digest of the file as
                    kept, "name": its name on the person's device, "size": bytes (int),
                    "content_type": its type, told from its bytes}],
    }

A Choice is {"slug": ..., "label": ...} from the report form's option lists, kept as it
was when chosen (renaming an option never rewrites what someone wrote). "now" keeps the
date and time the form filled in. Only "when" (a date) and "what" (a behaviour or words)
are required (services._check_content).

Each file is listed with its SHA-256, so the chain digest (chain.py) covers the files
too: a file swapped or changed in storage, or a digest changed in the database, no
longer matches what the entry says (log/evidence.py stores them). A correction may list
the corrected entry's files again, as they were, beside new ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.utils import timezone
from django.utils.dateformat import format as date_format

KINDS: Final = ("now", "exact", "about", "range")


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _time(text: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


def _day(day: dt.date) -> str:
    return date_format(day, "j F Y")


def _clock(moment: dt.time) -> str:
    return moment.strftime("%H:%M")


def describe_when(when: dict[str, Any]) -> str:
    """ "3 December 2026 at 21:10", "about 3 December 2026, evening", "between ... and ..."."""
    day, clock = _date(when.get("date", "")), _time(when.get("time", ""))
    if day is None:
        return "Date not given"
    text = _day(day) + (f" at {_clock(clock)}" if clock else "")
    kind = when.get("kind", "exact")
    if kind == "about":
        return f"About {text}"
    if kind == "range":
        end_day, end_clock = _date(when.get("end_date", "")), _time(when.get("end_time", ""))
        if end_day is not None:
            end = _day(end_day) + (f" at {_clock(end_clock)}" if end_clock else "")
            return f"Between {text} and {end}"
    return text


def when_sort_key(when: dict[str, Any]) -> dt.datetime:
    """When it happened, for ordering (start of a range; midday when no time was given)."""
    day = _date(when.get("date", "")) or dt.date.min
    clock = _time(when.get("time", "")) or dt.time(12, 0)
    return timezone.make_aware(dt.datetime.combine(day, clock))


def labels(choices: list[dict[str, Any]]) -> list[str]:
    return [str(choice.get("label", "")) for choice in choices if choice.get("label")]


def describe_where(where: dict[str, Any]) -> str:
    parts = labels(where.get("places", [])) + labels(where.get("platforms", []))
    if where.get("text"):
        parts.append(str(where["text"]))
    return "; ".join(parts)


def describe_what(what: dict[str, Any]) -> str:
    parts = labels(what.get("behaviours", []))
    if what.get("text"):
        parts.append(str(what["text"]))
    return "; ".join(parts)


def describe_police(police: dict[str, Any]) -> str:
    parts = []
    if police.get("officer"):
        parts.append(f"Officer: {police['officer']}")
    if police.get("reference"):
        parts.append(f"Crime reference: {police['reference']}")
    return "; ".join(parts)
