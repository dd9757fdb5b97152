"""Record a case's facts from the events of the apps below (ADR 0045). Filled in by the
facts work; `connect` runs once from InsightsConfig.ready."""

from __future__ import annotations


def connect() -> None:
    """Listen to the events that change a case's facts (nothing yet)."""
