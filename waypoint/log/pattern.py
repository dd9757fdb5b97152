"""The pattern in a person's incident log, counted in plain numbers (issue 14, item 4).

Pure: it takes what the person wrote (when each incident happened, which behaviours) and
today's date, and counts. No database, no clock of its own, and no score: the log page
says what the numbers are and, where they show something that can be dangerous, says so.

- how many incidents over how many weeks (from the first incident to today);
- incidents per week for the chart and its table (the last CHART_WEEKS weeks at most);
- which behaviours, and how often (most frequent first);
- whether they are becoming more frequent: the last WINDOW_DAYS against the WINDOW_DAYS
  before. Only said when the record goes back further than the recent window (a log
  started a fortnight ago has no "before" to compare with).

A correction replaces what it corrects: pass each incident's latest version only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

WINDOW_DAYS: Final = 28
CHART_WEEKS: Final = 12
# Rising: at least this many in the recent window, and half as many again as before.
RISING_AT_LEAST: Final = 2
RISING_FACTOR: Final = 1.5
# Behaviours that mean someone is physically near the person (default_options.py):
# following them or turning up where they are, watching or waiting near their home.
PRESENCE_SLUGS: Final = frozenset({"following", "watching"})
# Chart geometry, in SVG user units (attributes, not styles: the CSP allows no inline style).
CHART_HEIGHT: Final = 120
BAR_WIDTH: Final = 20
BAR_GAP: Final = 8


@dataclass(frozen=True)
class Incident:
    """One incident as the person gave it (the latest version of an entry)."""

    happened: dt.date
    behaviours: tuple[tuple[str, str], ...] = ()  # (slug, label) as chosen


@dataclass(frozen=True)
class WeekCount:
    starts: dt.date
    ends: dt.date
    count: int


@dataclass(frozen=True)
class BehaviourCount:
    slug: str
    label: str
    count: int


@dataclass(frozen=True)
class Bar:
    """One week's bar in the chart, placed in SVG user units."""

    week: WeekCount
    x: int
    y: int
    height: int


class Trend(StrEnum):
    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"
    TOO_EARLY = "too_early"


@dataclass(frozen=True)
class Pattern:
    total: int
    weeks: int  # from the first incident to today, in whole weeks (at least 1)
    first: dt.date | None
    per_week: tuple[WeekCount, ...]  # oldest first, at most CHART_WEEKS
    behaviours: tuple[BehaviourCount, ...]  # most frequent first
    trend: Trend
    recent: int  # incidents in the last WINDOW_DAYS
    previous: int  # incidents in the WINDOW_DAYS before that

    @property
    def rising(self) -> bool:
        return self.trend is Trend.RISING

    @property
    def summary(self) -> str:
        if not self.total:
            return "You have not recorded any incidents yet."
        return (
            f"You have recorded {_plural(self.total, 'incident')} over "
            f"{_plural(self.weeks, 'week')}."
        )

    @property
    def trend_text(self) -> str:
        weeks = WINDOW_DAYS // 7
        counts = (
            f"{_plural(self.recent, 'incident')} in the last {weeks} weeks, compared with "
            f"{self.previous} in the {weeks} weeks before"
        )
        if self.trend is Trend.RISING:
            return f"They are becoming more frequent: {counts}."
        if self.trend is Trend.FALLING:
            return f"They have been less frequent lately: {counts}."
        if self.trend is Trend.STEADY:
            return f"They are happening about as often as before: {counts}."
        return (
            "It is too early to say whether they are becoming more frequent: the record "
            f"needs to go back more than {weeks} weeks."
        )

    @property
    def chart_weeks(self) -> int:
        return len(self.per_week)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _clamped(incidents: Iterable[Incident], today: dt.date) -> list[dt.date]:
    # A date after today cannot be counted as "in a week"; it is counted as today.
    return sorted(min(incident.happened, today) for incident in incidents)


