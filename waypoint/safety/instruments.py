"""Risk instruments as data: the file format, its validation, and scoring.

An instrument file (JSON, see waypoint/safety/instruments/*.json) looks like:

    {
      "slug": "dash-topics",                  # stable id of the instrument
      "name": "...", "description": "...",
      "version": 1,                           # bump when the wording or scoring changes
      "items": [{"key": "frightened", "label": "...", "high_concern": true}, ...],
      "scoring": {"rule": "count_yes"}        # or {"rule": "count_only"}
      "bands": [                              # lowest first
        {"key": "standard", "label": "Standard", "min": 0, "guidance": "...",
         "actions": ["..."], "review_days": 28},
        {"key": "high", "label": "High", "min": 14, "guidance": "...", "actions": [...],
         "review_days": 7, "alert_leads": true, "referrals": ["..."]}
      ]
    }

Answers are always "yes", "no" or "dont_know", each with an optional comment. With
`count_yes` the score is the number of "yes" answers and the computed band is the
highest band whose `min` the score reaches. With `count_only` (screening tools with no
validated cut-off) there is no computed band: the count and the named high-concern items
are shown, and the practitioner chooses the band. Professional judgement may raise the
band, never lower it below the computed one (SafeLives guidance: judgement must not be
used to downgrade; research/domain.md 1.2).

The published wording of DASH and S-DASH is copyrighted, so the files shipped with
Waypoint carry our own short paraphrases of the topics; an institution with a licence
loads its own file with the official wording (`manage.py load_instrument FILE`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

ANSWERS: Final = ("yes", "no", "dont_know")
ANSWER_LABELS: Final = {"yes": "Yes", "no": "No", "dont_know": "Don't know"}
RULES: Final = ("count_yes", "count_only")


class InstrumentError(ValueError):
    """An instrument file that cannot be used, with the reason in plain words."""


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    high_concern: bool


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    min: int | None
    guidance: str
    actions: tuple[str, ...]
    review_days: int | None
    alert_leads: bool
    referrals: tuple[str, ...]


@dataclass(frozen=True)
class Definition:
    slug: str
    name: str
    description: str
    version: int
    items: tuple[Item, ...]
    rule: str
    bands: tuple[Band, ...]

    def band(self, key: str) -> Band | None:
        return next((b for b in self.bands if b.key == key), None)

    def rank(self, key: str) -> int:
        """Position of a band, lowest 0; -1 for no band."""
        return next((i for i, b in enumerate(self.bands) if b.key == key), -1)


@dataclass(frozen=True)
class Result:
    score: int
    computed_band: str  # "" when the rule has no cut-offs
    high_concern: tuple[str, ...]  # labels of high-concern items answered "yes"
    unanswered: tuple[str, ...]


def _text(doc: Mapping[str, Any], key: str, *, where: str, required: bool = True) -> str:
    value = doc.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise InstrumentError(f"{where}: '{key}' must be a non-empty text.")
    return value.strip()


def _strings(value: Any, *, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InstrumentError(f"{where}: must be a list of texts.")
    return tuple(v.strip() for v in value if v.strip())


def _whole(value: Any, *, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _parse_items(raw_items: Any) -> tuple[Item, ...]:
    if not isinstance(raw_items, list) or not raw_items:
        raise InstrumentError("instrument: 'items' must be a non-empty list.")
    items = []
    for index, raw in enumerate(raw_items, start=1):
        where = f"item {index}"
        if not isinstance(raw, dict):
            raise InstrumentError(f"{where}: must be an object.")
        items.append(
            Item(
                key=_text(raw, "key", where=where),
                label=_text(raw, "label", where=where),
                high_concern=bool(raw.get("high_concern", False)),
            )
        )
    if len({item.key for item in items}) != len(items):
        raise InstrumentError("instrument: every item needs its own 'key'.")
    return tuple(items)


def _parse_band(raw: Any, *, index: int, rule: str) -> Band:
    where = f"band {index}"
    if not isinstance(raw, dict):
        raise InstrumentError(f"{where}: must be an object.")
    minimum = raw.get("min")
    if rule == "count_yes" and not _whole(minimum, minimum=0):
        raise InstrumentError(f"{where}: 'min' must be a whole number (count_yes).")
    if rule == "count_only" and minimum is not None:
        raise InstrumentError(f"{where}: 'min' has no meaning with count_only.")
    review_days = raw.get("review_days")
    if review_days is not None and not _whole(review_days, minimum=1):
        raise InstrumentError(f"{where}: 'review_days' must be a whole number of days.")
    return Band(
        key=_text(raw, "key", where=where),
        label=_text(raw, "label", where=where),
        min=minimum,
        guidance=_text(raw, "guidance", where=where, required=False),
        actions=_strings(raw.get("actions"), where=f"{where} actions"),
        review_days=review_days,
        alert_leads=bool(raw.get("alert_leads", False)),
        referrals=_strings(raw.get("referrals"), where=f"{where} referrals"),
    )


def _parse_bands(raw_bands: Any, *, rule: str, item_count: int) -> tuple[Band, ...]:
    if not isinstance(raw_bands, list) or not raw_bands:
        raise InstrumentError("instrument: 'bands' must be a non-empty list, lowest first.")
    bands = tuple(
        _parse_band(raw, index=index, rule=rule) for index, raw in enumerate(raw_bands, 1)
    )
    if len({band.key for band in bands}) != len(bands):
        raise InstrumentError("instrument: every band needs its own 'key'.")
    if rule == "count_yes":
        minimums = [band.min or 0 for band in bands]
        if minimums != sorted(minimums) or len(set(minimums)) != len(minimums):
            raise InstrumentError("instrument: band minimums must rise, lowest band first.")
        if minimums[0] != 0:
            raise InstrumentError("instrument: the lowest band must start at 0.")
        if minimums[-1] > item_count:
            raise InstrumentError("instrument: a band starts above the number of items.")
    return bands


def parse_definition(doc: Any) -> Definition:
    """Validate an instrument document; raise InstrumentError saying what is wrong."""
    if not isinstance(doc, dict):
        raise InstrumentError("The file must hold one JSON object.")
    version = doc.get("version")
    if not isinstance(version, int) or not _whole(version, minimum=1):
        raise InstrumentError("instrument: 'version' must be a whole number from 1.")
    items = _parse_items(doc.get("items"))
    scoring = doc.get("scoring")
    rule = scoring.get("rule") if isinstance(scoring, dict) else None
    if rule not in RULES:
        raise InstrumentError(f"instrument: 'scoring.rule' must be one of {', '.join(RULES)}.")
    return Definition(
        slug=_text(doc, "slug", where="instrument"),
        name=_text(doc, "name", where="instrument"),
        description=_text(doc, "description", where="instrument", required=False),
        version=version,
        items=items,
        rule=str(rule),
        bands=_parse_bands(doc.get("bands"), rule=str(rule), item_count=len(items)),
    )


def score(definition: Definition, answers: Mapping[str, Mapping[str, Any]]) -> Result:
    """Score answers ({key: {"answer": ..., "comment": ...}}); unknown keys are ignored."""
    yes = [
        item for item in definition.items if (answers.get(item.key) or {}).get("answer") == "yes"
    ]
    unanswered = tuple(
        item.label
        for item in definition.items
        if (answers.get(item.key) or {}).get("answer") not in ANSWERS
    )
    count = len(yes)
    computed = ""
    if definition.rule == "count_yes":
        for band in definition.bands:
            if band.min is not None and count >= band.min:
                computed = band.key
    return Result(
        score=count,
        computed_band=computed,
        high_concern=tuple(item.label for item in yes if item.high_concern),
        unanswered=unanswered,
    )


def judgement_allowed(definition: Definition, *, computed: str, judged: str) -> bool:
    """May a practitioner record `judged` when the score gives `computed`? Never lower."""
    if definition.band(judged) is None:
        return False
    return definition.rank(judged) >= definition.rank(computed)
