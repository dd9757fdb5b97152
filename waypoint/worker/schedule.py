"""The jobs the worker runs on a schedule (ADR 0039).

Each job is one of our management commands, so cron can run exactly the same thing instead
(deploy/README.md). Every command is idempotent and safe to run twice at once: the
schedule makes a job run about once per period, and never needs it to run exactly once.
Times of day are in settings.TIME_ZONE.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from django.utils import timezone


@dataclass(frozen=True)
class Job:
    name: str
    command: str
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None
    args: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"{self.name}: give either `every` or `daily_at`.")

    def first_run(self, now: dt.datetime) -> dt.datetime:
        """When a job never run before is due: straight away, or at its next time of day."""
        return now if self.every is not None else self._next_daily(now, inclusive=True)

    def next_run(self, now: dt.datetime) -> dt.datetime:
        """When it is due next, counted from now: missed periods are not caught up one by
        one (each run does all the work that is due)."""
        if self.every is not None:
            return now + self.every
        return self._next_daily(now, inclusive=False)

    def _next_daily(self, now: dt.datetime, *, inclusive: bool) -> dt.datetime:
        if self.daily_at is None:
            raise ValueError(f"{self.name} runs every {self.every}, not daily.")
        local = timezone.localtime(now)
        candidate = timezone.make_aware(dt.datetime.combine(local.date(), self.daily_at))
        if candidate < now or (candidate == now and not inclusive):
            candidate = timezone.make_aware(
                dt.datetime.combine(local.date() + dt.timedelta(days=1), self.daily_at)
            )
        return candidate


_MINUTE: Final = dt.timedelta(minutes=1)

SCHEDULE: Final[tuple[Job, ...]] = (
    # Emails whose delivery task was lost (a worker killed mid-send) or is waiting to retry.
    Job("deliver_due_emails", "deliver_due_emails", every=_MINUTE),
    # Unfinished reports past their lifetime (ADR 0014).
    Job("purge_expired_drafts", "purge_expired_drafts", every=5 * _MINUTE),
    # First-contact breaches and overdue tasks: the interval is how late a lead may hear
    # of an urgent case's missed target (ADR 0019, 0028).
    Job("casework_notices", "casework_notices", every=5 * _MINUTE),
    # The audit chain's head to the append-only anchor file.
    Job("anchor_audit", "anchor_audit", every=60 * _MINUTE),
    Job("verify_audit", "verify_audit", daily_at=dt.time(3, 0)),
    # A copy of the head to WAYPOINT_AUDIT_ANCHOR_EMAIL (nothing is sent when unset).
    Job("email_audit_anchor", "anchor_audit", daily_at=dt.time(6, 0), args=("--email",)),
    Job("prune_worker_records", "prune_worker_records", daily_at=dt.time(4, 0)),
    Job("safety_reminders", "safety_reminders", daily_at=dt.time(7, 0)),
    Job("send_due_notifications", "send_due_notifications", daily_at=dt.time(7, 0)),
    Job("send_notification_digests", "send_notification_digests", daily_at=dt.time(8, 0)),
)
JOBS: Final = {job.name: job for job in SCHEDULE}
