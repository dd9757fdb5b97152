"""Reads of the worker app."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from waypoint.worker.models import WorkerHeartbeat


def worker_uses_queue() -> bool:
    """False when tasks run inside the request (WAYPOINT_TASKS=immediate): no worker."""
    return bool(settings.WAYPOINT_TASKS == "database")


def worker_last_seen() -> dt.datetime | None:
    beat = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return beat


def worker_check() -> bool:
    """For /readyz: a worker has beaten its heart recently (or none is needed)."""
    if not worker_uses_queue():
        return True
    seen = worker_last_seen()
    stale = dt.timedelta(seconds=settings.WAYPOINT_WORKER_STALE_SECONDS)
    return seen is not None and timezone.now() - seen <= stale
