"""Building blocks for the incident log's tests."""

from __future__ import annotations

from typing import Any

MARKER = "zq-log-marker-5521"


def content(**overrides: Any) -> dict[str, Any]:
    """An entry's content as the add-incident form makes it."""
    base: dict[str, Any] = {
        "when": {"kind": "exact", "date": "2026-11-30", "time": "21:10", "end_date": ""},
        "where": {
            "places": [],
            "platforms": [{"slug": "instagram", "label": "Instagram"}],
            "text": "",
        },
        "what": {
            "behaviours": [{"slug": "repeated-contact", "label": "Repeated messages"}],
            "text": "Twelve messages overnight",
        },
        "who": [],
        "witnesses": "",
        "affected": "",
        "police": {"officer": "", "reference": ""},
        "evidence": [],
    }
    base.update(overrides)
    return base
