"""Record a case's facts from the events of the apps below (ADR 0045, ADR 0040).

The apps below never import insights. Each hook is a model signal, so it runs inside the
transaction of the change it hears about and a fact commits or rolls back with its event:
- casework's TimelineEntry, on insert. Opening a case from a report writes its
  "reported" entry (the case's facts are made, from the report being submitted), and
  every later event (status, first contact, closure, reopening, assessment, referral,
  measure, formal process, log share) writes exactly one entry whose `detail` holds the
  choice values the facts need, in clear;
- casework's CaseMatch, on insert: the later of the two cases names someone named before
  (after a report is submitted, or a log share names someone);
- reporting's Report, saved as made by staff: a walk-in (the flag is set after submission).
Insights does not listen to reporting's `report_submitted`: reporting refuses a report
that nothing hears, to be sure casework opens its case, and insights hearing it would
hide a missing casework.
`connect` runs once, from InsightsConfig.ready.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from waypoint.casework.models import CaseMatch, TimelineEntry
from waypoint.insights import facts
from waypoint.reporting.models import Report


def on_timeline_entry_saved(
    *, instance: TimelineEntry, created: bool, raw: bool = False, **_: Any
) -> None:
    if created and not raw:  # entries are append only; fixtures (raw) are not events
        facts.facts_record_entry(entry=instance)


def on_match_saved(*, instance: CaseMatch, created: bool, raw: bool = False, **_: Any) -> None:
    if created and not raw:
        facts.facts_mark_named_before(match=instance)


def on_report_saved(
    *,
    instance: Report,
    created: bool,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **_: Any,
) -> None:
    if raw or created or not instance.made_by_staff:
        return
    if update_fields is None or "made_by_staff" in update_fields:
        facts.facts_mark_walk_in(report_id=instance.pk)


def connect() -> None:
    """Listen (dispatch_uid: connecting twice keeps one receiver)."""
    post_save.connect(
        on_timeline_entry_saved,
        sender=TimelineEntry,
        dispatch_uid="insights.on_timeline_entry_saved",
    )
    post_save.connect(on_match_saved, sender=CaseMatch, dispatch_uid="insights.on_match_saved")
    post_save.connect(on_report_saved, sender=Report, dispatch_uid="insights.on_report_saved")