def _count_between(days: Sequence[dt.date], start: dt.date, end: dt.date) -> int:
    return sum(1 for day in days if start <= day <= end)


def _per_week(days: Sequence[dt.date], today: dt.date, weeks: int) -> tuple[WeekCount, ...]:
    shown = min(weeks, CHART_WEEKS)
    result = []
    for back in range(shown - 1, -1, -1):
        ends = today - dt.timedelta(days=7 * back)
        starts = ends - dt.timedelta(days=6)
        result.append(WeekCount(starts=starts, ends=ends, count=_count_between(days, starts, ends)))
    return tuple(result)


def _behaviours(incidents: Iterable[Incident]) -> tuple[BehaviourCount, ...]:
    counts: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for incident in incidents:
        # Once per incident, however the same behaviour was listed.
        for slug, label in dict(incident.behaviours).items():
            counts[slug] += 1
            labels.setdefault(slug, label)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], labels[item[0]].casefold()))
    return tuple(BehaviourCount(slug=s, label=labels[s], count=n) for s, n in ordered)


def _trend(days: Sequence[dt.date], today: dt.date) -> tuple[Trend, int, int]:
    window = dt.timedelta(days=WINDOW_DAYS)
    recent_start = today - window + dt.timedelta(days=1)
    previous_start = recent_start - window
    recent = _count_between(days, recent_start, today)
    previous = _count_between(days, previous_start, recent_start - dt.timedelta(days=1))
    if not days or days[0] >= recent_start:
        return Trend.TOO_EARLY, recent, previous
    if recent >= RISING_AT_LEAST and recent > previous and recent >= previous * RISING_FACTOR:
        return Trend.RISING, recent, previous
    if previous >= 2 and recent * 2 <= previous:
        return Trend.FALLING, recent, previous
    return Trend.STEADY, recent, previous


def pattern_of(incidents: Sequence[Incident], *, today: dt.date) -> Pattern:
    days = _clamped(incidents, today)
    first = days[0] if days else None
    weeks = max(1, math.ceil(((today - first).days + 1) / 7)) if first else 0
    trend, recent, previous = _trend(days, today)
    return Pattern(
        total=len(days),
        weeks=weeks,
        first=first,
        per_week=_per_week(days, today, weeks),
        behaviours=_behaviours(incidents),
        trend=trend,
        recent=recent,
        previous=previous,
    )


def chart_bars(per_week: Sequence[WeekCount]) -> tuple[Bar, ...]:
    """Each week's bar: the tallest week fills CHART_HEIGHT, an empty week has none."""
    tallest = max((week.count for week in per_week), default=0)
    bars = []
    for index, week in enumerate(per_week):
        height = round(CHART_HEIGHT * week.count / tallest) if tallest else 0
        bars.append(
            Bar(week=week, x=index * (BAR_WIDTH + BAR_GAP), y=CHART_HEIGHT - height, height=height)
        )
    return tuple(bars)


def chart_width(per_week: Sequence[WeekCount]) -> int:
    return max(1, len(per_week) * (BAR_WIDTH + BAR_GAP) - BAR_GAP)


def warnings(
    incidents: Sequence[Incident], *, threat_slugs: frozenset[str], trend: Trend
) -> tuple[str, ...]:
    """What in the record can be dangerous, in plain words (empty when nothing is)."""
    reasons = []
    threats = sum(1 for i in incidents if {slug for slug, _ in i.behaviours} & threat_slugs)
    near = sum(1 for i in incidents if {slug for slug, _ in i.behaviours} & PRESENCE_SLUGS)
    if threats:
        reasons.append(f"{_entries(threats)} threats or violence.")
    if near:
        reasons.append(
            f"{_entries(near)} them following you, watching you or turning up where you are."
        )
    if trend is Trend.RISING:
        reasons.append("The incidents are becoming more frequent.")
    return tuple(reasons)


def _entries(count: int) -> str:
    return "One incident describes" if count == 1 else f"{count} incidents describe"
